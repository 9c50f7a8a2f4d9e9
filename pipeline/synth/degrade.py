"""Make a rendered page look scanned, keeping its ground truth on the ink.

Each building block takes and returns (image, truth); the geometric ones (rotation, rescaling,
scanner border) move every truth box with the pixels, so accuracy measured on a degraded page
is measured against where the text really is. Profiles bundle them: "clean", "typical", "hard" (a worn back issue), "harder", "hard-1bit"."""

from __future__ import annotations

import copy
import dataclasses
import logging
import math
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..model import Box
from .truth import TruthPage

log = logging.getLogger(__name__)



def _arr(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB"), dtype=np.float32)


def _img(a: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(a, 0, 255).round().astype(np.uint8), "RGB")


def transform_truth(truth: TruthPage, m: np.ndarray, width: int, height: int) -> TruthPage:
    """Move every line and block of `truth` by the 2x3 affine `m` onto a width x height image:
    a box becomes the box around its transformed quad, clipped to the image."""
    out = copy.deepcopy(truth)
    out.width, out.height = int(width), int(height)

    def move(pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
        p = np.asarray(pts, dtype=np.float64)
        q = p @ m[:, :2].T + m[:, 2]
        return [(float(x), float(y)) for x, y in q]

    def box_of(pts: list[tuple[float, float]]) -> Box:
        xs = [min(max(x, 0.0), width) for x, _ in pts]
        ys = [min(max(y, 0.0), height) for _, y in pts]
        return Box(min(xs), min(ys), max(xs), max(ys)).rounded()

    def corners(b: Box) -> list[tuple[float, float]]:
        return [(b.x0, b.y0), (b.x1, b.y0), (b.x1, b.y1), (b.x0, b.y1)]

    for blk in out.blocks:
        blk.box = box_of(move(corners(blk.box)))
        for ln in blk.lines:
            quad = move(ln.quad or corners(ln.box))
            ln.quad = [(round(x, 1), round(y, 1)) for x, y in quad]
            ln.box = box_of(quad)
    return out


# --------------------------------------------------------------------------- geometric


def rescale(img: Image.Image, truth: TruthPage, dpi: float) -> tuple[Image.Image, TruthPage]:
    """Resample to another scan resolution (150/200/300 dpi ...)."""
    import cv2

    f = dpi / truth.dpi
    if abs(f - 1) < 1e-6:
        return img, truth
    w, h = max(1, round(img.width * f)), max(1, round(img.height * f))
    a = cv2.resize(np.asarray(img.convert("RGB")), (w, h), interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC)
    m = np.array([[w / img.width, 0, 0], [0, h / img.height, 0]], dtype=np.float64)
    t = transform_truth(truth, m, w, h)
    t.dpi = float(dpi)
    t.degradations.append(f"rescale:{dpi:g}dpi")
    return Image.fromarray(a), t


def rotate(
    img: Image.Image, truth: TruthPage, degrees: float, fill: tuple[int, int, int] = (255, 255, 255)
) -> tuple[Image.Image, TruthPage]:
    """Skew the page as a crooked scan does (positive = counter-clockwise), same canvas size."""
    import cv2

    h, w = img.height, img.width
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    a = cv2.warpAffine(
        np.asarray(img.convert("RGB")), m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=fill
    )
    t = transform_truth(truth, m, w, h)
    t.skew_deg = truth.skew_deg + degrees
    t.degradations.append(f"rotate:{degrees:.2f}deg")
    return Image.fromarray(a), t


def scanner_border(img: Image.Image, truth: TruthPage, rng: random.Random) -> tuple[Image.Image, TruthPage]:
    """Dark bands where the scanner lid did not cover: the page is padded, truth shifted."""
    px = truth.dpi / 25.4  # pixels per mm
    left, top = int(rng.uniform(2, 8) * px), int(rng.uniform(1, 6) * px)
    right, bottom = int(rng.uniform(0, 6) * px), int(rng.uniform(0, 4) * px)
    a = np.asarray(img.convert("RGB"))
    h, w = a.shape[:2]
    out = np.full((h + top + bottom, w + left + right, 3), rng.randint(15, 45), dtype=np.uint8)
    # a soft shadow at the paper's edge, like a real lid gap
    out[top : top + h, left : left + w] = a
    m = np.array([[1, 0, left], [0, 1, top]], dtype=np.float64)
    t = transform_truth(truth, m, out.shape[1], out.shape[0])
    t.degradations.append(f"border:{left},{top},{right},{bottom}")
    return Image.fromarray(out), t


# --------------------------------------------------------------------------- photometric


def yellow_paper(img: Image.Image, strength: float) -> Image.Image:
    """Aged, yellowed newsprint: paper tinted, ink slightly less black."""
    a = _arr(img) / 255.0
    paper = np.array([1.0, 0.955 - 0.04 * strength, 0.86 - 0.12 * strength], dtype=np.float32)
    ink = 0.08 + 0.08 * strength
    a = ink + (paper - ink) * a
    return _img(a * 255)


def uneven_lighting(img: Image.Image, rng: random.Random, strength: float, spine: bool = False) -> Image.Image:
    """Brightness that drifts across the page, and optionally a dark spine shadow on one edge."""
    a = _arr(img)
    h, w = a.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    d = np.hypot((xx - cx) / w, (yy - cy) / h)
    light = 1.0 - strength * (d / d.max())
    if spine:
        side = rng.choice(("left", "right"))
        x = xx / w if side == "left" else 1 - xx / w
        light *= 1.0 - 0.6 * strength * np.exp(-x / 0.04)
    return _img(a * light[..., None])


def bleed_through(img: Image.Image, alpha: float, rng: random.Random) -> Image.Image:
    """Faint mirrored text from the other side of the sheet (here: this page, flipped)."""
    import cv2

    a = _arr(img)
    back = a[:, ::-1].copy()
    dx, dy = rng.randint(-30, 30), rng.randint(-30, 30)
    back = np.roll(back, (dy, dx), axis=(0, 1))
    back = cv2.GaussianBlur(back, (0, 0), 2.0)
    darkness = (255.0 - back.mean(axis=2, keepdims=True)) / 255.0
    return _img(a * (1.0 - alpha * darkness))


def blur(img: Image.Image, sigma: float) -> Image.Image:
    import cv2

    if sigma <= 0:
        return img
    return Image.fromarray(cv2.GaussianBlur(np.asarray(img.convert("RGB")), (0, 0), sigma))


def gaussian_noise(img: Image.Image, sigma: float, rng: random.Random) -> Image.Image:
    """Sensor noise (the same noise for the same seed)."""
    gen = np.random.default_rng(rng.randrange(1 << 30))
    a = _arr(img)
    a += gen.normal(0.0, sigma, size=a.shape[:2])[..., None].astype(np.float32)
    return _img(a)


def jpeg(img: Image.Image, quality: int) -> Image.Image:
    """Round-trip through JPEG at `quality`, leaving its block artefacts in the pixels."""
    import cv2

    ok, buf = cv2.imencode(".jpg", np.asarray(img.convert("RGB"))[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:  # pragma: no cover - OpenCV always encodes RGB uint8
        raise RuntimeError("JPEG encoding failed")
    return Image.fromarray(cv2.imdecode(buf, cv2.IMREAD_COLOR)[:, :, ::-1].copy())


# --------------------------------------------------------------------------- worn back issues
# What a real hard 150-200 dpi back-issue scan has and the chain above lacked (round 3).


def _smooth_field(shape: tuple[int, int], rng: random.Random, cell: float) -> np.ndarray:
    """Low-frequency random field in [0, 1] with features about `cell` px across: the patchiness
    of fading, ink spread and dust density on a real sheet is never uniform."""
    import cv2

    gen = np.random.default_rng(rng.randrange(1 << 30))
    h, w = shape
    sh, sw = max(2, int(h / cell) + 2), max(2, int(w / cell) + 2)
    f = cv2.resize(gen.random((sh, sw)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    f -= f.min()
    return f / max(float(f.max()), 1e-6)


def faded_ink(img: Image.Image, rng: random.Random, strength: float) -> Image.Image:
    """Faded, low-contrast print: old newsprint ink greys out, more in some patches than others
    (under-inked rollers, light exposure). Each pixel's darkness is scaled by 1 - fade, with
    fade between 0.5 x and 1 x `strength` varying smoothly across the page."""
    a = _arr(img)
    fade = strength * (0.5 + 0.5 * _smooth_field(a.shape[:2], rng, 0.15 * max(a.shape[:2])))
    return _img(255.0 - (255.0 - a) * (1.0 - fade[..., None]))


def ink_spread(img: Image.Image, rng: random.Random, spread_px: int, breaks: float) -> Image.Image:
    """Ink spread and broken thin strokes, as on cheap newsprint: where the paper soaked the ink,
    strokes thicken by up to `spread_px` (a min filter in patches); elsewhere fine speckled gaps
    (a `breaks` share of small cells) open in the strokes, breaking thin horizontals."""
    import cv2

    a = _arr(img)
    h, w = a.shape[:2]
    if spread_px > 0:
        k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * spread_px + 1, 2 * spread_px + 1))
        fat = cv2.erode(a, k)
        where = (_smooth_field((h, w), rng, 0.1 * max(h, w)) > 0.6).astype(np.float32)
        where = cv2.GaussianBlur(where, (0, 0), 3.0)[..., None]
        a = a * (1 - where) + fat * where
    if breaks > 0:
        gen = np.random.default_rng(rng.randrange(1 << 30))
        cell = max(1, round(h / 1200))  # gaps about a third of a stroke wide at 300 dpi
        holes = gen.random((h // cell + 1, w // cell + 1)) < breaks
        holes = np.kron(holes, np.ones((cell, cell), bool))[:h, :w]
        holes = cv2.GaussianBlur(holes.astype(np.float32), (0, 0), 0.7)[..., None]
        paper = np.percentile(a[::8, ::8], 90, axis=(0, 1))
        a = a * (1 - holes) + paper * holes
    return _img(a)


def speckle(img: Image.Image, rng: random.Random, density: float, max_radius: float) -> Image.Image:
    """Dust, fibres and toner specks (salt-and-pepper clusters): dark dots of radius up to
    `max_radius` px, a few of them in small clusters, about `density` dots per 10,000 px, and
    half as many paper-white pinholes. A recogniser reads such dots next to a line as 。 ，
    · or 丶, inventing text."""
    import cv2

    a = np.ascontiguousarray(_arr(img))
    h, w = a.shape[:2]
    n = int(density * h * w / 10_000)
    gen = np.random.default_rng(rng.randrange(1 << 30))
    paper = tuple(float(v) for v in np.percentile(a[::8, ::8].reshape(-1, 3), 90, axis=0))
    for i in range(n):
        x, y = int(gen.integers(0, w)), int(gen.integers(0, h))
        for _ in range(int(gen.integers(1, 4)) if gen.random() < 0.3 else 1):  # a cluster
            r = float(gen.uniform(0.6, max_radius))
            cx, cy = x + int(gen.integers(-3, 4) * r), y + int(gen.integers(-3, 4) * r)
            if i % 3 == 2:
                cv2.circle(a, (cx, cy), max(1, round(r * 0.7)), paper, -1, lineType=cv2.LINE_AA)
            else:
                g = float(gen.uniform(10, 70))
                cv2.ellipse(a, (cx, cy), (max(1, round(r)), max(1, round(r * gen.uniform(0.5, 1.0)))),
                            float(gen.uniform(0, 180)), 0, 360, (g, g, g), -1, lineType=cv2.LINE_AA)
    return _img(a)


def stain(img: Image.Image, rng: random.Random, strength: float) -> Image.Image:
    """A coffee or water stain: a brownish blotch with a darker tide-mark ring where the liquid
    dried, somewhere on the page, its radius a tenth to a fifth of the page width."""
    import cv2

    a = _arr(img)
    h, w = a.shape[:2]
    r = rng.uniform(0.1, 0.2) * w
    cx, cy = rng.uniform(0.15, 0.85) * w, rng.uniform(0.15, 0.85) * h
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    wobble = 1 + 0.15 * (_smooth_field((h, w), rng, r / 2) - 0.5)
    d = np.hypot(xx - cx, (yy - cy) * rng.uniform(0.7, 1.3)) / (r * wobble)
    inside = cv2.GaussianBlur((d < 1).astype(np.float32), (0, 0), 0.02 * r)
    ring = np.exp(-(((d - 1) / 0.03) ** 2))
    dark = strength * (0.5 * inside + ring)[..., None]
    tint = np.array([0.15, 0.35, 0.6], dtype=np.float32)  # brown: blue absorbed most
    return _img(a * (1 - dark * (0.5 + tint)))


def show_through(img: Image.Image, rng: random.Random, alpha: float, sigma: float = 1.0) -> Image.Image:
    """Show-through of the reverse page on thin newsprint (alpha 0.2-0.35): the back's text,
    MIRRORED, seen through the paper, barely softened (`sigma`) and offset so its lines fall
    between this side's lines. Here the back is this page mirrored and shifted by half a line
    pitch or so, which has the same glyph sizes and density as a real reverse page."""
    import cv2

    a = _arr(img)
    h, w = a.shape[:2]
    back = a[:, ::-1].copy()
    back = np.roll(back, (rng.randint(h // 200, h // 60), rng.randint(-w // 60, w // 60)), axis=(0, 1))
    if sigma > 0:
        back = cv2.GaussianBlur(back, (0, 0), sigma)
    darkness = (255.0 - back.mean(axis=2, keepdims=True)) / 255.0
    return _img(a * (1.0 - alpha * darkness))


def halftone_moire(img: Image.Image, rng: random.Random, amplitude: float, period_px: float) -> Image.Image:
    """Moire from scanning a halftone-screened print: a periodic dot screen (period
    `period_px`, at a random screen angle) over the whole sheet; resampled to the scan's dpi
    it beats into coarse bands that cross the text."""
    a = _arr(img)
    h, w = a.shape[:2]
    th = math.radians(rng.uniform(10, 80))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    u = (xx * math.cos(th) + yy * math.sin(th)) * (2 * math.pi / period_px)
    v = (-xx * math.sin(th) + yy * math.cos(th)) * (2 * math.pi / period_px)
    screen = 0.25 * (1 + np.cos(u)) * (1 + np.cos(v))  # 0..1 dot pattern
    return _img(a * (1 - amplitude * screen[..., None]))


def one_bit(img: Image.Image, dither: bool = False, level: float = 0.55) -> Image.Image:
    """A 1-bit scan (fax-style archives, "black and white" scanner mode): thresholded at `level`
    of the paper's brightness, or Floyd-Steinberg dithered. Faint strokes vanish or fragment;
    show-through and stains turn into solid black blots."""
    g = np.asarray(img.convert("L"), dtype=np.float32)
    paper = float(np.percentile(g[::4, ::4], 90))
    if dither:
        scaled = Image.fromarray(np.clip(g * 255.0 / max(paper, 1.0), 0, 255).astype(np.uint8), "L")
        bw = scaled.convert("1", dither=Image.Dither.FLOYDSTEINBERG)
    else:
        bw = Image.fromarray(((g >= level * paper) * 255).astype(np.uint8), "L").convert("1", dither=Image.Dither.NONE)
    return bw.convert("RGB")


# --------------------------------------------------------------------------- profiles


@dataclass(frozen=True)
class HardChain:
    """Strengths of one profile of the "hard" family. Round 3 calibrated "hard" so that
    PP-OCRv6 without cleanup reads it at about the 1-2% CER the issue measured on a real hard
    150 dpi back issue (docs/CLEANUP.md, "Calibration"); "harder" is a stress set beyond it."""

    spread_px: int  # ink spread (min filter radius at 300 dpi) in patches
    breaks: float  # share of small cells opened in the strokes
    fade: float  # faded ink: darkness kept is 1 - (0.5..1) x fade
    show_through: float  # alpha of the mirrored reverse page
    show_sigma: float  # its softness, px at 300 dpi
    moire: float  # halftone screen amplitude
    yellow: float | None  # None: uniform 0.8-1.0
    stain: float  # 0: none
    shadow: float  # uneven light strength (with a spine shadow)
    sigma: float  # optical blur, px at 300 dpi
    dust: float  # dark specks per 10,000 px at scan resolution
    dust_radius: float  # px at scan resolution
    noise: float
    jpeg: tuple[int, int]
    one_bit: bool = False


PROFILES = ("clean", "typical", "hard", "harder", "hard-1bit")
# "hard" frozen 2026-11-25 after calibration on the dev pages (docs/CLEANUP.md): PP-OCRv6 reads
# it without cleanup at 1.83% CER at 150 dpi and 1.0% at 200 dpi (the issue: 1.3% on a real scan).
_HARD_CHAIN = HardChain(1, 0.05, 0.46, 0.31, 1.0, 0.07, None, 0.2, 0.55, 1.05, 1.35, 2.0, 8.5, (40, 60))
_HARD = {
    "hard": _HARD_CHAIN,
    "harder": HardChain(1, 0.08, 0.55, 0.35, 1.0, 0.1, 1.0, 0.3, 0.65, 1.4, 2.0, 2.2, 12.0, (25, 35)),
    "hard-1bit": dataclasses.replace(_HARD_CHAIN, one_bit=True),
}


def degrade(
    img: Image.Image, truth: TruthPage, profile: str, seed: int = 0, dpi: float = 150
) -> tuple[Image.Image, TruthPage]:
    """Apply a named scan profile. "clean" = as rendered; "typical" = a decent 300 dpi office
    scan (slight skew, yellowish paper, light noise); "hard" = a worn back issue scanned at
    `dpi` (150): broken / spread strokes, faded ink, mirrored show-through of the reverse page,
    halftone moire, skewed 2-5 degrees, yellowed, stained, strongly shaded with a spine shadow,
    bordered, soft, dusty, noisy and JPEG-compressed; "harder" = the same chain, stronger;
    "hard-1bit" = the hard chain saved as a 1-bit (thresholded) scan."""
    if profile not in PROFILES:
        raise ValueError(f"unknown degradation profile {profile!r}; choose one of {', '.join(PROFILES)}")
    rng = random.Random(f"{profile}:{seed}")
    truth = copy.deepcopy(truth)
    if profile == "clean":
        truth.degradations.append("clean")
        return img, truth
    sign = rng.choice((-1, 1))
    if profile == "typical":
        img = bleed_through(img, 0.05, rng)
        img, truth = rotate(img, truth, sign * rng.uniform(0.5, 1.5))
        img = yellow_paper(img, rng.uniform(0.3, 0.6))
        img = uneven_lighting(img, rng, 0.12)
        img = gaussian_noise(img, 2.5, rng)  # before the blur: paper grain, not sensor speckle
        img = blur(img, 0.8)
        truth.degradations.append("typical")
        return img, truth
    c = _HARD[profile]
    scale = truth.dpi / 300.0  # strengths are given for a 300 dpi render
    img = ink_spread(img, rng, max(0, round(c.spread_px * scale)), c.breaks)
    img = faded_ink(img, rng, c.fade)
    img = show_through(img, rng, c.show_through, c.show_sigma * scale)
    img = halftone_moire(img, rng, c.moire, 2.3 * scale)
    img, truth = rotate(img, truth, sign * rng.uniform(2.0, 5.0))
    img = yellow_paper(img, rng.uniform(0.8, 1.0) if c.yellow is None else c.yellow)
    if c.stain > 0:
        img = stain(img, rng, c.stain)
    img = uneven_lighting(img, rng, c.shadow, spine=True)
    img, truth = scanner_border(img, truth, rng)
    img = blur(img, c.sigma * scale)
    img, truth = rescale(img, truth, dpi)
    img = speckle(img, rng, c.dust, c.dust_radius)
    if c.one_bit:
        img = one_bit(img)
    else:
        img = gaussian_noise(img, c.noise, rng)
        img = jpeg(img, rng.randint(*c.jpeg))
    truth.degradations.append(profile)
    return img, truth
