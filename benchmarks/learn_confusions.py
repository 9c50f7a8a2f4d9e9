"""Learn the OCR engine's own look-alike confusions on degraded renderings of common words.

Why: the hand-made confusion table (pipeline/resources/lexicon/confusables.txt) only holds pairs
someone noticed; most misreadings left on hard scans (问 read as 间, 工 as 王, 属 as 居 ...) were
absent from it. Instead of picking pairs from the benchmark's errors (which would tune on the
test), this renders lines of jieba's most frequent words (not pipeline.synth content, which the
benchmark pages are made of) with the project's CJK body fonts, degrades them with the pieces of
the frozen "hard" and "harder" scan chains (pipeline/synth/degrade.py) at 150-200 dpi, reads
each line crop with the shipped PP-OCRv6 recogniser, aligns reading and truth (rapidfuzz
Levenshtein opcodes) and counts 1:1 Han substitutions and, on lines read right, each
character's near misses (runner-ups of probability >= 0.05 on its CTC frames). Pairs seen at
least `--min-count` times are written to pipeline/resources/lexicon/confusables_engine.tsv,
which `pipeline.correct.confusion_table()` merges with the hand table (read_as -> char: a
character the engine printed is tried as each character it stood for, still only on lexicon
evidence).

Seeded and offline: the same arguments give the same file.

    .venv/bin/python benchmarks/learn_confusions.py                  # the shipped table, ~13 min on 2 busy cores
    .venv/bin/python benchmarks/learn_confusions.py --near-miss 0    # substitutions only
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.synth.render import FONTS as RENDER_FONTS  # noqa: E402

log = logging.getLogger("learn_confusions")

OUT = Path(__file__).resolve().parents[1] / "pipeline" / "resources" / "lexicon" / "confusables_engine.tsv"
# the body faces of the synthetic templates: (path, face index)
FONTS = tuple(RENDER_FONTS[k] for k in ("serif", "ming", "sans"))
RENDER_DPI = 300
BODY_PT = 10.5  # newsletter body size; rendered at 300 dpi, then rescaled like a scan


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def common_words(top: int) -> list[str]:
    """jieba's dictionary words of 2-4 Han characters, most frequent first."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    words = [(f, w) for w, f in jieba.dt.FREQ.items() if f > 0 and 2 <= len(w) <= 4 and all(is_han(c) for c in w)]
    words.sort(key=lambda t: (-t[0], t[1]))
    return [w for _, w in words[:top]]


def make_lines(words: list[str], n_lines: int, rng: random.Random, chars: int = 18) -> list[str]:
    """Shuffled words run into lines of about `chars` characters (no punctuation, no spaces)."""
    out = []
    for _ in range(n_lines):
        s = ""
        while len(s) < chars:
            s += rng.choice(words)
        out.append(s[:chars])
    return out


def render_sheet(lines: list[str], font: tuple[str, int]) -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """Lines one below the other on white paper at 300 dpi; boxes are the lines' ink boxes."""
    px = round(BODY_PT / 72 * RENDER_DPI)
    f = ImageFont.truetype(font[0], px, index=font[1])
    pitch = round(px * 1.7)
    margin = 2 * px
    width = margin * 2 + px * max(len(s) for s in lines)
    img = Image.new("RGB", (width, margin * 2 + pitch * len(lines)), "white")
    d = ImageDraw.Draw(img)
    boxes = []
    for k, s in enumerate(lines):
        y = margin + k * pitch + px
        d.text((margin, y), s, font=f, fill=(20, 20, 20), anchor="ls")
        boxes.append(tuple(int(v) for v in d.textbbox((margin, y), s, font=f, anchor="ls")))
    return img, boxes  # type: ignore[return-value]


