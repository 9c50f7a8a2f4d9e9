"""Find scans, group them into issues, and decode one page at a time into a uint8 array.

Why it is defensive: an archive batch runs unattended over thousands of files, so every bad
input (empty, truncated, mislabelled, encrypted, enormous, unreadable) must end as a
`PageError` with a message a person can act on, never as a crash or a silent skip.

Grouping (DESIGN.md): a sub-folder of the scans folder is one issue (its images, multi-page
files included, in natural filename order); a loose multi-page TIFF/PDF is one issue; a loose
image is a one-page issue. "Original scan" pixels, which dataset coordinates refer to, are the
image as `load_image` returns it: EXIF orientation applied, PDF pages rasterised at
`IngestConfig.pdf_dpi`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .config import IngestConfig
from .errors import InputMissingError, PageError

log = logging.getLogger(__name__)

RASTER_EXTS = frozenset({".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".tif", ".tiff", ".bmp", ".webp"})
MULTIPAGE_EXTS = frozenset({".tif", ".tiff", ".pdf"})
SCAN_EXTS = RASTER_EXTS | {".pdf"}
SLUG_MAX_BYTES = 96  # issue ids become file names (issues/ID.json, page ids): stay far below 255 bytes


@dataclass(frozen=True)
class PageSource:
    """Where one page's pixels are: a file and the frame/page inside it."""

    page_no: int  # 1-based within the issue, after rasterising multi-page files
    path: Path
    source_file: str  # relative to the scans folder, '/'-separated
    index: int = 0  # frame of a multi-page TIFF, page of a PDF


@dataclass
class IssueSource:
    issue_id: str
    source: str  # folder or file, relative to the scans folder
    pages: list[PageSource] = field(default_factory=list)


@dataclass
class LoadedImage:
    image: np.ndarray  # uint8, (H, W) gray or (H, W, 3) BGR
    width: int
    height: int
    dpi: float | None
    sha256: str  # of the whole source file


# --------------------------------------------------------------------------- discovery


def natural_key(name: str) -> tuple:
    """Sort key that puts page-2 before page-10 (digit runs compare as numbers), case-blind,
    with the raw name as the last tie-breaker so the order is total and stable."""
    parts = re.split(r"(\d+)", unicodedata.normalize("NFKC", name).casefold())
    key = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p != "")
    return (key, name)


def slugify(name: str) -> str:
    """Filename-safe id: NFKC, lower case, CJK and other letters/digits kept, every other run of
    characters becomes '-'. Over-long names are cut and get a hash of the full name so that two
    long names with the same start stay distinct and the id stays the same on every run."""
    text = unicodedata.normalize("NFKC", name).casefold()
    slug = re.sub(r"[^\w.]+|_+", "-", text)  # \w is Unicode-aware: keeps 汉字, drops / \ : * ? etc.
    slug = re.sub(r"-{2,}", "-", slug).strip("-._")
    slug = slug.replace("..", "-")
    if not slug:
        slug = "issue"
    if len(slug.encode("utf-8")) > SLUG_MAX_BYTES:
        digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]
        cut = slug.encode("utf-8")[: SLUG_MAX_BYTES - 9].decode("utf-8", errors="ignore").rstrip("-._")
        slug = f"{cut}-{digest}"
    return slug


def _issue_stem(rel: str, is_dir: bool) -> str:
    return rel if is_dir else str(Path(rel).with_suffix(""))


def _count_frames(path: Path) -> int | None:
    """Frames of a TIFF or pages of a PDF; None when the file cannot be opened (the page
    loader then reports why, so discovery never hides an error)."""
    ext = path.suffix.lower()
    try:
        if ext == ".pdf":
            import pypdfium2 as pdfium

            doc = pdfium.PdfDocument(str(path))
            try:
                return len(doc)
            finally:
                doc.close()
        from PIL import Image

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as im:
                return int(getattr(im, "n_frames", 1))
    except Exception as e:  # noqa: BLE001 - any failure is reported at load time
        log.warning("cannot count pages of %s (%s); the page will be reported as an error", path, e)
        return None


