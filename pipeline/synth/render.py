"""Typeset newsletter pages with Pillow and the Debian CJK fonts, recording where every line went.

The layout model is a page grid of N columns; articles fill "modules" (a span of grid columns)
row by row, each module with its headlines across the top and its text flowing down one column
and into the next. Columns are balanced (the shortest module height that holds the article),
and what does not fit carries to the next page in `render_issue`, so truth always equals ink."""

from __future__ import annotations

import dataclasses
import logging
import random
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..model import Box
from .content import ContentArticle, ContentBlock, ContentPage, Entity, IssueContent
from .truth import TruthBlock, TruthEntity, TruthLine, TruthPage

log = logging.getLogger(__name__)

_NOTO = "/usr/share/fonts/opentype/noto/"
FONTS: dict[str, tuple[str, int]] = {
    "serif": (_NOTO + "NotoSerifCJK-Regular.ttc", 2),  # index 2 = Simplified Chinese faces
    "serif_bold": (_NOTO + "NotoSerifCJK-Bold.ttc", 2),
    "sans": (_NOTO + "NotoSansCJK-Regular.ttc", 2),
    "sans_bold": (_NOTO + "NotoSansCJK-Bold.ttc", 2),
    "ming": ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
}
PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}

NO_LINE_START = set("，。、；：？！）》」』”’…—·%,.;:?!)")
NO_LINE_END = set("（《「『“‘(")
RED = (175, 25, 30)
BLACK = (20, 20, 20)


@dataclass(frozen=True)
class Template:
    """A page design. `rows` lists, row by row, how many grid columns each article module spans."""

    name: str
    paper: str = "A3"
    columns: int = 4
    rules: bool = True  # vertical rules between columns and modules
    rows: tuple[tuple[int, ...], ...] = ((4,),)
    margin_mm: float = 15.0
    gutter_mm: float = 5.0
    body_pt: float = 10.5
    line_spacing: float = 1.55
    body_font: str = "serif"
    head_font: str = "sans_bold"
    sub_font: str = "sans_bold"
    caption_font: str = "sans"
    headline_pt: float = 26.0
    kicker_pt: float = 16.0
    head_color: tuple[int, int, int] = BLACK
    title_color: tuple[int, int, int] = RED
    title_left: bool = True  # masthead title on the left, printed fields on the right


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in [
        Template("tongxin-a3", "A3", 4, True, ((4,), (2, 2), (4,)), head_color=RED),
        Template(
            "classic-a4",
            "A4",
            3,
            False,
            ((3,), (2, 1), (3,)),
            margin_mm=14,
            body_pt=10,
            body_font="ming",
            head_font="serif_bold",
            headline_pt=22,
        ),
        Template(
            "modular-a3",
            "A3",
            4,
            True,
            ((2, 2), (1, 3), (4,)),
            body_pt=10,
            body_font="sans",
            headline_pt=24,
            title_left=False,
        ),
        Template("a4-2col", "A4", 2, True, ((2,), (1, 1), (2,)), body_pt=11, headline_pt=22, head_font="serif_bold"),
        Template(
            "broadsheet-a3",
            "A3",
            3,
            False,
            ((3,), (1, 2), (3,)),
            body_pt=12,
            headline_pt=30,
            line_spacing=1.5,
            head_color=(20, 40, 110),
        ),
    ]
}
# Benchmarks tune on the others and report these separately, to see layout generalise.
HELD_OUT_TEMPLATES = frozenset({"modular-a3", "a4-2col"})


@lru_cache(maxsize=64)
def _font(name: str, px: int) -> ImageFont.FreeTypeFont:
    path, index = FONTS[name]
    return ImageFont.truetype(path, px, index=index)


def _is_narrow(ch: str) -> bool:
    return ch.isascii()


# --------------------------------------------------------------------------- typesetting


@dataclass
class _TLine:
    """A typeset line: characters at x offsets from the item's left edge, on a baseline."""

    text: str
    font: str
    px: int
    xs: list[float]
    baseline: float  # from the item's top
    color: tuple[int, int, int] = BLACK


