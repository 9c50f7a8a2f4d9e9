"""Page image cleanup before OCR: grayscale, 90/270 rotation, deskew, border crop; optional
background flattening (fixed or page-estimated white point), show-through suppression,
despeckle, CLAHE, denoise, unsharp mask and resolution normalisation.

Why these steps: PP-OCR reads a clean 300 dpi render almost perfectly but loses accuracy on
skewed, shaded, bled-through, low-resolution scans. Each step is switchable in `CleanupConfig`
and is on by default only where `benchmarks/cleanup_bench.py` shows it lowers the character
error rate on hard scans without raising it on clean ones (docs/CLEANUP.md has the tables).
Round 3 measured a realistic worn-back-issue set and invented characters: there every
photometric step (flattening, levels, show-through suppression, CLAHE) raised the CER, so only
the geometry is on by default; the photometric steps stay available for other scans.

Coordinates: every geometric step is recorded in one affine transform, so OCR boxes found in
the cleaned image map back to pixels of the original scan (`to_original`). Conventions:
- `rotation` (0/90/180/270) is how far cleanup turned the page *clockwise* to make it upright.
- `skew_deg` is the measured tilt of the text lines after that rotation, counter-clockwise
  positive as seen on screen (Pillow's `Image.rotate(a)` produces skew `a`); cleanup turns the
  page by `-skew_deg`, in its pixels (`deskew_pixels`, default) or only in coordinates:
  `Cleaned.layout_transform` maps the image OCR reads into the deskewed frame layout uses.

All analysis runs on a downscaled, binarised copy (at most `ANALYSIS_SIDE` px), so a full
300 dpi page costs a fraction of the OCR time.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np

from .config import CleanupConfig

log = logging.getLogger(__name__)

ANALYSIS_SIDE = 1600  # long side of the analysis copy: 0.1 deg over 1000 px is 1.7 px of drift
_MAX_POINTS = 120_000  # ink pixels sampled for projection profiles (speed bound)


@dataclass
class Cleaned:
    image: np.ndarray  # uint8 gray: what OCR reads
    transform: np.ndarray  # 2x3 float: cleaned-image pixel coords -> original scan coords
    skew_deg: float = 0.0
    rotation: int = 0
    steps: list[str] = field(default_factory=list)
    char_px: float | None = None  # measured body glyph height in the original scan, px
    seconds: dict[str, float] = field(default_factory=dict)  # time per step (benchmark)
    # 2x3: `image` pixel coords -> the deskewed frame layout reasons in. Identity when the
    # pixels were deskewed; the measured rotation when OCR reads the unresampled page
    # (`CleanupConfig.deskew_pixels=False`), so layout still sees axis-aligned columns.
    layout_transform: np.ndarray = field(default_factory=lambda: np.eye(3)[:2].copy())


def turn_180(cleaned: Cleaned) -> Cleaned:
    """The same cleaned page turned upside down, its transform still mapping to the scan."""
    h, w = cleaned.image.shape[:2]
    flip = np.array([[-1, 0, w - 1], [0, -1, h - 1], [0, 0, 1]], dtype=np.float64)  # self-inverse
    transform = np.vstack([cleaned.transform, [0, 0, 1]]) @ flip
    return Cleaned(
        image=np.ascontiguousarray(cleaned.image[::-1, ::-1]),
        transform=transform[:2],
        skew_deg=cleaned.skew_deg,
        rotation=(cleaned.rotation + 180) % 360,
        steps=[*cleaned.steps, "rotate180"],
        char_px=cleaned.char_px,
        seconds=dict(cleaned.seconds),
        # a half turn keeps the size and the lines' slope, and the deskew turns about the centre:
        # the same matrix maps the turned image to its own deskewed frame
        layout_transform=cleaned.layout_transform.copy(),
    )


def to_original(transform: np.ndarray, points: np.ndarray | list) -> np.ndarray:
    """Map (N, 2) points of the cleaned image to the original scan with a `Cleaned.transform`."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    t = np.asarray(transform, dtype=np.float64)
    return pts @ t[:, :2].T + t[:, 2]


