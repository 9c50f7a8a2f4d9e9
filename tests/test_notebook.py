"""notebooks/explore.ipynb runs top to bottom against a dataset written by write_dataset and
produces its tables and the plot."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.export import write_dataset
from test_export import MANIFEST, build_issues

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "explore.ipynb"


def test_notebook_executes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("matplotlib")
    out = tmp_path / "output"
    write_dataset(build_issues(), out, MANIFEST, alto=False, review=False)
    monkeypatch.setenv("BACKISSUE_OUTPUT", str(out))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "\n".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "2 issues, 3 pages" in text
    assert "中共静安区委副书记" in text and "静安区委书记" in text  # people and their posts
    assert "同心惠民" in text  # awards table
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the mentions plot
