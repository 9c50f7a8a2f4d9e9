"""Nearest look-alike neighbours of common Chinese characters by rendered glyph shape.

Why: the confusion tables hold pairs someone noticed (confusables.txt) or the recogniser was seen
to confuse in a few minutes of learning (confusables_engine.tsv, ~38 sightings per character);
many misreadings on hard scans pair characters neither source saw. Glyph shape is a general
source: two characters that look alike after the blur of a 150-200 dpi scan are the ones a
recogniser mixes up. This renders the most common characters (weighted by the jieba frequency
of the words they occur in) in the templates' body faces (Noto Serif CJK SC, AR PL UMing, Noto
Sans CJK SC) at body size of a 175 dpi scan (10.5 pt = 26 px), blurs them like a scan, and
takes each character's neighbours by the mean correlation over the three faces (one matrix
product per face). Pairs above `--min-sim`, at most `--top-k` per character, go to
pipeline/resources/lexicon/confusables_glyph.tsv (`char`, `neighbours`; header with method,
command and settings), which `pipeline.correct.confusion_table(glyph_top_k=k)` merges as pairs of
the learned kind (strict evidence, never jieba alone without an engine confidence).

Deterministic (no random draw): the same arguments and fonts give the same file.

    .venv/bin/python benchmarks/glyph_neighbours.py      # the shipped table, ~10 s
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.synth.render import FONTS as RENDER_FONTS  # noqa: E402

log = logging.getLogger("glyph_neighbours")

OUT = Path(__file__).resolve().parents[1] / "pipeline" / "resources" / "lexicon" / "confusables_glyph.tsv"
# the body faces of the synthetic templates: (path, face index)
FONTS = tuple(RENDER_FONTS[k] for k in ("serif", "ming", "sans"))


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def common_chars(n: int) -> list[str]:
    """The `n` Han characters with the highest summed jieba frequency of the words holding them:
    characters as they occur in running text, not only as single-character words."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    score: dict[str, float] = defaultdict(float)
    for w, f in jieba.dt.FREQ.items():
        if f > 0 and all(is_han(c) for c in w):
            for c in w:
                score[c] += f
    ranked = sorted(score.items(), key=lambda t: (-t[1], t[0]))
    return [c for c, _ in ranked[:n]]


def render(chars: list[str], font: tuple[str, int], px: int, sigma: float) -> np.ndarray:
    """One row per character: the glyph at `px` on an em-sized canvas (same origin for all, as a
    recogniser sees characters on the line's grid), Gaussian-blurred, zero mean, unit norm."""
    import cv2
    from PIL import Image, ImageDraw, ImageFont

    f = ImageFont.truetype(font[0], px, index=font[1])
    side = px + 4
    out = np.zeros((len(chars), side * side), dtype=np.float32)
    for k, ch in enumerate(chars):
        im = Image.new("L", (side, side), 0)
        ImageDraw.Draw(im).text((side // 2, side // 2), ch, fill=255, font=f, anchor="mm")
        a = cv2.GaussianBlur(np.asarray(im, dtype=np.float32) / 255.0, (0, 0), sigma).ravel()
        a -= a.mean()
        norm = float(np.linalg.norm(a))
        out[k] = a / norm if norm else 0.0
    return out


def neighbours(
    chars: list[str], px: int, sigma: float, top_k: int, min_sim: float
) -> dict[str, list[tuple[str, float]]]:
    """Each character's `top_k` most similar others with mean correlation >= `min_sim`."""
    sim = np.zeros((len(chars), len(chars)), dtype=np.float32)
    for font in FONTS:
        g = render(chars, font, px, sigma)
        sim += g @ g.T
    sim /= len(FONTS)
    np.fill_diagonal(sim, -1.0)
    out: dict[str, list[tuple[str, float]]] = {}
    for i, c in enumerate(chars):
        order = np.argsort(-sim[i], kind="stable")[:top_k]
        near = [(chars[j], float(sim[i, j])) for j in order if sim[i, j] >= min_sim]
        if near:
            out[c] = near
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--chars", type=int, default=4000, help="the N most common Han characters")
    p.add_argument("--px", type=int, default=22, help="glyph size: 10.5 pt at 150 dpi")
    p.add_argument("--sigma", type=float, default=1.2, help="Gaussian blur of a scan, pixels")
    p.add_argument("--top-k", type=int, default=3, help="neighbours kept per character")
    p.add_argument("--min-sim", type=float, default=0.85, help="mean correlation over the three faces")
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    t0 = time.perf_counter()
    chars = common_chars(args.chars)
    near = neighbours(chars, args.px, args.sigma, args.top_k, args.min_sim)
    n_pairs = sum(len(v) for v in near.values())
    cmd = (f".venv/bin/python benchmarks/glyph_neighbours.py --chars {args.chars} --px {args.px} "
           f"--sigma {args.sigma:g} --top-k {args.top_k} --min-sim {args.min_sim:g}")  # fmt: skip
    header = [
        "Glyph look-alikes: nearest neighbours of the most common Han characters (summed jieba word",
        "frequency) by blurred-glyph correlation, mean over Noto Serif CJK SC, AR PL UMing, Noto Sans",
        f"CJK SC at {args.px} px (10.5 pt at ~{args.px * 72 / 10.5:.0f} dpi), Gaussian sigma {args.sigma:g} px, same em origin.",
        f"{len(chars)} characters, {n_pairs} pairs (<= {args.top_k} per character, correlation >= {args.min_sim:g}).",
        "Deterministic (no seed needed). neighbours = look-alikes, most similar first. Made with:",
        cmd,
    ]
    body = [f"{c}\t{''.join(n for n, _ in v)}" for c, v in near.items()]
    args.out.write_text("\n".join([*(f"# {h}" for h in header), "char\tneighbours", *body]) + "\n", encoding="utf-8")
    print(f"{len(chars)} chars, {len(near)} with neighbours, {n_pairs} pairs -> {args.out} "
          f"({args.out.stat().st_size} bytes); {time.perf_counter() - t0:.0f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