# --------------------------------------------------------------------------- analysis helpers


def _to_gray(image: np.ndarray) -> np.ndarray:
    import cv2

    if image.dtype != np.uint8:
        raise TypeError(f"clean() expects uint8 pixels, got {image.dtype}")
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 1:
        return image[:, :, 0]
    if image.ndim == 3 and image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    raise ValueError(f"clean() expects (H, W) gray or (H, W, 3) BGR, got shape {image.shape}")


def _ink_mask(gray: np.ndarray, max_side: int = ANALYSIS_SIDE) -> tuple[np.ndarray, float]:
    """Binary ink mask of a downscaled copy (1 = ink) and its scale. Components as large as a
    photo, a rule or a dark scanner border are removed: they carry no line direction and
    would drown the text in the projection profiles."""
    import cv2

    h, w = gray.shape
    s = min(1.0, max_side / max(h, w))
    small = cv2.resize(gray, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA) if s < 1 else gray
    # divide by the paper first: a global threshold fails on shaded or yellowed scans
    k = max(15, (max(small.shape) // 50) | 1)
    paper = cv2.GaussianBlur(cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))), (0, 0), k / 2)
    norm = cv2.divide(small, np.maximum(paper, 1), scale=255)
    _, ink = cv2.threshold(norm, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n > 1:
        sh, sw = ink.shape
        bw, bh, area = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_AREA]
        drop = (bw > 0.25 * sw) | (bh > 0.25 * sh) | (area < 2)
        drop |= (bw > 0.08 * sw) & (bh > 0.08 * sh)  # photo-sized blobs
        drop[0] = True
        ink = (~drop[labels]).astype(np.uint8) & ink
    return ink, s


