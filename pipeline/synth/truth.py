"""Ground truth of a rendered page: what is printed where, in reading order, with its entities.

Benchmarks compare the pipeline's output against these records, so they mirror the document
model's vocabulary (block kinds, text joining, entity types) without depending on its ids."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import BlockKind, Box, EntityType

BLOCK_KINDS = frozenset(str(k) for k in BlockKind)
ENTITY_TYPES = frozenset(str(t) for t in EntityType)


@dataclass
class TruthLine:
    """One printed line. `quad` is the line's corner points (clockwise from top-left) when the
    page was rotated by degradation; `box` is always the axis-aligned box around the ink."""

    text: str
    box: Box
    quad: list[tuple[float, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "box": self.box.to_list(), "quad": [list(p) for p in self.quad]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TruthLine:
        return cls(d["text"], Box.from_list(d["box"]), [(float(x), float(y)) for x, y in d.get("quad", [])])


@dataclass
class TruthBlock:
    """One block as printed. A paragraph that runs from one column into the next is two blocks
    (each with an honest box); the second has `continues=True` and joins the first with no
    line break in `TruthPage.reading_order_text`."""

    kind: str
    article: int  # issue-wide article index; -1 for masthead and page furniture
    box: Box
    text: str
    lines: list[TruthLine] = field(default_factory=list)
    order: int = -1  # reading order on the page; -1 for kind other
    column: int = -1  # page grid column of the block's left edge; -1 when it spans columns
    continues: bool = False

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {self.kind!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "article": self.article,
            "box": self.box.to_list(),
            "text": self.text,
            "order": self.order,
            "column": self.column,
            "continues": self.continues,
            "lines": [ln.to_dict() for ln in self.lines],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TruthBlock:
        return cls(
            kind=d["kind"],
            article=int(d["article"]),
            box=Box.from_list(d["box"]),
            text=d["text"],
            lines=[TruthLine.from_dict(x) for x in d.get("lines", [])],
            order=int(d.get("order", -1)),
            column=int(d.get("column", -1)),
            continues=bool(d.get("continues", False)),
        )


@dataclass
class TruthEntity:
    """An entity mention as ENTITIES.md defines it. `block` indexes `TruthPage.blocks`;
    `start`/`end` are offsets into that block's paragraph text (the block joined with the
    blocks that continue it), or -1 when the mention was supplied without a position."""

    type: str
    text: str
    normalized: str
    role: str = ""
    block: int = -1
    start: int = -1
    end: int = -1

    def __post_init__(self) -> None:
        if self.type not in ENTITY_TYPES:
            raise ValueError(f"unknown entity type {self.type!r}")

    def key(self) -> tuple[str, str, str, str]:
        """What a benchmark compares: type, printed text, canonical form and role."""
        return (self.type, self.text, self.normalized, self.role)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TruthEntity:
        return cls(**d)


@dataclass
class TruthPage:
    """Everything known about one rendered (and possibly degraded) page."""

    width: int
    height: int
    dpi: float
    blocks: list[TruthBlock] = field(default_factory=list)  # reading order; kind other last
    issue_number: int | None = None
    date: str = ""  # ISO
    next_date: str = ""  # ISO
    publisher: str = ""
    printed_pages: int | None = None  # 本期N版
    page_no: int = 1
    entities: list[TruthEntity] = field(default_factory=list)
    template: str = ""
    seed: int = 0
    skew_deg: float = 0.0  # rotation degradation applied (positive = counter-clockwise)
    degradations: list[str] = field(default_factory=list)  # what degrade() did, in order

    def reading_blocks(self) -> list[TruthBlock]:
        return sorted((b for b in self.blocks if b.order >= 0 and b.kind != "other"), key=lambda b: b.order)

    def paragraph_text(self, index: int) -> str:
        """Text of block `index` joined with the blocks that continue it (entity offsets use this)."""
        text = self.blocks[index].text
        for b in self.blocks[index + 1 :]:
            if not b.continues:
                break
            text += b.text
        return text

    def reading_order_text(self) -> str:
        """The page as a reader reads it: blocks in reading order, one per line, a paragraph
        continued in the next column joined to its start without a break."""
        out = ""
        for b in self.reading_blocks():
            if not b.text:
                continue
            if out and not b.continues:
                out += "\n"
            out += b.text
        return out

    def lines(self) -> list[TruthLine]:
        return [ln for b in self.blocks for ln in b.lines]

    def to_dict(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "dpi": self.dpi,
            "page_no": self.page_no,
            "issue_number": self.issue_number,
            "date": self.date,
            "next_date": self.next_date,
            "publisher": self.publisher,
            "printed_pages": self.printed_pages,
            "template": self.template,
            "seed": self.seed,
            "skew_deg": self.skew_deg,
            "degradations": list(self.degradations),
            "blocks": [b.to_dict() for b in self.blocks],
            "entities": [e.to_dict() for e in self.entities],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TruthPage:
        return cls(
            width=int(d["width"]),
            height=int(d["height"]),
            dpi=float(d["dpi"]),
            page_no=int(d.get("page_no", 1)),
            issue_number=d.get("issue_number"),
            date=d.get("date", ""),
            next_date=d.get("next_date", ""),
            publisher=d.get("publisher", ""),
            printed_pages=d.get("printed_pages"),
            template=d.get("template", ""),
            seed=int(d.get("seed", 0)),
            skew_deg=float(d.get("skew_deg", 0.0)),
            degradations=list(d.get("degradations", [])),
            blocks=[TruthBlock.from_dict(x) for x in d.get("blocks", [])],
            entities=[TruthEntity.from_dict(x) for x in d.get("entities", [])],
        )

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> TruthPage:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
