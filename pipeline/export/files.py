"""Atomic, deterministic file writing and the CSV cell encoding every table shares.

Why atomic: a run killed mid-write must never leave a half-written table that a resumed run or
a researcher would trust. Each file is written to a temporary file in the same folder (same
file system, so `os.replace` is atomic) and swapped in.

Why the formula guard: the tables are opened in spreadsheets, which run a cell that starts with
`=`, `+`, `-`, `@` (and a leading tab or CR) as a formula (CSV injection). Such text cells get a
single quote `'` in front; a text that itself starts with `'` gets one too, so that
`load_dataset` can strip exactly one leading quote from every text cell and give back the exact
text. Full-width ＝＋－＠ are guarded as well, since some spreadsheet locales treat them as formula
starts and Chinese OCR text often begins with them.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence

log = logging.getLogger(__name__)

FORMULA_GUARD = "'"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠", FORMULA_GUARD)


def guard_text(s: str) -> str:
    """Prefix `'` to a text cell a spreadsheet would run as a formula (or that starts with `'`)."""
    return FORMULA_GUARD + s if s.startswith(FORMULA_STARTS) else s


def unguard_text(s: str) -> str:
    """Inverse of `guard_text`: every cell that starts with `'` was guarded, so strip one."""
    return s[1:] if s.startswith(FORMULA_GUARD) else s


def format_number(v: float | int | None, digits: int = 4) -> str:
    """Numbers as plain, locale-free text: integral values without a decimal point, others rounded
    to `digits` decimals, so the same input always gives the same bytes."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    f = float(v)
    if math.isnan(f):
        return ""
    if f.is_integer():
        return str(int(f))
    return repr(round(f, digits))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temp file in the same folder and `os.replace`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a dataset is for others to read
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def dumps_json(obj: Any) -> str:
    """Canonical JSON: sorted keys, real UTF-8 characters, trailing newline (paths etc. as str)."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=1, default=str) + "\n"


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """Rows of already formatted cells as UTF-8 CSV with `\\n` line ends (no BOM: pandas and
    Frictionless read it as is; Excel users import it as UTF-8)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")
