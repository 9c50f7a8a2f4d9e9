"""Make a rendered page look scanned, keeping its ground truth on the ink.

Each building block takes and returns (image, truth); the geometric ones (rotation, rescaling,
scanner border) move every truth box with the pixels, so accuracy measured on a degraded page
is measured against where the text really is. Profiles bundle them: "clean", "typical", "hard"."""

from __future__ import annotations

import copy
import logging
import random

import numpy as np
from PIL import Image

from ..model import Box
from .truth import TruthPage

log = logging.getLogger(__name__)

PROFILES = ("clean", "typical", "hard", "harder")


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


# --------------------------------------------------------------------------- profiles


# Scanner chains of the "hard" family: (bleed-through, yellowing, shadow, blur, noise, JPEG range).
# "harder" is a stress set beyond "hard", which PP-OCRv6 reads almost perfectly.
_HARD = {
    "hard": (0.12, None, 0.25, 0.9, 8.0, (40, 60)),
    "harder": (0.25, 1.0, 0.45, 1.6, 14.0, (25, 35)),
}


def degrade(
    img: Image.Image, truth: TruthPage, profile: str, seed: int = 0, dpi: float = 150
) -> tuple[Image.Image, TruthPage]:
    """Apply a named scan profile. "clean" = as rendered; "typical" = a decent 300 dpi office
    scan (slight skew, yellowish paper, light noise); "hard" = a `dpi` (150) scan, skewed 2-5
    degrees, yellowed, shadowed, bled-through, bordered, noisy and JPEG-compressed; "harder" = the
    same chain, stronger."""
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
    bleed, yellow, shadow, sigma, noise, (q0, q1) = _HARD[profile]
    img = bleed_through(img, bleed, rng)
    img, truth = rotate(img, truth, sign * rng.uniform(2.0, 5.0))
    img = yellow_paper(img, rng.uniform(0.8, 1.0) if yellow is None else yellow)
    img = uneven_lighting(img, rng, shadow, spine=True)
    img, truth = scanner_border(img, truth, rng)
    img = blur(img, sigma)
    img, truth = rescale(img, truth, dpi)
    img = gaussian_noise(img, noise, rng)
    img = jpeg(img, rng.randint(q0, q1))
    truth.degradations.append(profile)
    return img, truth
