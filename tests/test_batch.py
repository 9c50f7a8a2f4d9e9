"""Archive-grade batch runs with the real OCR engine on small rendered pages: kill -9 and resume
byte-identical, bad inputs reported while the batch completes, changed scans reprocessed alone,
a process pool and a Dask cluster giving the same tables, formula-safe CSV end to end."""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline import load_dataset
from pipeline.config import Config
from pipeline.errors import OutputError
from pipeline.orchestrator import STATE_DIR, PageResult, PageTask, RunLock, _execute_pool, run

ROOT = Path(__file__).resolve().parents[1]
FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
CONFIG = Config().replace(ingest={"pdf_dpi": 150})
CLI_ARGS = ["--pdf-dpi", "150"]
TABLES = ["issues.csv", "pages.csv", "lines.csv", "blocks.csv", "articles.csv", "entities.csv", "awards.csv",
          "corrections.csv"]

PAGES = {  # small pages, a few lines each, so the real engine reads a page in well under a second
    "tongxin 102/page-1.png": ["同心家园 第102期", "静安寺街道共建理事会召开联席会议", "=1+2 为公式示例"],
    "tongxin 102/page-2.jpg": ["理事会对优秀项目金拇指奖予以表彰", "-5度 寒潮来袭注意保暖"],
    "issue-104.tif": ["社区服务中心开放时间调整", "@居民区 志愿者招募"],  # + a second frame
    "=1+2 号外.pdf": ["号外 静安区委副书记黄红讲话"],
}


def text_image(lines: list[str], width: int = 900, px: int = 34, mode: str = "L") -> Image.Image:
    """A small page of printed lines (Noto Serif CJK), the shape of a newsletter column."""
    font = ImageFont.truetype(FONT, px, index=2)
    height = 50 + len(lines) * int(px * 2)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((40, 30 + i * int(px * 2)), line, font=font, fill=0)
    return img.convert(mode) if mode != "L" else img


