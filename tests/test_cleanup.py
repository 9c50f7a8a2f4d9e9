"""Cleanup on small pages rendered here with a CJK font: known skew, rotation, border,
shading and resolution, so each assertion fails if its step breaks."""

from __future__ import annotations

import dataclasses
import glob
import math
import time

import numpy as np
import pytest

from pipeline.cleanup import Cleaned, clean, to_original
from pipeline.config import CleanupConfig

PARAS = [
    "2019年12月20日，静安寺街道同心家园共建理事会各成员单位齐聚上海宾馆，召开了一场既具品质传承又显创新智慧的联席会议。",
    "丰富的社区资源，一直是静安寺街道基层党建工作锐意进取、乘势而上、率先作为的先天优势之一。",
    "十余年来，静安寺街道上下齐心，通过完善区域化党建架构、建立社区单位社会责任双向报告制度。",
    "会上，审议通过了理事成员单位及有关人员调整名单，根据岗位变动和工作需要及时调整理事会会长。",
    "在共建共治共享中取得了各方满意的丰硕成果。本次会议，将是同心共治、继往开来的一个全新的起点。",
]


def _font(size: int):
    from PIL import ImageFont

    paths = sorted(glob.glob("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")) + sorted(
        glob.glob("/usr/share/fonts/truetype/arphic/uming.ttc")
    )
    if not paths:
        pytest.skip("no CJK font installed")
    return ImageFont.truetype(paths[0], size)


def render_page(dpi: int = 150, cols: int = 2, paras: int = 5) -> np.ndarray:
    """An A5-ish page of justified paragraphs (indented first lines, short last lines) in
    `cols` columns, 10.5 pt text at `dpi`: gray uint8, white paper."""
    from PIL import Image, ImageDraw

    em = round(10.5 / 72 * dpi)
    w, h = round(5.8 * dpi), round(8.3 * dpi)
    margin = round(0.5 * dpi)
    gutter = 2 * em
    col_w = (w - 2 * margin - (cols - 1) * gutter) // cols
    per_line = col_w // em
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    font = _font(em)
    lines: list[str] = []
    for p in (PARAS * 3)[:paras * 2]:
        text = "　　" + p
        lines += [text[i : i + per_line] for i in range(0, len(text), per_line)]
    step = round(em * 1.6)
    rows = (h - 2 * margin) // step
    for i, ln in enumerate(lines[: rows * cols]):
        c, r = divmod(i, rows)
        x, y = margin + c * (col_w + gutter), margin + r * step
        for j, ch in enumerate(ln):
            draw.text((x + j * em, y), ch, fill=0, font=font)
    return np.asarray(img, dtype=np.uint8).copy()


def _rotate(img: np.ndarray, deg: float) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(img).rotate(deg, resample=Image.BICUBIC, expand=True, fillcolor=255)).copy()


@pytest.fixture(scope="module")
def page150() -> np.ndarray:
    return render_page(150)


@pytest.fixture(scope="module")
def page300() -> np.ndarray:
    return render_page(300)


NO_RES = CleanupConfig(normalize_resolution=False, denoise=False)


@pytest.mark.parametrize("angle", [-4.7, -2.3, -0.6, 0.35, 1.8, 4.9])
def test_deskew_measures_angle_within_a_tenth_of_a_degree(page300: np.ndarray, angle: float) -> None:
    out = clean(_rotate(page300, angle), NO_RES)
    assert out.rotation == 0
    assert abs(out.skew_deg - angle) <= 0.1, (angle, out.skew_deg)
    assert "deskew" in out.steps


def test_deskew_at_150_dpi(page150: np.ndarray) -> None:
    out = clean(_rotate(page150, 3.2), NO_RES)
    assert abs(out.skew_deg - 3.2) <= 0.1


