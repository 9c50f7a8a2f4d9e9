"""PP-OCRv6 small (detection + recognition) through rapidocr and onnxruntime.

The weights ship inside the rapidocr wheel. Every model path is given explicitly, so a
missing file is an EngineError here, never a download attempt at run time."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..config import OcrConfig
from ..errors import EngineError
from . import ModelFile, OcrLine, PageUpsideDown, crop_variants, model_sha256, restore_gaps

if TYPE_CHECKING:
    from rapidocr import RapidOCR

log = logging.getLogger(__name__)

DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"  # text-line 0/180 classifier: page orientation
ORIENTATION_SAMPLE = 24  # widest lines classified per page
ORIENTATION_MIN_LINES = 5


def model_dir() -> Path:
    try:
        import rapidocr
    except ImportError as e:  # pragma: no cover - install problem
        raise EngineError("the rapidocr package is not installed: pip install 'rapidocr==3.10.0'") from e
    return Path(rapidocr.__file__).parent / "models"


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, config: OcrConfig):
        self.config = config
        self.reread_stats: dict[str, float] = {}  # last page's re-reading: unsure lines, replaced, seconds
        base = model_dir()
        self.models = []
        for role, fname in (("det", DET_MODEL), ("rec", REC_MODEL), ("cls", CLS_MODEL)):
            path = base / fname
            if not path.is_file():
                raise EngineError(
                    f"OCR model file {path} is missing; reinstall the wheel that ships it: "
                    "pip install --force-reinstall 'rapidocr==3.10.0'"
                )
            self.models.append(ModelFile(role, fname, str(path), model_sha256(str(path))))
        threads = config.threads or max(1, os.cpu_count() or 1)
        self.threads = threads
        self._params = {
            "Global.use_cls": False,  # pages are upright after cleanup
            "Global.log_level": "error",
            "Global.return_word_box": True,  # per-character boxes and scores
            "Global.max_side_len": config.det_limit_side_len,
            "Global.text_score": 0.0,  # keep low-confidence lines; the pipeline decides what to do
            "Det.model_path": str(base / DET_MODEL),
            "Det.box_thresh": config.det_box_thresh,
            "Det.unclip_ratio": config.det_unclip_ratio,
            "Rec.model_path": str(base / REC_MODEL),
            "Cls.model_path": str(base / CLS_MODEL),
            "Rec.rec_batch_num": 1,
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
        self._loaded: RapidOCR | None = None

    @property
    def _ocr(self) -> RapidOCR:
        """The onnxruntime sessions, opened on first use: describing the engine for the manifest
        (model files, settings) must not cost a model load in the main process of a batch."""
        if self._loaded is None:
            from rapidocr import RapidOCR

            try:
                ocr = RapidOCR(params=self._params)
                # rapidocr opens each onnxruntime session on its first call; open them here, so
                # that a damaged model file is one EngineError (the run ends) and not an
                # internal error on every page
                ocr._load_det_model(), ocr._load_rec_model(), ocr._load_cls_model()
                self._loaded = ocr
            except Exception as e:  # noqa: BLE001 - any load failure is an engine problem
                raise EngineError(f"could not load the PP-OCR models through rapidocr: {e}") from e
        return self._loaded

    def describe(self) -> dict:
        from importlib.metadata import version

        return {
            "name": self.name,
            "package": f"rapidocr {version('rapidocr')}",
            "models": [m.__dict__ for m in self.models],
            "settings": {k: v for k, v in self._params.items() if "model_path" not in k},
        }

    def recognize(self, image: np.ndarray, check_orientation: bool = True) -> list[OcrLine]:
        """Detect on a copy scaled to `det_limit_side_len`, recognise crops of the full-resolution
        page: detection needs the layout, recognition needs the strokes. (rapidocr's own call
        crops from the downscaled page, which on an A3 300 dpi scan shrinks body text to ~17 px:
        measured on the seed page, line CER 1.5% that way against 0.15% this way.)"""
        from rapidocr.ch_ppocr_rec import TextRecInput

        quads, crops = self.detect(image)
        if not crops:
            return []
        if check_orientation and self._upside_down(crops):
            raise PageUpsideDown()
        rec = self._ocr._load_rec_model()(TextRecInput(img=crops, return_word_box=True))
        if rec.txts is None:
            return []
        if self.config.reread_below > 0 or self.config.reread_char_below > 0:
            rec = self._reread(crops, rec)
        return self.to_lines(quads, crops, rec)

    def detect(self, image: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Text-line quads (page pixels) and their full-resolution upright crops (BGR)."""
        import cv2
        from rapidocr.utils.process_img import get_rotate_crop_image

        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        h, w = image.shape[:2]
        scale = min(1.0, self.config.det_limit_side_len / max(h, w))
        small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else image
        det = self._ocr(small, use_det=True, use_cls=False, use_rec=False)
        if det.boxes is None or len(det.boxes) == 0:
            return [], []
        quads, crops = [], []
        for box in np.asarray(det.boxes, dtype=np.float32):
            quad = box / scale
            crop = get_rotate_crop_image(image, quad.copy())
            if crop.size and min(crop.shape[:2]) >= 2:
                quads.append(quad)
                crops.append(crop)
        return quads, crops

    def to_lines(self, quads: list[np.ndarray], crops: list[np.ndarray], rec) -> list[OcrLine]:  # type: ignore[no-untyped-def]
        """OcrLines from a recognition result of `crops`: text, score, per-character
        confidences and boxes in page pixels (`rec.word_results` is consumed)."""
        chars_per_line = self._ocr.cal_rec_boxes(crops, np.array(quads), rec, False).word_results
        lines = []
        for quad, text, score, chars in zip(quads, rec.txts, rec.scores, chars_per_line):
            if not text.strip():
                continue
            quad_pts = [(float(x), float(y)) for x, y in quad.reshape(-1, 2)]
            char_conf: list[float] = []
            char_boxes: list[tuple[float, float, float, float]] = []
            # one entry per recognised character (CJK) or word (Latin runs), boxes in page pixels
            if chars and sum(len(c[0]) for c in chars) == len(text.replace(" ", "")):
                for ch, sc, pts in chars:
                    xs = [p[0] for p in pts]
                    ys = [p[1] for p in pts]
                    for _ in ch:
                        char_conf.append(float(sc))
                        char_boxes.append((min(xs), min(ys), max(xs), max(ys)))
                text, char_conf, char_boxes = restore_gaps(text, char_conf, char_boxes)
            lines.append(OcrLine(quad_pts, text, float(score), char_conf, char_boxes))
        return lines

    def _reread(self, crops: list[np.ndarray], rec):  # type: ignore[no-untyped-def]
        """Read every line scored below `reread_below`, or with a character scored below
        `reread_char_below`, again from variants of its own crop (`crop_variants`) and keep
        whichever reading has the best mean character score. The
        boxes stay those of the original crop (the variants keep its aspect ratio, and
        character positions are fractions of the line). Why per line: the page-wide versions
        of these steps lifted show-through and grain into invented text (docs/CLEANUP.md)."""
        import time

        from rapidocr.ch_ppocr_rec import TextRecInput, TextRecOutput

        t = time.perf_counter()
        txts, scores, words = list(rec.txts), list(rec.scores), list(rec.word_results)
        cfg = self.config
        unsure = [
            i for i, (tx, sc, wi) in enumerate(zip(txts, scores, words))
            if tx.strip() and (sc < cfg.reread_below or min(getattr(wi, "confs", None) or [sc]) < cfg.reread_char_below)
        ]
        variants: list[np.ndarray] = []
        owners: list[int] = []
        for i in unsure:
            for v in crop_variants(crops[i], self.config.reread_variants):
                if v.size and min(v.shape[:2]) >= 2:
                    variants.append(v)
                    owners.append(i)
        if variants:
            again = self._ocr._load_rec_model()(TextRecInput(img=variants, return_word_box=True))
            best = {i: scores[i] for i in unsure}
            for k, i in enumerate(owners):
                tx, sc = again.txts[k], float(again.scores[k])
                if tx.strip() and sc > best[i]:
                    best[i] = sc
                    txts[i], scores[i], words[i] = tx, sc, again.word_results[k]
        replaced = sum(1 for a, b in zip(rec.txts, txts) if a != b)
        self.reread_stats = {"unsure": len(unsure), "replaced": replaced, "seconds": time.perf_counter() - t}
        log.debug("re-read %d unsure lines, %d readings replaced", len(unsure), replaced)
        return TextRecOutput(txts=tuple(txts), scores=scores, word_results=tuple(words))

    def _upside_down(self, crops: list[np.ndarray]) -> bool:
        """Most of the page's widest text lines read as turned by 180 degrees (PP-OCR's line
        classifier, shipped in the wheel); a handful of lines or a split vote is not enough."""
        lines = sorted((c for c in crops if c.shape[1] > 3 * c.shape[0]), key=lambda c: -c.shape[1])
        lines = lines[:ORIENTATION_SAMPLE]
        if len(lines) < ORIENTATION_MIN_LINES:
            return False
        votes = self._ocr._load_cls_model()(lines).cls_res or []
        down = sum(1 for label, score in votes if label == "180" and score > 0.9)
        return down >= 0.75 * len(lines)
