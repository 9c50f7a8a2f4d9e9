"""The document model every stage reads and extends: issue -> page -> block -> line.

Plain dataclasses, no pixel arrays. Raw OCR text is never overwritten: `Line.text_raw`
keeps what the engine read, `Line.text` is the corrected text, and every difference between
them is a `Correction` record on the issue. Coordinates in `Line.box` / `Block.box` are pixels
of the original scan (the dataset contract); `Line.layout_box` is the same line in the cleaned,
deskewed image, which is what layout reasons in (columns are axis-aligned there).

Every node has `to_dict()` / `from_dict()` so an issue round-trips through JSON exactly
(resume state, `issues/ISSUE_ID.json`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Iterator

# --------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class Box:
    """Axis-aligned box in pixels; x1 >= x0 and y1 >= y0 are checked at construction."""

    x0: float
    y0: float
    x1: float
    y1: float

    def __post_init__(self) -> None:
        if not (self.x1 >= self.x0 and self.y1 >= self.y0):
            raise ValueError(f"degenerate box: {self}")

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def area(self) -> float:
        return self.width * self.height

    def union(self, other: Box) -> Box:
        return Box(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1))

    def x_overlap(self, other: Box) -> float:
        return max(0.0, min(self.x1, other.x1) - max(self.x0, other.x0))

    def y_overlap(self, other: Box) -> float:
        return max(0.0, min(self.y1, other.y1) - max(self.y0, other.y0))

    def rounded(self) -> Box:
        return Box(round(self.x0), round(self.y0), round(self.x1), round(self.y1))

    @staticmethod
    def enclosing(boxes: list[Box]) -> Box:
        if not boxes:
            raise ValueError("no boxes to enclose")
        return Box(
            min(b.x0 for b in boxes), min(b.y0 for b in boxes), max(b.x1 for b in boxes), max(b.y1 for b in boxes)
        )

    @staticmethod
    def from_points(points: list[tuple[float, float]] | list[list[float]]) -> Box:
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        return Box(min(xs), min(ys), max(xs), max(ys))

    def to_list(self) -> list[float]:
        return [self.x0, self.y0, self.x1, self.y1]

    @staticmethod
    def from_list(v: list[float]) -> Box:
        return Box(*map(float, v))


# --------------------------------------------------------------------------- text helpers

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u2e80-\u2fdf]")
_LATIN_END = re.compile(r"[A-Za-z0-9]$")
_LATIN_START = re.compile(r"^[A-Za-z0-9]")


def is_cjk(ch: str) -> bool:
    """True for CJK ideographs and full-width punctuation (where a line break adds no space)."""
    return bool(_CJK.match(ch))


def join_lines(texts: list[str]) -> str:
    """Join the lines of one paragraph as printed: no space at a line break, except between
    two Latin words (or digits), where the break stands for a printed space."""
    out = ""
    for t in texts:
        t = t.strip()
        if not t:
            continue
        if out and _LATIN_END.search(out) and _LATIN_START.match(t) and not (out[-1].isdigit() and t[0].isdigit()):
            out += " "
        out += t
    return out


# --------------------------------------------------------------------------- enums


class BlockKind(StrEnum):
    MASTHEAD = "masthead"
    HEADLINE = "headline"
    SUBHEADLINE = "subheadline"
    BODY = "body"
    BYLINE = "byline"
    CAPTION = "caption"
    LIST = "list"
    OTHER = "other"  # page furniture, text read inside photos, junk: kept, outside reading order


class EntityType(StrEnum):
    PERSON = "person"
    UNIT = "unit"
    AWARD = "award"
    PLACE = "place"
    DATE = "date"


class PageStatus(StrEnum):
    OK = "ok"
    ERROR = "error"


# --------------------------------------------------------------------------- nodes


def _asdict(obj: Any) -> dict[str, Any]:
    """Shallow dataclass -> dict that converts Box and enums, recursing via to_dict()."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, Box):
            v = v.to_list()
        elif isinstance(v, StrEnum):
            v = str(v)
        elif isinstance(v, list) and v and hasattr(v[0], "to_dict"):
            v = [x.to_dict() for x in v]
        elif isinstance(v, (list, dict)):
            v = _plain(v)
        out[f.name] = v
    return out