def _pages_of(files: list[Path], root: Path) -> list[PageSource]:
    pages: list[PageSource] = []
    for f in files:
        rel = f.relative_to(root).as_posix()
        n = _count_frames(f) if f.suffix.lower() in MULTIPAGE_EXTS else 1
        for i in range(max(1, n or 0)):  # 0 or unknown: one page whose loading fails with the reason
            pages.append(PageSource(len(pages) + 1, f, rel, i))
    return pages


def _is_hidden(p: Path) -> bool:
    return p.name.startswith(".") or p.name.startswith("~$")


def _scan_files(folder: Path) -> list[Path]:
    """Scan files under a folder (recursively), in natural order of their relative path."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, onerror=lambda e: log.warning("cannot list %s", e)):
        base = Path(dirpath)
        for d in list(dirnames):
            if _is_hidden(base / d):
                log.info("ignoring hidden folder %s", base / d)
                dirnames.remove(d)
        for name in filenames:
            p = base / name
            if _is_hidden(p):
                log.info("ignoring hidden file %s", p)
            elif p.suffix.lower() not in SCAN_EXTS:
                log.info("ignoring %s: not a scan (PNG, JPEG, TIFF, PDF)", p)
            else:
                found.append(p)
    return sorted(found, key=lambda p: natural_key(p.relative_to(folder).as_posix()))


def discover(scans_dir: Path) -> list[IssueSource]:
    """Group the scans folder into issues, in natural order, with stable unique ids.

    Raises InputMissingError when the folder is missing or holds no scans at all."""
    scans_dir = Path(scans_dir)
    if not scans_dir.is_dir():
        raise InputMissingError(f"scans folder {scans_dir} does not exist or is not a folder")
    issues: list[IssueSource] = []
    entries = sorted(scans_dir.iterdir(), key=lambda p: natural_key(p.name))
    for entry in entries:
        if _is_hidden(entry):
            log.info("ignoring hidden entry %s", entry)
            continue
        rel = entry.relative_to(scans_dir).as_posix()
        if entry.is_dir():
            files = _scan_files(entry)
            if not files:
                log.warning("ignoring folder %s: it holds no scans", entry)
                continue
            issues.append(IssueSource("", rel, _pages_of(files, scans_dir)))
        elif entry.suffix.lower() in SCAN_EXTS and not entry.is_dir():
            issues.append(IssueSource("", rel, _pages_of([entry], scans_dir)))
        else:
            log.info("ignoring %s: not a scan (PNG, JPEG, TIFF, PDF) or folder", entry)
    if not issues:
        raise InputMissingError(
            f"no scans in {scans_dir}: put PNG, JPEG, TIFF or PDF files in it, or one sub-folder per issue"
        )
    _assign_ids(issues, scans_dir)
    log.info("found %d issues, %d pages in %s", len(issues), sum(len(i.pages) for i in issues), scans_dir)
    return issues


def _assign_ids(issues: list[IssueSource], root: Path) -> None:
    """Slug ids; when two sources slug the same, the first (natural order) keeps the plain slug
    and each other gets a hash of its own relative path, so its id does not depend on how many
    others collide."""
    taken: set[str] = set()
    for iss in issues:
        slug = slugify(_issue_stem(iss.source, (root / iss.source).is_dir()))
        if slug in taken:
            slug = f"{slug}-{hashlib.sha1(iss.source.encode('utf-8')).hexdigest()[:6]}"
            while slug in taken:  # astronomically unlikely; keeps ids unique regardless
                slug += "x"
        taken.add(slug)
        iss.issue_id = slug


# --------------------------------------------------------------------------- loading


@lru_cache(maxsize=64)
def _sha256_cached(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_file(path: Path) -> str:
    """sha256 of a file, cached by (path, size, mtime) so the pages of one 500-page PDF do not
    hash it 500 times."""
    st = os.stat(path)
    return _sha256_cached(str(path), st.st_size, st.st_mtime_ns)


def _limit_msg(w: int, h: int, cfg: IngestConfig) -> str:
    return (
        f"image is {w}x{h} = {w * h:,} pixels, over the limit of {cfg.max_pixels:,} pixels "
        "(IngestConfig.max_pixels, a guard against decompression bombs); raise the limit if the scan is genuine"
    )


def load_image(src: PageSource, cfg: IngestConfig) -> LoadedImage:
    """Decode one page into uint8 gray or BGR. Every failure is a PageError naming the file."""
    where = src.source_file + (f" (page {src.index + 1})" if src.index else "")
    path = Path(src.path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise PageError(f"{where}: file not found (moved or deleted since discovery)") from None
    except OSError as e:
        raise PageError(f"{where}: cannot access the file: {e.strerror or e}") from None
    if st.st_size == 0:
        raise PageError(f"{where}: file is empty (0 bytes); rescan or re-copy it")
    try:
        digest = sha256_file(path)
    except PermissionError:
        raise PageError(f"{where}: permission denied; make the file readable (chmod +r)") from None
    except OSError as e:
        raise PageError(f"{where}: cannot read the file: {e.strerror or e}") from None

    if path.suffix.lower() == ".pdf":
        image, dpi = _load_pdf_page(path, src.index, cfg, where)
    else:
        image, dpi = _load_raster(path, src.index, cfg, where)
    h, w = image.shape[:2]
    if min(h, w) < cfg.min_side:
        raise PageError(
            f"{where}: image is only {w}x{h} pixels, too small to hold a page of text "
            f"(minimum side {cfg.min_side} px, IngestConfig.min_side)"
        )
    return LoadedImage(np.ascontiguousarray(image), w, h, dpi, digest)


def _load_raster(path: Path, index: int, cfg: IngestConfig, where: str) -> tuple[np.ndarray, float | None]:
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = cfg.max_pixels
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 1x and 2x its limit: make that a refusal as well.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                n = int(getattr(im, "n_frames", 1))
                if index >= n:
                    raise PageError(f"{where}: the file has {n} frame(s), no frame {index + 1}")
                if index:
                    im.seek(index)
                w, h = im.size
                if w * h > cfg.max_pixels:
                    raise PageError(f"{where}: {_limit_msg(w, h, cfg)}")
                im.load()
                dpi = _dpi_of(im.info)
                im = ImageOps.exif_transpose(im) if index == 0 else im
                return _to_uint8(im), dpi
    except PageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        found = re.search(r"\((\d+) pixels\)", str(e))  # Pillow: "Image size (N pixels) exceeds limit"
        size = f"image has {int(found.group(1)):,} pixels, over" if found else "image is over"
        raise PageError(
            f"{where}: {size} the limit of {cfg.max_pixels:,} pixels "
            "(IngestConfig.max_pixels, a guard against decompression bombs); raise the limit if the scan is genuine"
        ) from None
    except UnidentifiedImageError:
        raise PageError(
            f"{where}: not a readable image (Pillow cannot identify it as PNG/JPEG/TIFF); "
            "the extension may be wrong or the file damaged"
        ) from None
    except PermissionError:
        raise PageError(f"{where}: permission denied; make the file readable (chmod +r)") from None
    except MemoryError:
        raise PageError(f"{where}: not enough memory to decode this image") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError) as e:
        # Pillow signals truncated and corrupt data with any of these, depending on the codec.
        msg = str(e) or type(e).__name__
        hint = "the file is truncated or damaged; re-copy or rescan it"
        raise PageError(f"{where}: cannot decode the image ({msg}); {hint}") from None


def _dpi_of(info: dict) -> float | None:
    """The resolution the file declares, when it is plausible (many files carry junk values)."""
    dpi = info.get("dpi")
    try:
        val = float(dpi[0] if isinstance(dpi, (tuple, list)) else dpi)
    except (TypeError, ValueError, IndexError):
        return None
    return round(val, 2) if 30 <= val <= 5000 else None


def _to_uint8(im) -> np.ndarray:  # im: PIL.Image.Image
    """Any Pillow mode -> uint8 gray (H, W) or BGR (H, W, 3). Transparent areas become paper
    (white): a scan has no transparency, and black would read as ink."""
    from PIL import Image

    mode = im.mode
    if mode == "1":
        return np.asarray(im.convert("L"), dtype=np.uint8)
    if mode == "L":
        return np.asarray(im, dtype=np.uint8)
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        arr = np.asarray(im).astype(np.float64)
        if mode == "F" or arr.max(initial=0) > 65535 or arr.min(initial=0) < 0:
            lo, hi = float(arr.min(initial=0)), float(arr.max(initial=0))
            if mode == "F" and lo >= 0 and hi <= 1.0:
                lo, hi = 0.0, 1.0
            arr = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(arr)
        elif arr.max(initial=0) > 255:
            arr = arr / 257.0  # 16-bit full range to 8-bit
        return np.clip(np.rint(arr), 0, 255).astype(np.uint8)
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        mode = im.mode
    if mode in ("LA", "La", "PA", "RGBA", "RGBa"):
        rgba = im.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(bg, rgba).convert("L" if mode in ("LA", "La") else "RGB")
        mode = im.mode
        if mode == "L":
            return np.asarray(im, dtype=np.uint8)
    if mode != "RGB":
        im = im.convert("RGB")  # CMYK, YCbCr, LAB, HSV, RGBX ...
    rgb = np.asarray(im, dtype=np.uint8)
    return np.ascontiguousarray(rgb[:, :, ::-1])


def _load_pdf_page(path: Path, index: int, cfg: IngestConfig, where: str) -> tuple[np.ndarray, float]:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        msg = str(e)
        if "password" in msg.lower() and not _pdf_says_no_pages(path):  # pdfium says "password" for both
            raise PageError(f"{where}: PDF is encrypted (password-protected); decrypt it first, e.g. qpdf --decrypt") from None
        if _pdf_says_no_pages(path):
            raise PageError(f"{where}: PDF has no pages") from None
        raise PageError(f"{where}: cannot open the PDF ({msg}); the file is damaged or not a PDF") from None
    except PermissionError:
        raise PageError(f"{where}: permission denied; make the file readable (chmod +r)") from None
    try:
        n = len(doc)
        if n == 0:
            raise PageError(f"{where}: PDF has no pages")
        if index >= n:
            raise PageError(f"{where}: PDF has {n} page(s), no page {index + 1}")
        page = doc[index]
        try:
            pw, ph = page.get_size()  # points
            scale = cfg.pdf_dpi / 72.0
            w, h = int(round(pw * scale)), int(round(ph * scale))
            if w * h > cfg.max_pixels:
                raise PageError(f"{where}: at {cfg.pdf_dpi} dpi the page would be {_limit_msg(w, h, cfg)}")
            if w < 1 or h < 1:
                raise PageError(f"{where}: PDF page has no area ({pw}x{ph} points)")
            bitmap = page.render(scale=scale, grayscale=False)
            arr = bitmap.to_numpy()  # BGR(x) byte order: what OpenCV expects
            arr = np.array(arr[:, :, :3] if arr.ndim == 3 else arr, dtype=np.uint8, copy=True)
            bitmap.close()
        finally:
            page.close()
    except PageError:
        raise
    except pdfium.PdfiumError as e:
        raise PageError(f"{where}: cannot render the PDF page ({e})") from None
    finally:
        doc.close()
    return arr, float(cfg.pdf_dpi)


def _pdf_says_no_pages(path: Path) -> bool:
    """pdfium refuses to load a PDF with an empty page tree, with an unhelpful message; tell that
    case apart by the page tree's counts (small files only: it is a diagnosis, not a parser)."""
    try:
        if path.stat().st_size > 10_000_000:
            return False
        data = path.read_bytes()
    except OSError:
        return False
    counts = re.findall(rb"/Count\s+(\d+)", data)
    return bool(counts) and all(int(c) == 0 for c in counts) and b"/Pages" in data
