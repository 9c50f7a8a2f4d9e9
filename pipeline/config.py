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
    """Switches and knobs of `pipeline.cleanup`; defaults follow benchmarks/cleanup_bench.py
    (docs/CLEANUP.md has the table)."""

    crop_borders: bool = True
    deskew: bool = True
    max_skew_deg: float = 10.0
    detect_rotation: bool = True
    flatten_background: bool = False  # round 3: hurts worn pages (dev hard 150: 1.90% -> 2.37% CER)
    denoise: bool = False  # non-local means: no gain on the hard set, 1-7 s per page
    denoise_strength: float = 6.0  # non-local means h (gray levels)
    target_char_px: float = 36.0  # body glyph height the recogniser reads best
    normalize_resolution: bool = False  # 2x cubic upsampling of 150 dpi pages: CER no better, often worse
    upsample_below: float = 0.6  # upsample only when the measured glyph height is below this x target
    max_upsample: float = 2.5  # never enlarge a page more than this
    min_skew_deg: float = 0.05  # smaller measured skew is recorded but not corrected (saves a resample)
    white_point: float = 0.95  # flatten: levels stretch so paper above this fraction of white becomes white
    sharpen: bool = False  # unsharp mask after flattening: no consistent gain on the hard sets
    sharpen_amount: float = 0.6
    # round 3 steps (docs/CLEANUP.md): all off, none lowered the CER of the worn-page dev set
    adaptive_levels: bool = False  # flatten: white point 3 noise sigmas under the page's paper peak
    stretch_black: bool = True  # flatten: map the darkest 0.5% of the page to black
    suppress_show_through: bool = False  # after flatten: lighten dark pixels not beside a stroke core
    show_through_keep: float = 0.3  # share of darkness such a pixel keeps
    despeckle: bool = False  # drop lone specks (no ink beside them on a line): dev hard no better
    clahe: bool = False  # local contrast for faded ink: dev hard 150 1.90% -> 2.95%
    clahe_clip: float = 2.0
    # round 4: False = measure the skew but let OCR read the unresampled page; layout gets the
    # deskew through `Cleaned.layout_transform` (docs/CLEANUP.md round 4)
    deskew_pixels: bool = True
    # round 4: painting the border's dark component white inside the crop box also erased glyphs
    # joined to it and cost dev+dev2 hard 150 2.05% -> 2.41% CER, 200 dpi 1.14% -> 1.33%
    whiten_border: bool = False


@dataclass(frozen=True)
class OcrConfig:
    engine: str = "rapidocr"
    threads: int = 0  # onnxruntime intra-op threads; 0 = cores / workers
    det_limit_side_len: int = 2000
    min_confidence: float = 0.3  # lines below this are kept with kind other, never silently dropped
    det_box_thresh: float = 0.5
    det_unclip_ratio: float = 1.6
    # round 4 (docs/CLEANUP.md): re-read a line whose recognition score, or whose weakest
    # character's score, is below these from variants of its crop and keep the surest reading
    reread_below: float = 0.0  # line (mean) score bound; 0 = off
    reread_char_below: float = 0.0  # weakest-character bound; 0 = off
    reread_variants: tuple[str, ...] = ("blur",)  # of pipeline.ocr.CROP_VARIANTS


@dataclass(frozen=True)
class LayoutConfig:
    direction: str = "ltr"  # horizontal text, columns left to right


@dataclass(frozen=True)
class CorrectConfig:
    enabled: bool = True  # False: export the engine's raw text only
    digits: bool = True  # digit look-alikes in numeric context (第1()2期 -> 第102期)
    punctuation: bool = True  # full-width Chinese punctuation, paired quotes, · vs 。
    dust: bool = True  # dots/colons the engine read from specks: after a stop, opening a body line
    dust_max_char_conf: float = 0.9  # ... at a line start only where the engine was less sure than this
    spaces: bool = True  # spaces between Chinese characters in body text
    lookalikes: bool = True  # 形近字 from the confusion table, accepted on lexicon evidence
    junk: bool = True  # junk and page furniture moved to blocks of kind other
    masthead: bool = True  # parse date, issue number, pages, next date, publisher
    publisher: str = ""  # used when the masthead names none
    corpus_min_count: int = 5  # a batch word needs this many sightings to correct a twin
    corpus_ratio: float = 10.0  # ... and this many times the sightings of the garbled form
    dict_ratio: float = 50.0  # jieba evidence: candidate word this much more frequent than the original's
    dict_min_freq: int = 100  # jieba evidence: candidate word at least this frequent
    dict_max_char_conf: float = 0.97  # jieba-only evidence is refused where the engine was this sure
    # the original may make a rare jieba word (生服务中心王任: 心王 freq 3) when its run becomes this
    # many times more probable with the candidate (docs/CORRECTIONS.md 2026-11-25 round 2); 0 = never
    dict_rare_freq: int = 10
    dict_rare_ratio: float = 1000.0
    # the engine's own confusions (resources/lexicon/confusables_engine.tsv, benchmarks/learn_confusions.py)
    engine_confusions: bool = True
    engine_min_count: int = 2  # a learned pair is used when seen at least this often
    engine_symmetric: bool = True  # also try the reverse of each learned pair (a look-alike both ways)
    engine_strict: bool = True  # jieba-only evidence for a learned-only pair needs the dict_rare_ratio gain
    # round 3: a shipped name of 4+ characters read with one look-alike the tables lack (天官西路),
    # the two glyphs rendered and correlated (docs/CORRECTIONS.md 2026-11-25 round 3)
    glyph_lexicon: bool = True
    glyph_min_sim: float = 0.8
    # round 4: look-alikes by rendered glyph shape (resources/lexicon/confusables_glyph.tsv,
    # benchmarks/glyph_neighbours.py), tried as learned pairs (strict jieba gain, engine confidence)
    glyph_confusions: bool = True
    glyph_top_k: int = 1  # nearest glyph neighbours per character used (the file holds up to 3)
    masthead_top_fraction: float = 0.25  # fallback masthead: lines in this top share of page 1


@dataclass(frozen=True)
class EntitiesConfig:
    enabled: bool = True
    # the learned CRF over the rules' spans (pipeline/entities/crf.py): on blind sets heldout9/10 it
    # raised unit, award and person F1 by 0.01-0.04 over the rules alone (docs/ENTITY-RULES.md)
    crf: bool = True


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
