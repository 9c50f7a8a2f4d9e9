"""backissue beside what an archivist would use instead, on the same rendered pages.

    python -m benchmarks.peers [--quick]

Columns: CER of the page text in reading order against the ground truth, and seconds per page, for
- backissue (the whole pipeline),
- PP-OCRv6 small alone, lines in the engine's own order (what you get without column reconstruction),
- Tesseract 5 chi_sim with its own page segmentation (Debian's tesseract-ocr-chi-sim), if installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.__main__ import cases, render_case
from pipeline.config import Config
from pipeline.evaluate import cer
from pipeline.orchestrator import run


def tesseract_text(path: Path) -> str | None:
    exe = shutil.which("tesseract")
    if not exe:
        return None
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # on 2 cores OpenMP spins otherwise (MODELS.md)
    proc = subprocess.run([exe, str(path), "stdout", "-l", "chi_sim", "--psm", "3"], capture_output=True,
                          text=True, env=env, check=False)
    return proc.stdout if proc.returncode == 0 else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.peers", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="backissue-peers-"))
    scans = work / "scans"
    chosen = cases(args.quick)
    truths = {c.name: render_case(c, scans) for c in chosen}

    t = time.perf_counter()
    result = run(scans, work / "out", Config(), progress=False)
    ours_s = (time.perf_counter() - t) / sum(len(v) for v in truths.values())
    by_id = {i.issue_id: i for i in result.issues}

    import cv2

    from pipeline.ocr import create_engine

    engine = create_engine(Config().ocr)
    print(f"# backissue and peers, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores\n")
    print("| case | backissue CER | PP-OCRv6 engine order CER | s/page | Tesseract chi_sim CER | s/page |")
    print("|---|---|---|---|---|---|")
    for c in chosen:
        for page, truth in zip(by_id[c.name].pages, truths[c.name]):
            ref = truth.reading_order_text()
            path = scans / c.name / f"page-{truth.page_no}.png"
            t = time.perf_counter()
            lines = engine.recognize(cv2.imread(str(path)))
            raw_s = time.perf_counter() - t
            raw = "\n".join(ln.text for ln in lines)
            t = time.perf_counter()
            tess = tesseract_text(path)
            tess_s = time.perf_counter() - t
            tess_cell = f"{cer(tess, ref):.3f} | {tess_s:.1f}" if tess is not None else "not installed | -"
            print(f"| {c.name} p{truth.page_no} | {cer(page.reading_order_text(), ref):.4f} | {cer(raw, ref):.3f} "
                  f"| {raw_s:.1f} | {tess_cell} |")
    print(f"\nbackissue whole pipeline: {ours_s:.1f} s/page")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
