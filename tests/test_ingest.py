"""Ingest: grouping into issues, stable ids, and one clear PageError per kind of bad input."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.config import IngestConfig
from pipeline.errors import InputMissingError, PageError
from pipeline.ingest import PageSource, discover, load_image, natural_key, sha256_file, slugify

CFG = IngestConfig()


def _page(w: int = 200, h: int = 300, mode: str = "L") -> Image.Image:
    arr = np.full((h, w), 255, np.uint8)
    arr[50:60, 20:180] = 0  # a "line of text"
    return Image.fromarray(arr).convert(mode)


def _src(path: Path, index: int = 0) -> PageSource:
    return PageSource(1, path, path.name, index)


def _pdf(path: Path, pages: int) -> None:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument.new()
    for _ in range(pages):
        doc.new_page(200, 300)
    doc.save(str(path))
    doc.close()


# --------------------------------------------------------------------------- discovery


def test_discover_groups_folders_files_and_multipage(tmp_path: Path) -> None:
    issue = tmp_path / "tongxin 102"
    issue.mkdir()
    for n in (10, 2, 1):
        _page().save(issue / f"page-{n}.png")
    (issue / ".DS_Store").write_bytes(b"junk")
    (issue / "notes.txt").write_text("not a scan")
    frames = [_page(), _page(), _page()]
    frames[0].save(tmp_path / "同心家园 第103期.tif", save_all=True, append_images=frames[1:])
    _pdf(tmp_path / "issue-104.pdf", 2)
    _page().save(tmp_path / "loose.jpg")
    (tmp_path / ".hidden.png").write_bytes(b"")
    (tmp_path / "readme.md").write_text("x")
    (tmp_path / "empty-folder").mkdir()

    issues = discover(tmp_path)
    by_id = {i.issue_id: i for i in issues}
    assert set(by_id) == {"tongxin-102", "同心家园-第103期", "issue-104", "loose"}
    folder = by_id["tongxin-102"]
    assert [p.source_file for p in folder.pages] == [
        "tongxin 102/page-1.png",
        "tongxin 102/page-2.png",
        "tongxin 102/page-10.png",
    ]
    assert [p.page_no for p in folder.pages] == [1, 2, 3]
    tif = by_id["同心家园-第103期"]
    assert [(p.page_no, p.index) for p in tif.pages] == [(1, 0), (2, 1), (3, 2)]
    assert len(by_id["issue-104"].pages) == 2 and by_id["loose"].source == "loose.jpg"
    # stable across runs
    assert [i.issue_id for i in discover(tmp_path)] == [i.issue_id for i in issues]


def test_discover_makes_colliding_ids_unique(tmp_path: Path) -> None:
    _page().save(tmp_path / "a b.png")
    _page().save(tmp_path / "a_b.jpg")
    _page().save(tmp_path / "A B.tif")
    ids = [i.issue_id for i in discover(tmp_path)]
    assert len(set(ids)) == 3 and ids.count("a-b") == 1
    assert ids == [i.issue_id for i in discover(tmp_path)]


def test_discover_missing_or_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(InputMissingError):
        discover(tmp_path / "nope")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(InputMissingError):
        discover(tmp_path)


def test_unopenable_multipage_file_still_gives_one_failing_page(tmp_path: Path) -> None:
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    (tmp_path / "nopages.pdf").write_bytes(_raw_pdf(b"", 0, encrypt=False))
    issues = {i.issue_id: i for i in discover(tmp_path)}
    for name in ("broken", "nopages"):
        assert len(issues[name].pages) == 1
        with pytest.raises(PageError):
            load_image(issues[name].pages[0], CFG)
    with pytest.raises(PageError, match="no pages"):
        load_image(issues["nopages"].pages[0], CFG)


def test_natural_key_and_slug() -> None:
    names = ["p10.png", "p2.png", "P1.png", "p1a.png"]
    assert sorted(names, key=natural_key) == ["P1.png", "p1a.png", "p2.png", "p10.png"]
    assert slugify("同心家园 (2020)/01:08") == "同心家园-2020-01-08"
    long = slugify("很长的名字" * 40)
    assert len(long.encode()) <= 96 and long != slugify("很长的名字" * 41)
    assert slugify("???") == "issue"


# --------------------------------------------------------------------------- good inputs


@pytest.mark.parametrize(
    "mode,ndim", [("1", 2), ("L", 2), ("P", 3), ("RGB", 3), ("RGBA", 3), ("LA", 2), ("CMYK", 3), ("I;16", 2)]
)
def test_modes_become_uint8(tmp_path: Path, mode: str, ndim: int) -> None:
    fmt = {"CMYK": "jpg", "I;16": "png", "LA": "png"}.get(mode, "tif")
    path = tmp_path / f"page.{fmt}"
    im = _page(mode="RGB" if mode == "I;16" else mode) if mode != "I;16" else None
    if mode == "I;16":
        arr = np.full((300, 200), 65535, np.uint16)
        arr[50:60, 20:180] = 0
        im = Image.fromarray(arr)
    im.save(path)
    li = load_image(_src(path), CFG)
    assert li.image.dtype == np.uint8 and li.image.ndim == ndim
    assert (li.width, li.height) == (200, 300)
    gray = li.image if ndim == 2 else li.image.mean(axis=2)
    assert gray[55, 100] < 60 and gray[200, 100] > 200  # ink stays ink, paper stays paper
    assert li.sha256 == sha256_file(path)


def test_alpha_transparent_is_paper(tmp_path: Path) -> None:
    rgba = Image.new("RGBA", (200, 300), (0, 0, 0, 0))
    rgba.putpixel((10, 10), (0, 0, 0, 255))
    rgba.save(tmp_path / "a.png")
    img = load_image(_src(tmp_path / "a.png"), CFG).image
    assert img[100, 100].min() == 255 and img[10, 10].max() == 0


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    im = _page(200, 300, "RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: display turned 90 degrees clockwise
    im.save(tmp_path / "e.jpg", exif=exif)
    li = load_image(_src(tmp_path / "e.jpg"), CFG)
    assert (li.width, li.height) == (300, 200)


def test_tiff_frames_and_pdf_pages(tmp_path: Path) -> None:
    a, b = _page(200, 300), _page(220, 320)
    a.save(tmp_path / "m.tif", save_all=True, append_images=[b], dpi=(400, 400))
    li = load_image(_src(tmp_path / "m.tif", 1), CFG)
    assert (li.width, li.height) == (220, 320) and li.dpi == 400
    _pdf(tmp_path / "d.pdf", 2)
    li = load_image(_src(tmp_path / "d.pdf", 1), IngestConfig(pdf_dpi=144))
    assert (li.width, li.height) == (400, 600) and li.dpi == 144 and li.image.shape == (600, 400, 3)


def test_odd_file_names(tmp_path: Path) -> None:
    for name in ("with space.png", "第102期 扫描.png", "x" * 200 + ".png"):
        _page().save(tmp_path / name)
    issues = discover(tmp_path)
    assert len(issues) == 3
    for iss in issues:
        assert load_image(iss.pages[0], CFG).width == 200
        assert len(iss.issue_id.encode()) <= 96


# --------------------------------------------------------------------------- bad inputs


def _png_header_only(w: int, h: int) -> bytes:
    """A tiny PNG that claims w x h pixels: a decompression bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b"")