def write_scans(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, lines in PAGES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        img = text_image(lines)
        if rel.endswith(".tif"):
            img.save(path, save_all=True, append_images=[text_image(["第二页 文明共建与品牌共创"])],
                     compression="tiff_deflate")
        elif rel.endswith(".pdf"):
            img.save(path, resolution=150.0)
        elif rel.endswith(".jpg"):
            img.save(path, quality=92)
        else:
            img.save(path)
    return root


def output_files(out: Path) -> dict[str, bytes]:
    """Every file of an output folder except the hidden resume state."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and STATE_DIR not in p.relative_to(out).parts
    }


@pytest.fixture(scope="session")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scans(tmp_path_factory.mktemp("batch") / "scans")


@pytest.fixture(scope="session")
def reference(scans: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One uninterrupted in-process run: what every other way of running must reproduce."""
    out = tmp_path_factory.mktemp("reference") / "out"
    result = run(scans, out, CONFIG, progress=False)
    assert result.ok and result.pages_total == 5 and result.pages_reused == 0
    return out


def test_reference_run_reads_every_input_kind(reference: Path) -> None:
    ds = load_dataset(reference)
    assert sorted(ds.pages["source_file"]) == sorted(
        ["tongxin 102/page-1.png", "tongxin 102/page-2.jpg", "issue-104.tif", "issue-104.tif", "=1+2 号外.pdf"])
    assert set(ds.pages["status"]) == {"ok"} and len(ds.issues) == 3
    text = "".join(ds.lines["text"])
    for needle in ("联席会议", "金拇指奖", "文明共建", "黄红"):  # PNG, JPEG, TIFF frame 2, PDF
        assert needle in text
    pdf = ds.pages[ds.pages["source_file"] == "=1+2 号外.pdf"].iloc[0]
    w, h = text_image(PAGES["=1+2 号外.pdf"]).size  # rasterised at --pdf-dpi (points round to +-1 px)
    assert abs(pdf["width"] - w) <= 1 and abs(pdf["height"] - h) <= 1


def test_csv_cells_cannot_run_as_formulas(reference: Path) -> None:
    """A spreadsheet never sees a cell starting with = + - @, and load_dataset gives back the exact text."""
    risky = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
    for table in TABLES:
        with open(reference / table, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        for row in rows[1:]:
            for cell in row:
                if cell.startswith(risky):  # numbers such as -0.5 are not text; they are not formulas either
                    float(cell)
    ds = load_dataset(reference)
    assert "=1+2 号外.pdf" in set(ds.pages["source_file"])  # guarded on disk, exact when loaded
    assert "=1+2 号外.pdf" in set(ds.issues["source"])
    raw = (reference / "issues.csv").read_text(encoding="utf-8")
    assert "'=1+2 号外.pdf" in raw
    import json

    json_lines = {
        ln["line_id"]: ln["text"]
        for f in sorted((reference / "issues").glob("*.json"))
        for p in json.loads(f.read_text(encoding="utf-8"))["pages"]
        for b in p["blocks"]
        for ln in b["lines"]
    }
    loaded = dict(zip(ds.lines["line_id"], ds.lines["text"]))
    assert loaded == json_lines
    assert any(t.startswith(risky) for t in loaded.values()), "the pages print lines starting with = - @"


def test_output_names_stay_inside_the_output_folder(reference: Path) -> None:
    out = reference.resolve()
    for rel in output_files(reference):
        assert out in (reference / rel).resolve().parents
    names = [p.name for p in (reference / "issues").iterdir()]
    assert all("/" not in n and not n.startswith(".") for n in names) and len(names) == 3


def _wait_for(path: Path, proc: subprocess.Popen, timeout: float) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if any(path.glob("*.json")):
            return
        if proc.poll() is not None:
            pytest.fail(f"the run ended (rc={proc.returncode}) before the first page was saved")
        time.sleep(0.05)
    pytest.fail("no page state file appeared")


def test_kill_9_and_resume_is_byte_identical(scans: Path, reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "pipeline", "run", str(scans), "--out", str(out), "--workers", "2", "-q",
           *CLI_ARGS]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    try:
        _wait_for(out / STATE_DIR / "pages", proc, timeout=240)
        os.kill(proc.pid, signal.SIGKILL)  # kill -9 of the run ...
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # ... and of its worker processes
        except ProcessLookupError:
            pass
        proc.wait()
    saved = len(list((out / STATE_DIR / "pages").glob("*.json")))
    assert 1 <= saved < 5 and not (out / "manifest.json").exists()
    (out / ".lines.csv.x1y2.tmp").write_bytes(b"half a table")  # what a kill mid-write leaves behind

    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    got, want = output_files(out), output_files(reference)
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], f"{name} differs from the uninterrupted run"
    # a second identical run reuses every page and rewrites the same bytes
    again = run(scans, out, CONFIG, progress=False)
    assert again.pages_reused == 5 and output_files(out) == want


def test_changed_scan_is_the_only_page_reprocessed(scans: Path, reference: Path, tmp_path: Path) -> None:
    import json

    work, out = tmp_path / "scans", tmp_path / "out"
    shutil.copytree(scans, work)
    shutil.copytree(reference, out)
    before = {e["file"]: e["sha256"] for e in json.loads((out / "manifest.json").read_text())["inputs"]}
    text_image(["理事会换届 新一任会长洪明铭"]).save(work / "tongxin 102" / "page-2.jpg", quality=92)
    text_image(["新增一页 同心惠民项目"]).save(work / "loose-new.png")

    result = run(work, out, CONFIG, progress=False)
    assert result.pages_total == 6 and result.pages_reused == 4 and result.pages_processed == 2
    assert result.inputs.changed == ["tongxin 102/page-2.jpg"] and result.inputs.new == ["loose-new.png"]
    after = {e["file"]: e["sha256"] for e in json.loads((out / "manifest.json").read_text())["inputs"]}
    import hashlib

    assert after["tongxin 102/page-2.jpg"] == hashlib.sha256((work / "tongxin 102/page-2.jpg").read_bytes()).hexdigest()
    assert after["tongxin 102/page-2.jpg"] != before["tongxin 102/page-2.jpg"]
    assert {k: v for k, v in after.items() if k not in ("tongxin 102/page-2.jpg", "loose-new.png")} == {
        k: v for k, v in before.items() if k != "tongxin 102/page-2.jpg"}
    text = "".join(load_dataset(out).lines["text"])
    assert "洪明铭" in text and "寒潮" not in text


# --------------------------------------------------------------------------- bad input


def _bomb_png(w: int, h: int) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b"")


def _encoded(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def _raw_pdf(count: int, encrypt: bool) -> bytes:
    kids = b"3 0 R" if count else b""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] >>"]
    if encrypt:
        objs.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> /P -4 >>")
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    enc = b" /Encrypt 4 0 R /ID [<%s> <%s>]" % (b"01" * 16, b"01" * 16) if encrypt else b""
    return out + b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, enc, xref)


WORD = ["同心家园"]  # the variants are tiny one-word pages: cheap to read, still a real read

BAD = {  # file -> what its pages.csv error must say
    "zero.png": "empty",
    "truncated.jpg": "truncated or damaged",
    "truncated.png": "truncated or damaged",
    "truncated.tif": "damaged",
    "not-an-image.jpg": "not a readable image",
    "no-pages.pdf": "no pages",
    "encrypted.pdf": "encrypted",
    "bomb.png": "decompression bombs",
    "tiny.png": "too small",
    "locked.png": "permission denied",
}


