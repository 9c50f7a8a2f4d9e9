"""OCR engines behind one small interface: `recognize(image) -> list[OcrLine]`.

Engines are chosen by name and imported lazily, so `backissue --help` never loads onnxruntime.
Engines don't parallelise: the orchestrator does, and loads one engine per worker."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ..config import OcrConfig
from ..errors import EngineError

if TYPE_CHECKING:
    from ..cleanup import Cleaned


@dataclass
class OcrLine:
    """One line as an engine returns it, in the coordinates of the image it was given."""

    quad: list[tuple[float, float]]  # 4 corner points, clockwise from top-left
    text: str
    confidence: float
    char_confidences: list[float] = field(default_factory=list)  # one per character of `text`
    char_boxes: list[tuple[float, float, float, float]] = field(default_factory=list)  # x0,y0,x1,y1 per char


class PageUpsideDown(Exception):
    """Raised by `recognize` when the engine's text-line orientation classifier finds most lines
    upside down: the caller turns the page (`cleanup.turn_180`) and asks again."""


@cache
def model_sha256(path: str) -> str:
    """sha256 of a model file (for the manifest), computed once per process."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class ModelFile:
    role: str  # det / rec / cls
    name: str
    path: str
    sha256: str


class OcrEngine(Protocol):
    name: str

    def recognize(self, image: np.ndarray, check_orientation: bool = True) -> list[OcrLine]:
        """Read every text line of a page image (grayscale or BGR uint8). May raise
        PageUpsideDown when `check_orientation` and the engine can tell."""
        ...

    def describe(self) -> dict:
        """Engine name, version, settings and model files with their sha256 (for manifest.json)."""
        ...


ENGINES = {
    "rapidocr": "pipeline.ocr.rapid:RapidOcrEngine",
    "paddleocr": "pipeline.ocr.paddle:PaddleOcrEngine",
}


CROP_VARIANTS = ("thicken", "upscale", "blur")


def crop_variants(crop: np.ndarray, names: tuple[str, ...] | list[str]) -> list[np.ndarray]:
    """Other looks at one text-line crop, for re-reading a line the recogniser was unsure of.
    Why these: on worn 150-200 dpi scans the unsure lines are faded or broken strokes
    ("thicken": a 2x2 min filter joins them), glyphs a few pixels too small for the
    recogniser's fixed input height ("upscale": 1.5x cubic, sharper than the recogniser's own
    linear resize) and dust or grain read as strokes ("blur": Gaussian sigma 0.8 melts specks
    into the paper). A page-wide version of each raises show-through elsewhere on the page;
    on one line's crop it cannot."""
    import cv2

    out: list[np.ndarray] = []
    for name in names:
        if name == "thicken":
            out.append(cv2.erode(crop, np.ones((2, 2), np.uint8)))
        elif name == "upscale":
            out.append(cv2.resize(crop, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC))
        elif name == "blur":
            out.append(cv2.GaussianBlur(crop, (0, 0), 0.8))
        else:
            raise ValueError(f"unknown crop variant {name!r}; choose from {', '.join(CROP_VARIANTS)}")
    return out


def reading_score(lines: list[OcrLine]) -> float:
    """Confidence-weighted characters read: how much text the recogniser is sure of."""
    return sum(ol.confidence * len(ol.text.strip()) for ol in lines)


def read_upright(
    engine: OcrEngine, cleaned: Cleaned, check_orientation: bool = True
) -> tuple[Cleaned, list[OcrLine]]:
    """Read a cleaned page the right way up: `(cleaned, lines)`, the Cleaned possibly turned.

    The engine's line classifier flags upside-down pages, but it misfires on some hard scans and
    a wrong turn ruins a page, so a flagged page is read both ways and the reading the recogniser
    is surer of wins. One function, so the orchestrator and every benchmark decide alike."""
    from ..cleanup import turn_180

    try:
        return cleaned, engine.recognize(cleaned.image, check_orientation=check_orientation)
    except PageUpsideDown:
        turned = turn_180(cleaned)
        turned_lines = engine.recognize(turned.image, check_orientation=False)
        upright_lines = engine.recognize(cleaned.image, check_orientation=False)
        if reading_score(turned_lines) > reading_score(upright_lines):
            return turned, turned_lines
        return cleaned, upright_lines


def create_engine(config: OcrConfig) -> OcrEngine:
    """The engine named in the config; an unknown name or missing model file is an EngineError."""
    import importlib

    target = ENGINES.get(config.engine)
    if target is None:
        raise EngineError(f"unknown OCR engine {config.engine!r}; choose one of: {', '.join(sorted(ENGINES))}")
    module, cls = target.split(":")
    return getattr(importlib.import_module(module), cls)(config)


def restore_gaps(
    text: str, confs: list[float], boxes: list[tuple[float, float, float, float]]
) -> tuple[str, list[float], list[tuple[float, float, float, float]]]:
    """Re-insert a printed gap the recogniser dropped (masthead fields, two-part titles):
    a space where the gap between two characters is well above the line's usual spacing and
    0.4 of the glyph height. Spaces the engine gave between Chinese characters are decided the
    same way; those between Latin words or numbers are kept."""
    chars = [c for c in text if c != " "]
    if len(chars) != len(boxes) or not chars:
        return text, confs, boxes
    # a space the engine read between Latin words or numbers is printed: keep it
    kept_space = set()
    k = 0
    for i, c in enumerate(text):
        if c == " ":
            if 0 < i < len(text) - 1 and text[i - 1].isascii() and text[i + 1].isascii():
                kept_space.add(k)
        else:
            k += 1
    height = float(np.median([b[3] - b[1] for b in boxes]))
    gaps = [boxes[i][0] - boxes[i - 1][2] for i in range(1, len(boxes))]
    usual = float(np.median(gaps)) if gaps else 0.0
    threshold = max(0.4 * height, usual + 0.3 * height)
    out, out_conf, out_boxes = [chars[0]], [confs[0]], [boxes[0]]
    for i in range(1, len(chars)):
        if gaps[i - 1] > threshold or i in kept_space:
            out.append(" ")
            out_conf.append(1.0)
            out_boxes.append((boxes[i - 1][2], boxes[i][1], boxes[i][0], boxes[i][3]))
        out.append(chars[i])
        out_conf.append(confs[i])
        out_boxes.append(boxes[i])
    return "".join(out), out_conf, out_boxes