def _points(ink: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(ink)
    pts = np.stack([xs, ys], axis=1).astype(np.float32)
    if len(pts) > _MAX_POINTS:
        rng = np.random.default_rng(0)  # fixed seed: same page, same angle on every run
        pts = pts[rng.choice(len(pts), _MAX_POINTS, replace=False)]
    return pts


def _profile_score(pts: np.ndarray, angle_deg: float, bin_px: float) -> float:
    """Sharpness of the row profile after turning the points by -angle: high when text lines
    are horizontal (Postl's projection-profile criterion), normalised by the profile length so
    pages of different aspect compare."""
    a = math.radians(angle_deg)
    y = pts[:, 1] * math.cos(a) + pts[:, 0] * math.sin(a)
    idx = ((y - y.min()) / bin_px).astype(np.int64)
    hist = np.bincount(idx).astype(np.float64)
    n = float(len(pts))
    return float((hist * hist).sum() * len(hist) / (n * n)) if n else 0.0


def _best_angle(pts: np.ndarray, max_deg: float) -> tuple[float, float]:
    """Skew angle (deg) maximising the profile score: coarse grid, fine grid, then a parabola
    through the best three points for sub-step precision."""
    if len(pts) < 50:
        return 0.0, 0.0
    coarse = np.arange(-max_deg, max_deg + 1e-9, 0.5)
    sc = [_profile_score(pts, a, 2.0) for a in coarse]
    a0 = float(coarse[int(np.argmax(sc))])
    step = 0.05
    fine = np.arange(a0 - 0.6, a0 + 0.6 + 1e-9, step)
    sf = np.array([_profile_score(pts, a, 1.0) for a in fine])
    i = int(np.argmax(sf))
    best = float(fine[i])
    if 0 < i < len(sf) - 1:
        denom = sf[i - 1] - 2 * sf[i] + sf[i + 1]
        if denom < 0:
            best += step * 0.5 * (sf[i - 1] - sf[i + 1]) / denom
    return best, float(sf[i])


def _text_lines(pts: np.ndarray, angle: float) -> list[tuple[float, float]]:
    """(top, bottom) of text-line bands in the deskewed frame, from the row profile."""
    a = math.radians(angle)
    y = pts[:, 1] * math.cos(a) + pts[:, 0] * math.sin(a)
    y0 = y.min()
    hist = np.bincount((y - y0).astype(np.int64)).astype(np.float64)
    if not len(hist) or hist.max() <= 0:
        return []
    on = hist > 0.08 * np.percentile(hist[hist > 0], 90)
    bands: list[tuple[float, float]] = []
    start = None
    for i, v in enumerate(np.append(on, False)):
        if v and start is None:
            start = i
        elif not v and start is not None:
            if i - start >= 3:
                bands.append((y0 + start, y0 + i))
            start = None
    return bands


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of the runs of True in a 1-D mask."""
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


def _analyse(gray: np.ndarray, cfg: CleanupConfig) -> tuple[int, float, float | None]:
    """(clockwise rotation 0/90/180/270 that makes the page upright, skew in the upright page,
    body glyph height in original pixels) from one analysis copy.

    0 vs 90: text lines give a sharper row profile than column profile (line gaps are wider
    than character gaps, even in grid-set CJK text). Up vs down cannot be told from geometry
    reliably (a paragraph-shape vote flipped degraded pages that were upright): the OCR
    engine's text-line orientation classifier decides it, and `turn_180` applies it."""
    ink, scale = _ink_mask(gray)
    pts = _points(ink)
    if len(pts) < 200:
        return 0, 0.0, None
    ang, score = _best_angle(pts, cfg.max_skew_deg)
    rot = 0
    if cfg.detect_rotation:
        turned = np.stack([ink.shape[0] - 1 - pts[:, 1], pts[:, 0]], axis=1)  # 90 deg clockwise
        ang_v, score_v = _best_angle(turned, cfg.max_skew_deg)
        if score_v > 1.15 * score:
            rot, ang, pts = 90, ang_v, turned
    return rot, ang, _char_height(pts, ang, scale)


# --------------------------------------------------------------------------- steps


def _rotate_matrix(rot: int, w: int, h: int) -> np.ndarray:
    """3x3 matrix original -> rotated pixel coords for cv2.rotate by `rot` clockwise."""
    if rot == 90:
        return np.array([[0, -1, h - 1], [1, 0, 0], [0, 0, 1]], dtype=np.float64)
    if rot == 180:
        return np.array([[-1, 0, w - 1], [0, -1, h - 1], [0, 0, 1]], dtype=np.float64)
    if rot == 270:
        return np.array([[0, 1, 0], [-1, 0, w - 1], [0, 0, 1]], dtype=np.float64)
    return np.eye(3)


def _apply_rotation(gray: np.ndarray, rot: int) -> np.ndarray:
    import cv2

    code = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}[rot]
    return cv2.rotate(gray, code)


def _deskew_matrix(w: int, h: int, skew_deg: float) -> tuple[np.ndarray, int, int]:
    """3x3 turn by -skew about the centre of a w x h image onto a canvas that keeps every
    pixel, and that canvas's size."""
    import cv2

    a = math.radians(skew_deg)
    c, s = abs(math.cos(a)), abs(math.sin(a))
    nw, nh = int(math.ceil(w * c + h * s)), int(math.ceil(w * s + h * c))
    m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), -skew_deg, 1.0)
    m[0, 2] += (nw - w) / 2
    m[1, 2] += (nh - h) / 2
    return np.vstack([m, [0, 0, 1]]), nw, nh


