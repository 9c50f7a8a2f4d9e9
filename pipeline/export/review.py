"""Static review page per issue (`review/ISSUE_ID.html`): each scan with its line boxes coloured
by confidence, click a line for its raw and corrected text, corrections and entities
highlighted, and the pages that need a human look listed first.

Why static: archivists open it from a file share or a USB stick with no server; the scan is a
downscaled JPEG copy beside it (review/img/PAGE_ID.jpg), everything else is inline, no CDN.
"""

from __future__ import annotations

import functools
import html
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Block, Correction, Issue, Line, Page
from .files import atomic_write_bytes, atomic_write_text
from .tables import (
    LOW_CONFIDENCE,
    ordered_blocks,
    page_mean_confidence,
    page_ok,
    page_review_reasons,
    sorted_pages,
    usable_ids,
)

log = logging.getLogger(__name__)

MAX_IMAGE_SIDE = 1600  # px of the longer side of the review JPEG: readable, small enough to share
JPEG_QUALITY = 80


def conf_class(c: float) -> str:
    """Colour bucket of a confidence: hi >= 0.9, mid >= 0.7, lo below."""
    return "hi" if c >= 0.9 else "mid" if c >= 0.7 else "lo"


def correction_spans(corrections: list[Correction]) -> list[tuple[int, int]]:
    """Where each correction's `after` text ends up in the final line text.

    Corrections carry offsets into the text as it stood when they ran; later ones shift earlier
    spans, so replay them and move the spans along."""
    spans: list[list[int]] = []
    for c in corrections:
        delta = len(c.after) - (c.end - c.start)
        for sp in spans:
            if sp[0] >= c.end:
                sp[0] += delta
                sp[1] += delta
            elif sp[1] > c.start:  # overlapping: grow/shrink with the replacement
                sp[1] = max(sp[0], sp[1] + delta)
        spans.append([c.start, c.start + len(c.after)])
    return [(a, b) for a, b in spans]


def _segments(text: str, marks: list[tuple[int, int, str]]) -> list[tuple[str, str]]:
    """Split `text` into (piece, css classes) runs so overlapping marks render as nested classes."""
    classes: list[set[str]] = [set() for _ in text]
    for s, e, cls in marks:
        for i in range(max(0, s), min(len(text), e)):
            classes[i].add(cls)
    out: list[tuple[str, str]] = []
    for ch, cl in zip(text, classes):
        key = " ".join(sorted(cl))
        if out and out[-1][1] == key:
            out[-1] = (out[-1][0] + ch, key)
        else:
            out.append((ch, key))
    return out


@dataclass
class LineView:
    line: Line
    kind: str
    segments: list[tuple[str, str]]
    corrections: list[Correction]
    entities: list[dict[str, str]]


@dataclass
class PageView:
    page: Page
    reasons: list[str]
    mean_confidence: float | None
    image: str  # path relative to the review folder, "" if none
    blocks: list[tuple[Block, list[LineView]]] = field(default_factory=list)
    unplaced: list[LineView] = field(default_factory=list)


def _page_image(page: Page, scans_dir: Path | None, img_dir: Path) -> Path | None:
    """A downscaled JPEG copy of the page's scan for the review page, or None if unavailable."""
    if scans_dir is None or not page.source_file:
        return None
    src = Path(scans_dir) / page.source_file
    dst = img_dir / f"{page.page_id}.jpg"
    if not src.is_file():
        log.warning("review: scan %s not found; page %s shown without image", src, page.page_id)
        return None
    if dst.exists() and dst.stat().st_mtime >= src.stat().st_mtime:
        return dst  # made by an earlier (interrupted) run from the same file
    try:
        im = _open_page_image(src, page.source_index)
        im.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
        import io

        buf = io.BytesIO()
        im.convert("RGB").save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True)
        atomic_write_bytes(dst, buf.getvalue())
        return dst
    except Exception as e:  # a bad image must not stop the export; the page shows boxes only
        log.warning("review: cannot make an image of %s: %s", src, e)
        return None


def _open_page_image(src: Path, index: int) -> Any:
    from PIL import Image, ImageOps

    if src.suffix.lower() == ".pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(src))
        try:
            pg = pdf[index]
            w, h = pg.get_size()
            scale = min(4.0, MAX_IMAGE_SIDE / max(w, h))
            return pg.render(scale=scale).to_pil()
        finally:
            pdf.close()
    im = Image.open(src)
    if index:
        im.seek(index)
    im = ImageOps.exif_transpose(im)
    if im.mode not in ("RGB", "L"):
        im = im.convert("RGB")
    return im