@dataclass
class _Item:
    """What flows down a column: a paragraph line, an intertitle, a photo with caption ..."""

    kind: str  # line / sub / photo / byline / list
    block: int  # index of the source block in the article
    height: float
    lines: list[_TLine] = field(default_factory=list)
    photo: tuple[float, float, float] | None = None  # x offset, width, height of a photo at the top
    keep_next: bool = False
    start: int = 0  # body/list: offset of this item's text in the block text (for carry-over)


def _advances(text: str, font: ImageFont.FreeTypeFont, space_em: float) -> list[float]:
    px = font.size
    return [space_em * px if ch == " " else font.getlength(ch) for ch in text]


def _break(text: str, adv: list[float], width: float, indent: float) -> list[tuple[int, int]]:
    """Greedy Chinese line breaking with the usual kinsoku rules: closing punctuation never
    starts a line (it is squeezed onto the previous one), opening punctuation never ends one,
    and a run of digits/Latin is never split."""
    ranges: list[tuple[int, int]] = []
    i, n = 0, len(text)
    avail = width - indent
    while i < n:
        j, w = i, 0.0
        while j < n and w + adv[j] <= avail + 0.01:
            w += adv[j]
            j += 1
        if j == i:
            j = i + 1
        if j < n:
            while j < n and text[j] in NO_LINE_START and j - i < 60:
                j += 1
            if j < n and text[j - 1] in NO_LINE_END and j - 1 > i:
                j -= 1
            k = j
            while k > i and text[k - 1].isascii() and text[k - 1].isalnum() and text[k].isascii() and text[k].isalnum():
                k -= 1
            if k > i:
                j = k
        ranges.append((i, j))
        i = j
        avail = width
    return ranges


def _set_line(
    text: str, adv: list[float], width: float, x0: float, justify: bool, align: str = "left"
) -> list[float]:
    """x offsets of each character: justified lines spread (or squeeze) the gaps between
    Chinese characters to fill `width`; runs of Latin/digits keep their natural spacing."""
    natural = sum(adv)
    gaps = [k for k in range(1, len(text)) if not (_is_narrow(text[k - 1]) and _is_narrow(text[k]))]
    extra = 0.0
    if justify and gaps:
        extra = (width - natural) / len(gaps)
    if align == "center":
        x0 += (width - natural) / 2
    elif align == "right":
        x0 += width - natural
    xs: list[float] = []
    x = x0
    gapset = set(gaps)
    for k, a in enumerate(adv):
        if k in gapset:
            x += extra
        xs.append(x)
        x += a
    return xs


def _text_lines(
    text: str, font: str, px: int, width: float, *, indent: float = 0.0, justify: bool, align: str, space_em: float = 1.0
) -> tuple[list[_TLine], list[tuple[int, int]]]:
    f = _font(font, px)
    adv = _advances(text, f, space_em)
    ranges = _break(text, adv, width, indent)
    out = []
    for li, (a, b) in enumerate(ranges):
        seg, sadv = text[a:b], adv[a:b]
        last = li == len(ranges) - 1
        x0 = indent if li == 0 else 0.0
        xs = _set_line(seg, sadv, width - x0, x0, justify and not last, align)
        out.append(_TLine(seg, font, px, xs, 0.0))
    return out, ranges


# --------------------------------------------------------------------------- page geometry


@dataclass
class _Geom:
    width: int
    height: int
    dpi: float
    left: float
    top: float
    right: float
    bottom: float
    col_w: float
    gutter: float
    columns: int

    def col_x(self, c: int) -> float:
        return self.left + c * (self.col_w + self.gutter)

    def span_w(self, k: int) -> float:
        return k * self.col_w + (k - 1) * self.gutter


def _geom(t: Template, dpi: float) -> _Geom:
    wmm, hmm = PAPER_MM[t.paper]
    mm = dpi / 25.4
    w, h = round(wmm * mm), round(hmm * mm)
    margin, gutter = t.margin_mm * mm, t.gutter_mm * mm
    col_w = (w - 2 * margin - (t.columns - 1) * gutter) / t.columns
    return _Geom(w, h, dpi, margin, margin, w - margin, h - margin, col_w, gutter, t.columns)


def _pt(pt: float, dpi: float) -> int:
    return max(6, round(pt / 72 * dpi))


