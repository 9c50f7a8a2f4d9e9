"""Entity tagging stage: people with their posts, units, awards, places, dates -> issue.mentions
and issue.awards.

Entity ids are `{type}-{slug of normalized}` (e.g. `person-黄红`, `unit-静安寺街道党工委`,
`date-2020-02-12`): readable, and the same person or unit gets the same id in every issue and
run without any shared state, so a researcher can group a person's posts over time by id.
Two people with the same name share an id; series.py is where such a split would be made.

Rules live in `rules.py` (text level) and `awards.py` (award lists); word lists in
`pipeline/resources/entities/`; docs/ENTITY-RULES.md states them in prose.
"""

from __future__ import annotations

import logging
import re
import time

from ..config import EntitiesConfig
from ..model import Block, BlockKind, EntityType, Issue, Mention, Page
from .awards import extract_awards
from .lexicon import in_dictionary, load_lexicon, tokenizer, word_tag
from .rules import Span, TextResult, find_known_people, quote_mask, tag_text

log = logging.getLogger(__name__)

__all__ = ["Span", "TextResult", "entity_id", "issue_owner", "tag_issue", "tag_text"]

_SLUG_BAD = re.compile(r"[^\w\u3400-\u9fff-]+")
# a unit name opening with its own street, town or new area (花木街道…, 川沙新镇…, 菊园新区…) is complete:
# a district written before it elsewhere in the issue is the conferring place, not part of its name
_TERRITORY_START = re.compile(r"^[\u4e00-\u9fff]{2,5}?(?:街道|镇|新区)(?=.)")
_DISTRICT = re.compile(r"^[\u4e00-\u9fff]{1,4}?(?:新区|区)(?![委])")
_OWN_PREFIXES = ("街道", "镇", "区")
_BARE_TOWN = re.compile(r"[\u4e00-\u9fff]{2,4}?(?:镇|乡)")


def own_territory(prefix: str, full_units: set[str]) -> str:
    """The issue's one street office, town or district ('' if none or several) that a short form
    written with a bare 街道/镇/区 (街道办事处, 镇文明办, 区文明办) belongs to: an article about
    花木街道 calls its office 街道办事处. A town the issue prints with its district (金山区X镇) is
    named so: the short form (镇妇联) is that town's organ, written in full with the district."""
    found: set[str] = set()
    if prefix in ("镇", "乡"):
        towns = set()
        for u in full_units:
            dm = _DISTRICT.match(u)
            tm = _BARE_TOWN.match(u[dm.end():]) if dm else None
            if dm and tm and _organ_or_nothing(u[dm.end() + tm.end():]):
                towns.add(u[: dm.end() + tm.end()])
        if len(towns) == 1:
            return next(iter(towns))
    for u in full_units:
        dm = _DISTRICT.match(u)
        if prefix == "区":
            if dm and len(dm.group()) >= 3:
                found.add(dm.group())
            continue
        rest = u[dm.end():] if dm and len(u) > dm.end() else u
        k = rest.find(prefix)
        if k >= 2:
            found.add(rest[: k + len(prefix)])
    return next(iter(found)) if len(found) == 1 else ""


def entity_id(etype: EntityType | str, normalized: str) -> str:
    """`{type}-{slug}`: the slug keeps CJK, letters and digits, so ids are readable and stable."""
    slug = _SLUG_BAD.sub("-", normalized.strip()).strip("-") or "unknown"
    return f"{EntityType(etype)}-{slug}"


def issue_owner(name: str, full_units: set[str]) -> str:
    """The one longer unit of the issue that a unit name written short stands for ('' if none or
    several): a unit ending with it (…附属学校 after 上海市静安区…附属学校), or one with the same organ
    whose name holds its stem (嘉里中心党支部 after 上海静安嘉里中心管理有限公司党支部); never a sub-unit
    after its parent (景华居民区 in 静安寺街道景华居民区 names itself). Within one issue
    the short form is how the article refers back to the unit it has just named in full."""
    lex = load_lexicon()
    if _TERRITORY_START.match(name):  # 花木街道党工委 after 浦东新区花木街道党工委: complete, names itself
        return ""
    # not a sub-unit after its parent (静安寺街道|景华居民区): that is a full name of its own
    owners = {u for u in full_units if u != name and u.endswith(name)
              and not any(u.endswith(x, 0, len(u) - len(name)) for x in lex.unit_suffixes)}
    if not owners:
        organ = next((x for x in lex.unit_suffixes if name.endswith(x) and x in lex.generic_units), "")
        stem = name[: len(name) - len(organ)]
        if organ and len(stem) >= 2:
            owners = {u for u in full_units if u != name and u.endswith(organ) and stem in u[: len(u) - len(organ)] and not u[: len(u) - len(organ)].endswith(stem)}
    return next(iter(owners)) if len(owners) == 1 else ""


