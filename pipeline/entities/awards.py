"""awards.csv rows: one per award given, read from award lists and from prose.

An award list (seed page) is a heading naming the period and the honours ("2017至2018年度…金拇指奖、
银拇指奖获奖名单"), then per honour a level line ("金拇指奖") and its items. An item is a project
title, usually followed by a sub-title line naming the unit or activity; a line holding a printed
gap ("一口健康水折射的网格温暖 裕华居民区惠民项目同携手") is a whole item on its own. Lines are
paired greedily under those two rules. In prose, "X 荣获/获得/被评为 … AWARD" gives a row when the
sentence names the recipient unit or a quoted project; people named in the clause before the verb,
or listed right after the honour title, each get a row with `recipient_person`.
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
_CLAUSE_END = "，,：:"
Row = tuple[str, str, str, str, str, str, str, str]  # award, level, period, project, unit, person, article, block
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
    rows: list[Row] = []
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
            rows.append((current, award_level(current), period, project, unit, "", blk.article_id, blk.block_id))
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
    seen: set[tuple[str, str, str, str, str]] = set()
    for award, level, per, project, unit, person, art, blk_id in rows:
        key = (award, per, project, unit, person)
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
                recipient_person=person,
                article_id=art,
                block_id=blk_id,
            )
        )
    return out


def _winners_after(text: str, spans: list[Span], aw: Span) -> list[Span]:
    """People listed right after an honour title: "优秀共产党员 诸葛明亮、伍晓丽"."""
    people = {s.start: s for s in spans if s.type is EntityType.PERSON}
    out: list[Span] = []
    i = aw.end
    while i < len(text) and text[i] in " ：:":
        i += 1
    while i in people and i > aw.end:
        out.append(people[i])
        i = people[i].end
        if i < len(text) and text[i] in "、和与及":
            i += 1
    return out


def _prose_rows(text: str, spans: list[Span], block: Block) -> list[Row]:
    """Awards named in running text: "裕华居民区荣获2019年度“先进集体”称号" (a unit's award),
    "皇甫立新、翟翀等被评为优秀共产党员" and "优秀共产党员 诸葛明亮" (one row per person)."""
    rows: list[Row] = []
    start = 0
    for m in list(_SENTENCE_END.finditer(text)) + [None]:
        end = m.end() if m else len(text)
        sent = text[start:end]
        verb = _WIN_VERB.search(sent)
        per = period_of(spans, start, end)
        listed: set[int] = set()
        for aw in _awards_in(spans, start, end):
            for p in _winners_after(text, spans, aw):
                listed.add(aw.start)
                rows.append((aw.normalized, award_level(aw.normalized), per, "", "", p.normalized,
                             block.article_id, block.block_id))
        if verb:
            v_at = start + verb.start()
            # the clause before the verb: people in it are the winners (their unit is only their role)
            c_at = max([start] + [start + k + 1 for k, ch in enumerate(sent[: verb.start()]) if ch in _CLAUSE_END])
            for aw in _awards_in(spans, v_at, end):
                if aw.start in listed:
                    continue
                people = [s for s in spans if s.type is EntityType.PERSON and c_at <= s.start < v_at]
                if people:
                    for p in people:
                        rows.append((aw.normalized, award_level(aw.normalized), per, "", "", p.normalized,
                                     block.article_id, block.block_id))
                    continue
                units = [s for s in spans if s.type is EntityType.UNIT and start <= s.start < v_at]
                pm = _QUOTED_PROJECT.search(text, start, v_at)
                project = pm.group(1) if pm else ""
                unit = units[-1].normalized if units else ""
                if unit or project:
                    rows.append((aw.normalized, award_level(aw.normalized), per, project, unit, "", block.article_id,
                                 block.block_id))
        start = end
    return rows
