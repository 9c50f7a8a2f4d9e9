"""One frozen configuration, one section per stage, passed explicitly (never read at import)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class IngestConfig:
    pdf_dpi: int = 300  # PDF pages are rasterised at this resolution
    max_pixels: int = 200_000_000  # larger images are refused (decompression bombs)
    min_side: int = 64  # smaller images cannot hold a page of text


@dataclass(frozen=True)
class CleanupConfig:
    crop_borders: bool = True
    deskew: bool = True
    max_skew_deg: float = 10.0
    detect_rotation: bool = True
    flatten_background: bool = True
    denoise: bool = False
    target_char_px: float = 36.0  # body glyph height the recogniser reads best; upsample below 0.6x of it
    normalize_resolution: bool = True


@dataclass(frozen=True)
class OcrConfig:
    engine: str = "rapidocr"
    threads: int = 0  # onnxruntime intra-op threads; 0 = cores / workers
    det_limit_side_len: int = 2000
    min_confidence: float = 0.3  # lines below this are kept with kind other, never silently dropped
    det_box_thresh: float = 0.5
    det_unclip_ratio: float = 1.6


@dataclass(frozen=True)
class LayoutConfig:
    direction: str = "ltr"  # horizontal text, columns left to right


@dataclass(frozen=True)
class CorrectConfig:
    enabled: bool = True  # False: export the engine's raw text only


@dataclass(frozen=True)
class EntitiesConfig:
    enabled: bool = True


@dataclass(frozen=True)
class Config:
    ingest: IngestConfig = field(default_factory=IngestConfig)
    cleanup: CleanupConfig = field(default_factory=CleanupConfig)
    ocr: OcrConfig = field(default_factory=OcrConfig)
    layout: LayoutConfig = field(default_factory=LayoutConfig)
    correct: CorrectConfig = field(default_factory=CorrectConfig)
    entities: EntitiesConfig = field(default_factory=EntitiesConfig)
    workers: int = 1

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def replace(self, **sections: Any) -> Config:
        """Config with some fields of some sections changed: cfg.replace(ocr={"threads": 1})."""
        changes: dict[str, Any] = {}
        for name, value in sections.items():
            current = getattr(self, name)
            changes[name] = dataclasses.replace(current, **value) if isinstance(value, dict) else value
        return dataclasses.replace(self, **changes)
