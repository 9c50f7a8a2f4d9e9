"""OCR engines behind one small interface: `recognize(image) -> list[OcrLine]`.

Engines are chosen by name and imported lazily, so `backissue --help` never loads onnxruntime.
Engines don't parallelise: the orchestrator does, and loads one engine per worker."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

import numpy as np

from ..config import OcrConfig
from ..errors import EngineError


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


def create_engine(config: OcrConfig) -> OcrEngine:
    """The engine named in the config; an unknown name or missing model file is an EngineError."""
    import importlib

    target = ENGINES.get(config.engine)
    if target is None:
        raise EngineError(f"unknown OCR engine {config.engine!r}; choose one of: {', '.join(sorted(ENGINES))}")
    module, cls = target.split(":")
    return getattr(importlib.import_module(module), cls)(config)