def _deskew(gray: np.ndarray, skew_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Turn by -skew around the centre on a canvas large enough to keep every pixel; new
    corners are paper white."""
    import cv2

    h, w = gray.shape
    m, nw, nh = _deskew_matrix(w, h, skew_deg)
    out = cv2.warpAffine(gray, m[:2], (nw, nh), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    return out, m


def _page_box(gray: np.ndarray) -> tuple[int, int, int, int, np.ndarray | None]:
    """Crop box (x0, y0, x1, y1) that drops dark scanner borders, plus a full-size mask of
    leftover border pixels (or None). A border is a dark region touching the image edge and
    much larger than any glyph. The mask is the border's whole dark component, so it also
    holds glyphs and strokes joined to it: whitening it (`whiten_border`) erased a masthead
    character at the page edge in round 4 and is off by default."""
    import cv2

    h, w = gray.shape
    s = min(1.0, 800 / max(h, w))
    small = cv2.resize(gray, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape
    thr, _ = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    dark = (small < min(0.5 * thr, 90)).astype(np.uint8)  # scanner lids are near black; spine shade is not
    n, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    border = np.zeros_like(dark)
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        e = 0.02 * max(sw, sh)  # after deskew the border meets the canvas edge only near its corners
        touches = x <= e or y <= e or x + bw >= sw - e or y + bh >= sh - e
        if touches and (bw > 0.3 * sw or bh > 0.3 * sh) and area > 0.002 * sw * sh:
            border[labels == i] = 1
    if not border.any():
        return 0, 0, w, h, None
    rows, cols = border.mean(axis=1), border.mean(axis=0)
    y0, y1, x0, x1 = 0, sh, 0, sw
    while y0 < sh // 3 and rows[y0] > 0.25:
        y0 += 1
    while y1 > 2 * sh // 3 and rows[y1 - 1] > 0.25:
        y1 -= 1
    while x0 < sw // 3 and cols[x0] > 0.25:
        x0 += 1
    while x1 > 2 * sw // 3 and cols[x1 - 1] > 0.25:
        x1 -= 1
    pad = 1  # one small pixel inward: the soft edge of the border
    X0, Y0 = min(w, int(math.floor((x0 + pad) / s))) if x0 else 0, min(h, int(math.floor((y0 + pad) / s))) if y0 else 0
    X1 = max(X0 + 1, int(math.ceil((x1 - pad) / s))) if x1 < sw else w
    Y1 = max(Y0 + 1, int(math.ceil((y1 - pad) / s))) if y1 < sh else h
    mask = cv2.resize(cv2.dilate(border, np.ones((3, 3), np.uint8)), (w, h), interpolation=cv2.INTER_NEAREST)
    return X0, Y0, X1, Y1, mask


def _flatten(
    gray: np.ndarray, char_px: float, white_point: float, adaptive: bool = False, stretch_black: bool = True
) -> np.ndarray:
    """Divide by an estimate of the paper (a max filter wider than the strokes, smoothed):
    yellowing, shading near the spine and uneven light become flat white. Then a levels stretch
    to `white_point` pushes faint bleed-through to white while darkening thin gray strokes
    instead of eating them."""
    import cv2

    h, w = gray.shape
    s = min(1.0, 600 / max(h, w))
    small = cv2.resize(gray, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    k = max(3, int(round(char_px * s * 1.5)) | 1)
    bg = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bg = cv2.GaussianBlur(bg, (0, 0), k)
    bg = cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)
    norm = cv2.divide(gray, np.maximum(bg, 1), scale=255)
    black = float(np.percentile(norm[::4, ::4], 0.5)) if stretch_black else 0.0
    if adaptive:
        return _adaptive_levels(norm, black)[0]
    white = 255.0 * white_point
    if white - black < 20:
        return norm
    lut = np.clip((np.arange(256, dtype=np.float64) - black) * 255.0 / (white - black), 0, 255).astype(np.uint8)
    return cv2.LUT(norm, lut)


def _paper_level(norm: np.ndarray) -> tuple[float, float]:
    """(paper level, paper noise) of a background-divided page, from its own histogram: the
    brightest peak, and the spread of its darker flank (grain and JPEG noise). Why: the max
    filter that estimates the background rides on the noise peaks, so on a grainy scan the
    paper lands well below white and a fixed white point leaves it speckled gray."""
    import cv2

    hist = np.bincount(norm[::2, ::2].ravel(), minlength=256).astype(np.float64)
    hist = cv2.GaussianBlur(hist.reshape(-1, 1), (1, 0), 2.0).ravel()
    hi = 128 + int(np.argmax(hist[128:]))
    half = hist[hi] / 2
    lo = hi
    while lo > 0 and hist[lo] > half:
        lo -= 1
    sigma = max(1.0, (hi - lo) / 1.1774)  # half width at half maximum of a Gaussian
    return float(hi), float(sigma)


def _adaptive_levels(norm: np.ndarray, black: float) -> tuple[np.ndarray, float]:
    """Levels stretch with the white point taken from the page's paper peak (3 noise sigmas
    below it) rather than a fixed fraction: clean paper stays as it is (the point lands near
    0.95), grainy shaded paper becomes white instead of a speckled gray the detector sees as
    texture. Returns the image and the white point."""
    import cv2

    paper, sigma = _paper_level(norm)
    white = float(np.clip(paper - 3.0 * sigma, 150.0, 0.97 * 255))
    if white - black < 20:
        return norm, white
    lut = np.clip((np.arange(256, dtype=np.float64) - black) * 255.0 / (white - black), 0, 255).astype(np.uint8)
    return cv2.LUT(norm, lut), white


def _suppress_show_through(gray: np.ndarray, char_px: float, keep: float) -> tuple[np.ndarray, float]:
    """Lighten what is darker than paper but is no stroke of this side: the reverse page's
    mirrored text seen through thin newsprint, stains, moire. Stroke cores are the pixels
    below an ink threshold estimated per page (Otsu over the non-paper pixels, which splits
    solid ink from the paler show-through); a stroke's anti-aliased edge lies within a stroke
    width of a core and is kept as it is. Every other non-white pixel keeps only `keep` of its
    darkness. Returns the image and the ink threshold."""
    import cv2

    dark = gray[gray < 250]
    if dark.size < 100:
        return gray, 0.0
    t, _ = cv2.threshold(dark.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    cores = (gray <= t).astype(np.uint8)
    r = max(1, int(round(0.1 * char_px)))
    near = cv2.dilate(cores, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))) > 0
    light = 255.0 - (255.0 - gray.astype(np.float32)) * keep
    out = np.where(near, gray, np.clip(light, 0, 255).round().astype(np.uint8))
    return out, float(t)


def _despeckle(gray: np.ndarray, char_px: float) -> tuple[np.ndarray, int]:
    """Remove dust and speckle: ink components no bigger than a full stop (area under 6%
    of a glyph's square) with no other ink beside them on a text line. "Beside" is a window
    most of a glyph width to each side but only a fifth of a glyph height up and down, so
    。，、： next to a glyph and the fragments of a broken or faded glyph (each other's
    neighbours) survive, while dots alone in margins, gutters and line gaps go. A removed
    speck takes the value of a median over its surroundings, so it works on flattened and
    shaded pages alike. Assumes horizontal lines (after deskew). Returns the image and the
    number of specks removed."""
    import cv2

    h, w = gray.shape
    k = max(15, int(round(1.5 * char_px)) | 1)
    small = cv2.resize(gray, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    paper = cv2.resize(cv2.dilate(small, np.ones((max(3, k // 4), max(3, k // 4)), np.uint8)), (w, h))
    norm = cv2.divide(gray, np.maximum(paper, 1), scale=255)  # local contrast, not level
    dark = norm[norm < 235]
    if dark.size < 100:
        return gray, 0
    t, _ = cv2.threshold(dark.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    ink = (norm <= t).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return gray, 0
    x, y, bw, bh, area = (stats[:, i] for i in range(5))
    small_cc = (area < 0.06 * char_px * char_px) & (np.maximum(bw, bh) < 0.35 * char_px)
    small_cc[0] = False
    idx = np.flatnonzero(small_cc)
    if not len(idx):
        return gray, 0
    integral = cv2.integral(ink)  # (h+1, w+1) running sums: ink count in any window in O(1)
    dx, dy = int(round(0.8 * char_px)), int(round(0.2 * char_px))
    x0, y0 = np.clip(x[idx] - dx, 0, w), np.clip(y[idx] - dy, 0, h)
    x1, y1 = np.clip(x[idx] + bw[idx] + dx, 0, w), np.clip(y[idx] + bh[idx] + dy, 0, h)
    around = integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
    lone = idx[around <= area[idx]]
    if not len(lone):
        return gray, 0
    mask = np.zeros(n, bool)
    mask[lone] = True
    drop = cv2.dilate(mask[labels].astype(np.uint8), np.ones((3, 3), np.uint8)) > 0  # with its soft edge
    out = gray.copy()
    out[drop] = cv2.medianBlur(gray, max(5, int(round(0.35 * char_px)) | 1))[drop]
    return out, int(len(lone))


def _clahe(gray: np.ndarray, char_px: float, clip: float) -> np.ndarray:
    """Contrast-limited adaptive histogram equalisation with tiles of about eight glyphs:
    restores the contrast of faded patches locally without the global stretch of flattening
    (which on worn pages lifts show-through and grain as much as the faded strokes)."""
    import cv2

    h, w = gray.shape
    tile = max(8.0, 8.0 * char_px)
    grid = (max(1, round(w / tile)), max(1, round(h / tile)))
    return cv2.createCLAHE(clipLimit=float(clip), tileGridSize=grid).apply(gray)


def _denoise(gray: np.ndarray, strength: float) -> np.ndarray:
    """Non-local means with a small filter strength: averages the sensor grain and JPEG
    ringing of the paper with similar patches elsewhere, so it does not round off stroke ends
    the way a median filter does (median 3 cost clean 150 dpi pages 2 points of CER)."""
    import cv2

    return cv2.fastNlMeansDenoising(gray, None, h=float(strength), templateWindowSize=5, searchWindowSize=11)


def _unsharp(gray: np.ndarray, char_px: float, amount: float) -> np.ndarray:
    """Unsharp mask with a radius tied to the stroke width (about a tenth of the glyph height):
    restores the stroke edges a soft scan or JPEG smeared."""
    import cv2

    sigma = max(0.6, 0.06 * char_px)
    soft = cv2.GaussianBlur(gray, (0, 0), sigma)
    return cv2.addWeighted(gray, 1.0 + amount, soft, -amount, 0)


def _char_height(pts: np.ndarray, angle: float, scale: float) -> float | None:
    """Median height of text-line bands, measured in vertical strips (so columns that do not
    share baselines are not merged), in original-scan pixels."""
    if len(pts) < 200:
        return None
    a = math.radians(angle)
    x = pts[:, 0] * math.cos(a) - pts[:, 1] * math.sin(a)
    heights: list[float] = []
    edges = np.linspace(x.min(), x.max() + 1e-6, 7)
    for i in range(6):
        sel = (x >= edges[i]) & (x < edges[i + 1])
        if sel.sum() < 100:
            continue
        heights += [b - t for t, b in _text_lines(pts[sel], angle)]
    if len(heights) < 3:
        return None
    return float(np.median(heights)) / scale


# --------------------------------------------------------------------------- entry point


def clean(image: np.ndarray, cfg: CleanupConfig, dpi: float | None = None) -> Cleaned:
    """Clean one page for OCR. `dpi` (when the file declares it) is only a fallback for the
    glyph size; the size measured on the page decides."""
    import time

    import cv2

    timings: dict[str, float] = {}
    t = time.perf_counter()
    steps: list[str] = []
    gray = _to_gray(image)
    if image.ndim == 3:
        steps.append("grayscale")
    m = np.eye(3)  # original -> current
    timings["grayscale"] = time.perf_counter() - t

    t = time.perf_counter()
    rot, skew, char_px = _analyse(gray, cfg)
    if rot:
        h, w = gray.shape
        gray = _apply_rotation(gray, rot)
        m = _rotate_matrix(rot, w, h) @ m
        steps.append(f"rotate{rot}")
    if char_px is None and dpi:
        char_px = dpi * 10 / 72 * 0.9  # fallback: 10 pt body text
    timings["analyse_rotate"] = time.perf_counter() - t

    t = time.perf_counter()
    pixels = cfg.deskew_pixels
    if cfg.deskew and abs(skew) >= cfg.min_skew_deg and pixels:
        gray, r = _deskew(gray, skew)
        m = r @ m
        steps.append("deskew")
    timings["deskew"] = time.perf_counter() - t

    t = time.perf_counter()
    if cfg.crop_borders:
        x0, y0, x1, y1, mask = _page_box(gray)
        if mask is not None:
            if cfg.whiten_border:
                gray = gray.copy()
                gray[mask > 0] = 255
            gray = gray[y0:y1, x0:x1]
            m = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], dtype=np.float64) @ m
            steps.append("crop_borders")
    timings["crop_borders"] = time.perf_counter() - t

    # Pixel-value steps, in this order (denoise before flattening, which would amplify the grain);
    # each is timed and recorded when it runs. All are off by default since round 3 (docs/CLEANUP.md).
    glyph = char_px or 20.0
    pixel_steps = (
        ("denoise", cfg.denoise, lambda g: _denoise(g, cfg.denoise_strength)),
        ("flatten_background", cfg.flatten_background,
         lambda g: _flatten(g, glyph, cfg.white_point, cfg.adaptive_levels, cfg.stretch_black)),
        ("clahe", cfg.clahe, lambda g: _clahe(g, glyph, cfg.clahe_clip)),
        ("suppress_show_through", cfg.suppress_show_through,
         lambda g: _suppress_show_through(g, glyph, cfg.show_through_keep)[0]),
        ("despeckle", cfg.despeckle, lambda g: _despeckle(g, glyph)[0]),
        ("sharpen", cfg.sharpen, lambda g: _unsharp(g, glyph, cfg.sharpen_amount)),
    )
    for name, enabled, step in pixel_steps:
        t = time.perf_counter()
        if enabled:
            gray = step(gray)
            steps.append(name)
        timings[name] = time.perf_counter() - t

    t = time.perf_counter()
    if cfg.normalize_resolution and char_px and char_px < cfg.upsample_below * cfg.target_char_px:
        f = min(cfg.max_upsample, cfg.target_char_px / char_px)
        h, w = gray.shape
        nw, nh = round(w * f), round(h * f)
        gray = cv2.resize(gray, (nw, nh), interpolation=cv2.INTER_CUBIC)
        m = np.diag([nw / w, nh / h, 1.0]) @ m
        steps.append(f"upsample{f:.2f}")
    timings["normalize_resolution"] = time.perf_counter() - t

    transform = np.linalg.inv(m)[:2].copy()
    layout = np.eye(3)[:2].copy()
    if cfg.deskew and abs(skew) >= cfg.min_skew_deg and not pixels:
        # OCR reads the page as scanned (one resample fewer for the recogniser); layout gets the
        # deskew as coordinates. The crop and any upsampling are in `gray` already, so the turn
        # is about the centre of the image OCR reads.
        h, w = gray.shape
        layout = _deskew_matrix(w, h, skew)[0][:2].copy()
        steps.append("deskew_coordinates")
    log.debug("cleanup: rotation %d, skew %.2f, char %.1f px, steps %s", rot, skew, char_px or 0, steps)
    return Cleaned(
        image=np.ascontiguousarray(gray),
        transform=transform,
        skew_deg=round(float(skew), 3),
        rotation=rot,
        steps=steps,
        char_px=char_px,
        seconds=timings,
        layout_transform=layout,
    )
