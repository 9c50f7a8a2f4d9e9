"""awards.csv rows: one per award given, read from award lists and from prose.

An award list (seed page) is a heading naming the period and the honours ("2017至2018年度…金拇指奖、
银拇指奖获奖名单"), then per honour a level line ("金拇指奖") and its items. An item is a project
title, usually followed by a sub-title line naming the unit or activity; a line holding a printed
gap ("一口健康水折射的网格温暖 裕华居民区惠民项目同携手") is a whole item on its own. Lines are
paired greedily under those two rules. In prose, "X 荣获/获得/被评为 … AWARD" gives a row when the
sentence names the recipient unit or a quoted project.
"""

from __future__ import annotations

import logging
import re

from ..model import Award, Block, BlockKind, EntityType, Issue, Page
from .rules import Span, award_level

log = logging.getLogger(__name__)

_HEADING = re.compile(r"名单|获奖项目|表彰决定")
_WIN_VERB = re.compile(r"荣获|获得|获评|被评为|评为|授予|被授予|喜获|摘得")
_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
_QUOTED_PROJECT = re.compile(r"[“\"]([^”\"]{2,30})[”\"]\s?项目")


def period_of(spans: list[Span], start: int, end: int) -> str:
    """'2017-2018' from a year range, '2019' from a single year, in [start, end)."""
    years = [s.normalized[:4] for s in spans if s.type is EntityType.DATE and start <= s.start < end and s.normalized]
    years = list(dict.fromkeys(years))
    if len(years) >= 2:
        return f"{years[0]}-{years[-1]}"
    return years[0] if years else ""


def _line_offsets(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = 0
    for ln in text.split("\n"):
        out.append((pos, pos + len(ln)))
        pos += len(ln) + 1
    return out


def _awards_in(spans: list[Span], a: int, b: int) -> list[Span]:
    return [s for s in spans if s.type is EntityType.AWARD and a <= s.start and s.end <= b]


def _first_unit(spans: list[Span], a: int, b: int) -> str:
    for s in spans:
        if s.type is EntityType.UNIT and a <= s.start < b:
            return s.normalized
    return ""


def extract_awards(
    issue: Issue, blocks: list[tuple[Page, Block]], spans_by_block: dict[str, list[Span]]
) -> list[Award]:
    rows: list[tuple[str, str, str, str, str, str, str]] = []  # award, level, period, project, unit, art, block
    period = ""
    in_list = False
    current = ""
    pending: list[tuple[str, int, int, Block]] = []  # item lines under the current honour

    def flush() -> None:
        i = 0
        while i < len(pending):
            line, a, b, blk = pending[i]
            spans = spans_by_block.get(blk.block_id, [])
            nxt = pending[i + 1] if i + 1 < len(pending) else None
            if " " in line.strip() or nxt is None or " " in nxt[0].strip():
                project, unit = line.strip(), _first_unit(spans, a, b)
                i += 1
            else:
                n_line, na, nb, nblk = nxt
                project = f"{line.strip()} {n_line.strip()}"
                unit = _first_unit(spans, a, b) or _first_unit(spans_by_block.get(nblk.block_id, []), na, nb)
                i += 2
            rows.append((current, award_level(current), period, project, unit, blk.article_id, blk.block_id))
        pending.clear()

    for _page, block in blocks:
        text = block.text
        spans = spans_by_block.get(block.block_id, [])
        if block.kind not in (BlockKind.LIST, BlockKind.HEADLINE, BlockKind.SUBHEADLINE):
            if in_list:
                flush()
                in_list = False
            if block.kind == BlockKind.BODY:
                rows.extend(_prose_rows(text, spans, block))
            continue
        for a, b in _line_offsets(text):
            line = text[a:b]
            if not line.strip():
                continue
            found = _awards_in(spans, a, b)
            if found and _HEADING.search(line):  # list heading: period and honours
                flush()
                period = period_of(spans, a, b)
                in_list = True
                current = found[0].normalized if len(found) == 1 else ""
                continue
            if found and len(found) == 1 and re.sub(r"\s", "", line) == found[0].normalized:
                flush()  # a level line: 金拇指奖
                in_list = True
                current = found[0].normalized
                continue
            if in_list and current and block.kind == BlockKind.LIST:
                pending.append((line, a, b, block))
            elif block.kind != BlockKind.LIST and in_list:
                flush()
                in_list = False
    flush()

    out: list[Award] = []
    seen: set[tuple[str, str, str, str]] = set()
    for award, level, per, project, unit, art, blk_id in rows:
        key = (award, per, project, unit)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            Award(
                award_id=f"{issue.issue_id}_w{len(out) + 1:03d}",
                issue_id=issue.issue_id,
                award=award,
                level=level,
                period=per,
                project=project,
                recipient_unit=unit,
                article_id=art,
                block_id=blk_id,
            )
        )
    return out


def _prose_rows(text: str, spans: list[Span], block: Block) -> list[tuple[str, str, str, str, str, str, str]]:
    """Awards named in running text: "裕华居民区荣获2019年度“先进集体”称号"."""
    rows = []
    start = 0
    for m in list(_SENTENCE_END.finditer(text)) + [None]:
        end = m.end() if m else len(text)
        sent = text[start:end]
        verb = _WIN_VERB.search(sent)
        if verb:
            v_at = start + verb.start()
            for aw in _awards_in(spans, v_at, end):
                units = [s for s in spans if s.type is EntityType.UNIT and start <= s.start < v_at]
                pm = _QUOTED_PROJECT.search(text, start, v_at)
                project = pm.group(1) if pm else ""
                unit = units[-1].normalized if units else ""
                if unit or project:
                    per = period_of(spans, start, end)
                    rows.append((aw.normalized, award_level(aw.normalized), per, project, unit, block.article_id,
                                 block.block_id))
        start = end
    return rows