def test_straight_page_is_not_resampled(page300: np.ndarray) -> None:
    out = clean(page300, CleanupConfig(normalize_resolution=False, flatten_background=False, denoise=False))
    assert abs(out.skew_deg) < 0.05
    assert out.steps == []
    assert np.array_equal(out.image, page300)
    assert np.allclose(out.transform, [[1, 0, 0], [0, 1, 0]])


@pytest.mark.parametrize("rot, seen", [(90, 90), (180, 0), (270, 90)])
def test_detects_quarter_turns(page150: np.ndarray, rot: int, seen: int) -> None:
    """Geometry tells a lying page from a standing one; up from down is the OCR engine's
    text-line classifier's call (tests/test_batch.py runs an upside-down scan end to end)."""
    import cv2

    code = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}[rot]
    scan = cv2.rotate(page150, code)
    out = clean(scan, NO_RES)
    assert out.rotation == seen
    assert out.image.shape == page150.shape
    if seen == rot:
        assert np.mean(np.abs(out.image.astype(int) - page150.astype(int)) > 128) < 0.01


def test_turn_180_keeps_the_transform_pointing_at_the_scan(page150: np.ndarray) -> None:
    from pipeline.cleanup import to_original, turn_180

    out = clean(page150, NO_RES)
    h, w = out.image.shape[:2]
    turned = turn_180(out)
    assert turned.rotation == (out.rotation + 180) % 360 and turned.steps[-1] == "rotate180"
    assert np.array_equal(turned.image[::-1, ::-1], out.image)
    p = np.array([[10.0, 20.0]])
    q = np.array([[w - 1 - 10.0, h - 1 - 20.0]])  # the same pixel in the turned image
    assert np.allclose(to_original(turned.transform, q), to_original(out.transform, p))


def test_upright_page_is_not_rotated(page150: np.ndarray) -> None:
    assert clean(page150, NO_RES).rotation == 0


def test_transform_maps_cleaned_pixels_back_to_the_scan(page150: np.ndarray) -> None:
    """A marker drawn on the scan must be found, through the transform, where it was drawn,
    after rotation, deskew, border crop and upsampling have all happened."""
    import cv2

    scan = _rotate(page150, 2.0)
    scan = cv2.rotate(scan, cv2.ROTATE_90_COUNTERCLOCKWISE)
    scan = cv2.copyMakeBorder(scan, 40, 30, 50, 25, cv2.BORDER_CONSTANT, value=15)
    h, w = scan.shape
    marker = (w * 0.45, h * 0.55)
    cv2.circle(scan, (round(marker[0]), round(marker[1])), 6, 0, -1)
    out = clean(scan, CleanupConfig(normalize_resolution=True))
    assert out.rotation == 90 and "crop_borders" in out.steps and any(s.startswith("upsample") for s in out.steps)
    # locate the marker in the cleaned image: the filled disc is the darkest 13x13 area
    box = cv2.boxFilter(255 - out.image, cv2.CV_32F, (9, 9))
    inv = np.linalg.inv(np.vstack([out.transform, [0, 0, 1]]))
    guess = inv[:2, :2] @ np.array(marker) + inv[:2, 2]
    y, x = np.unravel_index(np.argmax(_window(box, guess, 40)), box.shape)
    back = to_original(out.transform, [(x, y)])[0]
    assert math.dist(back, marker) < 3.0, (back, marker)


def _window(a: np.ndarray, center: np.ndarray, r: int) -> np.ndarray:
    """`a` with everything farther than r from center zeroed (search only near the guess)."""
    out = np.zeros_like(a)
    cx, cy = int(center[0]), int(center[1])
    out[max(0, cy - r) : cy + r, max(0, cx - r) : cx + r] = a[max(0, cy - r) : cy + r, max(0, cx - r) : cx + r]
    return out


