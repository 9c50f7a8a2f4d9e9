"""Layout: OCR lines -> blocks (kinds, columns, paragraphs) in reading order -> articles.

The engine returns lines in its own order; on a multi-column page that order is unreadable, so
this stage is what decides the quality of the text. It is pure geometry plus a few text cues:

1. Measure the page: body line height (median) and character pitch; glyph size of a line is its
   height relative to the body height (headlines are clearly larger, captions smaller). Lines
   the engine read only weakly that stand outside any paragraph (print showing through from
   the back of the sheet, halftone dots) are set aside as kind other.
2. Visual lines: boxes on one row with a small gap are one visual line (the engine sometimes
   splits a line at a wide space). Visual lines of the same size that sit directly above one
   another in the same x-range chain into segments (a run of one column between interruptions).
3. Column frames (the x-range full body lines share) tell indents, centred lines (intertitles,
   award lists), right-aligned bylines and short last lines apart. Columns never overlap: a
   line the engine ran across a gutter is cut there, and a box that pokes across a narrow
   gutter into the next column (a stray glyph read in it) is trimmed back to its column.
4. Segments get kinds (masthead, headline, subheadline, byline, caption, list, body, other)
   and are put in reading order by a recursive XY-cut that prefers cuts above a headline
   (module boundaries), then column gutters, and falls back to a partial order resolved by a
   topological sort (Breuel / kraken) where no clean cut exists. Captions are kept out of the
   cuts (they span columns under photos) and re-inserted after the text above them.
5. Body segments split into paragraphs (two-character first-line indent, or a short previous
   line); a paragraph that continues across a column break or a photo stays ONE block (its box
   is the union of its lines), so no article text is broken inside a sentence.

`build_articles` walks the blocks of an issue in reading order: a headline (or a kicker just
above one) opens an article; body, lists, bylines, intertitles and captions join the open one;
text before any headline on a page continues an article cut off at the foot of the previous
page, first cut off first (mid-sentence ones before those that ended a sentence there), the
next one after each byline.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import logging
import math
import re
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field

from .config import LayoutConfig
from .model import Article, Block, BlockKind, Box, Issue, Line, Page, Step

log = logging.getLogger(__name__)

__all__ = ["LayoutParams", "analyze_page", "build_articles"]


@dataclass(frozen=True)
class LayoutParams:
    """Thresholds, in units of the page's body line height (H) or character pitch (cw).

    Kept here rather than in LayoutConfig so tuning does not change the shared config; every
    value was tuned on rendered pages (benchmarks/layout_bench.py)."""

    headline_ratio: float = 1.15  # line height / H at or above which glyphs are "headline" size
    small_ratio: float = 0.8  # at or below: caption / furniture size
    link_gap: float = 1.0  # max vertical gap between chained lines, in line heights
    loose_max_gap: float = 2.0  # ... unless the page's usual line gap is wider (up to this, in H)
    loose_slack: float = 0.3  # ... then that usual gap plus this (in H)
    break_gap: float = 0.5  # ... and at most this much (in H) wider than the page's usual line gap
    module_gap: float = 0.2  # ... or this much, level with a headline's top in another column
    link_size_ratio: float = 1.3  # chained lines differ in height by at most this factor
    row_gap_cw: float = 4.0  # boxes on one row inside one column frame closer than this are one visual line
    indent_min_cw: float = 1.2  # first-line indent of a paragraph (two characters printed)
    indent_max_cw: float = 3.5
    short_line_cw: float = 1.5  # a line ending this far left of the column edge ends a paragraph
    centred_min_cw: float = 1.5  # both margins at least this wide to call a line centred
    caption_gap: float = 3.0  # an empty band this tall (in H) above a short block suggests a photo
    min_confidence: float = 0.3  # lines below are kept as kind other
    weak_confidence: float = 0.8  # lines below are kept only inside a paragraph of surer lines
    list_min_lines: int = 3
    headline_pitch: float = 1.15  # ... and glyph pitch / body pitch at or above this
    intertitle_max_ratio: float = 1.6  # a one-line heading inside a column below this size is an intertitle


# --------------------------------------------------------------------------- text cues

_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
# a masthead's date line whose last `日` the engine lost on a worn scan (`2017年10月1`): the
# date then ends the line; in running text a date broken at a line end is inside a paragraph
_FIELD_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*(?:日|$)")
_RUN_ON = re.compile(r"\s*[，,、；;]")  # a date run on into a sentence: body text, no masthead field
_MASTHEAD = re.compile(
    r"第\s*\S{1,8}\s*期|下期出版|本期\s*\S{0,3}\s*版|总\s*第|出版日期|联合出版|主\s*办|编\s*印|内部资料|准印证|刊\s*号"
)
_FURNITURE = re.compile(r"二维码|扫一扫|扫\s*码|关注\s*[\"“「『][^\"”」』]{1,20}[\"”」』]\s*$")
_PAGE_NO = re.compile(r"^[\s\-—–·_]*(第\s*)?[\dOoIl]{1,3}\s*[版页]?[\s\-—–·_]*$")
_JUNK = re.compile(r"^[\W\d_]{1,8}$")
_BYLINE = re.compile(
    r"^[（(][^（）()]{1,24}[）)]$|^(本报)?(记者|通讯员)\s*[/／:：]?\s*\S{1,16}$"
    # 文/图/来源 need their separator: 文明交通进社区, 图书馆开放 are titles, not bylines
    r"|^(文|图|文/图|文／图|撰稿|供稿|来源)(\s+|\s*[/／:：]\s*)\S{1,16}$"
)
_LIST_ITEM = re.compile(
    r"^\s*(\d{1,2}\s*[.、．)）]|[（(]\d{1,2}[)）]|[①-⑳]|[一二三四五六七八九十]{1,3}、|[•·●■◆▪])"
)
_TERMINAL = re.compile(r"[。！？!?；;：:，,、…」』”\"]$")
_LATIN_DIGIT = re.compile(r"[A-Za-z0-9]")
_SENTENCE_END = re.compile(r"[。！？!?…][”’」』\"]?$")


def _glyph_count(text: str) -> float:
    """Width of a text in full-width glyphs (Latin letters and digits are about half)."""
    n = 0.0
    for ch in text:
        if ch.isspace():
            n += 0.5
        elif _LATIN_DIGIT.match(ch) or ord(ch) < 0x2000:
            n += 0.55
        else:
            n += 1.0
    return n


# --------------------------------------------------------------------------- working structures


@dataclass(eq=False)  # identity semantics: membership tests must not compare contents
class _VLine:
    """A visual line: one or more engine lines on the same row."""

    lines: list[Line]
    box: Box  # layout (cleaned-image) coordinates

    @property
    def text(self) -> str:
        return " ".join(ln.text.strip() for ln in self.lines)

    @property
    def h(self) -> float:
        return self.box.height


@dataclass(eq=False)
class _Seg:
    """A run of visual lines of one size chained down one column (or one standalone element)."""

    vlines: list[_VLine]
    size: str = "normal"  # big / normal / small
    kind: BlockKind = BlockKind.BODY
    frame: tuple[float, float] | None = None  # column x-range
    paras: list[list[_VLine]] = field(default_factory=list)

    @property
    def box(self) -> Box:
        return Box.enclosing([v.box for v in self.vlines])

    @property
    def h(self) -> float:
        return statistics.median(v.h for v in self.vlines)

    @property
    def text(self) -> str:
        return "".join(v.text for v in self.vlines)


@dataclass
class _Metrics:
    H: float  # body line height
    cw: float  # body character pitch
    top: float  # text extent of the page
    bottom: float
    break_gap: float = float("inf")  # a vertical gap at least this wide ends a column run (set by _chain)
    line_gap: float = 0.0  # the page's usual gap between chained body lines (set by _chain)


# --------------------------------------------------------------------------- page analysis


def analyze_page(page: Page, cfg: LayoutConfig, params: LayoutParams | None = None) -> Page:
    """Fill `page.blocks` from `page.ocr_lines`: kinds, reading order, columns, paragraphs, ids."""
    if cfg.direction != "ltr":
        raise ValueError(f"layout direction {cfg.direction!r} is not supported; only 'ltr' (horizontal text)")
    p = params or LayoutParams()
    t0 = time.perf_counter()
    lines = [ln for ln in page.ocr_lines]
    page.ocr_lines = []
    if not lines:
        page.blocks = []
        return page

    other: list[Line] = []
    usable: list[Line] = []
    for ln in lines:
        t = ln.text.strip()
        if (
            not t
            or ln.confidence < p.min_confidence
            or _FURNITURE.search(t)
            or _PAGE_NO.match(t)
            or _JUNK.match(t)
        ):
            other.append(ln)
        else:
            usable.append(ln)
    weak = [ln for ln in usable if ln.confidence < p.weak_confidence]
    if weak:
        sure = [ln for ln in usable if ln.confidence >= p.weak_confidence]
        m0 = _measure(sure or usable)
        junk = [ln for ln in weak if not _in_paragraph(ln, sure, m0)]
        other.extend(junk)
        usable = [ln for ln in usable if not any(ln is j for j in junk)]
    m = _measure(usable or lines)
    # residual skew left by cleanup: read the page as if straight (boxes turned back by the
    # slope the column edges show), and hand the lines back with their own boxes at the end
    skew = _residual_skew(usable, _column_frames(usable, m, p), m)
    own_boxes: dict[int, Box | None] = {}
    if skew:
        for ln in lines:
            own_boxes[id(ln)] = ln.layout_box
            ln.layout_box = _turn(ln.lbox, skew)
        m = _measure(usable or lines)
    if page.page_no != 1:
        marks = [ln for ln in other if _PAGE_NO.match(ln.text.strip())]
        heads = _running_heads(usable, m, marks)
        other.extend(heads)
        usable = [ln for ln in usable if not any(ln is h for h in heads)]
    frames = _column_frames(usable, m, p)
    usable = _join_title_pieces(usable, frames, m, p)
    usable = _split_crossers(usable, frames, m, p)
    usable = _split_headline_pairs(usable, frames, m, p)
    frames = _column_frames(usable, m, p)  # again, without the lines that ran across gutters
    usable = _clip_overhangs(usable, frames, m, p)
    vlines = _visual_lines(usable, frames, m, p)
    segs = _chain(vlines, m, p)
    segs = _split_spanning(segs, frames, m, p)
    segs = _split_segments(segs, frames, m, p)
    masthead, segs, extra_other = _take_masthead(segs, page.page_no, m)
    other.extend(extra_other)
    _classify(segs, frames, m, p)
    segs = _split_level_pairs(segs, m, p)
    _heads_after_bylines(segs, m, p)
    segs = _split_level_headlines(segs, m, p)

    # captions inside one column read in that column's flow; wider ones (under photos across
    # columns) would block the column cuts, so they are placed after the text above them
    wide = [s for s in segs if s.kind == BlockKind.CAPTION and s.frame is None]
    flow = [s for s in segs if s.kind != BlockKind.OTHER and not any(s is w for w in wide)]
    captions = wide
    other.extend(ln for s in segs if s.kind == BlockKind.OTHER for v in s.vlines for ln in v.lines)
    ordered = _xy_order(flow, m)
    ordered = _insert_captions(ordered, captions)
    blocks_lines = _paragraphs(ordered, m, p)
    if masthead:
        blocks_lines.insert(0, (BlockKind.MASTHEAD, [ln for v in masthead for ln in v.lines], None))
    if skew:
        for ln in [ln for _, bl, _ in blocks_lines for ln in bl] + other:
            ln.layout_box = own_boxes[id(ln)] if id(ln) in own_boxes else _turn(ln.lbox, skew, back=True)
    _emit(page, blocks_lines, other, frames)
    ms = (time.perf_counter() - t0) * 1000
    page.steps.append(
        Step(
            stage="layout",
            description=f"{len(page.blocks)} blocks, {len(frames)} column frames"
            + (f", residual skew {math.degrees(skew):.2f} deg corrected" if skew else ""),
            settings={"direction": cfg.direction},
        )
    )
    log.debug("page %s: %d lines -> %d blocks in %.1f ms", page.page_id, len(lines), len(page.blocks), ms)
    return page


def _in_paragraph(ln: Line, sure: list[Line], m: _Metrics) -> bool:
    """A weakly read line that sits in a paragraph: a surer line of its size directly above or
    below it, starting where it starts (flush, or a first-line indent apart). What the engine
    half-reads in a photo, a gutter or the white between lines and modules (print showing
    through from the back of the sheet, halftone dots) starts anywhere; kept, it becomes a
    headline, a caption or text glued to a real line."""
    b = ln.lbox
    return any(
        0.75 <= o.lbox.height / max(1.0, b.height) <= 1.33
        and o.lbox.x_overlap(b) > 0.5 * min(o.lbox.width, b.width)
        and abs(o.lbox.x0 - b.x0) <= 2.5 * m.cw
        and max(o.lbox.y0 - b.y1, b.y0 - o.lbox.y1) <= m.H
        for o in sure
    )


def _residual_skew(lines: list[Line], frames: list[tuple[float, float]], m: _Metrics) -> float:
    """Slope (dx/dy, radians) of the column edges, from the lines that start or end flush with
    their column: a few tenths of a degree left by deskewing shifts one column's rows by
    half a line against the next one's across the page, so a white band between modules no
    longer shows in the y-projection. Single boxes cannot show it; many edges down a column
    can. 0 when too few lines agree or the slope is negligible."""
    tol = 0.8 * m.cw
    slopes: list[tuple[float, int]] = []
    for f in frames:
        for edge in (0, 1):
            pts = [
                (ln.lbox.cy, ln.lbox.x0 if edge == 0 else ln.lbox.x1)
                for ln in lines
                if 0.75 * m.H <= ln.lbox.height <= 1.4 * m.H
                and ln.lbox.width >= 6 * m.cw
                and abs((ln.lbox.x0 if edge == 0 else ln.lbox.x1) - f[edge]) <= tol
                and ln.lbox.x0 >= f[0] - tol
                and ln.lbox.x1 <= f[1] + tol
            ]
            if len(pts) < 6:
                continue
            ys = [y for y, _ in pts]
            if max(ys) - min(ys) < 8 * m.H:
                continue
            # Theil-Sen on a thinned set: robust to the few indented or short lines left in
            pts.sort()
            step = max(1, len(pts) // 24)
            pts = pts[::step]
            pair = [
                (b[1] - a[1]) / (b[0] - a[0])
                for i, a in enumerate(pts)
                for b in pts[i + 1 :]
                if b[0] - a[0] >= 4 * m.H
            ]
            if pair:
                slopes.append((statistics.median(pair), len(pts)))
    if len(slopes) < 2:
        return 0.0
    s = statistics.median(x for x, _ in slopes)
    agree = sum(n for x, n in slopes if abs(x - s) <= 0.004)
    if agree < 0.6 * sum(n for _, n in slopes) or not 0.003 <= abs(s) <= 0.06:
        return 0.0
    return s


def _turn(b: Box, s: float, back: bool = False) -> Box:
    """A line box turned by the small angle `s` (dx/dy of the column edges) to straight: centre
    rotated, and the height the slant added across the line's width taken off (`back`: the
    inverse, to hand a box made on the straightened page back in the cleaned image)."""
    k = -s if back else s
    cx, cy = b.cx - k * b.cy, b.cy + k * b.cx
    slant = abs(s) * b.width
    h = b.height + slant if back else max(0.5 * b.height, b.height - slant)
    return Box(cx - b.width / 2, cy - h / 2, cx + b.width / 2, cy + h / 2)


def _running_heads(lines: list[Line], m: _Metrics, marks: list[Line] | None = None) -> list[Line]:
    """Lines with a date, issue or page number above or below all other text of an inner page,
    and the pieces of a running head split by the engine at its wide spaces ('date  section
    page'): the section name alone carries no cue, and set a little larger than body it would
    read as a headline and open a spurious article at the page top. `marks`: page numbers
    already set aside as furniture."""
    out: list[Line] = []
    for ln in lines:
        t = ln.text
        if (
            not (_DATE.search(t) or _MASTHEAD.search(t) or re.search(r"第\s*\S{1,3}\s*版", t))
            or _glyph_count(t) > 30
        ):
            continue
        if re.search(r"[，。；！？]", t):
            continue  # running text
        b = ln.lbox
        row = [o for o in lines if o is not ln and o.lbox.y_overlap(b) >= 0.5 * b.height]
        if any(_glyph_count(o.text) > 15 for o in row):
            continue
        rest = [o.lbox for o in lines if o is not ln and o.lbox.y_overlap(b) < 0.5 * b.height]
        head = all(o.y0 >= b.y1 + 0.3 * m.H for o in rest)
        if head or all(o.y1 <= b.y0 - 0.3 * m.H for o in rest):
            # the pieces of a running head, in the top margin band; a foot ends the page and
            # takes nothing after it, and a last row holds other columns' short last lines
            parts = _head_parts(ln, row, m, marks or []) if head else []
            out += [x for x in [ln, *parts] if not any(x is y for y in out)]
    return out


def _head_parts(ln: Line, row: list[Line], m: _Metrics, marks: list[Line]) -> list[Line]:
    """The other pieces of the running head that `ln` is part of: short pieces on its row, each
    within two glyphs of the pieces found so far, the whole no longer than a running head
    (30 glyphs), and only when a second cue (the page number, or another date or issue
    piece) is among them: one cue line on a page's first row may be body text that names a
    date, and the short lines beside it other columns' text."""
    parts: list[Line] = []
    span = [ln.lbox.x0, ln.lbox.x1]
    total = _glyph_count(ln.text.strip())
    on_row = [o for o in marks if o.lbox.y_overlap(ln.lbox) >= 0.5 * ln.lbox.height]
    cand = [
        o for o in row + on_row if _glyph_count(o.text.strip()) <= 10 and not re.search(r"[，。；！？]", o.text)
    ]
    grew = True
    while grew:
        grew = False
        for o in cand:
            if any(o is x for x in parts):
                continue
            gap = max(o.lbox.x0 - span[1], span[0] - o.lbox.x1)
            if gap <= 2 * m.cw and total + _glyph_count(o.text.strip()) <= 30:
                parts.append(o)
                span = [min(span[0], o.lbox.x0), max(span[1], o.lbox.x1)]
                total += _glyph_count(o.text.strip())
                grew = True
    cue = [o for o in parts if any(o is k for k in on_row) or _DATE.search(o.text) or _MASTHEAD.search(o.text)]
    return [o for o in parts if not any(o is k for k in on_row)] if cue else []


def _measure(lines: list[Line]) -> _Metrics:
    """Body line height and glyph pitch from the longer lines (short ones are often headings)."""
    long_ = [ln for ln in lines if _glyph_count(ln.text.strip()) >= 6] or lines
    H = statistics.median(ln.lbox.height for ln in long_) or 1.0
    body = [ln for ln in long_ if 0.75 * H <= ln.lbox.height <= 1.25 * H] or long_
    cw = statistics.median(ln.lbox.width / max(1.0, _glyph_count(ln.text.strip())) for ln in body) or H
    top = min(ln.lbox.y0 for ln in lines)
    bottom = max(ln.lbox.y1 for ln in lines)
    return _Metrics(H=H, cw=cw, top=top, bottom=bottom)


def _size(h: float, m: _Metrics, p: LayoutParams) -> str:
    r = h / m.H
    return "big" if r >= p.headline_ratio else "small" if r <= p.small_ratio else "normal"


def _vsize(v: _VLine, m: _Metrics, p: LayoutParams) -> str:
    """Glyph size of a visual line: a tall box is headline type only if its glyphs are also
    wider than body glyphs (boxes of short or digit-heavy lines come out taller)."""
    size = _size(v.h, m, p)
    n = _glyph_count(v.text)
    if size == "big" and (n >= 2 and v.box.width / n < p.headline_pitch * m.cw or _LIST_ITEM.match(v.text)):
        return "normal"
    return size


def _visual_lines(
    lines: list[Line], frames: list[tuple[float, float]], m: _Metrics, p: LayoutParams
) -> list[_VLine]:
    """Merge boxes the engine split on one printed row (a wide space inside a line). A gap of
    half a glyph always joins (a glyph for headline type); a wider one only inside one column
    frame, so that lines of two columns on the same row never merge across a narrow gutter."""
    out: list[_VLine] = []
    rows: dict[int, list[_VLine]] = {}  # visual lines by row bucket of their centre, for speed
    for ln in sorted(lines, key=lambda ln: (ln.lbox.x0, ln.lbox.y0)):
        b = ln.lbox
        best = None
        r = int(b.cy // m.H)
        for v in (v for k in (r - 1, r, r + 1) for v in rows.get(k, ())):
            vb = v.box
            if b.y_overlap(vb) < 0.6 * min(b.height, vb.height):
                continue
            if not (0.8 <= b.height / max(vb.height, 1e-6) <= 1.25):
                continue
            glyph = m.cw * max(1.0, b.height / m.H)
            gap = b.x0 - vb.x1
            if gap < -0.3 * glyph:
                continue
            big = b.height >= p.headline_ratio * m.H
            same_type = abs(b.height - vb.height) <= 0.1 * b.height and abs(b.y0 - vb.y0) <= 0.2 * b.height
            if (
                same_type
                and gap <= 1.2 * b.height
                and _headline_type(ln, m, p)
                and all(_headline_type(o, m, p) for o in v.lines)
            ):
                if _own_columns(vb, _heading_run(ln, lines, frames, m, p), frames, lines, m, p) or _own_columns(
                    vb, _wrapped_run(ln, lines, frames, m, p), frames, lines, m, p
                ):
                    continue
                best = v  # a headline with a word space that happens to sit over a column gutter
                break
            if _gutter_between(vb.x1, b.x0, frames, m):
                continue
            union = vb.union(b)
            in_frame = _frame_for(union, frames, m) is not None
            if gap <= 0.5 * glyph or (gap <= glyph and big) or (gap <= p.row_gap_cw * glyph and in_frame):
                best = v
                break
        if best is None:
            out.append(_VLine([ln], b))
            rows.setdefault(r, []).append(out[-1])
        else:
            best.lines.append(ln)
            best.box = best.box.union(b)
    return out


def _wrapped_run(
    ln: Line, lines: list[Line], frames: list[tuple[float, float]], m: _Metrics, p: LayoutParams
) -> Box:
    """The heading piece with every piece that continues it on its row, past its column frame,
    when a headline line of the same size just below is centred under that whole run: the
    first line of a wrapped headline centred over a module of several columns, cut by the
    engine at its printed word space. Without the next line's centring, the run could reach
    into the headline of the module beside it (`_heading_run` stays in one frame)."""
    run = _heading_run(ln, lines, frames, m, p, in_frame=False)
    b = ln.lbox
    if run.x1 <= _heading_run(ln, lines, frames, m, p).x1:
        return b
    hcw = b.height
    nxt = [
        o.lbox
        for o in lines
        if _headline_type(o, m, p)
        and 0.8 * b.height <= o.lbox.height <= 1.25 * b.height
        and run.y1 - 0.3 * b.height <= o.lbox.y0 <= run.y1 + 0.5 * b.height
        and o.lbox.x0 >= run.x0 - hcw
        and o.lbox.x1 <= run.x1 + hcw
    ]
    return run if any(abs(o.cx - run.cx) <= hcw for o in nxt) else b


def _heading_run(
    ln: Line,
    lines: list[Line],
    frames: list[tuple[float, float]],
    m: _Metrics,
    p: LayoutParams,
    in_frame: bool = True,
) -> Box:
    """The box of a heading piece with the pieces that continue it to its right on its row,
    inside the column frame it starts in: the engine may cut a headline at a glyph gap, and
    only the whole headline's extent tells whether it is centred over its own column (a
    first piece alone is not, and the headline beside it took it for its own word space).
    With `in_frame` False the run may go on past that frame (see `_wrapped_run`)."""
    b = ln.lbox
    f = next((f for f in frames if f[0] - m.cw <= b.x0 < f[1]), None)
    if f is None:
        return b
    box = b
    grew = True
    while grew:
        grew = False
        for o in lines:
            ob = o.lbox
            if (
                ob.x1 > box.x1
                and ob.x0 > box.x0
                and -0.6 * b.height <= ob.x0 - box.x1 <= 1.2 * b.height  # engine boxes of pieces overlap
                and (ob.x1 <= f[1] + 0.8 * m.cw or not in_frame)
                and abs(ob.height - b.height) <= 0.1 * b.height
                and abs(ob.y0 - b.y0) <= 0.2 * b.height
                and _headline_type(o, m, p)
            ):
                box, grew = box.union(ob), True
    return box


def _own_columns(
    a: Box, b: Box, frames: list[tuple[float, float]], lines: list[Line], m: _Metrics, p: LayoutParams
) -> bool:
    """Two headings side by side, each centred over its own column with a gutter between
    them, and the text under the right one opens a paragraph: the headlines of two 1-column
    modules, not one title with a word space centred over a wider module (whose halves can
    happen to sit over one column each; its right column then mostly continues a paragraph).
    A heading may span a run of columns (a 2-column module's headline beside a 1-column one's
    on the same row): it is then centred over its run, and body text must start under it too,
    so that the gutter between the runs has text on both sides."""
    fa = _frame_for(a, frames, m) or _frame_run(a, frames, m)
    fb = _frame_for(b, frames, m) or _frame_run(b, frames, m)
    if fa is None or fb is None or fa == fb or fa[1] > fb[0] + m.cw:
        return False

    def centred(x: Box, f: tuple[float, float]) -> bool:
        return abs(x.cx - (f[0] + f[1]) / 2) <= max(1.5 * m.cw, 0.08 * (f[1] - f[0]))

    if not (centred(a, fa) and centred(b, fb)):
        return False
    spans = fa not in frames or fb not in frames

    def inside(b: Box, f: tuple[float, float]) -> bool:
        return b.x0 >= f[0] - 0.8 * m.cw and b.x1 <= f[1] + 0.8 * m.cw

    def text_under(x: Box, f: tuple[float, float]) -> list[Box]:
        # the heading's own further lines (a narrow column's headline runs to two or three
        # lines) come first: its text starts under the last of them
        top = x.y1
        while True:
            more = [
                ln.lbox.y1
                for ln in lines
                if top - 0.3 * x.height <= ln.lbox.y0 <= top + x.height
                and ln.lbox.y1 > top
                and inside(ln.lbox, f)
                and _size(ln.lbox.height, m, p) == "big"
                and not _body_type(ln, m, p)  # a body line's box drawn tall is the text under it
            ]
            if not more:
                break
            top = max(more)
        # a spanning heading's neighbour may run to a second line: look past it to its text
        reach = 3 * m.H + (3 * x.height if spans else 0.0)
        return [
            ln.lbox
            for ln in lines
            if x.y1 <= ln.lbox.y0 <= top + reach and inside(ln.lbox, f) and _body_type(ln, m, p)
        ]

    under = text_under(b, fb)
    if not under or (spans and not text_under(a, fa)):
        return False
    first = min(under, key=lambda x: x.y0)
    return first.x0 - fb[0] >= p.indent_min_cw * m.cw


def _frame_run(box: Box, frames: list[tuple[float, float]], m: _Metrics) -> tuple[float, float] | None:
    """The run of side-by-side column frames a heading spans (from the first's left edge to
    the last's right edge), or None: it must cover at least two frames, most of each, and
    reach no further than their outer edges."""
    cover = sorted(f for f in frames if min(box.x1, f[1]) - max(box.x0, f[0]) > 0.5 * (f[1] - f[0]))
    if len(cover) < 2 or any(c[0] < f[1] for f, c in zip(cover, cover[1:])):
        return None
    run = (cover[0][0], cover[-1][1])
    if box.x0 < run[0] - 0.8 * m.cw or box.x1 > run[1] + 0.8 * m.cw:
        return None
    return run


def _headline_type(ln: Line, m: _Metrics, p: LayoutParams) -> bool:
    """Clearly headline type: tall box and wide glyphs, and not a numbered item."""
    b = ln.lbox
    n = _glyph_count(ln.text)
    return b.height >= 1.3 * m.H and n >= 2 and b.width / n >= 1.25 * m.cw and not _LIST_ITEM.match(ln.text)


def _gutter_between(x0: float, x1: float, frames: list[tuple[float, float]], m: _Metrics) -> bool:
    """A column gutter lies in the gap [x0, x1]: one frame ends at x0 and another starts at x1."""
    tol = 1.0 * m.cw
    return any(abs(f[1] - x0) <= tol for f in frames) and any(abs(g[0] - x1) <= tol for g in frames)


def _chain(vlines: list[_VLine], m: _Metrics, p: LayoutParams) -> list[_Seg]:
    """Link each visual line to the nearest one below it in the same x-range and size; a line
    with two nearest neighbours (a heading over two columns) is linked to neither."""
    vs = sorted(vlines, key=lambda v: (v.box.y0, v.box.x0))
    below: list[list[int]] = [[] for _ in vs]
    above: list[list[int]] = [[] for _ in vs]
    for i, a in enumerate(vs):
        cands: list[int] = []
        for j in range(i + 1, len(vs)):
            b = vs[j]
            if b.box.y0 > a.box.y1 + 4 * max(a.h, m.H):
                break
            if b.box.y_overlap(a.box) > 0.5 * min(a.h, b.h) or b.box.cy <= a.box.cy:
                continue
            if a.box.x_overlap(b.box) > 0.3 * min(a.box.width, b.box.width):
                cands.append(j)
        if cands:
            near = min(vs[j].box.y0 for j in cands)
            below[i] = [j for j in cands if vs[j].box.y0 <= near + 0.5 * vs[j].h]
            for j in cands:
                above[j].append(i)
    nearest_above: list[list[int]] = []
    for j, ins in enumerate(above):
        if not ins:
            nearest_above.append([])
            continue
        near = max(vs[i].box.y1 for i in ins)
        nearest_above.append([i for i in ins if vs[i].box.y1 >= near - 0.5 * vs[i].h])
    # at a very loose leading (2.5 and more) the gap between a column's lines passes one
    # line height, and no line would chain to the next: every line became a segment of its
    # own, and side-by-side columns were read interleaved. The link limit follows the page's
    # own usual gap between mutually nearest body lines when that is wider
    pair_gaps = [
        vs[js[0]].box.y0 - vs[i].box.y1
        for i, js in enumerate(below)
        if len(js) == 1
        and nearest_above[js[0]] == [i]
        and min(_glyph_count(vs[i].text), _glyph_count(vs[js[0]].text)) >= 6
        and _vsize(vs[i], m, p) == _vsize(vs[js[0]], m, p) == "normal"
    ]
    loose = statistics.median(pair_gaps) if len(pair_gaps) >= 6 else 0.0
    loose = loose + p.loose_slack * m.H if p.link_gap * m.H < loose <= p.loose_max_gap * m.H else 0.0
    nxt: dict[int, int] = {}
    for i, js in enumerate(below):
        if len(js) != 1 or nearest_above[js[0]] != [i]:
            continue
        j = js[0]
        a, b = vs[i], vs[j]
        ratio = max(a.h, b.h) / max(1e-6, min(a.h, b.h))
        short = min(_glyph_count(a.text), _glyph_count(b.text)) < 4  # boxes of 1-3 glyphs vary in height
        if short and max(a.h, b.h) < 1.6 * m.H:
            if ratio > 1.5:
                continue
        # a headline's last line of one to three glyphs (`动` under `…街道在行`) has a box up to a
        # third taller than the full line's: the same type, so the same tolerance as above
        elif ratio > (1.5 if short else p.link_size_ratio) or _vsize(a, m, p) != _vsize(b, m, p):
            continue
        if b.box.y0 - a.box.y1 > max(p.link_gap * max(a.h, b.h), loose):
            continue
        nxt[i] = j
    # a gap clearly wider than the page's line spacing is a break (between stacked modules,
    # around a rule): the column does not run on across it
    gaps = [vs[j].box.y0 - vs[i].box.y1 for i, j in nxt.items()]
    if gaps:
        usual = statistics.median(gaps)
        m.break_gap = usual + p.break_gap * m.H
        m.line_gap = usual
        nxt = {i: j for i, j in nxt.items() if vs[j].box.y0 - vs[i].box.y1 <= usual + p.break_gap * m.H}
        # a module boundary: a headline in another column starts level with a gap that is only
        # a little wider than usual (stacked modules with no headline of their own in this column)
        heads = [v for v in vs if _vsize(v, m, p) == "big" and _glyph_count(v.text) >= 4]
        # ... or a byline in another column ends just above the gap: the module's last column
        # ends there, so its other columns end at that height too
        bylines = [v for v in vs if _BYLINE.match(v.text.strip())]
        nxt = {
            i: j
            for i, j in nxt.items()
            if vs[j].box.y0 - vs[i].box.y1 <= usual + p.module_gap * m.H
            or not any(
                h.box.x_overlap(vs[i].box) <= 0
                and vs[i].box.y1 - 0.3 * m.H <= h.box.y0 <= vs[j].box.y0 + 0.3 * m.H
                for h in heads
            )
            and not any(
                v.box.x_overlap(vs[i].box) <= 0
                and vs[i].box.y1 - 1.5 * m.H <= v.box.y1 <= vs[j].box.y0
                for v in bylines
            )
        }
    has_prev = set(nxt.values())
    segs: list[_Seg] = []
    for i in range(len(vs)):
        if i in has_prev:
            continue
        chain = [vs[i]]
        k = i
        while k in nxt:
            k = nxt[k]
            chain.append(vs[k])
        seg = _Seg(chain)
        sizes = [_vsize(v, m, p) for v in chain]
        seg.size = max(("normal", "big", "small"), key=sizes.count)  # ties: normal (deterministic)
        segs.append(seg)
    return segs


def _column_frames(lines: list[Line], m: _Metrics, p: LayoutParams) -> list[tuple[float, float]]:
    """x-ranges that full body lines share: cluster long body-size lines by right edge (full
    and indented lines end there), then by left edge (a 2-character indent stays inside). A
    frame that covers two better-supported frames side by side comes from lines the engine
    ran across a gutter, and is dropped."""
    long_ = [ln.lbox for ln in lines if ln.lbox.width >= 6 * m.cw and _size(ln.lbox.height, m, p) == "normal"]
    found: list[tuple[float, float, int]] = []
    starts: list[list[float]] = []  # the left ends of each found frame's lines, sorted
    tol = 0.8 * m.cw
    groups: list[list[Box]] = []
    for b in sorted(long_, key=lambda b: b.x1):
        if groups and b.x1 - groups[-1][-1].x1 <= tol:
            groups[-1].append(b)
        else:
            groups.append([b])
    for g in groups:
        if len(g) < 3:
            continue
        right = statistics.median(b.x1 for b in g)
        xs = sorted(b.x0 for b in g)
        sub: list[list[float]] = [[xs[0]]]
        for x in xs[1:]:
            if x - sub[-1][-1] > p.indent_max_cw * m.cw:
                sub.append([x])
            else:
                sub[-1].append(x)
        for c in sub:
            if len(c) >= 2:
                found.append((min(c), right, len(c)))
                starts.append(c)
    # columns never overlap: a left edge a little left of the previous column's right edge
    # comes from boxes that start in the gutter (a stray glyph read there, a box drawn too
    # wide); the column starts at the first left end clear of its neighbour. One starting
    # exactly on that edge is the same case (2.5 mm gutters: a box begun in the gutter reaches
    # the neighbour's median right end): frames that touch leave no gutter to trim or split at
    for k, (f, c) in enumerate(zip(found, starts)):
        for g in found:
            if g[0] < f[0] <= g[1] <= f[0] + 2 * m.cw:
                x = next((x for x in c if x > g[1]), None)
                if x is not None:
                    found[k] = (x, f[1], f[2])
                break
    keep = []
    for f in found:
        inner = [
            g for g in found if g is not f and g[0] >= f[0] - tol and g[1] <= f[1] + tol and g[2] >= f[2]
        ]
        side_by_side = any(a[1] < b[0] for a in inner for b in inner)
        # short last lines of paragraphs that happen to end alike inside a well-supported frame
        nested = any(
            g is not f
            and g[2] >= 2 * f[2]
            and g[0] - tol <= f[0]
            and f[1] <= g[1] + tol
            and (f[0] <= g[0] + p.indent_max_cw * m.cw or f[1] >= g[1] - tol)
            and f[1] - f[0] < g[1] - g[0] - 2 * tol
            for g in found
        )
        if not side_by_side and not nested:
            keep.append((f[0], f[1]))
    return sorted(keep)


def _body_type(ln: Line, m: _Metrics, p: LayoutParams) -> bool:
    """Body-size type: a body-height box, or a box up to 1.4 H whose glyphs are body pitch
    (two columns' lines run together sit a little apart in height, so the engine's box for
    them comes out taller than either; headline type is wider as well as taller)."""
    b = ln.lbox
    size = _size(b.height, m, p)
    if size != "big":
        return size == "normal"
    n = _glyph_count(ln.text.strip())
    return b.height < 1.4 * m.H and n >= 4 and b.width / n < p.headline_pitch * m.cw


def _split_crossers(
    lines: list[Line],
    frames: list[tuple[float, float]],
    m: _Metrics,
    p: LayoutParams,
    context: list[Box] | None = None,
) -> list[Line]:
    """Split lines the engine ran across a column gutter (narrow gutters, no rule): both sides
    of the gutter must have body lines near the same height, so headings and masthead lines
    that really span columns stay whole. `context`: the page's body boxes, when splitting
    the parts of a line already split (a line run across three columns is cut twice, and
    the second cut needs the same evidence around it as the first)."""
    body = context if context is not None else [ln.lbox for ln in lines if _body_type(ln, m, p)]
    gutters = {(f[1], g[0]) for f in frames for g in frames if 0 < g[0] - f[1] <= 4 * m.cw}
    # where the engine merged most lines of a column pair, frames miss a column: a left edge
    # shared by several lines, with some line ending just before it, is a gutter too
    starts = sorted(b.x0 for b in body if b.width >= 4 * m.cw)
    k = 0
    while k < len(starts):
        j = k
        while j + 1 < len(starts) and starts[j + 1] - starts[k] <= 0.5 * m.cw:
            j += 1
        if j - k + 1 >= 3:
            c = starts[k]
            ends = [b.x1 for b in body if c - 3 * m.cw <= b.x1 <= c - 0.3 * m.cw and b.width >= 4 * m.cw]
            if ends:
                gutters.add((max(ends), c))
        k = j + 1
    if not gutters:
        return lines

    def crosses(b: Box, gl: float, gr: float) -> bool:
        return b.x0 < gl - 1.5 * m.cw and b.x1 > gr + 1.5 * m.cw

    out: list[Line] = []
    for ln in lines:
        b = ln.lbox
        cut = None
        parts: tuple[Line, Line] | None = None
        if _body_type(ln, m, p) and not _centred_across(ln, frames, body, m, p):
            for gl, gr in sorted(gutters):
                if crosses(b, gl, gr):
                    near = [o for o in body if o is not b and abs(o.cy - b.cy) <= 4 * m.H]
                    lefts = [o.cy > b.cy for o in near if gl - 3 * m.cw < o.x1 <= gl + 0.5 * m.cw]
                    rights = [o.cy > b.cy for o in near if o.x0 >= gr - 0.5 * m.cw and o.x0 < gr + 3 * m.cw]
                    # the engine merged several rows of the same column pair (a whole short
                    # module): the rows are their own evidence
                    run = any(
                        o is not b and crosses(o, gl, gr) and 0 < abs(o.cy - b.cy) <= 1.8 * m.H for o in body
                    )
                    at_left = any(abs(b.x0 - f[0]) <= 2.5 * m.cw for f in frames)
                    # text of a column around it, and one column runs on above and below it
                    # (or the engine read a space where the gutter is: first or last row)
                    if (lefts and rights) or ((lefts or rights or run) and at_left):
                        sandwiched = len(set(lefts)) == 2 or len(set(rights)) == 2
                        # starts at a column's left edge but ends inside another column: two lines
                        ragged = at_left and all(abs(b.x1 - f[1]) > m.cw for f in frames)
                        # a merged run with no column text near it; with column text near it (below
                        # a wide block), a run of wide lines is a wide module above the columns
                        merged_run = run and at_left and not (lefts or rights)
                        cut = (gl, gr, not (sandwiched or ragged or merged_run))
                        parts = _split_line(ln, *cut)
                        if parts is not None:
                            break
                        # no space read at this gutter (or no text on one side): a line run across
                        # three columns may have one at another gutter; its parts are cut again
                        cut = None
        if parts is None or cut is None:
            out.append(ln)
        else:
            log.debug("split %r at the gutter %.0f-%.0f", ln.text, cut[0], cut[1])
            rest = [o for o in body if o is not b] + [x.lbox for x in parts]
            out.extend(_split_crossers(list(parts), frames, m, p, rest))
    return out


def _split_headline_pairs(
    lines: list[Line], frames: list[tuple[float, float]], m: _Metrics, p: LayoutParams
) -> list[Line]:
    """Split one headline box the engine read across two side-by-side modules' headlines (a
    gutter narrower than a headline glyph, no rule): the headline that wraps goes on, on the
    next row, in a piece centred under its own module only. That piece is neither centred
    under the merged box nor aligned with either of its ends, as a wrapped spanning headline's
    next line is; its module shares the merged box's outer edge, so mirroring that edge about
    the piece's centre finds the module's inner edge: a gutter the box crosses, cut there."""
    gutters = [(f[1], g[0]) for f, g in itertools.pairwise(sorted(frames)) if 0 < g[0] - f[1] <= 4 * m.cw]
    if not gutters:
        return lines
    heads = [ln for ln in lines if _headline_type(ln, m, p)]
    out: list[Line] = []
    for ln in lines:
        b = ln.lbox
        cut: tuple[float, float] | None = None
        if any(ln is h for h in heads):
            hcw = b.width / max(1.0, _glyph_count(ln.text.strip()))
            crossed = [(gl, gr) for gl, gr in gutters if b.x0 < gl - hcw and b.x1 > gr + hcw]
            below = [
                o.lbox
                for o in heads
                if o is not ln
                and b.y1 - 0.3 * b.height <= o.lbox.y0 <= b.y1 + b.height
                and o.lbox.x0 >= b.x0 - hcw
                and o.lbox.x1 <= b.x1 + hcw
                and 0.8 * b.height <= o.lbox.height <= 1.25 * b.height  # the same type: no intertitle
            ]
            aligned = any(
                abs(o.cx - b.cx) <= 2 * hcw or abs(o.x0 - b.x0) <= hcw or abs(o.x1 - b.x1) <= hcw for o in below
            )
            if crossed and below and not aligned:
                cuts: set[tuple[float, float]] = set()
                for o in below:
                    edge = 2 * o.cx - (b.x0 if o.cx < b.cx else b.x1)
                    g = min(crossed, key=lambda g: abs((g[0] + g[1]) / 2 - edge))
                    if abs((g[0] + g[1]) / 2 - edge) <= 1.5 * hcw:
                        cuts.add(g)
                if len(cuts) == 1:
                    gl, gr = next(iter(cuts))
                    if not any(o.x0 < gl and o.x1 > gr for o in below):
                        cut = (gl, gr)
        parts = _split_line(ln, *cut) if cut else None
        if parts is None:
            out.append(ln)
        else:
            log.debug("split the headlines %r into %r + %r at a gutter", ln.text, parts[0].text, parts[1].text)
            out.extend(parts)
    return out


def _join_title_pieces(
    lines: list[Line], frames: list[tuple[float, float]], m: _Metrics, p: LayoutParams
) -> list[Line]:
    """Rejoin the two pieces the engine made of one body-size title at a gutter: a two-part
    title (`文明交通进社区 曹家渡街道在行动`) centred over two columns has its printed gap on
    the gutter, so the engine may read it as two lines abutting there; each piece then fits
    one column (the first taken for a byline, the second for body) and the article loses its
    headline. Two level pieces, no punctuation, meeting on a gutter, whose joined box is
    centred over the columns it reaches into at a module top (`_centred_across`), are one
    line; the gap is kept as a space, as the engine reads it when it keeps such a title whole."""
    gutters = [(f[1], g[0]) for f, g in itertools.pairwise(sorted(frames)) if 0 < g[0] - f[1] <= 4 * m.cw]
    if not gutters:
        return lines
    body = [ln for ln in lines if _body_type(ln, m, p)]
    pieces = sorted(
        (
            ln
            for ln in body
            if ln.text == ln.text_raw
            and _glyph_count(ln.text.strip()) >= 3
            and not _PUNCT.search(ln.text)
            and not _LIST_ITEM.match(ln.text)
        ),
        key=lambda ln: ln.lbox.x0,
    )
    joined: dict[int, Line] = {}  # id(left piece) -> the joined line
    gone: set[int] = set()
    for a in pieces:
        if id(a) in gone:
            continue
        A = a.lbox
        for c in pieces:
            C = c.lbox
            if c is a or id(c) in gone or not (-0.3 * m.cw <= C.x0 - A.x1 <= 0.5 * m.cw):
                continue
            if abs(A.y0 - C.y0) > 0.25 * m.H or abs(A.y1 - C.y1) > 0.25 * m.H:
                continue
            seam = (A.x1 + C.x0) / 2
            if not any(gl - 0.3 * m.cw <= seam <= gr + 0.3 * m.cw for gl, gr in gutters):
                continue
            line = _joined(a, c)
            rest = [o.lbox for o in body if o is not a and o is not c] + [line.lbox]
            if _centred_across(line, frames, rest, m, p):
                log.debug("rejoined the title pieces %r + %r at a gutter", a.text, c.text)
                joined[id(a)] = line
                gone |= {id(a), id(c)}
                break
    if not joined:
        return lines
    return [joined.get(id(ln), ln) for ln in lines if id(ln) in joined or id(ln) not in gone]


def _joined(a: Line, c: Line) -> Line:
    """One line from two pieces of a row, left to right, with a space between them."""
    A, C = a.lbox, c.lbox
    cc = a.char_confidences + [min(a.confidence, c.confidence)] + c.char_confidences
    whole = len(a.char_confidences) == len(a.text) and len(c.char_confidences) == len(c.text)
    text = f"{a.text.rstrip()} {c.text.lstrip()}"
    return Line(
        a.line_id,
        Box(min(a.box.x0, c.box.x0), min(a.box.y0, c.box.y0), max(a.box.x1, c.box.x1), max(a.box.y1, c.box.y1)),
        text,
        text,
        min(a.confidence, c.confidence),
        layout_box=Box(min(A.x0, C.x0), min(A.y0, C.y0), max(A.x1, C.x1), max(A.y1, C.y1)),
        char_confidences=cc if whole and len(cc) == len(text) else [],
    )


def _centred_across(
    ln: Line, frames: list[tuple[float, float]], body: list[Box], m: _Metrics, p: LayoutParams
) -> bool:
    """A module's heading set at body size over two or more columns (a light face scaled down
    for a narrow module): cut at a gutter, or clipped to one column, each piece looks like a
    column's line and the title is lost. A line the engine ran across a gutter is rarely
    centred with wide margins over the columns it touches with the text of its first and
    last column starting right under it; it is told apart further by what lies just above
    (nothing of those columns: a module top) or by its glyphs running through every gutter
    it crosses (the engine reads the white of a real gutter as a space; at 2.0 leading the
    module above ends one line gap over the heading, so the white above tells nothing)."""
    b = ln.lbox
    if not _centred_span(b, frames, m, p):
        return False
    spanned = sorted(f for f in frames if f[1] > b.x0 and f[0] < b.x1)
    x0, x1 = spanned[0][0], spanned[-1][1]

    def starts_under(f: tuple[float, float]) -> bool:
        return any(o.x1 > f[0] + m.cw and o.x0 < f[1] - m.cw and 0 <= o.y0 - b.y1 <= 2.5 * m.H for o in body)

    if not (starts_under(spanned[0]) and starts_under(spanned[-1])):
        return False
    if not any(o is not b and o.x1 > x0 and o.x0 < x1 and 0 <= b.y0 - o.y1 <= 1.5 * m.H for o in body):
        return True
    gutters = [(f[1] + g[0]) / 2 for f, g in itertools.pairwise(spanned)]
    return not any(_space_near(ln, x, m) for x in gutters)


def _space_near(ln: Line, x: float, m: _Metrics) -> bool:
    """The engine read a space within a glyph of x (glyph positions spread evenly over the box)."""
    b = ln.lbox
    text = ln.text
    total = _glyph_count(text) or 1.0
    acc = 0.0
    for ch in text:
        w = _glyph_count(ch)
        if ch.isspace() and abs(b.x0 + (acc + w / 2) / total * b.width - x) <= 1.0 * m.cw:
            return True
        acc += w
    return False


def _clip_overhangs(
    lines: list[Line], frames: list[tuple[float, float]], m: _Metrics, p: LayoutParams
) -> list[Line]:
    """Trim a body line's box that pokes across a narrow gutter into the next column by at most
    two glyphs (a stray glyph read in the gutter, a box the engine drew too wide): the line
    starts in one column and its end is no column's text, yet its box overlaps the next
    column's, so no x-cut separates the two columns and their lines interleave."""
    gutters = [(f[1], g[0]) for f in frames for g in frames if 0 < g[0] - f[1] <= 4 * m.cw]
    if not gutters:
        return lines
    body = [ln.lbox for ln in lines if _body_type(ln, m, p)]
    out: list[Line] = []
    for ln in lines:
        b = ln.lbox
        x0, x1 = b.x0, b.x1
        if _body_type(ln, m, p) and not _centred_across(ln, frames, body, m, p):
            for gl, gr in gutters:
                # or, across a wide gutter, a glyph past its column's edge to just short of
                # the next column's text (under half a glyph: that gap joins the two on their row)
                if x0 < gl - 2 * m.cw and (
                    gr < x1 <= gr + 2 * m.cw or gr - 0.5 * m.cw <= x1 < gr and x1 >= gl + m.cw
                ):
                    x1 = gl  # its end reaches into the next column
                elif x1 > gr + 2 * m.cw and (
                    gl - 2 * m.cw <= x0 < gl or gl < x0 <= gl + 0.5 * m.cw and x0 <= gr - m.cw
                ):
                    x0 = gr  # its start reaches back into the previous column
        if (x0, x1) == (b.x0, b.x1):
            out.append(ln)
            continue

        def to_orig(x: float) -> float:
            return ln.box.x0 + (x - b.x0) / b.width * ln.box.width

        log.debug("clipped %r to %.0f-%.0f at a gutter", ln.text, x0, x1)
        box = Box(to_orig(x0), ln.box.y0, to_orig(x1), ln.box.y1)
        out.append(dataclasses.replace(ln, box=box, layout_box=Box(x0, b.y0, x1, b.y1)))
    return out


def _split_line(ln: Line, gl: float, gr: float, need_space: bool = False) -> tuple[Line, Line] | None:
    """Two lines from one, cut at the gutter [gl, gr]: text split where the glyph widths put the
    gutter (at a space the engine read there, when one is close; only there if `need_space`)."""
    b = ln.lbox
    text = ln.text
    if ln.text_raw != text or b.width <= 0:
        return None
    widths = [_glyph_count(ch) for ch in text]
    total = sum(widths) or 1.0
    target = (gl + gr) / 2
    frac = (target - b.x0) / b.width * total
    acc, idx = 0.0, len(text)
    for i, w in enumerate(widths):
        if acc + w / 2 >= frac:
            idx = i
            break
        acc += w
    spaces = [i for i, ch in enumerate(text) if ch.isspace() and abs(i - idx) <= 2]
    if need_space and not spaces:
        return None
    if spaces:
        k = min(spaces, key=lambda i: abs(i - idx))
        left, right, rstart = text[:k].rstrip(), text[k + 1 :].lstrip(), k + 1
    else:
        left, right, rstart = text[:idx], text[idx:], idx
    if not left.strip() or not right.strip():
        return None
    lx1, rx0 = min(b.x1, gl), max(b.x0, gr)

    def to_orig(x: float) -> float:
        return ln.box.x0 + (x - b.x0) / b.width * ln.box.width

    cc = ln.char_confidences if len(ln.char_confidences) == len(text) else []
    a = Line(
        ln.line_id,
        Box(ln.box.x0, ln.box.y0, to_orig(lx1), ln.box.y1),
        left,
        left,
        ln.confidence,
        layout_box=Box(b.x0, b.y0, lx1, b.y1),
        char_confidences=cc[: len(left)],
    )
    c = Line(
        ln.line_id + "s",
        Box(to_orig(rx0), ln.box.y0, ln.box.x1, ln.box.y1),
        right,
        right,
        ln.confidence,
        layout_box=Box(rx0, b.y0, b.x1, b.y1),
        char_confidences=cc[rstart : rstart + len(right)] if cc else [],
    )
    return a, c


def _frame_for(box: Box, frames: list[tuple[float, float]], m: _Metrics) -> tuple[float, float] | None:
    """The column frame that contains a box (the narrowest one that does)."""
    best = None
    for f in frames:
        inside = box.x0 >= f[0] - 0.8 * m.cw and box.x1 <= f[1] + 0.8 * m.cw
        if inside and (best is None or f[1] - f[0] < best[1] - best[0]):
            best = f
    return best


def _majority_frame(s: _Seg, frames: list[tuple[float, float]], m: _Metrics) -> tuple[float, float] | None:
    """The column frame holding most of a chain's lines. One line whose box a scan's noise
    starts in the gutter (a speck or a comma read before its first glyph) widens the chain's
    box past its column; measured against that box, the byline that ends the column is no
    longer right-aligned and stays glued to the paragraph above (rebuilt hard profile)."""
    counts: dict[tuple[float, float], int] = {}
    for v in s.vlines:
        f = _frame_for(v.box, frames, m)
        if f is not None:
            counts[f] = counts.get(f, 0) + 1
    best = max(counts.items(), key=lambda kv: kv[1], default=None)
    return best[0] if best is not None and best[1] > len(s.vlines) / 2 else None


def _is_centred(b: Box, f: tuple[float, float], m: _Metrics, p: LayoutParams) -> bool:
    left, right = b.x0 - f[0], f[1] - b.x1
    return (
        left >= p.centred_min_cw * m.cw
        and right >= p.centred_min_cw * m.cw
        and abs(left - right) <= max(1.2 * m.cw, 0.15 * (left + right))
    )


def _is_right_aligned(b: Box, f: tuple[float, float], m: _Metrics) -> bool:
    return f[1] - b.x1 <= 1.0 * m.cw and b.x0 - f[0] >= 3 * m.cw


def _spans_gutter(b: Box, frames: list[tuple[float, float]], m: _Metrics) -> bool:
    """A box reaching half a glyph or more into two or more column frames (a column's own
    lines stay inside theirs; a stray glyph in a gutter does not reach the next frame)."""
    return sum(1 for f in frames if min(b.x1, f[1]) - max(b.x0, f[0]) >= 0.5 * m.cw) >= 2


def _straddles(b: Box, frames: list[tuple[float, float]], m: _Metrics) -> bool:
    """A box reaching past both edges of the frame it overlaps most (0.4 glyph or more each
    side) into the frames on either side: a 3-column module's headline set exactly as wide
    as its middle column's text plus a glyph reaches only 0.2-0.3 glyph into the outer
    columns, too little for `_spans_gutter`; a column's justified lines end at their
    frame's edges (frames are drawn from them), and punctuation hangs out on one side only."""
    if len(frames) < 3:
        return False
    own = max(frames, key=lambda f: min(b.x1, f[1]) - max(b.x0, f[0]))
    if not (b.x0 <= own[0] - 0.4 * m.cw and b.x1 >= own[1] + 0.4 * m.cw):
        return False
    left = any(f[1] <= own[0] and f[1] > b.x0 for f in frames)
    right = any(f[0] >= own[1] and f[0] < b.x1 for f in frames)
    return left and right


def _across(b: Box, frames: list[tuple[float, float]], m: _Metrics) -> bool:
    """In no one column's flow: reaching well into a second frame, or past both edges of its own."""
    return _spans_gutter(b, frames, m) or _straddles(b, frames, m)


def _split_spanning(
    segs: list[_Seg], frames: list[tuple[float, float]], m: _Metrics, p: LayoutParams
) -> list[_Seg]:
    """A body-size heading centred over two or more columns is linked to the one column line
    it overlaps most (the lines of the other columns start too far out to be candidates)
    at loose leading, and above to a byline ending the module over it: chained, it reads
    as that column's text. Split such a heading (centred over the frames it reaches into,
    no punctuation) out of a chain whose other lines keep to one column each: a column's
    own lines never reach into the next column."""
    out: list[_Seg] = []
    for s in segs:
        vs = s.vlines
        spans = [_across(v.box, frames, m) for v in vs]
        k = spans.index(True) if len(vs) >= 2 and spans.count(True) == 1 else -1
        t = vs[k].text.strip() if k >= 0 else ""
        if k < 0 or _glyph_count(t) < 4 or _PUNCT.search(t) or not _centred_span(vs[k].box, frames, m, p):
            out.append(s)
            continue
        log.debug("split the heading %r out of a column chain", t)
        out.extend(_Seg(part, s.size) for part in (vs[:k], vs[k : k + 1], vs[k + 1 :]) if part)
    return out


def _centred_span(b: Box, frames: list[tuple[float, float]], m: _Metrics, p: LayoutParams) -> bool:
    """Centred (within a glyph, margins of 1.5 glyphs or more) over the frames it touches."""
    spanned = sorted(f for f in frames if f[1] > b.x0 and f[0] < b.x1)
    if len(spanned) < 2:
        return False
    x0, x1 = spanned[0][0], spanned[-1][1]
    return abs((x0 + x1) / 2 - b.cx) <= m.cw and min(b.x0 - x0, x1 - b.x1) >= p.centred_min_cw * m.cw


def _split_segments(
    segs: list[_Seg], frames: list[tuple[float, float]], m: _Metrics, p: LayoutParams
) -> list[_Seg]:
    """Cut body chains at intertitles (centred short lines), centred runs (lists) and bylines."""
    out: list[_Seg] = []
    for s in segs:
        if s.size != "normal" or len(s.vlines) < 2:
            out.append(s)
            continue
        f = _frame_for(s.box, frames, m) or _majority_frame(s, frames, m) or (s.box.x0, s.box.x1)
        tags = []
        for v in s.vlines:
            t = v.text.strip()
            if _BYLINE.match(t) and (_is_right_aligned(v.box, f, m) or _is_centred(v.box, f, m, p)):
                tags.append("byline")
            elif _LIST_ITEM.match(t):
                tags.append("item")
            elif _is_centred(v.box, f, m, p) and not _TERMINAL.search(t):
                tags.append("centred")
            else:
                tags.append("text")
        # a lone numbered line inside running text ("1." starting a sentence) is text
        tags = [
            "text"
            if t == "item" and not any(x == "item" for x in tags[max(0, k - 1) : k] + tags[k + 1 : k + 2])
            else t
            for k, t in enumerate(tags)
        ]
        if all(t == "text" for t in tags):
            out.append(s)
            continue
        run: list[_VLine] = []
        run_tag = tags[0]
        for v, t in zip(s.vlines, tags):
            if run and (t != run_tag or t == "byline"):
                out.append(_Seg(run, s.size))
                run = []
            run_tag = t
            run.append(v)
        if run:
            out.append(_Seg(run, s.size))
    return out


def _take_masthead(
    segs: list[_Seg], page_no: int, m: _Metrics
) -> tuple[list[_VLine], list[_Seg], list[Line]]:
    """Masthead fields (date, issue number, next issue, publisher) on the front page; the same
    cues on inner pages are running heads (page furniture). Large type beside the fields is the
    nameplate, not a headline."""

    def is_field(v: _VLine) -> bool:
        t = v.text
        # a date followed by a comma opens a sentence of body text (`2016年12月13日，彭浦…`):
        # a short body segment that holds one took the band down over the headlines below
        ts = t.strip()
        dated = any(not _RUN_ON.match(ts, d.end()) for d in _FIELD_DATE.finditer(ts))
        return bool(dated or _MASTHEAD.search(t)) and _glyph_count(t) <= 30

    cand = [s for s in segs if sum(is_field(v) for v in s.vlines) * 2 >= len(s.vlines)]
    extent = max(1.0, m.bottom - m.top)
    if page_no != 1:
        # running heads and feet: above or below everything else on the page
        edge = [
            s
            for s in cand
            if len(s.vlines) == 1
            and (
                all(o.box.y0 >= s.box.y1 + 0.5 * m.H for o in segs if o not in cand)
                or all(o.box.y1 <= s.box.y0 - 0.5 * m.H for o in segs if o not in cand)
            )
        ]
        furn = [ln for s in edge for v in s.vlines for ln in v.lines]
        return [], [s for s in segs if s not in edge], furn
    cand = [s for s in cand if s.box.y0 <= m.top + 0.4 * extent]
    if not cand:
        return [], segs, []
    y0 = min(s.box.y0 for s in cand) - 0.5 * m.H
    y1 = max(s.box.y1 for s in cand) + 0.5 * m.H
    for s in segs:
        if s not in cand and s.box.y0 >= y0 - 2 * s.h and y0 <= s.box.cy <= y1 and s.size == "big":
            cand.append(s)  # the nameplate
    for s in segs:  # short lines inside the band (publisher line split by the engine, ...)
        inside = (
            s not in cand and s.box.y0 >= y0 and s.box.y1 <= y1 and len(s.vlines) <= 2 and s.size != "big"
        )
        if inside and not any(o.size == "big" and o not in cand and o.box.y1 <= s.box.y0 for o in segs):
            cand.append(s)
    # the nameplate (and the publisher line set under it) is read first, on whichever side of
    # the printed fields it stands: it is the masthead's title
    plate = [s for s in cand if any(v.h >= 2 * m.H for v in s.vlines)]
    plate += [
        s
        for s in cand
        if s not in plate and any(s.box.x_overlap(b.box) > 0.5 * s.box.width and s.box.y0 >= b.box.cy for b in plate)
    ]
    ordered = _xy_order(plate, m) + _xy_order([s for s in cand if s not in plate], m)
    vl = [v for s in ordered for v in s.vlines]
    return vl, [s for s in segs if s not in cand], []


def _classify(segs: list[_Seg], frames: list[tuple[float, float]], m: _Metrics, p: LayoutParams) -> None:
    """Kinds from size, position in the column frame, neighbours and text cues."""
    bigs = [s for s in segs if s.size == "big"]
    for s in segs:
        t = s.text.strip()
        f = _frame_for(s.box, frames, m)
        s.frame = f
        n = len(s.vlines)
        if s.size == "big":
            s.kind = BlockKind.HEADLINE
            if _TERMINAL.search(t) or _glyph_count(t) < 4 and _text_above(s, segs, m):
                s.kind = BlockKind.BODY  # the short last line of a paragraph, set in a taller box
                s.size = "normal"
            continue
        if n <= 2 and _BYLINE.match(t):
            s.kind = BlockKind.BYLINE
            continue
        if s.size == "small":
            s.kind = BlockKind.BODY if n >= 4 else BlockKind.CAPTION
            continue
        if (n >= p.list_min_lines and _is_list(s, f, m, p)) or (
            n >= 2 and all(_LIST_ITEM.match(v.text) for v in s.vlines)
        ):
            s.kind = BlockKind.LIST
            continue
        if (
            n <= 2
            and f is not None
            and all(_is_centred(v.box, f, m, p) for v in s.vlines)
            and not _TERMINAL.search(t)
        ):
            s.kind = BlockKind.SUBHEADLINE  # intertitle or deck; may be a caption (below)
        elif n <= 2 and f is None and s.h >= 1.1 * m.H and not _TERMINAL.search(t):
            s.kind = BlockKind.SUBHEADLINE
        else:
            s.kind = BlockKind.BODY
        if n <= 2 and _photo_gap_above(s, segs, m, p) and not _under_headline(s, bigs, m):
            s.kind = BlockKind.CAPTION
    # once captions are known: a one-line heading with body text just above it in its column
    # is an intertitle set a little larger, not the headline of a new module
    # (not when a headline of another column starts level with it: side-by-side modules start
    # there, whose headlines a scan's blur or resampling can make look intertitle-sized)
    for s in bigs:
        if (
            s.kind == BlockKind.HEADLINE
            and len(s.vlines) == 1
            and s.frame is not None
            and s.h < p.intertitle_max_ratio * m.H
            and (
                _text_above(s, [o for o in segs if o.kind in (BlockKind.BODY, BlockKind.LIST)], m)
                or _column_top_intertitle(s, segs, m, p)
                or _off_axis_under_headline(s, bigs, m, p)
                or _page_top_intertitle(s, segs, m, p)
            )
            and not _level_headline(s, bigs, m)
        ):
            s.kind = BlockKind.SUBHEADLINE
    flow = [o for o in segs if o.kind in (BlockKind.BODY, BlockKind.LIST)]
    for s in segs:
        if s.kind in (BlockKind.BODY, BlockKind.CAPTION) and _pitch_headline(s, flow, bigs, m, p):
            s.kind, s.size = BlockKind.HEADLINE, "big"
            bigs.append(s)
    for s in segs:
        if s.kind in (BlockKind.BODY, BlockKind.SUBHEADLINE, BlockKind.CAPTION) and _centred_module_head(
            s, segs, m, p, frames
        ):
            s.kind, s.size = BlockKind.HEADLINE, "big"
            bigs.append(s)
    heads = [s for s in bigs if s.kind == BlockKind.HEADLINE]
    flow = [o for o in segs if o.kind in (BlockKind.BODY, BlockKind.LIST)]
    for s in segs:
        # a kicker set near body size, centred just above a headline, is part of the headline;
        # not the foot of a column just above the next module's headline (an intertitle or a
        # body line there, under text of their column)
        if s.kind in (BlockKind.BODY, BlockKind.SUBHEADLINE) and len(s.vlines) <= 2:
            hb = next((h for h in heads if _stacked(s, h, m) and h.box.y0 >= s.box.y1), None)
            if (
                hb is not None
                and abs(s.box.cx - hb.box.cx) < 1.5 * m.cw
                and not _TERMINAL.search(s.text.strip())
                and (s.frame is None or all(_is_centred(v.box, s.frame, m, p) for v in s.vlines))
                and not _text_above(s, flow, m)
            ):
                s.kind = BlockKind.HEADLINE
                continue
        if s.kind == BlockKind.BODY and len(s.vlines) <= 2 and _under_headline(s, heads, m):
            hb = next(h for h in heads if _stacked(s, h, m))
            centred = s.frame is None or all(_is_centred(v.box, s.frame, m, p) for v in s.vlines)
            if (
                centred
                and abs(s.box.cx - hb.box.cx) < 1.5 * m.cw
                and s.box.width < 0.95 * hb.box.width
                and not _TERMINAL.search(s.text.strip())
            ):
                s.kind = BlockKind.SUBHEADLINE


def _pitch_headline(s: _Seg, flow: list[_Seg], bigs: list[_Seg], m: _Metrics, p: LayoutParams) -> bool:
    """A one-line headline of a narrow module that its box height alone does not tell from
    body: set to fit one column, its type shrinks to little over body size, and a scan's blur
    or the engine's tight box takes the rest. Its glyph pitch still shows headline type (body
    lines are justified to body pitch, captions are smaller): one line, wide glyphs, no
    sentence punctuation, its column's text starting right under it, and either nothing of
    its column's text just above (a module's top: under a rule, a photo, a byline) or a
    headline of another column starting level with it (side-by-side modules start there)."""
    if len(s.vlines) != 1 or s.frame is None:
        return False
    v = s.vlines[0]
    t = v.text.strip()
    n = _glyph_count(t)
    if n < 4 or _TERMINAL.search(t) or _LIST_ITEM.match(t) or _BYLINE.match(t):
        return False
    # what the engine half-reads in a photo or through the paper (show-through) is never
    # promoted on size alone: real type of this size reads with high confidence
    if min(ln.confidence for ln in v.lines) < p.weak_confidence:
        return False
    if v.h < 1.05 * m.H or v.box.width / n < p.headline_pitch * m.cw:
        return False
    b = s.box
    below = any(
        o is not s and 0 <= o.box.y0 - b.y1 <= 2 * m.H and o.box.x_overlap(b) > 0.5 * min(o.box.width, b.width)
        for o in flow
    )
    if not below or _under_headline(s, bigs, m):
        return False  # a deck under its headline stays a subheading
    return not _text_above(s, flow, m) or _level_headline(s, bigs, m)


_PUNCT = re.compile(r"[，。、；：！？,.;:!?…]")


def _centred_module_head(
    s: _Seg, segs: list[_Seg], m: _Metrics, p: LayoutParams, frames: list[tuple[float, float]]
) -> bool:
    """A light headline set at body size (a regular face only ~1.3x the body, scaled down
    for a module narrower than the page, comes out no taller and no wider than body type):
    neither box nor pitch tells it. Its place does, relative to the page's own body
    measure: centred over the columns whose text starts right under it (body lines are
    justified edge to edge), at a module's top (none of those columns' text just above:
    an intertitle sits inside its column's flow), no punctuation, read surely, and the
    line under it opens a paragraph (indented). Over two or more columns only: a photo
    caption centred in its one column over an opening paragraph has the same place (tuned
    pages), and a one-column module's body-size headline is told by pitch or level instead."""
    if len(s.vlines) > 2 or s.size == "small" and s.kind != BlockKind.CAPTION:
        return False
    b = s.box
    t = s.text.strip()
    if (
        _glyph_count(t) < 4
        or _PUNCT.search(t)
        or _LIST_ITEM.match(t)
        or _BYLINE.match(t)
        or min(ln.confidence for v in s.vlines for ln in v.lines) < p.weak_confidence
        or b.height < 0.85 * m.H * len(s.vlines)
    ):
        return False
    body = [o for o in segs if o is not s and o.kind in (BlockKind.BODY, BlockKind.LIST) and o.size == "normal"]
    under = [
        o
        for o in body
        if o.frame is not None and 0 <= o.box.y0 - b.y1 <= 2.5 * m.H and o.frame[1] > b.x0 and o.frame[0] < b.x1
    ]
    if not under:
        return False
    # inside a column's flow: an intertitle; a line reaching across a gutter is in no
    # column's flow (at 2.0 leading the module above may end one line gap over it)
    across = len(s.vlines) == 1 and _across(b, frames, m)
    if not across and any(o.box.x_overlap(b) > 0 and 0 <= b.y0 - o.box.y1 <= 2.0 * m.H for o in body):
        return False
    # the module's columns: a run of side-by-side columns whose text starts on the row of the
    # text under s, covering it (a 4-column module's headline may sit over its middle
    # columns; the next module's columns may start on that row too, so every run is tried)
    row = min(o.box.y0 for o in under)
    tops: dict[tuple[float, float], _Seg] = {}
    for o in body:
        if o.frame is not None and abs(o.box.y0 - row) <= 0.5 * m.H and o.box.y0 > b.y1:
            if o.frame not in tops or o.box.y0 < tops[o.frame].box.y0:
                tops[o.frame] = o
    cols = sorted(tops)
    core = [k for k, f in enumerate(cols) if f[1] > b.x0 and f[0] < b.x1]
    if not core:
        return False

    def tiled(a: tuple[float, float], c: tuple[float, float]) -> bool:
        """Side by side; for a heading across a gutter, also two columns with only page
        frames between them (a photo at the top of the middle column starts it lower)."""
        if c[0] - a[1] <= 2 * m.cw:
            return True
        between = sorted(f for f in frames if f[0] >= a[1] and f[1] <= c[0])
        edges = [a, *between, c]
        return across and all(y[0] - x[1] <= 2 * m.cw for x, y in itertools.pairwise(edges))

    for i in range(core[0] + 1):
        for j in range(core[-1], len(cols)):
            if j == i or not all(tiled(cols[k], cols[k + 1]) for k in range(i, j)):
                continue
            x0, x1 = cols[i][0], cols[j][1]
            if abs((x0 + x1) / 2 - b.cx) > m.cw or min(b.x0 - x0, x1 - b.x1) < p.centred_min_cw * m.cw:
                continue
            indent = tops[cols[i]].vlines[0].box.x0 - x0
            if p.indent_min_cw * m.cw <= indent <= p.indent_max_cw * m.cw:
                return s.frame is None or not _column_top_intertitle(s, segs, m, p)
    return False


def _heading_over_indent(v: _Seg, below: _Seg, frame_x0: float, m: _Metrics, p: LayoutParams) -> bool:
    """A line that can head the paragraph under it: 4+ glyphs read with confidence, no
    punctuation, no list item or byline, and the line below opening with a paragraph indent."""
    t = v.text.strip()
    indent = below.box.x0 - frame_x0
    return (
        _glyph_count(t) >= 4
        and not _PUNCT.search(t)
        and not _LIST_ITEM.match(t)
        and not _BYLINE.match(t)
        and min(ln.confidence for ln in v.lines) >= p.weak_confidence
        and p.indent_min_cw * m.cw <= indent <= p.indent_max_cw * m.cw
    )


def _split_level_pairs(segs: list[_Seg], m: _Metrics, p: LayoutParams) -> list[_Seg]:
    """Side-by-side one-column modules under light headlines (about 1.2x the body, shrunk to
    fit the column: body size) at a loose leading: each headline is set one line pitch under
    the text above it, so it chains into the column's flow, mid-segment, and no box, pitch or
    gap tells it. The pair still does: two lines on one row in different columns, each on its
    column's axis with a margin on both sides (body lines are justified edge to edge; a
    paragraph's short last line starts at the edge), no punctuation, each with an indented
    line (a paragraph's opening) under it. Both are split off as headlines, so each opens
    its article instead of running on in the one above."""
    cands: list[tuple[_Seg, int, bool]] = []
    for s in segs:
        f = s.frame
        if s.kind not in (BlockKind.BODY, BlockKind.SUBHEADLINE) or f is None:
            continue
        if s.kind == BlockKind.SUBHEADLINE and len(s.vlines) != 1:
            continue
        for k, v in enumerate(s.vlines):
            if k + 1 < len(s.vlines):
                nxt = s.vlines[k + 1]
            else:  # the segment's last line (a line of its own, or the flow broke under it)
                under = [
                    o.vlines[0]
                    for o in segs
                    if o is not s and o.kind == BlockKind.BODY and o.frame == f and 0 <= o.box.y0 - v.box.y1 <= 2 * m.H
                ]
                if not under:
                    continue
                nxt = min(under, key=lambda u: u.box.y0)
            left, right = v.box.x0 - f[0], f[1] - v.box.x1
            if _heading_over_indent(v, nxt, f[0], m, p):
                # on its column's axis with margins: surely a heading; edge to edge (a
                # two-part title filling the column): only beside one that is
                sure = min(left, right) >= 0.5 * m.cw and abs(left - right) <= m.cw
                if sure or max(left, right) < 0.5 * m.cw:
                    cands.append((s, k, sure))
    paired: dict[int, list[int]] = defaultdict(list)
    for s, k, sure in cands:
        v = s.vlines[k]
        if any(
            o is not s
            and o.frame != s.frame
            and (sure or o_sure)
            and o.vlines[j].box.x_overlap(v.box) <= 0
            and abs(o.vlines[j].box.y0 - v.box.y0) <= 0.5 * m.H
            for o, j, o_sure in cands
        ):
            paired[id(s)].append(k)
    if not paired:
        return segs
    out: list[_Seg] = []
    for s in segs:
        ks = paired.get(id(s))
        if not ks:
            out.append(s)
            continue
        start = 0
        for k in sorted(ks):
            if k > start:
                out.append(_Seg(s.vlines[start:k], s.size, BlockKind.BODY, s.frame))
            out.append(_Seg([s.vlines[k]], "big", BlockKind.HEADLINE, s.frame))
            start = k + 1
        if start < len(s.vlines):
            out.append(_Seg(s.vlines[start:], s.size, BlockKind.BODY, s.frame))
    return out


def _heads_after_bylines(segs: list[_Seg], m: _Metrics, p: LayoutParams) -> None:
    """A light headline shrunk to body size in the column where the article above ended: a
    byline just above it in its column closes that article, so a centred one-line heading
    under it, over an indented opening line, starts the next article (an intertitle sits
    inside its article's flow, never right after the byline that ends it)."""
    bylines = [o for o in segs if o.kind == BlockKind.BYLINE]
    if not bylines:
        return
    for s in segs:
        f = s.frame
        if s.kind not in (BlockKind.SUBHEADLINE, BlockKind.BODY) or f is None or len(s.vlines) != 1:
            continue
        v = s.vlines[0]
        t = v.text.strip()
        left, right = v.box.x0 - f[0], f[1] - v.box.x1
        if (
            _glyph_count(t) < 4
            or _PUNCT.search(t)
            or _LIST_ITEM.match(t)
            or _BYLINE.match(t)
            or min(ln.confidence for ln in v.lines) < p.weak_confidence
            or min(left, right) < 0.5 * m.cw
            or abs(left - right) > m.cw
        ):
            continue
        if not any(o.box.x_overlap(v.box) > 0 and 0 <= v.box.y0 - o.box.y1 <= 3 * m.H for o in bylines):
            continue
        under = [
            o.vlines[0]
            for o in segs
            if o is not s and o.kind == BlockKind.BODY and o.frame == f and 0 <= o.box.y0 - v.box.y1 <= 2 * m.H
        ]
        if under and p.indent_min_cw * m.cw <= min(under, key=lambda u: u.box.y0).box.x0 - f[0] <= p.indent_max_cw * m.cw:
            s.kind, s.size = BlockKind.HEADLINE, "big"


def _split_level_headlines(segs: list[_Seg], m: _Metrics, p: LayoutParams) -> list[_Seg]:
    """A one-column module's headline set at body size (the type shrunk to fit a narrow
    column: neither box nor pitch tells it) chains into the body under it. Its line still
    differs from body text: it heads its column's text, starts level with another column's
    headline (side-by-side modules start on one row), carries no punctuation, and the line
    under it opens a paragraph (indented) where a paragraph's own line would run on. Split
    off, it opens its article instead of ending the one before.

    At the top of a page's text there may be no headline to be level with (the other
    columns carry on articles from the page before): there the line must also sit on the
    axis of its column (a shrunk-to-fit title, or a justified line; a paragraph's short last
    line carried over starts at the column's left edge and ends short)."""
    heads = [s for s in segs if s.kind == BlockKind.HEADLINE]
    text = [s for s in segs if s.kind != BlockKind.OTHER]
    if not text:
        return segs
    page_top = min(s.box.y0 for s in text)
    out: list[_Seg] = []
    for s in segs:
        f = s.frame
        # a caption too: under a photo band that ends the module above, the line is taken
        # for that photo's caption (a caption is never level with a headline and followed
        # by an indented paragraph)
        if s.kind not in (BlockKind.BODY, BlockKind.CAPTION) or f is None:
            out.append(s)
            continue
        if s.kind == BlockKind.CAPTION and len(s.vlines) > 1:
            out.append(s)
            continue
        v0 = s.vlines[0]
        if len(s.vlines) > 1:
            v1 = s.vlines[1]
        else:  # a line of its own: the first line of the body segment right under it
            under = [
                o.vlines[0]
                for o in segs
                if o is not s
                and o.kind == BlockKind.BODY
                and o.frame == f
                and 0 <= o.box.y0 - v0.box.y1 <= 2 * m.H
            ]
            if not under:
                out.append(s)
                continue
            v1 = min(under, key=lambda v: v.box.y0)
        head = (
            _heading_over_indent(v0, v1, f[0], m, p)
            and v0.box.x0 - f[0] < p.indent_min_cw * m.cw
            and (
                any(
                    h.box.x_overlap(v0.box) <= 0
                    and abs(h.box.y0 - v0.box.y0) <= 0.5 * m.H
                    and _glyph_count(h.text) >= 4
                    for h in heads
                )
                or (
                    v0.box.y0 <= page_top + 0.5 * m.H
                    and abs((v0.box.x0 - f[0]) - (f[1] - v0.box.x1)) <= m.cw
                )
            )
            and not any(  # a byline or a photo above ends the module before: not text
                o is not s
                and o.kind in (BlockKind.BODY, BlockKind.LIST)
                and o.box.x_overlap(v0.box) > 0
                and 0 <= v0.box.y0 - o.box.y1 <= 1.5 * m.H
                for o in segs
            )
        )
        if not head:
            out.append(s)
            continue
        out.append(_Seg([v0], "big", BlockKind.HEADLINE, f))
        if len(s.vlines) > 1:
            out.append(_Seg(s.vlines[1:], s.size, BlockKind.BODY, f))
    return out


def _level_headline(s: _Seg, bigs: list[_Seg], m: _Metrics) -> bool:
    """Another headline-size segment, in another column, starts on the same row as s."""
    b = s.box
    return any(
        o is not s
        and o.kind == BlockKind.HEADLINE
        and o.box.x_overlap(b) <= 0
        and abs(o.box.y0 - b.y0) <= 0.5 * m.H
        and _glyph_count(o.text) >= 4
        for o in bigs
    )


def _off_axis_under_headline(s: _Seg, bigs: list[_Seg], m: _Metrics, p: LayoutParams) -> bool:
    """An intertitle at the top of one column of a module, right under the module's wider
    headline but not centred on it: a headline's second block (or a new module's headline)
    would be centred on the same axis, whereas the column break put this intertitle where
    its column starts. Without this it opens a spurious article mid-module. In a narrow
    column (5 columns on A4) an intertitle a little over body size nearly fills the column:
    it leaves about a glyph each side, under `_is_centred`'s margins, so balanced margins of
    at least half a glyph count too (a left-set heading leaves none on the left)."""
    f = s.frame
    if f is None:
        return False
    b = s.box
    left, right = b.x0 - f[0], f[1] - b.x1
    filled = min(left, right) >= 0.5 * m.cw and abs(left - right) <= max(1.2 * m.cw, 0.15 * (left + right))
    if not (filled or _is_centred(b, f, m, p)):
        return False
    return any(
        h is not s
        and h.kind == BlockKind.HEADLINE
        and h.box.width > b.width
        and h.box.x_overlap(b) > 0
        and h.box.y1 <= b.cy
        and b.y0 - h.box.y1 <= 2.0 * m.H  # directly below (a skewed scan may overlap a little)
        and abs(h.box.cx - b.cx) > p.centred_min_cw * m.cw
        for h in bigs
    )


def _column_top_intertitle(s: _Seg, segs: list[_Seg], m: _Metrics, p: LayoutParams) -> bool:
    """An intertitle that the column break put at the top of a column: centred in its column,
    body text right under it, and beside it the next column's body text runs on from above
    it to below it (the article flows through; a module's headline would start level with
    the module's other columns or span them)."""
    f = s.frame
    if f is None or not _is_centred(s.box, f, m, p):
        return False
    b = s.box
    w = f[1] - f[0]
    body = [o for o in segs if o is not s and o.kind in (BlockKind.BODY, BlockKind.LIST) and o.size == "normal"]
    below = any(o.frame == f and 0 <= o.box.y0 - b.y1 <= 2 * m.H for o in body)
    beside = any(
        o.frame is not None
        and o.frame != f
        and abs((o.frame[0] + o.frame[1]) / 2 - (f[0] + f[1]) / 2) <= 1.6 * w
        and o.box.y0 <= b.y0 - 0.5 * m.H
        and o.box.y1 >= b.y1 + m.H
        for o in body
    )
    return below and beside


def _page_top_intertitle(s: _Seg, segs: list[_Seg], m: _Metrics, p: LayoutParams) -> bool:
    """An intertitle that the page break put at the top of a column: centred in its column,
    body text right under it, and the page's text starting beside it with body text (the
    other columns carry on articles from the page before; a module's headline at a page's
    top would have its module's other columns, or other modules' headlines, beside it).
    `_column_top_intertitle` needs the column beside to run on from above it, which at the
    top of a page nothing can. It keeps the space set above it, so it starts lower than the
    text beside it; a headline at a page's top is set level with it."""
    f = s.frame
    if f is None or not _is_centred(s.box, f, m, p):
        return False
    b = s.box
    text = [o for o in segs if o is not s and o.kind != BlockKind.OTHER]
    if not text or b.y0 > min(o.box.y0 for o in text) + m.H:
        return False
    body = [o for o in text if o.kind in (BlockKind.BODY, BlockKind.LIST) and o.size == "normal"]
    below = any(o.frame == f and 0 <= o.box.y0 - b.y1 <= 2 * m.H for o in body)
    tops = [o for o in text if o.box.x_overlap(b) <= 0 and o.box.y0 <= b.y0 + 0.5 * m.H]
    if not tops or not all(any(o is x for x in body) for o in tops):
        return False
    # an intertitle keeps the space set above it; a module's headline is set on the
    # module's top row, level with the first lines of the columns beside it
    return below and b.y0 >= min(o.box.y0 for o in tops) + 0.3 * m.H


def _text_above(s: _Seg, segs: list[_Seg], m: _Metrics) -> bool:
    """Body-size text of the same column ends just above s (s is inside a column's flow).
    "Just above" is 1.5 line heights, or the page's usual line gap plus one line height where
    the leading is loose: at 2.2 leading the gap between body lines is already a line height,
    and the space set above an intertitle takes it past 1.5 (the intertitle then opened a
    spurious article)."""
    b = s.box
    f = s.frame
    reach = max(1.5 * m.H, m.line_gap + 1.0 * m.H)

    def same_column(o: Box) -> bool:  # a short last line beside a centred heading shares no x
        if o.x_overlap(b) > 0.5 * min(o.width, b.width):
            return True
        return f is not None and o.x0 >= f[0] - 0.8 * m.cw and o.x1 <= f[1] + 0.8 * m.cw

    return any(
        o is not s and o.size == "normal" and 0 <= b.y0 - o.box.y1 <= reach and same_column(o.box)
        for o in segs
    )


def _stacked(a: _Seg, b: _Seg, m: _Metrics) -> bool:
    """a and b sit directly above one another, sharing x-range (headline stacks)."""
    gap = max(a.box.y0 - b.box.y1, b.box.y0 - a.box.y1)
    return gap <= 1.5 * max(a.h, b.h) and a.box.x_overlap(b.box) > 0.3 * min(a.box.width, b.box.width)


def _under_headline(s: _Seg, bigs: list[_Seg], m: _Metrics) -> bool:
    return any(_stacked(s, h, m) and h.box.y1 <= s.box.y0 for h in bigs)


def _is_list(s: _Seg, f: tuple[float, float] | None, m: _Metrics, p: LayoutParams) -> bool:
    """One item a line: numbered items, or centred lines of varying length (award lists)."""
    texts = [v.text.strip() for v in s.vlines]
    if sum(1 for t in texts if _LIST_ITEM.match(t)) >= max(2, len(texts) // 2):
        return True
    if f is None:
        return False
    centred = sum(1 for v in s.vlines if _is_centred(v.box, f, m, p))
    return centred >= 0.7 * len(s.vlines)


def _photo_gap_above(s: _Seg, segs: list[_Seg], m: _Metrics, p: LayoutParams) -> bool:
    """An empty band (a photo) above a short block: under text further up its x-range, or
    under the top of the page's text when its x-range has none (a photo heading a column)."""
    b = s.box
    above = [o.box.y1 for o in segs if o is not s and o.box.y1 <= b.y0 + 0.2 * m.H and o.box.x_overlap(b) > 0]
    if above:
        return b.y0 - max(above) >= p.caption_gap * m.H
    # nothing above it in its x-range: a photo at the top of the column, measured from the
    # top of the page's text (the other columns start there; a heading that opens a column
    # starts level with them). A caption is followed by its column's body text or nothing;
    # a short line over headline type is a kicker, not a caption.
    others = [o for o in segs if o is not s]
    if not others:
        return False
    top = min(o.box.y0 for o in others)
    below = [o for o in others if o.box.y0 >= b.y1 - 0.2 * m.H and o.box.x_overlap(b) > 0]
    nxt = min(below, key=lambda o: o.box.y0, default=None)
    # ... unless its glyphs are smaller than body glyphs: a kicker is never set below body
    # size, a caption is (a photo heading a column, over the next module's headline)
    v = s.vlines[0]
    small = v.box.width / max(1.0, _glyph_count(v.text.strip())) < 0.92 * m.cw
    return b.y0 - top >= p.caption_gap * m.H and (nxt is None or nxt.size != "big" or small)


# --------------------------------------------------------------------------- reading order


def _groups(items: list[_Seg], axis: str) -> list[list[_Seg]]:
    """Split items along an axis at gaps of the projection profile (no item crosses a cut)."""

    def lo(s: _Seg) -> float:
        return s.box.x0 if axis == "x" else s.box.y0

    def hi(s: _Seg) -> float:
        return s.box.x1 if axis == "x" else s.box.y1

    out: list[list[_Seg]] = []
    end = float("-inf")
    for s in sorted(items, key=lo):
        if out and lo(s) < end:
            out[-1].append(s)
            end = max(end, hi(s))
        else:
            out.append([s])
            end = hi(s)
    return out


def _xy_order(items: list[_Seg], m: _Metrics) -> list[_Seg]:
    """Recursive XY-cut: cuts above a headline first (article modules, read row by row), then
    column gutters, then any horizontal cut; where nothing cuts, a topological sort."""
    if len(items) <= 1:
        return list(items)
    rows = _groups(items, "y")
    cols = _groups(items, "x")
    if len(rows) > 1:
        module = [
            i for i in range(1, len(rows)) if _starts_module(rows[i], m) and not _wrapped_heading(rows[i - 1], rows[i], m)
        ]
        if module:
            merged: list[list[_Seg]] = []
            bounds = [0, *module, len(rows)]
            for a, b in itertools.pairwise(bounds):
                merged.append([s for r in rows[a:b] for s in r])
            return [s for g in merged for s in _xy_order(g, m)]
    if len(rows) > 1 and len(cols) > 1:
        # stacked multi-column modules with no headline between them: a band of white across
        # every column, wider than the line spacing but narrower than a photo (columns are read
        # through a photo), with body columns on both sides of it
        cuts = [
            i
            for i in range(1, len(rows))
            if _band_cut(rows[:i], rows[i], m)
            and not _headline_at_cut(rows[i - 1], rows[i], m)
            and (_columns_at_cut(rows[:i], rows[i:], m) or _byline_at_cut(rows[:i], rows[i:], m))
        ]
        if cuts:
            bounds = [0, *cuts, len(rows)]
            return [
                s
                for a, b in itertools.pairwise(bounds)
                for s in _xy_order([x for r in rows[a:b] for x in r], m)
            ]
    if len(cols) > 1 and _vertical_cut_ok(cols, m):
        cols = _headless_to_module(cols, m)
        return [s for g in cols for s in _xy_order(g, m)]
    if len(rows) > 1:
        groups = _merge_rows(rows)
        if len(groups) == 1:  # the rows only hang together by a cut refused above: take them as they are
            groups = rows
        return [s for g in groups for s in _xy_order(g, m)]
    return _topo_order(items)


def _band_cut(above: list[list[_Seg]], below: list[_Seg], m: _Metrics) -> bool:
    """A white band across every column, wider than the line spacing but narrower than a
    photo; a little narrower when a byline ends the rows above just over it (a module's last
    column ends there)."""
    top = max(s.box.y1 for r in above for s in r)
    band = min(s.box.y0 for s in below) - top
    if band > 2.5 * m.H:
        return False
    if band >= m.break_gap:
        return True
    byline_end = any(s.kind == BlockKind.BYLINE and s.box.y1 >= top - 1.5 * m.H for r in above for s in r)
    return byline_end and band >= m.break_gap - 0.3 * m.H


def _headline_at_cut(above: list[_Seg], below: list[_Seg], m: _Metrics) -> bool:
    """A headline ends just above the band or starts just below it: the band is the white
    around that headline (a module cut handles it), not a boundary of headless modules. A
    headline further down (an intertitle-sized one in the lower module) does not count."""
    top = max(s.box.y1 for s in above)
    bottom = min(s.box.y0 for s in below)
    return any(s.kind == BlockKind.HEADLINE and s.box.y1 >= top - 0.5 * m.H for s in above) or any(
        s.kind == BlockKind.HEADLINE and s.box.y0 <= bottom + 0.5 * m.H for s in below
    )


def _columns_at_cut(above: list[list[_Seg]], below: list[list[_Seg]], m: _Metrics) -> bool:
    """Body text ends in two or more columns just above the cut and starts in two or more just
    below it: a module boundary, not the white around a photo in one column."""
    top = max(s.box.y1 for r in above for s in r)
    bottom = min(s.box.y0 for r in below for s in r)
    ends = [s for r in above for s in r if s.box.y1 >= top - 2 * m.H and s.kind != BlockKind.CAPTION]
    starts = [s for r in below for s in r if s.box.y0 <= bottom + 2 * m.H and s.kind != BlockKind.CAPTION]
    return len(_groups(ends, "x")) > 1 and len(_groups(starts, "x")) > 1


def _byline_at_cut(above: list[list[_Seg]], below: list[list[_Seg]], m: _Metrics) -> bool:
    """The text just above the band is a byline (an article ends there: its column does not
    run on through the band, as a column does through a photo) and body text starts in two or
    more columns just below it. The other columns of the modules above may have ended long
    before (a short continuation over a tall module), so `_columns_at_cut` sees one column."""
    top = max(s.box.y1 for r in above for s in r)
    bottom = min(s.box.y0 for r in below for s in r)
    last = [s for r in above for s in r if s.box.y1 >= top - 0.5 * m.H]
    starts = [s for r in below for s in r if s.box.y0 <= bottom + 2 * m.H and s.kind != BlockKind.CAPTION]
    return bool(last) and all(s.kind == BlockKind.BYLINE for s in last) and len(_groups(starts, "x")) > 1


def _vertical_cut_ok(cols: list[list[_Seg]], m: _Metrics) -> bool:
    """A column cut must not read a column before a headline that stands above it in a later
    column group (a centred headline narrower than its module leaves a gutter beside it)."""
    top0 = min(s.box.y0 for s in cols[0])
    # only a headline just above the first group's top: far above it (a photo heads that
    # column), the headline belongs to its own column module
    return not any(
        s.kind == BlockKind.HEADLINE and top0 - 4 * m.H <= s.box.y1 <= top0 + 0.5 * m.H
        for g in cols[1:]
        for s in g
    )


def _headless_to_module(cols: list[list[_Seg]], m: _Metrics) -> list[list[_Seg]]:
    """A column group with no headline, left of a group whose headline stands just above its
    top, joins that group when the headline is centred over the run of columns from it to
    one of the columns on its right (and the headline on its left is not centred over a run
    ending with it): it is the first column of that module, left out of the headline's
    reach by centring only (two modules side by side, headlines on one row; a cut at each
    gutter would read it before the headline, in the module on its left)."""

    def x0(s: _Seg) -> float:
        return s.frame[0] if s.frame is not None else s.box.x0

    def x1(s: _Seg) -> float:
        return s.frame[1] if s.frame is not None else s.box.x1

    def heads(g: list[_Seg], top: float) -> list[_Seg]:
        return [s for s in g if s.kind == BlockKind.HEADLINE and top - 4 * m.H <= s.box.y1 <= top + 0.5 * m.H]

    out = [list(g) for g in cols]
    i = 0
    while i + 1 < len(out):
        g, nxt = out[i], out[i + 1]
        if any(s.kind == BlockKind.HEADLINE for s in g):
            i += 1
            continue
        top = min(s.box.y0 for s in g)
        left, right = min(x0(s) for s in g), max(x1(s) for s in g)
        ends = sorted({x1(s) for g2 in out[i + 1 :] for s in g2 if s.kind != BlockKind.HEADLINE})
        mine = any(
            h.box.x0 >= right - m.cw and any(e >= h.box.x1 and abs((left + e) / 2 - h.box.cx) <= m.cw for e in ends)
            for h in heads(nxt, top)
        )
        starts = sorted({x0(s) for s in out[i - 1] if s.kind != BlockKind.HEADLINE}) if i > 0 else []
        theirs = i > 0 and any(
            any(b <= h.box.x0 and abs((b + right) / 2 - h.box.cx) <= m.cw for b in starts) for h in heads(out[i - 1], top)
        )
        if mine and not theirs:
            log.debug("headless column at x %.0f-%.0f joins the module of the headline on its right", left, right)
            out[i : i + 2] = [g + nxt]
        else:
            i += 1
    return out


def _merge_rows(rows: list[list[_Seg]]) -> list[list[_Seg]]:
    """Rejoin horizontal slices that still have a column gutter together: a byline or caption
    ending one column lower than the others must not cut the columns into bands (the
    region only lacked a vertical cut because of a spanning headline above)."""
    out: list[list[_Seg]] = [list(rows[0])]
    for r in rows[1:]:
        merged = out[-1] + r
        if len(out[-1]) > 0 and len(_groups(out[-1], "x")) > 1 and len(_groups(merged, "x")) > 1:
            out[-1] = merged
        else:
            out.append(list(r))
    return out


def _starts_module(row: list[_Seg], m: _Metrics) -> bool:
    """A slice headed by a headline begins a new article module: its top element, or one
    starting level with it (side-by-side modules whose headlines differ by a few pixels, the
    other one an intertitle-sized headline or a kicker)."""
    top = min(s.box.y0 for s in row)
    return any(s.kind == BlockKind.HEADLINE and s.box.y0 <= top + 0.5 * m.H for s in row)


def _wrapped_heading(above: list[_Seg], row: list[_Seg], m: _Metrics) -> bool:
    """Every headline opening the slice goes on a headline of the same size just above it
    (less than half its height of white between them, sharing its x): the next line of a
    wrapped headline, not a new module. Side-by-side narrow modules' headlines wrap row by row
    at tight leading, and a cut there would read each module's first headline line together."""
    top = min(s.box.y0 for s in row)
    heads = [s for s in row if s.kind == BlockKind.HEADLINE and s.box.y0 <= top + 0.5 * m.H]
    return bool(heads) and all(
        any(
            o.kind == BlockKind.HEADLINE
            and 0.8 <= h.box.height / max(o.box.height, 1e-6) <= 1.25
            and -0.2 * h.box.height <= h.box.y0 - o.box.y1 <= 0.5 * h.box.height
            and not _x_apart(o.box, h.box)
            for o in above
        )
        for h in heads
    )


def _topo_order(items: list[_Seg]) -> list[_Seg]:
    """Breuel's partial order: a before b if they share x-range and a is above, or a is left of b
    with nothing between them in y that overlaps both in x; resolved by a topological sort."""
    n = len(items)
    boxes = [s.box for s in items]
    succ: list[set[int]] = [set() for _ in range(n)]
    indeg = [0] * n
    for i in range(n):
        a = boxes[i]
        for j in range(n):
            if i == j:
                continue
            b = boxes[j]
            before = False
            if a.x_overlap(b) > 0.3 * min(a.width, b.width):
                before = a.cy < b.cy
            elif a.cx < b.cx and not (items[i].kind == BlockKind.HEADLINE and b.cy < a.y0):
                # a headline opens what lies under it: text beside it that stands mostly above
                # its top is not after it (a module's headline left of the end of the module
                # above, whose own columns over the headline the scan lost)
                ylo, yhi = min(a.y1, b.y1), max(a.y0, b.y0)
                before = not any(
                    k not in (i, j)
                    and boxes[k].x0 < b.x1
                    and boxes[k].x1 > a.x0
                    and boxes[k].x_overlap(a) > 0
                    and boxes[k].x_overlap(b) > 0
                    and ylo <= boxes[k].cy <= yhi
                    for k in range(n)
                )
            if before and j not in succ[i]:
                succ[i].add(j)
    for i in range(n):
        for j in succ[i]:
            indeg[j] += 1
    heap = [(boxes[i].y0, boxes[i].x0, i) for i in range(n) if indeg[i] == 0]
    heapq.heapify(heap)
    out: list[int] = []
    while heap:
        _, _, i = heapq.heappop(heap)
        out.append(i)
        for j in succ[i]:
            indeg[j] -= 1
            if indeg[j] == 0:
                heapq.heappush(heap, (boxes[j].y0, boxes[j].x0, j))
    if len(out) < n:  # a cycle (overlapping boxes): append the rest top to bottom
        rest = sorted((i for i in range(n) if i not in set(out)), key=lambda i: (boxes[i].y0, boxes[i].x0))
        out.extend(rest)
    return [items[i] for i in out]


def _insert_captions(ordered: list[_Seg], captions: list[_Seg]) -> list[_Seg]:
    """Put each caption after the text closest above it in its x-range (the text the photo
    interrupts or follows), or before the first text below it."""
    out = list(ordered)
    for c in sorted(captions, key=lambda s: (s.box.y0, s.box.x0)):
        cb = c.box
        above = [i for i, s in enumerate(out) if s.box.y1 <= cb.y0 + 1 and s.box.x_overlap(cb) > 0]
        if above:
            i = max(above, key=lambda i: (out[i].box.y1, i))
            out.insert(i + 1, c)
            continue
        below = [i for i, s in enumerate(out) if s.box.y0 >= cb.y1 - 1 and s.box.x_overlap(cb) > 0]
        if below:
            out.insert(min(below), c)
        else:
            out.append(c)
    return out


# --------------------------------------------------------------------------- paragraphs and blocks

_BlockSpec = tuple[BlockKind, list[Line], "tuple[float, float] | None"]


def _paragraphs(ordered: list[_Seg], m: _Metrics, p: LayoutParams) -> list[_BlockSpec]:
    """Blocks in reading order: body segments split into paragraphs; a paragraph that runs on
    into the next body segment (no indent there, previous line full) stays one block. Captions
    met while such a paragraph is open wait until it closes."""
    out: list[_BlockSpec] = []
    open_para: list[Line] | None = None  # the body paragraph that may continue
    pending: list[_BlockSpec] = []

    def flush() -> None:
        nonlocal open_para
        open_para = None
        out.extend(pending)
        pending.clear()

    for s in ordered:
        if s.kind == BlockKind.CAPTION and open_para is not None:
            pending.append((s.kind, [ln for v in s.vlines for ln in v.lines], s.frame))
            continue
        if s.kind != BlockKind.BODY:
            flush()
            out.append((s.kind, _mark_starts(s, m, p), s.frame))
            continue
        f = s.frame or (s.box.x0, s.box.x1)
        for k, v in enumerate(s.vlines):
            indent = v.box.x0 - f[0]
            starts = indent >= p.indent_min_cw * m.cw
            if k > 0:
                prev = s.vlines[k - 1]
                if f[1] - prev.box.x1 >= p.short_line_cw * m.cw:
                    starts = True
            elif open_para is None or s.frame is None:
                starts = True
            if starts or open_para is None:
                flush()
                open_para = []
                v.lines[0].para_start = True
                out.append((BlockKind.BODY, open_para, f))
            open_para.extend(v.lines)
        last = s.vlines[-1]
        if f[1] - last.box.x1 >= p.short_line_cw * m.cw:
            flush()
    flush()
    return out


def _mark_starts(s: _Seg, m: _Metrics, p: LayoutParams) -> list[Line]:
    """Lines of a non-body block; each list item and the block's first line start a paragraph."""
    lines = [ln for v in s.vlines for ln in v.lines]
    for k, v in enumerate(s.vlines):
        if k == 0 or s.kind == BlockKind.LIST:
            v.lines[0].para_start = True
    return lines


def _emit(page: Page, specs: list[_BlockSpec], other: list[Line], frames: list[tuple[float, float]]) -> None:
    """Build Block objects with ids in reading order; `other` blocks last, outside the order."""
    lefts: list[float] = []
    for f in sorted(frames):
        if not lefts or f[0] - lefts[-1] > 1.0:
            lefts.append(f[0])
    blocks: list[Block] = []
    line_order = 0
    n = 0
    for kind, lines, frame in specs:
        if not lines:
            continue
        n += 1
        bid = f"{page.page_id}_b{n:03d}"
        col = -1
        if frame is not None:
            col = min(range(len(lefts)), key=lambda i: abs(lefts[i] - frame[0])) if lefts else -1
        for k, ln in enumerate(lines, 1):
            ln.line_id = f"{bid}_l{k:03d}"
            ln.block_id = bid
            ln.order = line_order
            line_order += 1
        blocks.append(
            Block(
                block_id=bid,
                kind=kind,
                box=Box.enclosing([ln.box for ln in lines]),
                lines=list(lines),
                order=len(blocks),
                column=col,
                layout_box=Box.enclosing([ln.lbox for ln in lines]),
            )
        )
    for ln in sorted(other, key=lambda ln: (ln.lbox.y0, ln.lbox.x0)):
        n += 1
        bid = f"{page.page_id}_b{n:03d}"
        ln.line_id = f"{bid}_l001"
        ln.block_id = bid
        ln.order = -1
        ln.para_start = True
        blocks.append(Block(bid, BlockKind.OTHER, ln.box, [ln], order=-1, column=-1, layout_box=ln.lbox))
    page.blocks = blocks


# --------------------------------------------------------------------------- articles


def build_articles(issue: Issue) -> Issue:
    """Group the issue's blocks into articles in reading order and set `block.article_id`.

    A headline opens an article once the open one has more than headings (so a headline set
    as two blocks stays one article); a subheadline directly followed by a headline is a kicker
    and opens it too. Text before any headline on a page continues the articles left open on
    the previous page in the order they were cut off (a byline ends each part), or, when each
    was cut at the foot of its own column and the lead is set as one run per column, by column
    position (`_runs_by_column`)."""
    articles: list[Article] = []
    current: Article | None = None
    has_content = False
    closed: set[str] = set()  # articles whose byline has been read: they take no more text
    last_text: dict[str, tuple[int, str]] = {}  # article -> page and text of its last non-heading block
    foot: dict[str, bool] = {}  # article -> its last non-heading block ends its column on its page
    last_box: dict[str, Box] = {}  # article -> box of its last non-heading block
    prev_no = -1
    for page in issue.pages:
        for b in page.blocks:
            b.article_id = ""
        seq = [b for b in page.reading_order_blocks() if b.kind not in (BlockKind.MASTHEAD, BlockKind.OTHER)]
        # articles cut off at the foot of the previous page continue here in the order they were
        # left (first cut off, first continued): text before any headline goes to the earliest
        # one still open, and after its byline, the next one
        carried = [
            a
            for a in articles
            if a.article_id not in closed and a.article_id in last_text and last_text[a.article_id][0] == prev_no
        ]
        # the page's lead: what comes before its first headline (or kicker), the continuations
        first_head = next(
            (
                k
                for k, b in enumerate(seq)
                if b.kind == BlockKind.HEADLINE
                or (b.kind == BlockKind.SUBHEADLINE and k + 1 < len(seq) and seq[k + 1].kind == BlockKind.HEADLINE)
            ),
            len(seq),
        )
        if not all(b.kind == BlockKind.BYLINE for b in seq[:first_head]):
            # mid-sentence ones first: one that ended a sentence there may just have no byline
            # printed. A lead of bylines only carries no text to judge by: the bylines then
            # follow the order the articles were cut off in
            # and of those, ones cut off at the foot of their column before ones whose text
            # stops above another block of the page (an article that ends above the next
            # module's headline was not cut off by the page: OCR may just have lost its full stop)
            carried.sort(
                key=lambda a: (
                    bool(_SENTENCE_END.search(last_text[a.article_id][1])),
                    not _SENTENCE_END.search(last_text[a.article_id][1]) and not foot[a.article_id],
                )
            )
            if seq[0].kind == BlockKind.BYLINE:
                # a lead that opens on a byline: it ends an article whose text was complete at
                # the foot of the previous page (a byline carried over alone); one cut off
                # mid-sentence goes on with text, so the complete ones come first here
                carried.sort(key=lambda a: not _SENTENCE_END.search(last_text[a.article_id][1]))
            elif seq[0].kind == BlockKind.LIST or _LIST_ITEM.match(seq[0].text.strip()):
                # a lead that opens on a list item does not finish a sentence cut mid-way: it
                # goes on from an article that ended a sentence, a colon or a list item
                carried.sort(key=lambda a: not _opens_list(last_text[a.article_id][1]))
        # several articles cut at the feet of their own columns, and a lead set as as many runs
        # in columns of their own: each run continues the article cut in the same position,
        # left to right, whatever their last sentences say
        switch = _runs_by_column(seq[:first_head], carried, last_box, foot)
        if switch:
            carried = [switch[k] for k in sorted(switch)]
        if seq and seq[0].kind != BlockKind.HEADLINE and carried and current is not None:
            nxt0 = seq[1] if len(seq) > 1 else None
            if not (seq[0].kind == BlockKind.SUBHEADLINE and nxt0 is not None and nxt0.kind == BlockKind.HEADLINE):
                current, has_content = carried.pop(0), True
        for k, b in enumerate(seq):
            nxt = seq[k + 1] if k + 1 < len(seq) else None
            kicker = b.kind == BlockKind.SUBHEADLINE and nxt is not None and nxt.kind == BlockKind.HEADLINE
            if k > 0 and k in switch:
                current, has_content = switch[k], True
                if current in carried:
                    carried.remove(current)
            elif (
                current is not None
                and current.article_id in closed
                and b.kind
                not in (
                    BlockKind.HEADLINE,
                    BlockKind.BYLINE,
                )
                and not kicker
            ):
                # text after a byline with no headline of its own: the continuation of the
                # latest article still open (one cut off at the foot of an earlier page)
                while carried and carried[0].article_id in closed:
                    carried.pop(0)
                reopened = carried.pop(0) if carried else None
                reopened = reopened or next((a for a in reversed(articles) if a.article_id not in closed), None)
                if reopened is not None:
                    current, has_content = reopened, True
            elif (
                current is not None
                and current.article_id in closed
                and b.kind == BlockKind.BYLINE
                and 0 < k < first_head
                and seq[k - 1].kind == BlockKind.BYLINE
                and seq[k - 1].article_id == current.article_id
            ):
                # a second byline in a row before the page's first headline: the foot of the
                # next article carried over, not a second byline of the one just closed
                while carried and carried[0].article_id in closed:
                    carried.pop(0)
                if carried:
                    current, has_content = carried.pop(0), True
            if current is None or (has_content and (b.kind == BlockKind.HEADLINE or kicker)):
                current = Article(
                    article_id=f"{issue.issue_id}_a{len(articles) + 1:03d}",
                    issue_id=issue.issue_id,
                    page_no=page.page_no,
                    order=len(articles),
                )
                articles.append(current)
                has_content = False
            current.block_ids.append(b.block_id)
            b.article_id = current.article_id
            if b.kind not in (BlockKind.HEADLINE, BlockKind.SUBHEADLINE):
                has_content = True
                last_text[current.article_id] = (page.page_no, b.text.strip())
                foot[current.article_id] = _at_column_foot(b, seq)
                last_box[current.article_id] = b.box
            # in the page's lead a byline followed by another ends its part even in one column:
            # two continuations end there, each with its byline
            lead_pair = k + 1 < first_head and seq[k + 1].kind == BlockKind.BYLINE
            if b.kind == BlockKind.BYLINE and has_content and (_byline_ends(seq, k) or lead_pair):
                closed.add(current.article_id)
        prev_no = page.page_no
    issue.articles = articles
    return issue


def _opens_list(text: str) -> bool:
    """Text a list may follow: an ended sentence, a colon, or a list item (the list runs on)."""
    last = (text.splitlines() or [""])[-1].strip()
    return bool(_SENTENCE_END.search(text)) or text.endswith(("：", ":")) or bool(_LIST_ITEM.match(last))


def _runs_by_column(
    lead: list[Block], carried: list[Article], last_box: dict[str, Box], foot: dict[str, bool]
) -> dict[int, Article]:
    """Index in the page's lead of each run's first block -> the carried article it continues,
    when the match is by column position: two or more articles, each cut at the foot of a column
    of its own (their last lines level), and the lead set as just as many runs, each in a column
    of its own and each opening at the top of the page's text (a run ends where the text moves
    to a column beside it, or at a byline that ends it), each in the column its article was cut
    in. An article's last sentence may end at the page foot by chance, so the order they were
    cut off in cannot tell them apart; the repeating grid can. Empty when the counts or
    positions do not say it (the cut-off order then decides)."""
    if len(carried) < 2 or any(not foot.get(a.article_id) or a.article_id not in last_box for a in carried):
        return {}
    starts: list[int] = []
    first: Box | None = None
    ended = False
    for k, b in enumerate(lead):
        if b.kind == BlockKind.BYLINE:
            pair = k + 1 < len(lead) and lead[k + 1].kind == BlockKind.BYLINE
            ended = ended or (bool(starts) and (_byline_ends(lead, k) or pair))
            continue
        if first is None or ended or _x_apart(b.box, first):
            starts.append(k)
            first, ended = b.box, False
    if len(starts) != len(carried):
        return {}
    heads = [lead[k].box for k in starts]
    cuts = [last_box[a.article_id] for a in carried]
    for boxes in (heads, cuts):
        if any(not _x_apart(a, c) for i, a in enumerate(boxes) for c in boxes[i + 1 :]):
            return {}
    by_x = sorted(carried, key=lambda a: last_box[a.article_id].cx)
    ranks = sorted(range(len(starts)), key=lambda i: heads[i].cx)
    # each run opens at the top of the page's text, each cut at the foot: columns side by side.
    # A run that opens on a caption opens on its photo: the photo did not fit at the foot of the
    # page before, so that column was cut short there and its text here starts below the photo
    lh = statistics.median(b.box.height / max(1, len(b.lines)) for b in lead)
    top, low = min(h.y0 for h in heads), max(c.y1 for c in cuts)
    for r, i in enumerate(ranks):
        photo = lead[starts[i]].kind == BlockKind.CAPTION and not any(
            b.box.y1 <= heads[i].y0 and not _x_apart(b.box, heads[i]) for b in lead
        )
        cut = last_box[by_x[r].article_id]
        if not photo and (heads[i].y0 > top + 1.5 * lh or cut.y1 < low - 1.5 * lh):
            return {}
    # and each run in the column its article was cut in (the grid repeats from page to page):
    # a run in another column is the one before it flowing on, or an article that had ended
    if any(_x_apart(heads[i], last_box[by_x[r].article_id]) for r, i in enumerate(ranks)):
        return {}
    return {starts[i]: by_x[r] for r, i in enumerate(ranks)}


def _x_apart(a: Box, c: Box) -> bool:
    """The two boxes share less than half the narrower one's width: side by side, not stacked."""
    return min(a.x1, c.x1) - max(a.x0, c.x0) < 0.5 * min(a.x1 - a.x0, c.x1 - c.x0)


def _at_column_foot(b: Block, seq: list[Block]) -> bool:
    """No other block of the page's text lies below `b` across most of its width: the page,
    not the next article, ended its text there (a continued article is cut at a foot)."""
    w = max(1.0, b.box.x1 - b.box.x0)
    return not any(
        o is not b
        and o.box.y0 >= b.box.y1 - 0.5 * b.box.height / max(1, len(b.lines))
        and min(o.box.x1, b.box.x1) - max(o.box.x0, b.box.x0) > 0.5 * min(w, o.box.x1 - o.box.x0)
        for o in seq
    )


def _byline_ends(seq: list[Block], k: int) -> bool:
    """A byline ends its article unless body text of the same column follows it directly
    (a byline printed under the headline, before the text)."""
    nxt = seq[k + 1] if k + 1 < len(seq) else None
    return (
        nxt is None or nxt.kind in (BlockKind.HEADLINE, BlockKind.SUBHEADLINE) or nxt.column != seq[k].column
    )