def _truncated(fmt: str) -> bytes:
    buf = io.BytesIO()
    img = Image.fromarray(np.random.default_rng(0).integers(0, 255, (300, 200), np.uint8))
    img.save(buf, fmt, **({"compression": "tiff_deflate"} if fmt == "TIFF" else {}))
    return buf.getvalue()[: len(buf.getvalue()) // 2]


@pytest.mark.parametrize(
    "name,data,match",
    [
        ("zero.png", b"", "empty"),
        ("trunc.jpg", None, "truncated or damaged"),
        ("trunc.png", None, "truncated or damaged"),
        ("trunc.tif", None, "damaged"),
        ("text.jpg", b"hello, this is not an image at all" * 10, "not a readable image"),
        ("bomb.png", _png_header_only(40_000, 40_000), "limit of 200,000,000 pixels"),
        ("fake.pdf", b"%PDF-1.7\n garbage", "cannot open the PDF"),
    ],
)
def test_bad_inputs_raise_page_error(tmp_path: Path, name: str, data: bytes | None, match: str) -> None:
    if data is None:
        data = _truncated({"jpg": "JPEG", "png": "PNG", "tif": "TIFF"}[name.rsplit(".", 1)[1]])
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(PageError, match=match) as e:
        load_image(_src(path), CFG)
    assert name in str(e.value)


def test_pixel_limit_is_configurable(tmp_path: Path) -> None:
    _page(200, 300).save(tmp_path / "p.png")
    with pytest.raises(PageError, match="60,000 pixels, over the limit of 50,000"):
        load_image(_src(tmp_path / "p.png"), IngestConfig(max_pixels=50_000))
    _pdf(tmp_path / "d.pdf", 1)
    with pytest.raises(PageError, match="limit of 50,000"):
        load_image(_src(tmp_path / "d.pdf"), IngestConfig(max_pixels=50_000))


def test_tiny_image(tmp_path: Path) -> None:
    _page(40, 30).save(tmp_path / "t.png")
    with pytest.raises(PageError, match="too small"):
        load_image(_src(tmp_path / "t.png"), CFG)


def _raw_pdf(kids: bytes, count: int, encrypt: bool) -> bytes:
    """A hand-written PDF: pdfium cannot save a zero-page or an encrypted file, so write one."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 300] >>",
    ]
    if encrypt:  # standard security handler with a user password we do not have
        objs.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> /P -4 >>")
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    enc = b" /Encrypt 4 0 R /ID [<%s> <%s>]" % (b"01" * 16, b"01" * 16) if encrypt else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\n" % (len(objs) + 1, enc)
    return out + b"startxref\n%d\n%%%%EOF\n" % xref


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = tmp_path / "secret.pdf"
    path.write_bytes(_raw_pdf(b"3 0 R", 1, encrypt=True))
    issues = discover(tmp_path)
    assert len(issues) == 1 and len(issues[0].pages) == 1
    with pytest.raises(PageError, match="encrypted"):
        load_image(issues[0].pages[0], CFG)


def test_unreadable_file(tmp_path: Path, make_unreadable) -> None:
    path = tmp_path / "locked.png"
    _page().save(path)
    make_unreadable(path)
    with pytest.raises(PageError, match="permission denied"):
        load_image(_src(path), CFG)


def test_missing_frame_and_vanished_file(tmp_path: Path) -> None:
    _page().save(tmp_path / "one.tif")
    with pytest.raises(PageError, match="no frame 3"):
        load_image(_src(tmp_path / "one.tif", 2), CFG)
    with pytest.raises(PageError, match="not found"):
        load_image(_src(tmp_path / "gone.png"), CFG)
