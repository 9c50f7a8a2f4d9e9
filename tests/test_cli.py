"""The command line in-process: every option documented, and each kind of failure its own exit code
(the batch's end-to-end runs with the OCR engine are in test_batch.py)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline import cli
from pipeline.errors import ExitCode
from pipeline.orchestrator import Progress, remove_stale_temp_files


def _one_scan(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((200, 300), 255, np.uint8)).save(folder / "p1.png")
    return folder


def test_help_lists_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "--help"]) == ExitCode.OK
    text = capsys.readouterr().out
    run_parser = cli.build_parser()._subparsers._group_actions[0].choices["run"]  # type: ignore[union-attr]
    options = [s for a in run_parser._actions for s in a.option_strings]
    assert len(options) >= 15
    for opt in options:
        assert opt in text, opt
    for code in ("0", "1", "2", "3", "4", "5", "130"):  # the exit codes are documented too
        assert re.search(rf"^\s+{code}\s", text, re.M), code


def test_version_and_missing_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == ExitCode.OK
    assert "backissue" in capsys.readouterr().out
    assert cli.main([]) == ExitCode.BAD_ARGS


def test_bad_arguments_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scans = _one_scan(tmp_path / "scans")
    assert cli.main(["run", str(scans), "--workers", "0"]) == ExitCode.BAD_ARGS
    assert "--workers must be at least 1" in capsys.readouterr().err
    assert cli.main(["run", str(scans), "--pdf-dpi", "0"]) == ExitCode.BAD_ARGS
    assert cli.main(["run", str(scans), "--no-such-option"]) == ExitCode.BAD_ARGS
    assert cli.main(["run"]) == ExitCode.BAD_ARGS  # SCANS_DIR is required


def test_missing_or_empty_scans_folder_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == ExitCode.INPUT_MISSING
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not a scan")
    assert cli.main(["run", str(tmp_path / "empty"), "--out", str(tmp_path / "out")]) == ExitCode.INPUT_MISSING
    assert "no scans" in capsys.readouterr().err


def test_unwritable_output_exits_4(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scans = _one_scan(tmp_path / "scans")
    blocker = tmp_path / "a-file"
    blocker.write_text("an output folder cannot be made here")
    assert cli.main(["run", str(scans), "--out", str(blocker / "out")]) == ExitCode.OUTPUT_ERROR
    assert "cannot write to the output folder" in capsys.readouterr().err


def test_unknown_engine_exits_5_before_any_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scans = _one_scan(tmp_path / "scans")
    out = tmp_path / "out"
    assert cli.main(["run", str(scans), "--out", str(out), "--engine", "tesseract"]) == ExitCode.ENGINE_ERROR
    assert "unknown OCR engine 'tesseract'" in capsys.readouterr().err
    assert not (out / "pages.csv").exists()


def test_progress_shows_pages_per_minute_only_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    bar = Progress(3, show=True)
    bar.update()
    bar.update(failed=True)
    bar.close()
    err = capsys.readouterr().err
    assert "pages/min" in err and "1 failed" in err and "2/3" in err
    quiet = Progress(3, show=False)
    quiet.update()
    quiet.close()
    assert capsys.readouterr().err == ""


def test_stale_temp_files_are_swept_only_in_our_folders(tmp_path: Path) -> None:
    (tmp_path / "issues").mkdir()
    (tmp_path / ".lines.csv.ab12.tmp").write_text("half")
    (tmp_path / "issues" / ".x.json.cd34.tmp").write_text("half")
    (tmp_path / "notes.tmp").write_text("the archivist's own file")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / ".keep.tmp").write_text("not a folder we write")
    assert remove_stale_temp_files(tmp_path) == 2
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        "notes.tmp", "other/.keep.tmp"]