def _plain(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


@dataclass
class Line:
    """One text line as the engine read it, with the corrected text beside the raw one."""

    line_id: str
    box: Box  # original scan pixels
    text_raw: str  # what the engine read; never changed after OCR
    text: str  # corrected text (starts equal to text_raw)
    confidence: float
    layout_box: Box | None = None  # same line in the cleaned image (what layout uses)
    char_confidences: list[float] = field(default_factory=list)  # per character of text_raw, if known
    block_id: str = ""
    order: int = -1  # reading order on the page; -1 outside reading order
    para_start: bool = False  # layout: this line starts a paragraph (first-line indent, ...)

    @property
    def lbox(self) -> Box:
        """The box layout should use: the cleaned-image box when known."""
        return self.layout_box if self.layout_box is not None else self.box

    def to_dict(self) -> dict[str, Any]:
        d = _asdict(self)
        d["layout_box"] = self.layout_box.to_list() if self.layout_box else None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Line:
        d = dict(d)
        d["box"] = Box.from_list(d["box"])
        d["layout_box"] = Box.from_list(d["layout_box"]) if d.get("layout_box") else None
        return cls(**d)


@dataclass
class Block:
    """A layout block: one paragraph of body text, a headline, a caption, a masthead ...

    Its text is derived from its lines (so corrections to lines flow into it) and joined with
    no space at line breaks between Chinese characters."""

    block_id: str
    kind: BlockKind
    box: Box  # original scan pixels
    lines: list[Line] = field(default_factory=list)
    order: int = -1  # reading order on the page; -1 for kind other
    article_id: str = ""
    column: int = -1  # column index on the page, -1 when spanning or unknown
    layout_box: Box | None = None

    @property
    def text(self) -> str:
        if self.kind in (BlockKind.LIST, BlockKind.MASTHEAD):
            return "\n".join(ln.text.strip() for ln in self.lines if ln.text.strip())
        return join_lines([ln.text for ln in self.lines])

    @property
    def text_raw(self) -> str:
        if self.kind in (BlockKind.LIST, BlockKind.MASTHEAD):
            return "\n".join(ln.text_raw.strip() for ln in self.lines if ln.text_raw.strip())
        return join_lines([ln.text_raw for ln in self.lines])

    def line_spans(self) -> list[tuple[Line, int, int]]:
        """(line, start, end) of each line's text inside `self.text`; how block offsets map to lines."""
        text = self.text
        spans: list[tuple[Line, int, int]] = []
        pos = 0
        for ln in self.lines:
            t = ln.text.strip()
            if not t:
                spans.append((ln, pos, pos))
                continue
            i = text.find(t, pos)
            if i < 0:  # cannot happen with join_lines, but never crash on it
                i = pos
            spans.append((ln, i, i + len(t)))
            pos = i + len(t)
        return spans

    def to_dict(self) -> dict[str, Any]:
        d = _asdict(self)
        d["layout_box"] = self.layout_box.to_list() if self.layout_box else None
        d["text"] = self.text
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Block:
        d = dict(d)
        d.pop("text", None)
        d["box"] = Box.from_list(d["box"])
        d["layout_box"] = Box.from_list(d["layout_box"]) if d.get("layout_box") else None
        d["kind"] = BlockKind(d["kind"])
        d["lines"] = [Line.from_dict(x) for x in d.get("lines", [])]
        return cls(**d)


@dataclass
class Step:
    """Provenance: which stage did what to a page, with which settings (kraken's ProcessingStep).
    No timings here: the dataset must be byte-identical across runs of the same input."""

    stage: str
    description: str
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return _asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Step:
        return cls(**d)


@dataclass
class Page:
    """One page of an issue. Pixels are not kept: `source_file` + `source_index` find them again."""

    page_id: str
    issue_id: str
    page_no: int  # 1-based, after rasterising multi-page files
    source_file: str  # path relative to the scans folder
    source_index: int = 0  # frame of a multi-page TIFF / page of a PDF
    sha256: str = ""  # of the source file
    width: int = 0  # original scan pixels
    height: int = 0
    skew_deg: float = 0.0  # measured skew that cleanup corrected
    rotation: int = 0  # 0/90/180/270 applied by cleanup
    status: PageStatus = PageStatus.OK
    error: str = ""
    dpi: float | None = None
    blocks: list[Block] = field(default_factory=list)
    ocr_lines: list[Line] = field(default_factory=list)  # OCR output before layout places it in blocks
    steps: list[Step] = field(default_factory=list)
    cleanup: list[str] = field(default_factory=list)  # cleanup steps applied, in order
    transform: list[list[float]] = field(default_factory=list)  # 2x3 affine: cleaned image -> original scan

    @property
    def lines(self) -> list[Line]:
        """All lines of the page: those in blocks in block order, then any not yet placed."""
        out = [ln for b in sorted(self.blocks, key=_block_sort_key) for ln in b.lines]
        return out + self.ocr_lines

    def block(self, block_id: str) -> Block:
        for b in self.blocks:
            if b.block_id == block_id:
                return b
        raise KeyError(block_id)

    def reading_order_blocks(self) -> list[Block]:
        return sorted((b for b in self.blocks if b.order >= 0), key=lambda b: b.order)

    def reading_order_text(self) -> str:
        """The page as a reader reads it: blocks in reading order, one per line."""
        return "\n".join(b.text for b in self.reading_order_blocks() if b.text)

    def to_dict(self) -> dict[str, Any]:
        return _asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Page:
        d = dict(d)
        d["status"] = PageStatus(d["status"])
        d["blocks"] = [Block.from_dict(x) for x in d.get("blocks", [])]
        d["ocr_lines"] = [Line.from_dict(x) for x in d.get("ocr_lines", [])]
        d["steps"] = [Step.from_dict(x) for x in d.get("steps", [])]
        return cls(**d)


def _block_sort_key(b: Block) -> tuple[int, float, float]:
    return (b.order if b.order >= 0 else 1_000_000, b.box.y0, b.box.x0)


@dataclass
class Article:
    """Blocks that belong together: headline, subheadline, byline and body, possibly across pages."""

    article_id: str
    issue_id: str
    page_no: int  # page where it starts
    order: int
    block_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return _asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        return cls(**d)


@dataclass
class Correction:
    """One change to OCR text: `before` -> `after` at [start, end) of the line's text as it stood
    when the rule ran. Corrections apply in `correction_id` order, so replaying them on
    `text_raw` gives `text` (see `replay_corrections`)."""

    correction_id: str
    line_id: str
    start: int
    end: int
    before: str
    after: str
    rule: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return _asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Correction:
        return cls(**d)


@dataclass
class Mention:
    """An entity mention; start/end are offsets into the block's `text`."""

    mention_id: str
    entity_id: str
    type: EntityType
    text: str
    normalized: str
    page_id: str
    block_id: str
    start: int
    end: int
    role: str = ""
    article_id: str = ""
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return _asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Mention:
        d = dict(d)
        d["type"] = EntityType(d["type"])
        return cls(**d)


@dataclass
class Award:
    """One award given: 金拇指奖 for a project of a unit in a period."""

    award_id: str
    issue_id: str
    award: str
    level: str = ""  # 金 / 银 / 一等 ...
    period: str = ""  # 2017-2018
    project: str = ""
    recipient_unit: str = ""
    recipient_person: str = ""  # awards given to a person (最美楼组长 ...)
    article_id: str = ""
    block_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return _asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Award:
        return cls(**d)


@dataclass
class Issue:
    """One issue of the publication: its pages, articles, entity mentions, awards and corrections."""

    issue_id: str
    source: str  # folder or file, relative to the scans folder
    pages: list[Page] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    issue_number: int | None = None
    issue_number_raw: str = ""
    issue_number_source: str = ""  # masthead / inferred / ""
    date: str = ""  # ISO
    date_raw: str = ""
    next_date: str = ""  # ISO
    next_date_raw: str = ""
    publisher: str = ""
    printed_pages: int | None = None  # 本期N版, when printed
    printed_pages_raw: str = ""
    notes: list[str] = field(default_factory=list)  # series checks and other findings for a human

    def iter_blocks(self) -> Iterator[tuple[Page, Block]]:
        for p in self.pages:
            for b in p.blocks:
                yield p, b

    def block(self, block_id: str) -> Block:
        for _, b in self.iter_blocks():
            if b.block_id == block_id:
                return b
        raise KeyError(block_id)

    def line(self, line_id: str) -> Line:
        for p in self.pages:
            for ln in p.lines:
                if ln.line_id == line_id:
                    return ln
        raise KeyError(line_id)

    def article_parts(self, article: Article) -> dict[str, str]:
        """headline / subheadline / byline / text of an article, derived from its blocks."""
        blocks = [self.block(b) for b in article.block_ids]
        first = {k: "" for k in ("headline", "subheadline", "byline")}
        body: list[str] = []
        seen_body = False
        for b in blocks:
            if b.kind == BlockKind.HEADLINE and not seen_body:
                first["headline"] = (first["headline"] + " " + b.text).strip()
            elif b.kind == BlockKind.SUBHEADLINE and not seen_body and not first["subheadline"]:
                first["subheadline"] = b.text
            elif b.kind == BlockKind.BYLINE:
                first["byline"] = (first["byline"] + " " + b.text).strip()
            else:
                seen_body = True
                body.append(b.text)
        first["text"] = "\n".join(t for t in body if t)
        return first

    def to_dict(self) -> dict[str, Any]:
        d = _asdict(self)
        for a, ad in zip(self.articles, d["articles"]):
            ad.update(self.article_parts(a))
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Issue:
        d = dict(d)
        d["pages"] = [Page.from_dict(x) for x in d.get("pages", [])]
        d["articles"] = [
            Article.from_dict({k: v for k, v in x.items() if k in _ARTICLE_FIELDS}) for x in d.get("articles", [])
        ]
        d["mentions"] = [Mention.from_dict(x) for x in d.get("mentions", [])]
        d["awards"] = [Award.from_dict(x) for x in d.get("awards", [])]
        d["corrections"] = [Correction.from_dict(x) for x in d.get("corrections", [])]
        return cls(**d)


_ARTICLE_FIELDS = {f.name for f in dataclasses.fields(Article)}


def replay_corrections(text_raw: str, corrections: list[Correction]) -> str:
    """Apply a line's corrections, in order, to its raw text: the audit trail is complete exactly
    when this gives back `Line.text`."""
    text = text_raw
    for c in corrections:
        if text[c.start : c.end] != c.before:
            raise ValueError(f"correction {c.correction_id} does not match the text at {c.start}:{c.end}")
        text = text[: c.start] + c.after + text[c.end :]
    return text