def test_black_scanner_border_is_cropped(page150: np.ndarray) -> None:
    import cv2

    scan = cv2.copyMakeBorder(page150, 60, 40, 35, 80, cv2.BORDER_CONSTANT, value=10)
    out = clean(scan, NO_RES)
    assert "crop_borders" in out.steps
    assert out.image[:5].mean() > 240 and out.image[:, -5:].mean() > 240
    # the page itself survives: its size within a few pixels of the page without border
    assert abs(out.image.shape[0] - page150.shape[0]) < 8 and abs(out.image.shape[1] - page150.shape[1]) < 8


def test_flatten_removes_shading_and_bleed_through_but_keeps_strokes(page150: np.ndarray) -> None:
    h, w = page150.shape
    shade = np.linspace(0.55, 1.0, w)[None, :] * np.linspace(0.8, 1.0, h)[:, None]  # spine shadow
    ghost = np.fliplr(page150) < 128  # mirror image of the reverse side
    scan = page150.astype(np.float64)
    scan[ghost & (page150 > 200)] = 205  # faint bleed-through on paper
    scan = (scan * shade * np.array(0.93)).clip(0, 255).astype(np.uint8)  # yellowed, dimmer paper
    cfg = CleanupConfig(normalize_resolution=False, deskew=False, detect_rotation=False, denoise=False, white_point=0.8,
                        flatten_background=True)  # off by default since round 3, still available
    out = clean(scan, cfg)
    assert "flatten_background" in out.steps
    paper = page150 > 250
    assert scan[paper].std() > 20  # the shading was there
    assert out.image[paper & ~ghost].mean() > 250 and out.image[paper & ~ghost].std() < 6
    assert np.mean(out.image[paper & ghost] > 230) > 0.9  # most bleed-through gone
    ink = page150 < 60
    assert np.mean(out.image[ink] < 100) > 0.95  # strokes kept dark


def test_low_resolution_is_upsampled_and_high_is_not(page150: np.ndarray, page300: np.ndarray) -> None:
    lo = clean(page150, CleanupConfig(normalize_resolution=True))
    hi = clean(page300, CleanupConfig(normalize_resolution=True))
    assert lo.char_px is not None and 14 < lo.char_px < 24  # 10.5 pt at 150 dpi
    up = [s for s in lo.steps if s.startswith("upsample")]
    assert up and lo.image.shape[0] > 1.5 * page150.shape[0]
    assert not any(s.startswith("upsample") for s in hi.steps)
    assert hi.image.shape == page300.shape


def test_colour_input_becomes_gray(page150: np.ndarray) -> None:
    bgr = np.dstack([page150, page150, page150]).copy()
    bgr[..., 0] = (bgr[..., 0] * 0.75).astype(np.uint8)  # yellow paper: less blue
    out = clean(bgr, NO_RES)
    assert out.image.ndim == 2 and out.steps[0] == "grayscale"


def test_blank_and_tiny_pages_do_not_crash() -> None:
    blank = np.full((400, 300), 255, np.uint8)
    out = clean(blank, CleanupConfig())
    assert out.image.shape == blank.shape and out.skew_deg == 0.0 and out.rotation == 0
    out = clean(np.zeros((70, 70), np.uint8), CleanupConfig())
    assert out.image.dtype == np.uint8


def test_rejects_non_uint8() -> None:
    with pytest.raises(TypeError):
        clean(np.zeros((100, 100), np.uint16), CleanupConfig())


def test_to_original_composes_like_the_matrix() -> None:
    t = np.array([[2.0, 0.0, 10.0], [0.0, 2.0, 5.0]])
    assert np.allclose(to_original(t, [(1, 1), (0, 0)]), [(12, 7), (10, 5)])


def test_cleanup_is_fast_on_a_full_300_dpi_page(page300: np.ndarray) -> None:
    """A 300 dpi A4 page: budget is 15% of OCR time (~2-3 s per page)."""
    import cv2

    a4 = cv2.resize(page300, (2480, 3508))
    a4 = _rotate(a4, 1.3)
    clean(a4[:800, :800], CleanupConfig())  # warm up OpenCV
    t = time.perf_counter()
    out: Cleaned = clean(a4, CleanupConfig())
    dt = time.perf_counter() - t
    assert abs(out.skew_deg - 1.3) <= 0.1
    assert dt < 1.5, dt  # about 0.15-0.3 s on an idle core; loose so a busy shared machine does not fail it


