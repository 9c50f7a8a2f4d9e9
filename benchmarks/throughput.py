"""Batch throughput: pages per minute at 1 and 2 workers, per-stage seconds per page, peak memory
per worker, and the whole pipeline's cost per page against the OCR engine's own time.

Why: the speed bar is relative (2 workers >= 1.7x one worker; pipeline <= 1.25x the engine's
detection+recognition time on the same page), so both sides are measured in the same process on
the same rendered pages, one after the other. Pages are rendered newsletter pages
(`pipeline.synth`, A4 two-column template) so the engine does realistic work.

    .venv/bin/python benchmarks/throughput.py                  # 6 pages at 150 dpi, workers 1 and 2
    .venv/bin/python benchmarks/throughput.py --pages 12 --dpi 200 --workers 1 2

Timings are wall-clock: on a shared machine they move with the load (the load average is printed).
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.config import Config  # noqa: E402

log = logging.getLogger("benchmarks.throughput")
STAGES = ("ingest", "cleanup", "ocr", "layout")


def render_pages(folder: Path, n: int, dpi: int) -> list[Path]:
    """n rendered newsletter pages as PNG, one issue folder (different random issues, fixed seeds)."""
    from pipeline.synth.content import random_issue_content
    from pipeline.synth.render import render_issue

    issue = folder / "bench-issue"
    issue.mkdir(parents=True)
    paths: list[Path] = []
    seed = 0
    while len(paths) < n:
        for img, _truth in render_issue(random_issue_content(seed, pages=1), "a4-2col", dpi=dpi, seed=seed):
            if len(paths) < n:
                p = issue / f"page-{len(paths) + 1:03d}.png"
                img.convert("L").save(p)
                paths.append(p)
        seed += 1
    return paths


def engine_seconds(paths: list[Path], threads: int) -> list[float]:
    """The engine alone (det + rec) on each page as loaded, models loaded beforehand."""
    import numpy as np
    from PIL import Image

    from pipeline.ocr import create_engine

    eng = create_engine(Config().ocr.__class__(threads=threads))
    first = np.asarray(Image.open(paths[0]).convert("L"))
    eng.recognize(first)  # warm-up: onnxruntime's first call allocates
    out = []
    for p in paths:
        img = np.asarray(Image.open(p).convert("L"))
        t = time.perf_counter()
        eng.recognize(img)
        out.append(time.perf_counter() - t)
    return out


def run_batch(scans: Path, workers: int) -> dict:
    from pipeline.orchestrator import run

    out = Path(tempfile.mkdtemp(prefix=f"bench-w{workers}-"))
    try:
        cfg = Config().replace(workers=workers)
        t = time.perf_counter()
        res = run(scans, out, cfg, progress=False)
        wall = time.perf_counter() - t
    finally:
        shutil.rmtree(out, ignore_errors=True)
    n = res.pages_total
    page_phase = wall - res.timings.get("assemble", 0.0) - res.timings.get("export", 0.0)
    return {
        "workers": workers,
        "pages": n,
        "failed": res.pages_failed,
        "wall": wall,
        "ppm": 60.0 * n / wall,
        "ppm_pages": 60.0 * n / page_phase,
        "stage": {k: res.timings.get(k, 0.0) / n for k in STAGES},
        "assemble": res.timings.get("assemble", 0.0) / n,
        "export": res.timings.get("export", 0.0) / n,
        "rss": sorted(res.worker_peak_rss_mb.values()),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=6)
    ap.add_argument("--dpi", type=int, default=150)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    cores = os.cpu_count() or 1
    tmp = Path(tempfile.mkdtemp(prefix="bench-scans-"))
    try:
        paths = render_pages(tmp, args.pages, args.dpi)
        load0 = os.getloadavg()[0]
        eng = engine_seconds(paths, threads=cores)
        rows = [run_batch(tmp, w) for w in args.workers]
        load1 = os.getloadavg()[0]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    eng_mean = statistics.mean(eng)
    print(f"## Batch throughput — {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, {cores} cores, "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"\n{args.pages} rendered A4 pages at {args.dpi} dpi; load average {load0:.1f} before, {load1:.1f} after.")
    print(f"OCR engine alone (det+rec, {cores} threads, models loaded): {eng_mean:.2f} s/page "
          f"(min {min(eng):.2f}, max {max(eng):.2f}).\n")
    print("| workers x threads | pages/min (whole run) | pages/min (page phase) | speed-up | "
          + " | ".join(f"{s} s/page" for s in STAGES) + " | assemble+export s/page | peak RSS per worker (MiB) |")
    print("|---|---|---|---|" + "---|" * len(STAGES) + "---|---|")
    base = rows[0]["ppm"]
    for r in rows:
        threads = max(1, cores // r["workers"])
        stages = " | ".join(f"{r['stage'][s]:.2f}" for s in STAGES)
        rss = ", ".join(f"{v:.0f}" for v in r["rss"])
        print(f"| {r['workers']} x {threads} | {r['ppm']:.1f} | {r['ppm_pages']:.1f} | {r['ppm'] / base:.2f}x | "
              f"{stages} | {r['assemble'] + r['export']:.2f} | {rss} |")
    one = rows[0]
    per_page = sum(one["stage"].values()) + one["assemble"] + one["export"]
    print(f"\nWhole pipeline, {one['workers']} worker: {per_page:.2f} s/page of stage time "
          f"({60.0 / one['ppm']:.2f} s/page wall, model loading included) = "
          f"{per_page / eng_mean:.2f}x the engine's own {eng_mean:.2f} s/page (bar: <= 1.25x).")
    if len(rows) > 1:
        best = max(rows[1:], key=lambda r: r["ppm"])
        print(f"{best['workers']} workers: {best['ppm'] / base:.2f}x the pages per minute of {one['workers']} "
              "(bar: >= 1.7x for 2 workers).")
    if any(r["failed"] for r in rows):
        print("\nWARNING: some pages failed; the figures are not comparable.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
