"""Export: the dataset contract of DESIGN.md (CSV tables, issues/*.json, manifest.json,
datapackage.json), ALTO XML per page and a static review page per issue.

Every file is written atomically and deterministically: the same issues and manifest give
byte-identical files, so a resumed run ends exactly like an uninterrupted one. Files this
exporter wrote for issues or pages that are no longer part of the dataset are removed, so the
folder always describes exactly one run.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from ..model import Issue, PageStatus
from .files import atomic_write_bytes, atomic_write_text, csv_bytes, dumps_json
from .tables import TABLES, sorted_issues, table_rows, usable_ids

__all__ = ["write_dataset", "issue_json", "write_tables"]

log = logging.getLogger(__name__)


def issue_json(issue: Issue) -> dict[str, Any]:
    """The nested document of one issue, with failed pages reduced to their status and error."""
    d = issue.to_dict()
    u = usable_ids(issue)
    for pd_ in d["pages"]:
        if pd_["status"] != str(PageStatus.OK):
            pd_["blocks"] = []
            pd_["ocr_lines"] = []
    d["mentions"] = [m for m in d["mentions"] if m["block_id"] in u.blocks]
    d["corrections"] = [c for c in d["corrections"] if c["line_id"] in u.lines]
    d["articles"] = [a for a in d["articles"] if a["article_id"] in u.articles]
    return d


def write_tables(issues: list[Issue], out_dir: Path) -> dict[str, dict[str, Any]]:
    """Write the eight CSV tables; returns {table: {"file", "rows", "sha256"}} for the manifest."""
    info: dict[str, dict[str, Any]] = {}
    for t in TABLES.values():
        rows = table_rows(t, issues)
        data = csv_bytes(t.header, rows)
        atomic_write_bytes(out_dir / t.file, data)
        info[t.name] = {"file": t.file, "rows": len(rows), "sha256": hashlib.sha256(data).hexdigest()}
    return info


def _remove_stale(folder: Path, pattern: str, keep: set[str]) -> None:
    if not folder.is_dir():
        return
    for p in sorted(folder.glob(pattern)):
        if p.name not in keep and p.is_file():
            log.info("removing %s: not part of this dataset any more", p)
            p.unlink()


def write_dataset(
    issues: list[Issue],
    out_dir: Path,
    manifest: dict[str, Any],
    *,
    scans_dir: Path | None = None,
    alto: bool = True,
    review: bool = True,
) -> None:
    """Write the whole dataset for `issues` into `out_dir`.

    `manifest` is the orchestrator's run record (tool version, engine, config, inputs); it is
    written as manifest.json with a `tables` section added. `scans_dir` lets the review pages
    show the scans (downscaled JPEG copies); without it they show the boxes only."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    issues = sorted_issues(issues)
    ids = [i.issue_id for i in issues]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate issue ids: {sorted({i for i in ids if ids.count(i) > 1})}")

    tables = write_tables(issues, out_dir)

    issues_dir = out_dir / "issues"
    for issue in issues:
        atomic_write_text(issues_dir / f"{issue.issue_id}.json", dumps_json(issue_json(issue)))
    _remove_stale(issues_dir, "*.json", {f"{i}.json" for i in ids})

    engine = manifest.get("engine") if isinstance(manifest.get("engine"), dict) else {}
    if alto:
        from .alto import write_alto

        names = set()
        for issue in issues:
            names |= {p.name for p in write_alto(issue, out_dir / "alto", engine=engine)}
        _remove_stale(out_dir / "alto", "*.xml", names)
    if review:
        from .review import write_review

        html = set()
        imgs: set[str] = set()
        for issue in issues:
            page, img = write_review(issue, out_dir / "review", scans_dir)
            html.add(page.name)
            imgs |= {p.name for p in img}
        _remove_stale(out_dir / "review", "*.html", html | {"index.html"})
        _remove_stale(out_dir / "review" / "img", "*.jpg", imgs)
        from .review import write_review_index

        write_review_index(issues, out_dir / "review")

    from .datapackage import build_datapackage

    pkg = build_datapackage(manifest, tables)
    atomic_write_text(out_dir / "datapackage.json", dumps_json(pkg))

    man = dict(manifest)
    man["tables"] = tables
    man["datapackage"] = "datapackage.json"
    man["issues_written"] = len(issues)
    man["pages_failed"] = sum(1 for i in issues for p in i.pages if p.status != PageStatus.OK)
    atomic_write_text(out_dir / "manifest.json", dumps_json(man))
    log.info("dataset written to %s: %s", out_dir, ", ".join(f"{k} {v['rows']}" for k, v in tables.items()))
