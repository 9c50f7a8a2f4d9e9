"""What each cleanup step does to OCR accuracy, on rendered pages with known text.

Why: a cleanup step earns its place (on by default) only by lowering the character error
rate; this prints the evidence as a markdown table, one row per degraded page set and one
column per cumulative cleanup configuration, plus the time each step costs.

Pages come from `pipeline.synth` (content + renderer, exact truth per line). Degradations
are applied here, one factor at a time (skew, dark border, blur, noise, JPEG, bleed-through,
uneven light and yellowed paper) and all together ("hard"), at 150/200/300 dpi; when
`pipeline.synth.degrade` exists its clean/typical/hard profiles are measured as well.

CER method: every character the engine reads has a box; its centre is mapped back to the
original scan with `Cleaned.transform` and assigned to the truth line whose quad contains it
(so the transform is checked too). The OCR pieces of one truth line are joined left to right
and compared with the truth text, whitespace removed (spacing is layout's business), by
Levenshtein distance. CER = total edits / total truth characters; a truth line nothing was
read in counts in full; text read outside every truth line (photos, QR codes) is ignored.

    .venv/bin/python benchmarks/cleanup_bench.py            # full table (20+ minutes on 2 busy cores)
    .venv/bin/python benchmarks/cleanup_bench.py --quick    # a few rows
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import math
import sys
import time
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.cleanup import Cleaned, clean, to_original  # noqa: E402
from pipeline.config import CleanupConfig, OcrConfig  # noqa: E402
from pipeline.ocr import OcrLine, create_engine  # noqa: E402

log = logging.getLogger("cleanup_bench")

Quad = np.ndarray  # (4, 2) float
Page = tuple[np.ndarray, list[tuple[str, Quad]]]  # BGR image, (truth text, quad) per line

OFF = CleanupConfig(
    crop_borders=False,
    deskew=False,
    detect_rotation=False,
    flatten_background=False,
    denoise=False,
    normalize_resolution=False,
)
# cumulative configurations, in pipeline order; "raw" feeds the engine the scan as it is
CONFIGS: list[tuple[str, CleanupConfig | None]] = [
    ("raw", None),
    ("gray", OFF),
    ("+deskew/rotate", dataclasses.replace(OFF, deskew=True, detect_rotation=True)),
    ("+crop", dataclasses.replace(OFF, deskew=True, detect_rotation=True, crop_borders=True)),
    ("+denoise", dataclasses.replace(OFF, deskew=True, detect_rotation=True, crop_borders=True, denoise=True)),
    (
        "+flatten",
        dataclasses.replace(
            OFF, deskew=True, detect_rotation=True, crop_borders=True, flatten_background=True, denoise=True
        ),
    ),
    (
        "+upsample",
        dataclasses.replace(
            OFF,
            deskew=True,
            detect_rotation=True,
            crop_borders=True,
            flatten_background=True,
            denoise=True,
            normalize_resolution=True,
        ),
    ),
    ("default", CleanupConfig()),
]


# --------------------------------------------------------------------------- pages and degradations


def render(dpi: int, seed: int, template: str) -> Page:
    from pipeline.synth.content import random_issue_content
    from pipeline.synth.render import render_page

    content = random_issue_content(seed, pages=1)
    img, truth = render_page(content.pages[0], template, dpi=dpi, seed=seed)
    bgr = cv2.cvtColor(np.asarray(img.convert("RGB")), cv2.COLOR_RGB2BGR)
    lines = []
    for ln in truth.lines():
        if not ln.text.strip():
            continue
        q = ln.quad or [(ln.box.x0, ln.box.y0), (ln.box.x1, ln.box.y0), (ln.box.x1, ln.box.y1), (ln.box.x0, ln.box.y1)]
        lines.append((ln.text, np.asarray(q, dtype=np.float64)))
    return bgr, lines


def _affine(page: Page, m: np.ndarray, size: tuple[int, int], fill: int = 255) -> Page:
    img, lines = page
    out = cv2.warpAffine(img, m, size, flags=cv2.INTER_CUBIC, borderValue=(fill, fill, fill))
    return out, [(t, q @ m[:, :2].T + m[:, 2]) for t, q in lines]


def skew(deg: float) -> Callable[[Page, np.random.Generator], Page]:
    def f(page: Page, rng: np.random.Generator) -> Page:
        h, w = page[0].shape[:2]
        a = math.radians(deg)
        nw, nh = int(w * abs(math.cos(a)) + h * abs(math.sin(a))), int(w * abs(math.sin(a)) + h * abs(math.cos(a)))
        m = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)  # counter-clockwise on screen
        m[0, 2] += (nw - w) / 2
        m[1, 2] += (nh - h) / 2
        return _affine(page, m, (nw, nh))

    return f


def border(page: Page, rng: np.random.Generator) -> Page:
    """Dark scanner lid around a slightly rotated page, wider on the spine side."""
    h, w = page[0].shape[:2]
    pad = (int(0.06 * w), int(0.03 * h))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 0.8, 1.0)
    m[0, 2] += pad[0]
    m[1, 2] += pad[1]
    size = (w + pad[0] + int(0.03 * w), h + 2 * pad[1])
    img, lines = _affine(page, m, size, fill=255)
    mask = cv2.warpAffine(np.full((h, w), 255, np.uint8), m, size, borderValue=0)
    img[mask < 128] = (28, 26, 24)
    return img, lines


def blur(page: Page, rng: np.random.Generator) -> Page:
    return cv2.GaussianBlur(page[0], (0, 0), 1.1), page[1]


def noise(page: Page, rng: np.random.Generator) -> Page:
    img = page[0].astype(np.float32) + rng.normal(0, 14, page[0].shape[:2])[..., None]
    speck = rng.random(page[0].shape[:2])
    img[speck < 0.002] = 0
    img[speck > 0.998] = 255
    return np.clip(img, 0, 255).astype(np.uint8), page[1]


def jpeg(page: Page, rng: np.random.Generator) -> Page:
    ok, buf = cv2.imencode(".jpg", page[0], [cv2.IMWRITE_JPEG_QUALITY, 30])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR), page[1]


def bleed(page: Page, rng: np.random.Generator) -> Page:
    """The reverse side shows through: a mirrored, blurred page at low contrast."""
    back = cv2.GaussianBlur(cv2.flip(page[0], 1), (0, 0), 1.5).astype(np.float32)
    img = page[0].astype(np.float32)
    return np.minimum(img, 255 - (255 - back) * 0.22).astype(np.uint8), page[1]


def light(page: Page, rng: np.random.Generator) -> Page:
    """Yellowed paper with a shadow towards the spine and a brighter corner."""
    h, w = page[0].shape[:2]
    xs = np.linspace(0, 1, w)[None, :]
    ys = np.linspace(0, 1, h)[:, None]
    shade = 0.62 + 0.38 * np.clip(xs / 0.25, 0, 1) ** 0.6  # spine on the left
    shade = shade * (0.9 + 0.1 * (1 - ys))
    yellow = np.array([0.78, 0.92, 1.0], np.float32)  # BGR: less blue
    img = page[0].astype(np.float32) * shade[..., None] * yellow
    return np.clip(img, 0, 255).astype(np.uint8), page[1]


def chain(*fs: Callable[[Page, np.random.Generator], Page]) -> Callable[[Page, np.random.Generator], Page]:
    def f(page: Page, rng: np.random.Generator) -> Page:
        for g in fs:
            page = g(page, rng)
        return page

    return f


HARD = chain(skew(-2.4), light, bleed, blur, noise, border, jpeg)


def cases(quick: bool) -> list[tuple[str, int, Callable[[Page, np.random.Generator], Page] | None]]:
    if quick:
        return [("clean", 300, None), ("clean", 150, None), ("hard", 150, HARD), ("hard", 200, HARD)]
    out: list[tuple[str, int, Callable[[Page, np.random.Generator], Page] | None]] = [
        ("clean", 300, None),
        ("clean", 200, None),
        ("clean", 150, None),
    ]
    for name, f in [
        ("skew 3.5", skew(3.5)),
        ("border", border),
        ("blur", blur),
        ("noise", noise),
        ("jpeg q30", jpeg),
        ("bleed-through", bleed),
        ("uneven light", light),
    ]:
        out.append((name, 200, f))
    out += [("hard", 300, HARD), ("hard", 200, HARD), ("hard", 150, HARD)]
    return out


# --------------------------------------------------------------------------- scoring


def _lev(a: str, b: str) -> int:
    from rapidfuzz.distance import Levenshtein

    return int(Levenshtein.distance(a, b))


def score(lines: list[OcrLine], cleaned: Cleaned | None, truth: list[tuple[str, Quad]]) -> tuple[int, int]:
    """(edits, truth characters) for one page; see the module docstring for the method."""
    pieces: dict[int, list[tuple[float, str]]] = {}
    polys = [q.astype(np.float32).reshape(-1, 1, 2) for _, q in truth]
    boxes = np.array([[q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max()] for _, q in truth])
    for ln in lines:
        text = "".join(ln.text.split())
        if not text:
            continue
        if ln.char_boxes and len(ln.char_boxes) == len(ln.text):
            pts = [((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for ch, b in zip(ln.text, ln.char_boxes) if not ch.isspace()]
        else:
            q = np.asarray(ln.quad)
            pts = [(float(q[:, 0].mean()), float(q[:, 1].mean()))] * len(text)
        pts_o = to_original(cleaned.transform, pts) if cleaned is not None else np.asarray(pts, dtype=np.float64)
        votes: dict[int, int] = {}
        for x, y in pts_o:
            near = np.flatnonzero((boxes[:, 0] - 3 <= x) & (x <= boxes[:, 2] + 3) & (boxes[:, 1] - 3 <= y) & (y <= boxes[:, 3] + 3))
            for i in near:
                if cv2.pointPolygonTest(polys[i], (float(x), float(y)), True) >= -3:
                    votes[int(i)] = votes.get(int(i), 0) + 1
                    break
        if votes:
            best = max(votes, key=lambda k: votes[k])
            pieces.setdefault(best, []).append((float(pts_o[:, 0].min()), text))
    edits = total = 0
    for i, (t, _) in enumerate(truth):
        t = "".join(t.split())
        got = "".join(s for _, s in sorted(pieces.get(i, [])))
        edits += _lev(t, got)
        total += len(t)
    return edits, total


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="four rows only")
    ap.add_argument("--pages", type=int, default=1, help="pages per row (different seeds and templates)")
    ap.add_argument("--configs", default="", help="comma-separated subset of: " + ",".join(n for n, _ in CONFIGS))
    ap.add_argument("--out", type=Path, default=None, help="also write the table to this markdown file")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    configs = [c for c in CONFIGS if not args.configs or c[0] in args.configs.split(",")]
    engine = create_engine(OcrConfig())
    templates = ["a4-2col", "classic-a4"]
    results: dict[tuple[str, int], dict[str, list[int]]] = {}
    step_time: dict[str, list[float]] = {}
    ocr_time: list[float] = []
    clean_time: list[float] = []
    for name, dpi, degrade in cases(args.quick):
        row = results.setdefault((name, dpi), {c: [0, 0] for c, _ in configs})
        for k in range(args.pages):
            seed = 100 + k
            page = render(dpi, seed, templates[k % len(templates)])
            if degrade is not None:
                page = degrade(page, np.random.default_rng(seed))
            img, truth = page
            for cname, cfg in configs:
                cleaned = None
                t0 = time.perf_counter()
                if cfg is not None:
                    cleaned = clean(img, cfg)
                    if cname == "default":
                        clean_time.append(time.perf_counter() - t0)
                        for s, v in cleaned.seconds.items():
                            step_time.setdefault(s, []).append(v)
                t1 = time.perf_counter()
                lines = engine.recognize(cleaned.image if cleaned is not None else img)
                if cname == "default":
                    ocr_time.append(time.perf_counter() - t1)
                e, n = score(lines, cleaned, truth)
                row[cname][0] += e
                row[cname][1] += n
                extra = f" skew {cleaned.skew_deg:+.2f} rot {cleaned.rotation} {cleaned.steps}" if cleaned else ""
                print(f"{name:>14} {dpi} p{k} {cname:>15}: CER {100 * e / max(n, 1):6.2f}%{extra}", file=sys.stderr)
    out = ["| pages | dpi | " + " | ".join(c for c, _ in configs) + " |", "|---|---|" + "---|" * len(configs)]
    for (name, dpi), row in results.items():
        cells = [f"{100 * e / max(n, 1):.2f}%" for e, n in row.values()]
        out.append(f"| {name} | {dpi} | " + " | ".join(cells) + " |")
    out.append("")
    out.append("CER of the truth lines (whitespace ignored), cleanup steps added left to right; "
               f"{args.pages} page(s) per row, templates {', '.join(templates[: max(1, args.pages)])}.")
    if clean_time and ocr_time:
        out.append("")
        out.append("| default cleanup step | mean s/page |")
        out.append("|---|---|")
        for s, v in step_time.items():
            out.append(f"| {s} | {np.mean(v):.3f} |")
        out.append(f"| **cleanup total** | {np.mean(clean_time):.3f} |")
        out.append(f"| OCR (after default cleanup) | {np.mean(ocr_time):.3f} |")
        out.append(f"| cleanup / OCR | {100 * np.mean(clean_time) / np.mean(ocr_time):.1f}% |")
    text = "\n".join(out)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