def degrade_sheet(img: Image.Image, rng: random.Random, dpi: float, profile: str = "hard") -> Image.Image:
    """The frozen "hard" chain's pieces in its order, without the geometric steps (skew, border):
    line crops are taken from known boxes, as the detector would hand them to the recogniser."""
    import cv2

    from pipeline.synth import degrade as dg

    c = dg._HARD[profile]  # read only: the frozen profile's strengths
    img = dg.ink_spread(img, rng, max(0, round(c.spread_px)), c.breaks)
    img = dg.faded_ink(img, rng, c.fade)
    img = dg.show_through(img, rng, c.show_through, c.show_sigma)
    img = dg.halftone_moire(img, rng, c.moire, 2.3)
    img = dg.yellow_paper(img, rng.uniform(0.8, 1.0) if c.yellow is None else c.yellow)
    if c.stain > 0:
        img = dg.stain(img, rng, c.stain)
    img = dg.uneven_lighting(img, rng, c.shadow, spine=True)
    img = dg.blur(img, c.sigma)
    f = dpi / RENDER_DPI
    a = cv2.resize(np.asarray(img.convert("RGB")), None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    img = Image.fromarray(a)
    img = dg.speckle(img, rng, c.dust, c.dust_radius)
    img = dg.gaussian_noise(img, c.noise, rng)
    return dg.jpeg(img, rng.randint(*c.jpeg))


def crops_of(img: Image.Image, boxes: list[tuple[int, int, int, int]], f: float) -> list[np.ndarray]:
    """Line crops with a margin like the detector's unclip (about a third of the line height)."""
    a = np.asarray(img.convert("RGB"))[:, :, ::-1]  # BGR, as rapidocr expects
    out = []
    for x0, y0, x1, y1 in boxes:
        pad = 0.35 * (y1 - y0) * f
        ya, yb = max(0, int(y0 * f - pad)), min(a.shape[0], int(y1 * f + pad) + 1)
        xa, xb = max(0, int(x0 * f - pad)), min(a.shape[1], int(x1 * f + pad) + 1)
        out.append(np.ascontiguousarray(a[ya:yb, xa:xb]))
    return out


def substitutions(truth: str, read: str) -> list[tuple[str, str]]:
    """1:1 Han substitutions of an alignment (equal-length replace blocks only)."""
    from rapidfuzz.distance import Levenshtein

    pairs = []
    for op in Levenshtein.opcodes(truth, read):
        if op.tag == "replace" and op.src_end - op.src_start == op.dest_end - op.dest_start:
            for t, r in zip(truth[op.src_start : op.src_end], read[op.dest_start : op.dest_end]):
                if is_han(t) and is_han(r) and t != r:
                    pairs.append((t, r))
    return pairs


def read_with_runner_ups(rec, crops: list[np.ndarray], min_prob: float) -> list[list[tuple[str, dict[str, float]]]]:
    """Greedy CTC reading of each crop with, per character read, the other characters the
    recogniser gave at least `min_prob` over that character's frames: the engine's own near
    misses. Why: a line read right still shows what each character nearly was, so every
    character read is evidence, not only the ~1% misread (same model, preprocessing and
    decoding as rapidocr's TextRecognizer, whose internals are used read-only)."""
    chars = rec.postprocess_op.character  # index 0 = CTC blank
    _, h, w = rec.rec_image_shape
    out = []
    for crop in crops:
        ratio = max(w / h, crop.shape[1] / crop.shape[0])
        probs = rec.session(rec.resize_norm_img(crop, ratio)[np.newaxis].astype(np.float32))[0]
        idx = probs.argmax(axis=1)
        line: list[tuple[str, dict[str, float]]] = []
        t = 0
        while t < len(idx):
            u = t
            while u + 1 < len(idx) and idx[u + 1] == idx[t]:
                u += 1
            if idx[t] != 0:
                frames = probs[t : u + 1].max(axis=0)
                frames[idx[t]] = frames[0] = 0.0
                alts = {chars[k]: float(frames[k]) for k in np.flatnonzero(frames >= min_prob)}
                line.append((chars[idx[t]], alts))
            t = u + 1
        out.append(line)
    return out


def learn(
    n_lines: int,
    seed: int,
    top: int,
    profiles: tuple[str, ...] = ("hard",),
    min_prob: float = 0.0,
    sheet_lines: int = 40,
) -> tuple[Counter[tuple[str, str]], int, int]:
    """(truth char, read char) counts, characters read, lines read. Sheets alternate fonts and
    profiles; "harder" is the same frozen chain, stronger, so look-alikes show up more often per
    character read (the hard chain alone gives ~0.4% substitutions on these lines). With
    `min_prob` > 0 a near miss (runner-up >= min_prob on a line read right) counts as a sighting."""
    from pipeline.config import OcrConfig
    from pipeline.ocr import create_engine

    rng = random.Random(seed)
    words = common_words(top)
    eng = create_engine(OcrConfig())
    rec = eng._ocr._load_rec_model()  # type: ignore[attr-defined]  # read-only use of the engine's recogniser
    counts: Counter[tuple[str, str]] = Counter()
    chars = done = 0
    for k in range(0, n_lines, sheet_lines):
        lines = make_lines(words, min(sheet_lines, n_lines - k), rng)
        sheet = k // sheet_lines
        font = FONTS[sheet % len(FONTS)]
        profile = profiles[(sheet // len(FONTS)) % len(profiles)]
        dpi = rng.choice((150, 175, 200))
        img, boxes = render_sheet(lines, font)
        scan = degrade_sheet(img, random.Random(f"{seed}:{k}"), dpi, profile)
        reads = read_with_runner_ups(rec, crops_of(scan, boxes, dpi / RENDER_DPI), min_prob)
        for truth, read in zip(lines, reads):
            text = "".join(c for c, _ in read)
            counts.update(substitutions(truth, text))
            chars += len(truth)
            if text == truth:  # aligned 1:1: near misses of characters read right
                for t, (_, alts) in zip(truth, read):
                    counts.update((t, a) for a in alts if is_han(a))
        done += len(lines)
        log.info("%d/%d lines, %d substitutions so far", done, n_lines, sum(counts.values()))
    return counts, chars, done


def write_table(path: Path, counts: Counter[tuple[str, str]], min_count: int, header: list[str]) -> int:
    kept = sorted(((t, r, n) for (t, r), n in counts.items() if n >= min_count), key=lambda x: (-x[2], x[0], x[1]))
    body = [f"{t}\t{r}\t{n}" for t, r, n in kept]
    path.write_text("\n".join([*(f"# {h}" for h in header), "char\tread_as\tcount", *body]) + "\n", encoding="utf-8")
    return len(kept)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lines", type=int, default=4800, help="text lines rendered and read (18 characters each)")
    p.add_argument("--top", type=int, default=8000, help="words drawn from jieba's most frequent N")
    p.add_argument("--seed", type=int, default=21)
    p.add_argument("--min-count", type=int, default=2, help="keep pairs seen at least this often")
    p.add_argument("--profiles", default="hard,harder", help="frozen chains of pipeline/synth/degrade.py, alternated")
    p.add_argument("--near-miss", type=float, default=0.05,
                   help="also count runner-ups of at least this probability on lines read right (0: off)")  # fmt: skip
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("pipeline").setLevel(logging.ERROR)
    t0 = time.perf_counter()
    profiles = tuple(args.profiles.split(","))
    counts, chars, n = learn(args.lines, args.seed, args.top, profiles, args.near_miss)
    secs = time.perf_counter() - t0
    subs = sum(counts.values())
    cmd = f".venv/bin/python benchmarks/learn_confusions.py --lines {args.lines} --top {args.top} " \
          f"--seed {args.seed} --min-count {args.min_count} --profiles {args.profiles} --near-miss {args.near_miss:g}"  # fmt: skip
    header = [
        "Look-alike substitutions of the shipped PP-OCRv6 recogniser (rapidocr), learned by",
        "benchmarks/learn_confusions.py: lines of jieba's most frequent words in the templates' body",
        "fonts (Noto Serif/Sans CJK SC, AR PL UMing), 10.5 pt, degraded with the pieces of the frozen",
        f"chains {', '.join(profiles)} (pipeline/synth/degrade.py, no skew) at 150-200 dpi, read as line",
        "crops, aligned with the truth (Levenshtein opcodes); with --near-miss P, a runner-up of",
        "probability >= P on a line read right also counts (the CTC frames of that character).",
        f"{n} lines, {chars} characters, {subs} Han sightings; pairs seen >= {args.min_count} times.",
        "char = what was printed, read_as = what the engine read. Made with:",
        cmd,
    ]
    kept = write_table(args.out, counts, args.min_count, header)
    print(f"{n} lines, {chars} chars, {subs} sightings ({subs / max(1, chars):.2%}), {len(counts)} pairs, "
          f"{kept} kept (>= {args.min_count}) -> {args.out}; {secs:.0f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