# --------------------------------------------------------------------------- drawing helpers


class _Canvas:
    """The page image plus the truth blocks collected while drawing."""

    def __init__(self, g: _Geom, rng: random.Random):
        self.g = g
        self.rng = rng
        self.img = Image.new("RGB", (g.width, g.height), (255, 255, 255))
        self.draw = ImageDraw.Draw(self.img)

    def text_line(self, ln: _TLine, x: float, y: float) -> Box:
        """Draw one line with its top-left at (x, y); return the box around its ink and em-box."""
        f = _font(ln.font, ln.px)
        base = y + ln.baseline
        boxes = []
        for ch, cx in zip(ln.text, ln.xs):
            if ch == " ":
                continue
            self.draw.text((x + cx, base), ch, font=f, fill=ln.color, anchor="ls")
            boxes.append(Box.from_list(list(self.draw.textbbox((x + cx, base), ch, font=f, anchor="ls"))))
        ink = Box.enclosing(boxes)
        em = Box(ink.x0, base - 0.88 * ln.px, ink.x1, base + 0.12 * ln.px)
        return ink.union(em).rounded()

    def photo(self, x: float, y: float, w: float, h: float) -> None:
        """A halftoned photo: a smooth random scene screened into dots, as newsprint prints it."""
        rs = np.random.default_rng(self.rng.randrange(1 << 30))
        W, H = max(8, int(w)), max(8, int(h))
        small = rs.normal(size=(max(2, H // 60), max(2, W // 60)))
        import cv2

        scene = cv2.resize(small, (W, H), interpolation=cv2.INTER_CUBIC)
        yy, xx = np.mgrid[0:H, 0:W]
        scene = scene + 1.5 * (yy / H) - 0.5
        for _ in range(rs.integers(2, 6)):  # a few figures / objects
            cx, cy = rs.uniform(0.1, 0.9) * W, rs.uniform(0.3, 0.9) * H
            rx, ry = rs.uniform(0.05, 0.12) * W, rs.uniform(0.15, 0.35) * H
            scene += 1.6 * np.exp(-(((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2))
        scene = (scene - scene.min()) / (np.ptp(scene) + 1e-9)
        dark = 0.15 + 0.7 * scene  # 0 = white, 1 = black
        cell = max(5, int(self.g.dpi / 45))
        cy_ = (yy // cell) * cell + cell / 2
        cx_ = (xx // cell) * cell + cell / 2
        cells = dark[np.clip(cy_.astype(int), 0, H - 1), np.clip(cx_.astype(int), 0, W - 1)]
        radius = np.sqrt(cells) * cell * 0.62
        dots = np.hypot(yy - cy_, xx - cx_) <= radius
        arr = np.where(dots, 35, 250).astype(np.uint8)
        self.img.paste(Image.fromarray(arr).convert("RGB"), (int(x), int(y)))
        self.draw.rectangle([int(x), int(y), int(x) + W - 1, int(y) + H - 1], outline=(60, 60, 60), width=2)

    def qr(self, x: float, y: float, size: float) -> None:
        """A QR-code-like square (random modules and three finder patterns): page furniture."""
        n = 25
        m = size / n
        rs = np.random.default_rng(self.rng.randrange(1 << 30))
        grid = rs.random((n, n)) < 0.5
        for ox, oy in ((0, 0), (n - 7, 0), (0, n - 7)):
            grid[oy : oy + 7, ox : ox + 7] = False
            grid[oy : oy + 7, ox] = grid[oy : oy + 7, ox + 6] = True
            grid[oy, ox : ox + 7] = grid[oy + 6, ox : ox + 7] = True
            grid[oy + 2 : oy + 5, ox + 2 : ox + 5] = True
        for r in range(n):
            for c in range(n):
                if grid[r, c]:
                    self.draw.rectangle(
                        [x + c * m, y + r * m, x + (c + 1) * m - 1, y + (r + 1) * m - 1], fill=(0, 0, 0)
                    )

    def hrule(self, x0: float, x1: float, y: float, width: int = 3) -> None:
        self.draw.line([(x0, y), (x1, y)], fill=(40, 40, 40), width=width)

    def vrule(self, x: float, y0: float, y1: float) -> None:
        self.draw.line([(x, y0), (x, y1)], fill=(90, 90, 90), width=2)


@dataclass
class _Placed:
    """A truth block under construction."""

    kind: str
    article: int
    source: ContentBlock | None
    lines: list[TruthLine]
    column: int
    continues: bool = False
    order_key: int = 0

    def text(self) -> str:
        from ..model import join_lines

        texts = [ln.text for ln in self.lines]
        if self.kind in ("list", "masthead"):
            return "\n".join(t.strip() for t in texts if t.strip())
        return join_lines(texts)


# --------------------------------------------------------------------------- masthead & furniture


def _masthead(cv: _Canvas, t: Template, mh: ContentBlock | None, furniture: list[ContentBlock]) -> tuple[float, list[_Placed]]:
    """Draw the masthead band (page 1) or a running head; return the y where modules start."""
    g = cv.g
    placed: list[_Placed] = []
    small = _pt(t.body_pt * 1.05, g.dpi)
    if mh is None:
        y = g.top
        x = g.left
        lines = []
        for fb in furniture:
            tl, _ = _text_lines(fb.text, "sans", small, g.right - g.left, justify=False, align="left", space_em=1.0)
            tl[0].baseline = 0.88 * small
            box = cv.text_line(tl[0], x, y)
            placed.append(_Placed("other", -1, fb, [TruthLine(fb.text, box)], -1))
            x = box.x1 + 3 * small
            lines.append(box)
        bottom = max((b.y1 for b in lines), default=g.top)
        cv.hrule(g.left, g.right, bottom + 0.4 * small, 3)
        return bottom + 1.2 * small, placed

    items = mh.text.split("\n")
    title, publisher, fields = items[0], items[1] if len(items) > 1 else "", items[2:]
    title_px = _pt(64, g.dpi)
    pub_px = _pt(13, g.dpi)
    field_px = _pt(12.5, g.dpi)
    mlines: list[TruthLine] = []
    # title (generous letter spacing, like a calligraphic masthead) and publisher under it
    tf = _font(t.head_font, title_px)
    adv = _advances(title, tf, 1.0)
    tw = sum(adv) + 0.25 * title_px * (len(title) - 1)
    tx = g.left if t.title_left else g.right - tw
    xs = _set_line(title, adv, tw, 0.0, True)
    ttl = _TLine(title, t.head_font, title_px, xs, 0.88 * title_px, t.title_color)
    tbox = cv.text_line(ttl, tx, g.top)
    mlines.append(TruthLine(title, tbox))
    if publisher:
        pl, _ = _text_lines(publisher, "sans", pub_px, tw, justify=False, align="center", space_em=1.0)
        pl[0].baseline = 0.88 * pub_px
        pbox = cv.text_line(pl[0], tx, tbox.y1 + 0.5 * pub_px)
        mlines.append(TruthLine(publisher, pbox))
    title_bottom = mlines[-1].box.y1
    # printed fields stacked on the other side
    fw = 10 * field_px
    fx = g.right - fw if t.title_left else g.left
    fy = g.top + 0.3 * field_px
    for fld in fields:
        fl, _ = _text_lines(fld, "serif_bold", field_px, fw, justify=False, align="right" if t.title_left else "left")
        fl[0].baseline = 0.88 * field_px
        fbox = cv.text_line(fl[0], fx, fy)
        mlines.append(TruthLine(fld, fbox))
        fy = fbox.y1 + 0.7 * field_px
    fields_bottom = fy
    # QR code with its furniture text, in the middle of the band
    qsize = 1.0 * (title_bottom - g.top)
    qx = (g.left + g.right) / 2 + (g.right - g.left) * 0.08 if t.title_left else g.left + fw + 2 * field_px
    cv.qr(qx, g.top, qsize)
    fy2 = g.top
    fur_px = _pt(9, g.dpi)
    for fb in furniture:
        fl, _ = _text_lines(fb.text, "sans", fur_px, 30 * fur_px, justify=False, align="left", space_em=1.0)
        fl[0].baseline = 0.88 * fur_px
        fbox = cv.text_line(fl[0], qx + qsize + 0.6 * fur_px, fy2 + 0.2 * qsize)
        placed.append(_Placed("other", -1, fb, [TruthLine(fb.text, fbox)], -1))
        fy2 = fbox.y1
    placed.insert(0, _Placed("masthead", -1, mh, mlines, -1))
    bottom = max(title_bottom, fields_bottom, g.top + qsize) + 0.5 * field_px
    cv.hrule(g.left, g.right, bottom, 6)
    cv.hrule(g.left, g.right, bottom + 10, 2)
    return bottom + 1.5 * field_px, placed


# --------------------------------------------------------------------------- modules


@dataclass
class _Module:
    article: ContentArticle
    col0: int
    ncols: int


def _header_lines(t: Template, g: _Geom, art: ContentArticle, ncols: int) -> tuple[list[tuple[int, list[_TLine]]], int]:
    """Headlines across the module's top: (block index, lines) and the index of the first body block."""
    width = g.span_w(ncols)
    scale = 0.65 + 0.35 * ncols / g.columns
    out = []
    i = 0
    while i < len(art.blocks) and art.blocks[i].kind == "headline" and not art.blocks[i].continued:
        blk = art.blocks[i]
        px = _pt((t.kicker_pt if blk.level == 0 else t.headline_pt) * scale, g.dpi)
        font = t.sub_font if blk.level == 0 else t.head_font
        natural = sum(_advances(blk.text, _font(font, px), 1.0))
        if width < natural <= width * 1.3:  # shrink a slightly long headline onto one line
            px = int(px * width / natural) - 1
        tl, _ = _text_lines(blk.text, font, px, width, justify=False, align="center", space_em=1.0)
        for ln in tl:
            ln.color = t.head_color
        out.append((i, tl))
        i += 1
    return out, i


def _flow_items(t: Template, g: _Geom, art: ContentArticle, first: int) -> list[_Item]:
    """Break the article's blocks (from `first`) into column items."""
    w = g.col_w
    px = _pt(t.body_pt, g.dpi)
    lh = px * t.line_spacing
    items: list[_Item] = []
    for bi in range(first, len(art.blocks)):
        blk = art.blocks[bi]
        k = blk.kind
        if k in ("body", "headline"):  # a headline after body text is printed like an intertitle
            if k == "body":
                indent = 0.0 if blk.continued else 2 * px
                tl, ranges = _text_lines(blk.text, t.body_font, px, w, indent=indent, justify=True, align="left")
                for ln, (a, _) in zip(tl, ranges):
                    ln.baseline = 0.5 * lh + 0.38 * px
                    items.append(_Item("line", bi, lh, [ln], start=a))
                continue
        if k in ("subheadline", "headline"):
            spx = _pt(t.body_pt * 1.2, g.dpi)
            tl, _ = _text_lines(blk.text, t.sub_font, spx, w, justify=False, align="center", space_em=1.0)
            top = 0.6 * lh
            for j, ln in enumerate(tl):
                ln.baseline = top + j * spx * 1.35 + 0.88 * spx
            items.append(_Item("sub", bi, top + len(tl) * spx * 1.35 + 0.35 * lh, tl, keep_next=True))
        elif k == "caption":
            cpx = _pt(t.body_pt * 0.85, g.dpi)
            pw = w
            ph = pw * (blk.photo or 0.0)
            tl, _ = _text_lines(blk.text, t.caption_font, cpx, w, justify=False, align="center")
            top = 0.3 * lh + ph + (0.5 * cpx if ph else 0)
            for j, ln in enumerate(tl):
                ln.baseline = top + j * cpx * 1.4 + 0.88 * cpx
            h = top + len(tl) * cpx * 1.4 + 0.5 * lh
            items.append(_Item("photo", bi, h, tl, photo=(0.0, pw, ph) if ph else None))
        elif k == "byline":
            tl, _ = _text_lines(blk.text, t.body_font, px, w, justify=False, align="right", space_em=0.5)
            for j, ln in enumerate(tl):
                ln.baseline = 0.5 * lh + 0.38 * px + j * lh
            items.append(_Item("byline", bi, lh * len(tl), tl))
        elif k == "list":
            pos = 0
            for j, item in enumerate(blk.text.split("\n")):
                ipx = px
                f = _font(t.body_font, ipx)
                while sum(_advances(item, f, 0.5)) > w and ipx > px * 0.6:  # one item, one line
                    ipx -= 1
                    f = _font(t.body_font, ipx)
                xs = _set_line(item, _advances(item, f, 0.5), w, 0.0, False)
                ln = _TLine(item, t.body_font, ipx, xs, 0.5 * lh + 0.38 * px)
                keep = blk.group > 1 and j % blk.group != blk.group - 1
                items.append(_Item("list", bi, lh, [ln], keep_next=keep, start=pos))
                pos += len(item) + 1
        elif k in ("masthead", "other"):
            log.warning("block kind %s inside an article is not printed", k)
    return items


def _pack(items: list[_Item], ncols: int, height: float) -> tuple[list[list[tuple[_Item, float]]], int]:
    """Fill columns top to bottom; returns the columns and how many items were placed."""
    cols: list[list[tuple[_Item, float]]] = [[]]
    y = 0.0
    i = 0
    while i < len(items):
        it = items[i]
        need, j = it.height, i
        while items[j].keep_next and j + 1 < len(items) and j - i < 4:  # keep chains together
            j += 1
            need += items[j].height
        if y + need > height + 0.01 and cols[-1] and len(cols) < ncols:
            cols.append([])
            y = 0.0
            continue
        if y + it.height > height + 0.01:
            break
        cols[-1].append((it, y))
        y += it.height
        i += 1
    return cols, i


def _balanced(items: list[_Item], ncols: int, max_h: float) -> tuple[float, list[list[tuple[_Item, float]]], int]:
    """The shortest height (<= max_h) that holds every item in `ncols` columns, or max_h."""
    if not items:
        return 0.0, [[]], 0
    cols, n = _pack(items, ncols, max_h)
    if n < len(items):
        return max_h, cols, n
    lo = max(it.height for it in items)
    hi = max_h
    while hi - lo > 2:
        mid = (lo + hi) / 2
        _, n = _pack(items, ncols, mid)
        if n == len(items):
            hi = mid
        else:
            lo = mid
    cols, n = _pack(items, ncols, hi)
    return hi, cols, n


def _carry(art: ContentArticle, items: list[_Item], n: int, header_done: bool) -> ContentArticle | None:
    """What of an article did not fit: the remaining blocks, the first one cut where it stopped."""
    if header_done and n >= len(items):
        return None
    if not header_done:
        return art
    it = items[n]
    blk = art.blocks[it.block]
    rest = art.blocks[it.block + 1 :]
    placed_before = any(x.block == it.block for x in items[:n])
    if placed_before and it.kind in ("line", "list"):
        cut = dataclasses.replace(blk, text=blk.text[it.start :], continued=True)
        return ContentArticle(art.index, [cut, *rest])
    return ContentArticle(art.index, [dataclasses.replace(blk, continued=blk.kind != "headline"), *rest])


def _module_height(t: Template, g: _Geom, m: _Module, max_h: float) -> float:
    heads, first = _header_lines(t, g, m.article, m.ncols)
    hh = _header_height(heads, g, t)
    items = _flow_items(t, g, m.article, first)
    h, _, _ = _balanced(items, m.ncols, max(0.0, max_h - hh))
    return hh + h


def _header_height(heads: list[tuple[int, list[_TLine]]], g: _Geom, t: Template) -> float:
    if not heads:
        return 0.0
    h = 0.0
    for _, tl in heads:
        h += sum(ln.px * 1.3 for ln in tl)
    return h + _pt(t.body_pt, g.dpi) * 0.9


def _draw_module(
    cv: _Canvas, t: Template, m: _Module, y0: float, max_h: float, placed: list[_Placed]
) -> tuple[float, ContentArticle | None]:
    """Draw one article module from y0; return the height used and what did not fit."""
    g = cv.g
    heads, first = _header_lines(t, g, m.article, m.ncols)
    hh = _header_height(heads, g, t)
    items = _flow_items(t, g, m.article, first)
    if heads and hh + (items[0].height if items else 0) > max_h:
        return 0.0, m.article
    x0 = g.col_x(m.col0)
    y = y0
    span_col = m.col0 if m.ncols == 1 else -1
    for bi, tl in heads:
        lines = []
        for ln in tl:
            ln.baseline = 0.88 * ln.px + 0.1 * ln.px
            box = cv.text_line(ln, x0, y)
            lines.append(TruthLine(ln.text, box))
            y += ln.px * 1.3
        blk = m.article.blocks[bi]
        placed.append(_Placed("headline", m.article.index, blk, lines, span_col))
    y = y0 + hh
    h, cols, n = _balanced(items, m.ncols, max(0.0, max_h - hh))
    for ci, col in enumerate(cols):
        cx = g.col_x(m.col0 + ci)
        cur: _Placed | None = None
        for it, iy in col:
            blk = m.article.blocks[it.block]
            if it.photo is not None:
                px_, pw, ph = it.photo
                cv.photo(cx + px_, y + iy + 0.3 * _pt(t.body_pt, g.dpi) * t.line_spacing, pw, ph)
            lines = [TruthLine(ln.text, cv.text_line(ln, cx, y + iy)) for ln in it.lines]
            if cur is not None and cur.source is blk and it.kind in ("line", "list"):
                cur.lines += lines
                continue
            cont = (it.kind in ("line", "list") and it.start > 0) or (
                blk.continued and it.kind in ("line", "list") and it.start == 0 and cur is None
            )
            cur = _Placed(blk.kind, m.article.index, blk, lines, m.col0 + ci, continues=cont)
            placed.append(cur)
        if t.rules and ci > 0 and col:
            cv.vrule(cx - g.gutter / 2, y, y + h)
    return hh + h, _carry(m.article, items, n, True)


# --------------------------------------------------------------------------- entities


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans inside “…”, ‘…’ and 《…》, where ENTITIES.md tags nothing."""
    spans = []
    for o, c in (("“", "”"), ("《", "》")):
        i = 0
        while (a := text.find(o, i)) >= 0:
            b = text.find(c, a + 1)
            if b < 0:
                break
            spans.append((a + 1, b))
            i = b + 1
    return spans


def find_mentions(text: str, entities: list[Entity]) -> list[tuple[Entity, int, int]]:
    """Every printed occurrence of the supplied entities: longest surface first, no overlaps,
    nothing inside quotes or book-title marks (project and brand names) except an award title
    that is the whole quoted text."""
    taken: list[tuple[int, int]] = []
    quoted = _quoted_spans(text)
    out: list[tuple[Entity, int, int]] = []
    for e in sorted(set(entities), key=lambda e: (-len(e.text), e.text)):
        i = 0
        while (a := text.find(e.text, i)) >= 0:
            b = a + len(e.text)
            i = a + 1
            if any(a < y and x < b for x, y in taken):
                continue
            whole_quote = a > 0 and b < len(text) and text[a - 1] in "“\"" and text[b] in "”\""
            if any(x <= a and b <= y for x, y in quoted) and not e.text.startswith("“"):
                # ENTITIES.md: quotes around a whole award title stay outside (“先进集体”称号 -> 先进集体)
                if not (e.type == "award" and whole_quote):
                    continue
            taken.append((a, b))
            out.append((e, a, b))
    return sorted(out, key=lambda m: m[1])


# --------------------------------------------------------------------------- pages


def _layout_page(
    page: ContentPage,
    t: Template,
    dpi: float,
    seed: int,
    carried: list[ContentArticle],
) -> tuple[Image.Image, list[_Placed], list[ContentArticle]]:
    g = _geom(t, dpi)
    cv = _Canvas(g, random.Random(seed))
    y, placed = _masthead(cv, t, page.masthead, page.furniture)
    furniture = [p for p in placed if p.kind == "other"]
    placed = [p for p in placed if p.kind != "other"]
    queue = list(carried) + list(page.articles)
    leftover: list[ContentArticle] = []
    rows = list(t.rows)
    ri = 0
    while queue:
        row = rows[ri] if ri < len(rows) else (g.columns,)
        ri += 1
        spans = list(row)
        if len(queue) < len(spans):  # fewer articles than modules: the last one takes the rest
            spans = spans[: len(queue) - 1] + [sum(spans[len(queue) - 1 :])]
        mods, c = [], 0
        for k in spans:
            mods.append(_Module(queue.pop(0), c, k))
            c += k
        avail = g.bottom - y
        last_row = not queue
        row_h = max(_module_height(t, g, m, avail) for m in mods) if not last_row else avail
        row_h = min(row_h, avail)
        used = 0.0
        for m in mods:
            h, rest = _draw_module(cv, t, m, y, row_h, placed)
            used = max(used, h)
            if rest is not None:
                leftover.append(rest)
        if t.rules:
            for m in mods[1:]:
                cv.vrule(g.col_x(m.col0) - g.gutter / 2, y, y + used)
        if used <= 0:
            break
        y += used + 0.6 * _pt(t.body_pt, dpi)
        if y >= g.bottom - 3 * _pt(t.body_pt, dpi) * t.line_spacing:
            break
        cv.hrule(g.left, g.right, y - 0.3 * _pt(t.body_pt, dpi), 2)
    leftover += queue
    return cv.img, placed + furniture, leftover


def _truth(
    placed: list[_Placed], img: Image.Image, t: Template, dpi: float, seed: int, issue: IssueContent | None, page_no: int
) -> TruthPage:
    blocks: list[TruthBlock] = []
    order = 0
    sources: list[ContentBlock | None] = []
    for p in placed:
        box = Box.enclosing([ln.box for ln in p.lines])
        tb = TruthBlock(p.kind, p.article, box, p.text(), p.lines, -1, p.column, p.continues)
        if p.kind != "other":
            tb.order = order
            order += 1
        blocks.append(tb)
        sources.append(p.source)
    tp = TruthPage(
        width=img.width,
        height=img.height,
        dpi=float(dpi),
        blocks=blocks,
        page_no=page_no,
        template=t.name,
        seed=seed,
    )
    if issue is not None:
        tp.issue_number = issue.issue_number
        tp.date = issue.date
        tp.next_date = issue.next_date
        tp.publisher = issue.publisher
        tp.printed_pages = issue.printed_pages
    for i, (b, src) in enumerate(zip(blocks, sources)):
        if src is None or b.kind == "other" or not src.entities:
            continue
        if b.continues and i > 0 and sources[i - 1] is src:
            continue  # mentions were found on the paragraph's first block
        for e, a, z in find_mentions(tp.paragraph_text(i), src.entities):
            tp.entities.append(TruthEntity(e.type, e.text, e.normalized, e.role, i, a, z))
    return tp


def render_page(
    content_page: ContentPage,
    template: Template | str,
    dpi: float = 300,
    seed: int = 0,
    *,
    issue: IssueContent | None = None,
    page_no: int = 1,
) -> tuple[Image.Image, TruthPage]:
    """Render one page; content that does not fit is left out (and logged), never half-recorded."""
    t = TEMPLATES[template] if isinstance(template, str) else template
    img, placed, leftover = _layout_page(content_page, t, dpi, seed, [])
    if leftover:
        log.info("page %d: %d article(s) did not fit template %s", page_no, len(leftover), t.name)
    return img, _truth(placed, img, t, dpi, seed, issue, page_no)


def render_issue(
    issue: IssueContent, template: Template | str, dpi: float = 300, seed: int = 0, max_pages: int = 12
) -> list[tuple[Image.Image, TruthPage]]:
    """Render every page of an issue; an article that overflows a page continues on the next,
    and extra pages are added (up to `max_pages`) while anything is left."""
    t = TEMPLATES[template] if isinstance(template, str) else template
    out: list[tuple[Image.Image, TruthPage]] = []
    carried: list[ContentArticle] = []
    pages = list(issue.pages)
    k = 0
    while k < len(pages) or carried:
        if k >= max_pages:
            raise ValueError(f"issue does not fit in {max_pages} pages of template {t.name}")
        page = pages[k] if k < len(pages) else ContentPage([], None, [])
        img, placed, carried = _layout_page(page, t, dpi, seed + k, carried)
        if not any(p.kind not in ("other", "masthead") for p in placed) and carried:
            raise ValueError(f"nothing fits on a page of template {t.name}")
        out.append((img, _truth(placed, img, t, dpi, seed + k, issue, k + 1)))
        k += 1
    return out