def _bad_inputs(folder: Path) -> None:
    folder.mkdir(parents=True)
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 255, (300, 400), np.uint8))
    (folder / "zero.png").write_bytes(b"")
    for name, fmt, kw in (("truncated.jpg", "JPEG", {}), ("truncated.png", "PNG", {}),
                          ("truncated.tif", "TIFF", {"compression": "tiff_deflate"})):
        data = _encoded(noise, fmt, **kw)
        (folder / name).write_bytes(data[: len(data) // 2])
    (folder / "not-an-image.jpg").write_text("这不是图片 " * 40, encoding="utf-8")
    (folder / "no-pages.pdf").write_bytes(_raw_pdf(0, encrypt=False))
    (folder / "encrypted.pdf").write_bytes(_raw_pdf(1, encrypt=True))
    (folder / "bomb.png").write_bytes(_bomb_png(40_000, 40_000))
    text_image(WORD, width=300).resize((60, 20)).save(folder / "tiny.png")
    text_image(WORD, width=300).save(folder / "locked.png")


def _good_variants(folder: Path) -> dict[str, tuple[int, int]]:
    """Unusual but valid images: each must be read (status ok) at its upright size."""
    folder.mkdir(parents=True)
    base = text_image(WORD, width=300)
    size = base.size
    base.convert("1").save(folder / "bilevel.png")
    Image.fromarray((np.asarray(base, np.uint16) * 257)).save(folder / "sixteen-bit.png")
    base.convert("CMYK").save(folder / "cmyk.jpg")
    base.convert("P").save(folder / "palette.png")
    rgba = base.convert("RGBA")
    rgba.putalpha(Image.fromarray(np.where(np.asarray(base) < 128, 255, 0).astype(np.uint8)))  # ink opaque
    rgba.save(folder / "alpha.png")
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to view": stored sideways, shown upright
    base.transpose(Image.Transpose.ROTATE_90).save(folder / "exif-rotated.jpg", exif=exif, quality=95)
    base.save(folder / "with space.png")
    base.save(folder / "第102期 扫描.png")
    base.save(folder / ("very-long-name-" * 14 + ".png"))
    return {p.name: size for p in folder.iterdir()}


def test_bad_inputs_are_reported_and_the_batch_completes(tmp_path: Path, make_unreadable) -> None:
    scans = tmp_path / "scans"
    _bad_inputs(scans / "bad")
    variants = _good_variants(scans / "variants")
    text_image(PAGES["tongxin 102/page-1.png"]).save(scans / "good.png")
    locked = scans / "bad" / "locked.png"
    make_unreadable(locked)

    from pipeline import cli

    out = tmp_path / "out"
    try:
        code = cli.main(["run", str(scans), "--out", str(out), "-q", "--no-progress", *CLI_ARGS])
    finally:
        locked.chmod(0o644)
    assert code == 1  # the batch finished; some pages failed
    ds = load_dataset(out)
    pages = ds.pages.set_index("source_file")
    for name, message in BAD.items():
        row = pages.loc[f"bad/{name}"]
        assert row["status"] == "error", name
        assert message in row["error"] and name in row["error"], (name, row["error"])
    for name, (w, h) in variants.items():
        row = pages.loc[f"variants/{name}"]
        assert row["status"] == "ok", (name, row["error"])
        assert (row["width"], row["height"]) == (w, h), name  # EXIF rotation applied
        read = "".join(ds.lines[ds.lines["page_id"] == row["page_id"]]["text"])
        assert "同心" in read, (name, read)
    assert pages.loc["good.png", "status"] == "ok"
    assert "联席会议" in "".join(ds.lines["text"])
    # failed pages leave nothing half-made behind: no lines or blocks, and no resume state
    failed_ids = set(ds.pages[ds.pages["status"] == "error"]["page_id"])
    assert len(failed_ids) == len(BAD)
    assert not failed_ids & set(ds.lines["page_id"]) and not failed_ids & set(ds.blocks["page_id"])
    assert not {p.stem for p in (out / STATE_DIR / "pages").glob("*.json")} & failed_ids
    import json

    manifest = json.loads((out / "manifest.json").read_text())
    statuses = {e["file"]: e["status"] for e in manifest["inputs"]}
    assert statuses["bad/zero.png"] == "error" and statuses["good.png"] == "ok"


# --------------------------------------------------------------------------- parallel and distributed


def _tables(out: Path) -> dict[str, bytes]:
    return {t: (out / t).read_bytes() for t in TABLES}


def test_dask_cluster_gives_the_same_tables(scans: Path, reference: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cl:
        result = run(scans, tmp_path / "out", CONFIG, scheduler=cl.scheduler_address, progress=False)
    assert result.ok and result.pages_reused == 0
    assert len(result.worker_peak_rss_mb) == 1  # all pages ran in the one worker process
    assert _tables(tmp_path / "out") == _tables(reference)


def _crash_on_poison(task: PageTask) -> PageResult:
    """A page function whose worker dies (like a decoder segfault) on one input."""
    if "poison" in task.path:
        os._exit(11)
    return PageResult({"page_id": task.page_id, "status": "ok"}, {}, ("test", os.getpid()), 1.0)


def test_a_page_that_kills_its_worker_fails_alone() -> None:
    tasks = [PageTask("i", n, "poison.png" if n == 2 else f"p{n}.png", f"p{n}.png", 0, Config()) for n in range(1, 6)]
    got: dict[str, PageResult] = {}
    _execute_pool(tasks, lambda t, r: got.__setitem__(t.page_id, r), 2, fn=_crash_on_poison)
    assert sorted(got) == [t.page_id for t in tasks]
    assert {pid for pid, r in got.items() if r.page["status"] == "error"} == {"i_p002"}
    assert "worker process died" in got["i_p002"].page["error"]


def test_one_run_per_output_folder(tmp_path: Path) -> None:
    with RunLock(tmp_path):
        with pytest.raises(OutputError, match="another backissue run"):
            with RunLock(tmp_path):
                pass
    with RunLock(tmp_path):  # released on exit
        pass


def test_upside_down_and_sideways_scans_are_turned_and_read(tmp_path: Path) -> None:
    """Geometry turns a lying page upright or upside down; the engine's line classifier finds
    upside down and the page is turned again. Boxes still point into the original scan."""
    lines = ["静安寺街道同心家园共建理事会召开联席会议", "理事会延续传统对评选出的优秀项目予以表彰",
             "现场表彰了二〇一九年度同心惠民项目十项", "静安区委组织部副部长为获奖项目颁奖",
             "进一步深化优秀项目示范作用和引领作用", "街道启动了同心家园微网站实现线上展示"]
    page = text_image(lines)
    folder = tmp_path / "scans" / "turned"
    folder.mkdir(parents=True)
    page.rotate(180, expand=True).save(folder / "page-1.png")
    page.rotate(90, expand=True).save(folder / "page-2.png")  # turned counter-clockwise
    page.rotate(-90, expand=True).save(folder / "page-3.png")  # turned clockwise
    result = run(tmp_path / "scans", tmp_path / "out", Config(), progress=False)
    issue = result.issues[0]
    for p in issue.pages:
        text = "".join(b.text for b in p.blocks)
        assert "静安寺街道同心家园共建理事会" in text, (p.page_no, text)
        scan_w, scan_h = p.width, p.height
        assert all(0 <= ln.box.x0 <= ln.box.x1 <= scan_w and 0 <= ln.box.y0 <= ln.box.y1 <= scan_h for ln in p.lines)
    assert [p.rotation for p in issue.pages] == [180, 90, 270]  # clockwise turns that made them upright


def test_a_misfiring_orientation_classifier_cannot_turn_an_upright_page(tmp_path: Path) -> None:
    """Fault injection: the classifier claims every page is upside down. The pipeline reads the
    page both ways and keeps the reading the recogniser is surer of, so the upright page stays."""
    from pipeline import orchestrator
    from pipeline.ocr import PageUpsideDown, create_engine

    class AlwaysUpsideDown:
        def __init__(self, real):
            self.real, self.name, self.models = real, real.name, real.models
            self.claims = 0

        def recognize(self, image, check_orientation=True):
            if check_orientation:
                self.claims += 1
                raise PageUpsideDown()
            return self.real.recognize(image, check_orientation=False)

        def describe(self):
            return self.real.describe()

    cfg = Config()
    folder = tmp_path / "scans" / "upright"
    folder.mkdir(parents=True)
    text_image(["静安寺街道同心家园共建理事会召开联席会议", "理事会延续传统对评选出的优秀项目予以表彰",
                "现场表彰了同心惠民项目十项颁奖进一步深化", "街道启动了同心家园微网站实现线上展示"]
               ).save(folder / "page-1.png")
    fake = AlwaysUpsideDown(create_engine(cfg.ocr))
    orchestrator._ENGINES.clear()
    orchestrator._ENGINES[cfg.ocr] = fake
    try:
        result = run(tmp_path / "scans", tmp_path / "out", cfg, progress=False)
    finally:
        orchestrator._ENGINES.clear()
    page = result.issues[0].pages[0]
    assert fake.claims == 1
    assert page.rotation == 0 and "rotate180" not in page.cleanup
    assert "静安寺街道同心家园共建理事会" in "".join(b.text for b in page.blocks)
