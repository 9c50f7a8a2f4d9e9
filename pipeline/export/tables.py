"""The dataset tables: one schema per CSV (the single source for the CSV header, the
datapackage.json table schema, the dtypes `load_dataset` gives back and docs/DATASET.md) and the
code that flattens issues into rows in a stable order.

Pages that failed keep only their pages.csv row: nothing of their blocks, lines, mentions or
corrections is written anywhere (`usable_ids`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any, Callable

from ..model import Article, Block, Issue, Line, Page, PageStatus
from .files import format_number, guard_text

# A page whose lines read with a lower mean confidence than this is listed for a human look.
LOW_CONFIDENCE = 0.80


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Frictionless Table Schema type: string, integer, number, boolean, date
    description: str


@dataclass(frozen=True)
class ForeignKey:
    field: str
    resource: str
    ref: str


@dataclass(frozen=True)
class Table:
    name: str  # resource name; the file is f"{name}.csv"
    description: str
    primary_key: str
    columns: tuple[Column, ...]
    foreign_keys: tuple[ForeignKey, ...] = field(default_factory=tuple)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, type_: str, description: str) -> Column:
    return Column(name, type_, description)


_BOX = (
    _c("x0", "number", "left edge, pixels of the original scan"),
    _c("y0", "number", "top edge, pixels of the original scan"),
    _c("x1", "number", "right edge, pixels of the original scan"),
    _c("y1", "number", "bottom edge, pixels of the original scan"),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "issues",
            "One row per issue (a sub-folder of scans, a multi-page TIFF/PDF, or a loose image).",
            "issue_id",
            (
                _c("issue_id", "string", "filename-safe slug of the issue's folder or file name, stable across runs"),
                _c("source", "string", "folder or file of the issue, relative to the scans folder"),
                _c("issue_number", "integer", "issue number (期), from the masthead or inferred; empty if unknown"),
                _c("issue_number_raw", "string", "the issue number as OCR read it on the masthead"),
                _c("issue_number_source", "string", "masthead, inferred (from neighbouring issues) or empty"),
                _c("date", "date", "publication date (ISO 8601); empty if unknown"),
                _c("date_raw", "string", "the date as OCR read it on the masthead"),
                _c("next_date", "date", "date of the next issue printed on the masthead (下期出版)"),
                _c("next_date_raw", "string", "the next-issue date as OCR read it"),
                _c("publisher", "string", "publisher as printed (联合出版 ...)"),
                _c("printed_pages", "integer", "number of pages printed on the masthead (本期N版)"),
                _c("printed_pages_raw", "string", "the page count as OCR read it (本期N版); kept when unreadable"),
                _c("pages", "integer", "pages of the issue after rasterising multi-page files"),
                _c("pages_failed", "integer", "pages that could not be processed (status error in pages.csv)"),
                _c("notes", "string", "findings for a human (series checks ...), one per line"),
            ),
        ),
        Table(
            "pages",
            "One row per page, failed pages included (status error with the message).",
            "page_id",
            (
                _c("page_id", "string", "{issue_id}_p{page_no:03d}"),
                _c("issue_id", "string", "issue of the page"),
                _c("page_no", "integer", "1-based page number within the issue"),
                _c("source_file", "string", "scan file, relative to the scans folder"),
                _c("source_index", "integer", "frame of a multi-page TIFF or page of a PDF (0-based)"),
                _c("sha256", "string", "sha256 of the source file"),
                _c("width", "integer", "width of the original scan in pixels"),
                _c("height", "integer", "height of the original scan in pixels"),
                _c("dpi", "number", "resolution of the scan if known"),
                _c("skew_deg", "number", "skew measured and corrected by cleanup, degrees"),
                _c("rotation", "integer", "0/90/180/270 rotation applied by cleanup"),
                _c("cleanup_steps", "string", "cleanup steps applied, in order, separated by '; '"),
                _c("status", "string", "ok or error"),
                _c("error", "string", "why the page failed; empty when ok"),
                _c("lines", "integer", "text lines read on the page"),
                _c("mean_confidence", "number", "mean OCR confidence of the page's lines (0-1)"),
                _c("review", "string", "reasons a human should look at the page ('; '-separated); empty if none"),
            ),
            (ForeignKey("issue_id", "issues", "issue_id"),),
        ),
        Table(
            "lines",
            "One row per text line, by page then reading order; lines outside reading order last.",
            "line_id",
            (
                _c("line_id", "string", "{block_id}_l{n:03d} (or {page_id}_o{n:03d} if layout did not place it)"),
                _c("page_id", "string", "page of the line"),
                _c("issue_id", "string", "issue of the line"),
                _c("block_id", "string", "block holding the line; empty if layout did not place it"),
                _c("order", "integer", "reading order on the page; -1 outside reading order"),
                _c("kind", "string", "kind of the line's block"),
                _c("para_start", "boolean", "the line starts a paragraph"),
                _c("text", "string", "corrected text"),
                _c("text_raw", "string", "text as the OCR engine read it"),
                _c("confidence", "number", "OCR confidence of the line (0-1)"),
                _c("corrections", "integer", "number of corrections applied to the line"),
            )
            + _BOX,
            (ForeignKey("page_id", "pages", "page_id"), ForeignKey("block_id", "blocks", "block_id")),
        ),
        Table(
            "blocks",
            "One row per layout block, by page then reading order; blocks outside reading order last.",
            "block_id",
            (
                _c("block_id", "string", "{page_id}_b{n:03d}"),
                _c("page_id", "string", "page of the block"),
                _c("issue_id", "string", "issue of the block"),
                _c("article_id", "string", "article the block belongs to; empty outside articles"),
                _c("kind", "string", "masthead, headline, subheadline, body, byline, caption, list or other"),
                _c("order", "integer", "reading order on the page; -1 outside reading order (kind other)"),
                _c("column", "integer", "column index on the page; -1 when spanning or unknown"),
                _c("text", "string", "corrected text (lines joined; list and masthead lines by newlines)"),
                _c("text_raw", "string", "the same joined from the raw OCR text"),
                _c("lines", "integer", "number of lines in the block"),
            )
            + _BOX,
            (
                ForeignKey("page_id", "pages", "page_id"),
                ForeignKey("article_id", "articles", "article_id"),
            ),
        ),
        Table(
            "articles",
            "One row per article: blocks that belong together, possibly across pages.",
            "article_id",
            (
                _c("article_id", "string", "{issue_id}_a{n:03d}"),
                _c("issue_id", "string", "issue of the article"),
                _c("page_no", "integer", "page where the article starts"),
                _c("order", "integer", "reading order of the article within the issue"),
                _c("headline", "string", "headline text"),
                _c("subheadline", "string", "first subheadline before the body"),
                _c("byline", "string", "byline, e.g. （党建办）"),
                _c("text", "string", "body text, one paragraph block per line"),
                _c("block_ids", "string", "blocks of the article in order, separated by ' '"),
            ),
            (ForeignKey("issue_id", "issues", "issue_id"),),
        ),
        Table(
            "entities",
            "One row per entity mention; start/end are offsets into blocks.csv text.",
            "mention_id",
            (
                _c("mention_id", "string", "{block_id}_m{n:03d}"),
                _c("entity_id", "string", "{type}-{slug of normalized}, the same across issues"),
                _c("type", "string", "person, unit, award, place or date"),
                _c("text", "string", "the mention as printed (after correction)"),
                _c("normalized", "string", "canonical form (full unit name, ISO date ...)"),
                _c("role", "string", "for persons: the title printed with the name"),
                _c("issue_id", "string", "issue of the mention"),
                _c("page_id", "string", "page of the mention"),
                _c("block_id", "string", "block of the mention"),
                _c("article_id", "string", "article of the mention; empty outside articles"),
                _c("start", "integer", "start offset (characters) in the block's text"),
                _c("end", "integer", "end offset (exclusive) in the block's text"),
                _c("confidence", "number", "tagger confidence (0-1)"),
            ),
            (
                ForeignKey("page_id", "pages", "page_id"),
                ForeignKey("block_id", "blocks", "block_id"),
                ForeignKey("article_id", "articles", "article_id"),
            ),
        ),
        Table(
            "awards",
            "One row per award given (金拇指奖 for a project of a unit in a period ...).",
            "award_id",
            (
                _c("award_id", "string", "{issue_id}_w{n:03d}"),
                _c("issue_id", "string", "issue that reports the award"),
                _c("article_id", "string", "article that reports it; empty if none"),
                _c("block_id", "string", "block that names it; empty if unknown"),
                _c("award", "string", "the honour title (金拇指奖 ...)"),
                _c("level", "string", "level: 金 / 银 / 一等 ..."),
                _c("period", "string", "period it was given for, e.g. 2017-2018"),
                _c("project", "string", "winning project"),
                _c("recipient_unit", "string", "winning unit"),
                _c("recipient_person", "string", "winning person, for awards given to people"),
            ),
            (
                ForeignKey("issue_id", "issues", "issue_id"),
                ForeignKey("article_id", "articles", "article_id"),
            ),
        ),
        Table(
            "corrections",
            "One row per change to OCR text; replaying a line's corrections on text_raw gives text.",
            "correction_id",
            (
                _c("correction_id", "string", "{line_id}_c{n:02d}; corrections apply in this order"),
                _c("line_id", "string", "line corrected"),
                _c("page_id", "string", "page of the line"),
                _c("issue_id", "string", "issue of the line"),
                _c("start", "integer", "start offset in the line's text as it stood when the rule ran"),
                _c("end", "integer", "end offset (exclusive) of the replaced text"),
                _c("before", "string", "text replaced"),
                _c("after", "string", "replacement"),
                _c("rule", "string", "rule that made the change"),
                _c("confidence", "number", "confidence of the change (0-1)"),
            ),
            (ForeignKey("line_id", "lines", "line_id"),),
        ),
    )
}


# --------------------------------------------------------------------------- ordering helpers

_NUM = re.compile(r"(\d+)")


def natural_key(s: str) -> tuple[Any, ...]:
    """'issue-9' before 'issue-10': issues sort as a person would list them."""
    return tuple(int(p) if p.isdigit() else p for p in _NUM.split(s))


def sorted_issues(issues: list[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: natural_key(i.issue_id))


def sorted_pages(issue: Issue) -> list[Page]:
    return sorted(issue.pages, key=lambda p: (p.page_no, p.page_id))


def ordered_blocks(page: Page) -> list[Block]:
    """Reading order first, then blocks outside it top to bottom, left to right."""
    return sorted(
        page.blocks,
        key=lambda b: (b.order < 0, b.order, b.box.y0, b.box.x0, b.block_id),
    )


def ordered_lines(page: Page) -> list[tuple[Line, Block | None]]:
    """Lines by reading order; lines outside it (order -1, unplaced OCR lines) last, in block order."""
    placed: list[tuple[Line, Block | None]] = [(ln, b) for b in ordered_blocks(page) for ln in b.lines]
    placed += [(ln, None) for ln in page.ocr_lines]
    idx = {id(ln): i for i, (ln, _) in enumerate(placed)}
    return sorted(placed, key=lambda lb: (lb[0].order < 0, lb[0].order, idx[id(lb[0])]))


def page_ok(page: Page) -> bool:
    return page.status == PageStatus.OK


def page_mean_confidence(page: Page) -> float | None:
    lines = page.lines
    return fmean(ln.confidence for ln in lines) if lines else None


def page_review_reasons(issue: Issue, page: Page, low_confidence: float = LOW_CONFIDENCE) -> list[str]:
    """Why a human should look at this page: it failed, it read poorly, it has no text, or a
    series note of its issue names it."""
    if not page_ok(page):
        return [f"error: {page.error}" if page.error else "error"]
    reasons: list[str] = []
    mean = page_mean_confidence(page)
    if mean is None:
        reasons.append("no text read")
    elif mean < low_confidence:
        reasons.append(f"low mean confidence {mean:.2f}")
    for note in issue.notes:
        if page.page_id in note:
            reasons.append(f"note: {note}")
    return reasons


@dataclass
class Usable:
    """Ids of what may be written: everything on pages that did not fail."""

    blocks: set[str]
    lines: set[str]
    pages: set[str]
    articles: set[str]


def usable_ids(issue: Issue) -> Usable:
    pages, blocks, lines = set(), set(), set()
    for p in issue.pages:
        if not page_ok(p):
            continue
        pages.add(p.page_id)
        for b in p.blocks:
            blocks.add(b.block_id)
        for ln in p.lines:
            lines.add(ln.line_id)
    articles = {a.article_id for a in issue.articles if any(b in blocks for b in a.block_ids)}
    return Usable(blocks, lines, pages, articles)


# --------------------------------------------------------------------------- rows

Cell = Any  # str (text), int/float/bool (numbers) or None (missing)


def _s(v: str | None) -> str:
    return guard_text(v) if v else ""


def _box(b: Any) -> list[Cell]:
    return [b.x0, b.y0, b.x1, b.y1]


def _issue_rows(issue: Issue, u: Usable) -> list[list[Cell]]:
    failed = sum(1 for p in issue.pages if not page_ok(p))
    return [
        [
            issue.issue_id,
            issue.source,
            issue.issue_number,
            issue.issue_number_raw,
            issue.issue_number_source,
            issue.date or None,
            issue.date_raw,
            issue.next_date or None,
            issue.next_date_raw,
            issue.publisher,
            issue.printed_pages,
            issue.printed_pages_raw,
            len(issue.pages),
            failed,
            "\n".join(issue.notes),
        ]
    ]


def _page_rows(issue: Issue, u: Usable) -> list[list[Cell]]:
    rows = []
    for p in sorted_pages(issue):
        ok = page_ok(p)
        rows.append(
            [
                p.page_id,
                p.issue_id or issue.issue_id,
                p.page_no,
                p.source_file,
                p.source_index,
                p.sha256,
                p.width or None,
                p.height or None,
                p.dpi,
                p.skew_deg if ok else None,
                p.rotation if ok else None,
                "; ".join(p.cleanup) if ok else "",
                str(p.status),
                p.error if not ok else "",
                len(p.lines) if ok else None,
                page_mean_confidence(p) if ok else None,
                "; ".join(page_review_reasons(issue, p)),
            ]
        )
    return rows


def _line_rows(issue: Issue, u: Usable) -> list[list[Cell]]:
    n_corr: dict[str, int] = {}
    for c in issue.corrections:
        n_corr[c.line_id] = n_corr.get(c.line_id, 0) + 1
    rows = []
    for p in sorted_pages(issue):
        if not page_ok(p):
            continue
        for ln, b in ordered_lines(p):
            rows.append(
                [
                    ln.line_id,
                    p.page_id,
                    issue.issue_id,
                    b.block_id if b else "",
                    ln.order,
                    str(b.kind) if b else "",
                    ln.para_start,
                    ln.text,
                    ln.text_raw,
                    ln.confidence,
                    n_corr.get(ln.line_id, 0),
                    *_box(ln.box),
                ]
            )
    return rows


def _block_rows(issue: Issue, u: Usable) -> list[list[Cell]]:
    rows = []
    for p in sorted_pages(issue):
        if not page_ok(p):
            continue
        for b in ordered_blocks(p):
            rows.append(
                [
                    b.block_id,
                    p.page_id,
                    issue.issue_id,
                    b.article_id if b.article_id in u.articles else "",
                    str(b.kind),
                    b.order,
                    b.column,
                    b.text,
                    b.text_raw,
                    len(b.lines),
                    *_box(b.box),
                ]
            )
    return rows


def _article_rows(issue: Issue, u: Usable) -> list[list[Cell]]:
    rows = []
    for a in sorted(issue.articles, key=lambda a: (a.order, a.article_id)):
        if a.article_id not in u.articles:
            continue
        kept = [b for b in a.block_ids if b in u.blocks]
        parts = issue.article_parts(Article(a.article_id, a.issue_id, a.page_no, a.order, kept))
        rows.append(
            [
                a.article_id,
                a.issue_id or issue.issue_id,
                a.page_no,
                a.order,
                parts["headline"],
                parts["subheadline"],
                parts["byline"],
                parts["text"],
                " ".join(kept),
            ]
        )
    return rows


def _mention_rows(issue: Issue, u: Usable) -> list[list[Cell]]:
    block_rank = {}
    for p in sorted_pages(issue):
        for i, b in enumerate(ordered_blocks(p)):
            block_rank[b.block_id] = (p.page_no, i)
    rows = []
    kept = [m for m in issue.mentions if m.block_id in u.blocks]
    for m in sorted(kept, key=lambda m: (block_rank[m.block_id], m.start, m.end, m.mention_id)):
        rows.append(
            [
                m.mention_id,
                m.entity_id,
                str(m.type),
                m.text,
                m.normalized,
                m.role,
                issue.issue_id,
                m.page_id,
                m.block_id,
                m.article_id if m.article_id in u.articles else "",
                m.start,
                m.end,
                m.confidence,
            ]
        )
    return rows


def _award_rows(issue: Issue, u: Usable) -> list[list[Cell]]:
    rows = []
    for w in sorted(issue.awards, key=lambda w: natural_key(w.award_id)):
        if w.block_id and w.block_id not in u.blocks:
            continue
        if w.article_id and w.article_id not in u.articles:
            continue
        rows.append(
            [
                w.award_id,
                w.issue_id or issue.issue_id,
                w.article_id,
                w.block_id,
                w.award,
                w.level,
                w.period,
                w.project,
                w.recipient_unit,
                w.recipient_person,
            ]
        )
    return rows


def _correction_rows(issue: Issue, u: Usable) -> list[list[Cell]]:
    line_rank: dict[str, tuple[int, int]] = {}
    line_page: dict[str, str] = {}
    for p in sorted_pages(issue):
        for i, (ln, _) in enumerate(ordered_lines(p)):
            line_rank[ln.line_id] = (p.page_no, i)
            line_page[ln.line_id] = p.page_id
    kept = [c for c in issue.corrections if c.line_id in u.lines]
    rows = []
    for c in sorted(kept, key=lambda c: (line_rank[c.line_id], c.correction_id)):
        rows.append(
            [
                c.correction_id,
                c.line_id,
                line_page[c.line_id],
                issue.issue_id,
                c.start,
                c.end,
                c.before,
                c.after,
                c.rule,
                c.confidence,
            ]
        )
    return rows


ROW_BUILDERS: dict[str, Callable[[Issue, Usable], list[list[Cell]]]] = {
    "issues": _issue_rows,
    "pages": _page_rows,
    "lines": _line_rows,
    "blocks": _block_rows,
    "articles": _article_rows,
    "entities": _mention_rows,
    "awards": _award_rows,
    "corrections": _correction_rows,
}


def format_row(table: Table, row: list[Cell]) -> list[str]:
    """Typed cells -> CSV text: text guarded against formulas, numbers locale-free, None empty."""
    if len(row) != len(table.columns):
        raise ValueError(f"{table.name}: row has {len(row)} cells for {len(table.columns)} columns")
    out = []
    for col, v in zip(table.columns, row):
        if v is None:
            out.append("")
        elif col.type in ("string", "date"):
            out.append(_s(str(v)) if col.type == "string" else str(v))
        else:
            out.append(format_number(v))
    return out


def table_rows(table: Table, issues: list[Issue]) -> list[list[str]]:
    """All rows of one table for the given issues, in the documented order, formatted for CSV."""
    build = ROW_BUILDERS[table.name]
    out: list[list[str]] = []
    for issue in sorted_issues(issues):
        u = usable_ids(issue)
        out.extend(format_row(table, r) for r in build(issue, u))
    return out