def test_denoise_smooths_grain_but_keeps_thin_strokes(page150: np.ndarray) -> None:
    """Non-local means: paper grain falls, and the 1-2 px strokes of 150 dpi text stay dark
    (the median filter of round 1 failed exactly this)."""
    rng = np.random.default_rng(3)
    noisy = np.clip(page150.astype(np.float64) + rng.normal(0, 12, page150.shape), 0, 255).astype(np.uint8)
    base = CleanupConfig(deskew=False, detect_rotation=False, crop_borders=False, flatten_background=False,
                         normalize_resolution=False, sharpen=False, denoise=False)
    off = clean(noisy, base)
    on = clean(noisy, dataclasses.replace(base, denoise=True))
    assert "denoise" in on.steps and "denoise" not in off.steps
    paper = page150 > 250
    assert on.image[paper].std() < 0.5 * off.image[paper].std()
    ink = page150 < 60
    assert np.mean(on.image[ink] < 110) > 0.9


def test_sharpen_steepens_stroke_edges(page150: np.ndarray) -> None:
    import cv2

    soft = cv2.GaussianBlur(page150, (0, 0), 1.2)
    base = CleanupConfig(deskew=False, detect_rotation=False, crop_borders=False, flatten_background=False,
                         normalize_resolution=False, denoise=False, sharpen=False)
    off = clean(soft, base)
    on = clean(soft, dataclasses.replace(base, sharpen=True))
    assert "sharpen" in on.steps

    def edge_energy(a: np.ndarray) -> float:
        return float(np.abs(cv2.Sobel(a, cv2.CV_32F, 1, 0)).mean())

    assert edge_energy(on.image) > 1.2 * edge_energy(off.image)
    # the text itself is unchanged: the same pixels are ink (no halo turned into strokes)
    assert np.mean((on.image < 128) != (off.image < 128)) < 0.02


# --------------------------------------------------------------------------- round 3: worn back issues

GEOM_OFF = CleanupConfig(deskew=False, detect_rotation=False, crop_borders=False, normalize_resolution=False,
                         denoise=False, sharpen=False, flatten_background=True)