def build_views(issue: Issue, review_dir: Path, scans_dir: Path | None) -> list[PageView]:
    """Everything the template needs per page, flagged pages first."""
    u = usable_ids(issue)
    by_line: dict[str, list[Correction]] = {}
    for c in sorted(issue.corrections, key=lambda c: c.correction_id):
        by_line.setdefault(c.line_id, []).append(c)
    by_block: dict[str, list[Any]] = {}
    for m in issue.mentions:
        if m.block_id in u.blocks:
            by_block.setdefault(m.block_id, []).append(m)

    def line_view(ln: Line, kind: str, spans: dict[str, tuple[int, int]], ms: list[Any]) -> LineView:
        cs = by_line.get(ln.line_id, [])
        marks = [(a, b, "corr") for a, b in correction_spans(cs)]
        ents = []
        s0, e0 = spans.get(ln.line_id, (0, 0))
        lead = len(ln.text) - len(ln.text.lstrip())  # block offsets count the stripped line
        for m in ms:
            if m.start < e0 and m.end > s0:
                a, b = max(m.start, s0) - s0 + lead, min(m.end, e0) - s0 + lead
                marks.append((a, b, f"ent ent-{m.type}"))
                ents.append({"type": str(m.type), "text": m.text, "normalized": m.normalized, "role": m.role})
        return LineView(ln, kind, _segments(ln.text, marks), cs, ents)

    views: list[PageView] = []
    img_dir = review_dir / "img"
    for p in sorted_pages(issue):
        reasons = page_review_reasons(issue, p)
        ok = page_ok(p)
        img = _page_image(p, scans_dir, img_dir) if ok else None
        pv = PageView(p, reasons, page_mean_confidence(p) if ok else None, f"img/{img.name}" if img else "")
        if ok:
            for b in ordered_blocks(p):
                spans = {ln.line_id: (s, e) for ln, s, e in b.line_spans()}
                ms = by_block.get(b.block_id, [])
                pv.blocks.append((b, [line_view(ln, str(b.kind), spans, ms) for ln in b.lines]))
            pv.unplaced = [line_view(ln, "", {}, []) for ln in p.ocr_lines]
        views.append(pv)
    views.sort(key=lambda v: (not v.reasons, v.page.page_no))
    return views


@functools.lru_cache(maxsize=1)
def _env() -> Any:
    """One Jinja environment per process: compiling the template is most of a page's cost."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("pipeline.export", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["conf_class"] = conf_class
    env.filters["num"] = lambda v: f"{v:.1f}"
    return env


def _line_data(views: list[PageView]) -> dict[str, Any]:
    """Per-line details for the click panel, as inline JSON (read by the page's script)."""
    out: dict[str, Any] = {}
    for v in views:
        for lv in [lv for _, lvs in v.blocks for lv in lvs] + v.unplaced:
            ln = lv.line
            out[ln.line_id] = {
                "page": v.page.page_id,
                "kind": lv.kind,
                "confidence": round(ln.confidence, 4),
                "raw": ln.text_raw,
                "text": ln.text,
                "corrections": [
                    {"before": c.before, "after": c.after, "rule": c.rule, "confidence": round(c.confidence, 4)}
                    for c in lv.corrections
                ],
                "entities": lv.entities,
            }
    return out


def _json_for_script(obj: Any) -> str:
    """JSON safe inside <script>: no '</' or '<!--' can end or confuse the element."""
    s = json.dumps(obj, ensure_ascii=False, sort_keys=True)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_review(issue: Issue, views: list[PageView]) -> str:
    tpl = _env().get_template("review.html.j2")
    return tpl.render(
        issue=issue,
        views=views,
        flagged=[v for v in views if v.reasons],
        low_confidence=LOW_CONFIDENCE,
        line_data=_json_for_script(_line_data(views)),
    )


def write_review(issue: Issue, out_dir: Path, scans_dir: Path | None = None) -> tuple[Path, list[Path]]:
    """review/ISSUE_ID.html (+ img/PAGE_ID.jpg per page when the scans are at hand).

    Returns the HTML path and the images it references."""
    out_dir = Path(out_dir)
    views = build_views(issue, out_dir, scans_dir)
    path = out_dir / f"{issue.issue_id}.html"
    atomic_write_text(path, render_review(issue, views))
    imgs = [out_dir / v.image for v in views if v.image]
    return path, imgs


def write_review_index(issues: list[Issue], out_dir: Path) -> Path:
    """review/index.html: every issue with how many of its pages need a look."""
    rows = []
    for i in issues:
        flagged = sum(1 for p in i.pages if page_review_reasons(i, p))
        rows.append(
            f'<tr class="{"flag" if flagged or i.notes else ""}"><td><a href="{html.escape(i.issue_id)}.html">'
            f"{html.escape(i.issue_id)}</a></td><td>{html.escape(i.date)}</td>"
            f"<td>{'' if i.issue_number is None else i.issue_number}</td><td>{len(i.pages)}</td>"
            f"<td>{flagged}</td><td>{html.escape('; '.join(i.notes))}</td></tr>"
        )
    page = (
        '<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8"><title>backissue review</title>'
        "<style>body{font-family:sans-serif;margin:1em}td,th{padding:2px 8px;border-bottom:1px solid #ddd}"
        "tr.flag{background:#fff3e0}</style></head><body><h1>Review</h1>"
        "<table><tr><th>issue</th><th>date</th><th>number</th><th>pages</th><th>pages to check</th>"
        "<th>notes</th></tr>\n" + "\n".join(rows) + "\n</table></body></html>\n"
    )
    path = Path(out_dir) / "index.html"
    atomic_write_text(path, page)
    return path