def _organ_or_nothing(rest: str) -> bool:
    """What follows a district+town in a unit name says the name is the town's own (金山区X镇, …镇妇联,
    …镇消防救援站: an organ or institution of the town), not a named sub-unit's (…镇鳌山居委会,
    …镇泉溪村党总支: a proper name first, and the town only locates it)."""
    if not rest or rest in load_lexicon().generic_units:
        return True
    first = tokenizer().lcut(rest)[0]
    return in_dictionary(first) and not word_tag(first).startswith(("ns", "nr", "nz", "nt"))


def district_town(name: str, full_units: set[str]) -> str:
    """The one district+town of the issue that a bare town (港沿镇) is ('' if none): a town printed
    with its district once (崇明区港沿镇) is the same unit when it is named again alone."""
    if not _BARE_TOWN.fullmatch(name):
        return ""
    owners = {u[: dm.end() + len(name)] for u in full_units
              if (dm := _DISTRICT.match(u)) and u.startswith(name, dm.end())
              and _organ_or_nothing(u[dm.end() + len(name):])}
    return next(iter(owners)) if len(owners) == 1 else ""


def _tagged_blocks(issue: Issue) -> list[tuple[Page, Block]]:
    """Blocks in reading order, page furniture (kind other) left out."""
    return [
        (page, b)
        for page in issue.pages
        for b in page.reading_order_blocks()
        if b.kind != BlockKind.OTHER and b.text.strip()
    ]


def tag_issue(issue: Issue, cfg: EntitiesConfig) -> Issue:
    """Fill `issue.mentions` and `issue.awards` from the corrected block texts.

    Two passes: the first finds people by their titles; the second tags their later, title-less
    mentions and links generic short unit names (街道党工委) to the one full unit of the issue
    that ends with them."""
    if not cfg.enabled:
        return issue
    t0 = time.perf_counter()
    blocks = _tagged_blocks(issue)
    results: list[TextResult] = [tag_text(b.text, issue.date) for _, b in blocks]

    known = {s.normalized for r in results for s in r.spans if s.type is EntityType.PERSON and s.role}
    full_units = {s.normalized for r in results for s in r.spans
                  if s.type is EntityType.UNIT and s.rule not in ("lexicon-short", "home-short")}
    mentions: list[Mention] = []
    by_block: dict[str, list[Span]] = {}
    for (page, block), res in zip(blocks, results):
        text = block.text
        spans = list(res.spans)
        used = [False] * len(text)
        for s in spans:
            for k in range(s.start, s.end):
                used[k] = True
        mask = quote_mask(text)
        for s in spans:  # 街道党工委 in an issue about 江宁路街道 is 江宁路街道党工委, not the home street's
            if s.type is not EntityType.UNIT:
                continue
            owners = sorted(u for u in full_units if u.endswith(s.text) and u != s.text) \
                if s.rule in ("lexicon-short", "home-short") else []
            if len(owners) == 1:
                s.normalized = owners[0]
            elif s.normalized == s.text or s.rule in ("lexicon-short", "home-short"):
                prefix = next((p for p in _OWN_PREFIXES if s.text.startswith(p) and len(s.text) > len(p)), "")
                own = own_territory(prefix, full_units) if prefix else ""
                if own:  # 镇文明办 in an article about 川沙新镇 -> 川沙新镇文明办
                    s.normalized = own + s.text[len(prefix):]
        for s in spans:  # 教育学院附属学校 after 上海市静安区教育学院附属学校: the same school, written short
            if s.type is EntityType.UNIT and s.rule == "suffix-run":
                owner = issue_owner(s.text, full_units) or district_town(s.text, full_units)
                if owner:
                    s.normalized = owner
                    s.confidence = min(s.confidence, 0.75)
        for s in res.short_units:
            if s.rule == "short-territory":  # 镇党委: the organ of the issue's one town
                own = own_territory(s.text[0], full_units)
                owners = [own + s.text[1:]] if own else []
            else:
                owners = sorted(u for u in full_units if u.endswith(s.text) and u != s.text)
            if len(owners) == 1 and not any(used[s.start : s.end]):
                s.normalized = owners[0]
                spans.append(s)
                for k in range(s.start, s.end):
                    used[k] = True
        spans += find_known_people(text, known, used, mask)
        spans.sort(key=lambda s: s.start)
        by_block[block.block_id] = spans
        for n, s in enumerate(spans, start=1):
            assert text[s.start : s.end] == s.text, (block.block_id, s)
            mentions.append(
                Mention(
                    mention_id=f"{block.block_id}_m{n:03d}",
                    entity_id=entity_id(s.type, s.normalized) if s.normalized else entity_id(s.type, s.text),
                    type=s.type,
                    text=s.text,
                    normalized=s.normalized,
                    page_id=page.page_id,
                    block_id=block.block_id,
                    start=s.start,
                    end=s.end,
                    role=s.role,
                    article_id=block.article_id,
                    confidence=round(s.confidence, 3),
                )
            )
    issue.mentions = mentions
    issue.awards = extract_awards(issue, blocks, by_block)
    log.info(
        "%s: %d mentions, %d awards in %.1f ms",
        issue.issue_id,
        len(mentions),
        len(issue.awards),
        (time.perf_counter() - t0) * 1000,
    )
    return issue