def _show_through(page: np.ndarray, alpha: float) -> np.ndarray:
    """The page with its own mirror image seen through the paper, shifted half a line down so
    the reverse text falls between this side's lines."""
    back = np.roll(page[:, ::-1], page.shape[0] // 80, axis=0).astype(np.float32)
    return np.clip(page.astype(np.float32) * (1 - alpha * (255 - back) / 255), 0, 255).astype(np.uint8)


def test_adaptive_levels_whiten_grainy_paper_and_keep_strokes(page150: np.ndarray) -> None:
    """A grainy, shaded page: the fixed 0.95 white point leaves the paper speckled gray; the
    white point from the page's own paper peak makes it white, and strokes stay black."""
    rng = np.random.default_rng(5)
    h, w = page150.shape
    shade = np.linspace(1.0, 0.7, w)[None, :]
    grainy = np.clip(page150 * shade + rng.normal(0, 9, page150.shape), 0, 255).astype(np.uint8)
    fixed = clean(grainy, GEOM_OFF)
    adaptive = clean(grainy, dataclasses.replace(GEOM_OFF, adaptive_levels=True))
    paper, ink = page150 > 250, page150 < 60
    assert np.mean(adaptive.image[paper] >= 250) > 0.9
    assert np.mean(adaptive.image[paper] >= 250) > np.mean(fixed.image[paper] >= 250) + 0.2
    assert np.mean(adaptive.image[ink] < 100) > 0.95


def test_show_through_suppression_lightens_mirrored_text_but_not_strokes(page150: np.ndarray) -> None:
    """Mirrored reverse text at alpha 0.3: after suppression the pixels where only the back
    prints are paper-light (above the page's ink threshold), while this side's strokes keep
    their darkness."""
    from pipeline.cleanup import _suppress_show_through

    page = _show_through(page150, 0.3)
    back_only = (page150 > 250) & (page < 225)
    assert back_only.sum() > 1000
    base = dataclasses.replace(GEOM_OFF, adaptive_levels=True)
    off = clean(page, base)
    on = clean(page, dataclasses.replace(base, suppress_show_through=True))
    assert "suppress_show_through" in on.steps
    _, thr = _suppress_show_through(off.image, on.char_px or 20.0, 0.3)
    before, after = 255.0 - off.image[back_only], 255.0 - on.image[back_only]
    assert before.mean() > 20  # visible before
    assert after.mean() < 0.4 * before.mean()  # at most 40% of its contrast left
    assert on.image[back_only].min() > thr  # nothing of it is ink-dark any more
    ink = page150 < 60
    assert np.mean(on.image[ink] == off.image[ink]) > 0.98


def _line_with_dots() -> tuple[np.ndarray, tuple[int, int, int, int], list[tuple[int, int]]]:
    """Two short 150 dpi text lines with a 。 mid-line, plus 2 px dust dots in the margin and
    mid-way across the line gap (Noto draws the ink about 0.3 em below the pen position):
    (image, box of the 。 cell, dot centres)."""
    from PIL import Image, ImageDraw

    em = round(10.5 / 72 * 150)
    img = Image.new("L", (30 * em, 8 * em), 255)
    draw = ImageDraw.Draw(img)
    font = _font(em)
    text = "静安寺街道召开联席会议。社区党建工作锐意进取。"
    for row in (2, 4):
        for j, ch in enumerate(text):
            draw.text((2 * em + j * em, row * em), ch, fill=0, font=font)
    dots = [(em, em), (27 * em, 7 * em), (10 * em, round(3.8 * em)), (15 * em + 3, round(3.8 * em))]  # margin, gap
    for x, y in dots:
        draw.ellipse((x - 1, y - 1, x + 1, y + 1), fill=20)
    j = text.index("。")
    cell = (2 * em + j * em, 2 * em, 2 * em + (j + 1) * em, 3 * em + em // 3)
    return np.asarray(img, dtype=np.uint8).copy(), cell, dots


def test_despeckle_removes_lone_dots_but_keeps_the_full_stop() -> None:
    from pipeline.cleanup import _despeckle

    img, (x0, y0, x1, y1), dots = _line_with_dots()
    em = round(10.5 / 72 * 150)
    out, n = _despeckle(img, float(em))
    assert n >= len(dots)
    for x, y in dots:
        assert img[y - 1 : y + 2, x - 1 : x + 2].min() < 100
        assert out[y - 1 : y + 2, x - 1 : x + 2].min() == 255, (x, y)
    stop_before = (img[y0:y1, x0:x1] < 128).sum()
    assert stop_before > 5
    assert (out[y0:y1, x0:x1] < 128).sum() == stop_before  # the 。 is untouched
    text = img < 128
    assert (out[text] < 128).mean() > 0.99  # no glyph stroke lost


def test_new_steps_fit_the_time_budget(page150: np.ndarray) -> None:
    """Levels, show-through suppression and despeckle on a 150 dpi page cost a few hundredths
    of a second each (the budget is 15% of 2-3 s of OCR)."""
    page = _show_through(page150, 0.3)
    cfg = dataclasses.replace(GEOM_OFF, adaptive_levels=True, suppress_show_through=True, despeckle=True)
    clean(page, cfg)
    out = clean(page, cfg)
    assert {"suppress_show_through", "despeckle"} <= set(out.steps)
    assert out.seconds["suppress_show_through"] + out.seconds["despeckle"] + out.seconds["flatten_background"] < 0.5
