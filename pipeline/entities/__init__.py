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
from typing import TYPE_CHECKING

from ..config import EntitiesConfig
from ..model import Block, BlockKind, EntityType, Issue, Mention, Page
from .awards import extract_awards
from .lexicon import load_lexicon
from .rules import Span, TextResult, find_known_people, quote_mask, tag_text

if TYPE_CHECKING:
    from .crf import SpanRefiner

log = logging.getLogger(__name__)

__all__ = ["Span", "TextResult", "class_parent", "entity_id", "fuller_repeat", "issue_owner", "own_territory", "tag_issue", "tag_text"]

_SLUG_BAD = re.compile(r"[^\w\u3400-\u9fff-]+")
# a unit name opening with its own street, town or new area (花木街道…, 川沙新镇…, 菊园新区…) is complete:
# a district written before it elsewhere in the issue is the conferring place, not part of its name
_TERRITORY_START = re.compile(r"^[\u4e00-\u9fff]{2,5}?(?:街道|镇|新区)(?=.)")
_DISTRICT = re.compile(r"^[\u4e00-\u9fff]{1,4}?(?:新区|区)(?![委])")
_OWN_PREFIXES = ("街道", "镇", "区")
# the district a unit name opens with, for 区 short forms: also the district of its party committee (中共X区委,
# X区委组织部), never a 社区/小区/居民区 read as one (青村镇社区…)
_DISTRICT_OF = re.compile(r"^(?:中共)?([\u4e00-\u9fff]{1,4}?(?<![居社小园校景城街])(?:新区|区))")


def own_territory(prefix: str, full_units: set[str]) -> str:
    """The issue's one street office, town or district ('' if none or several) that a short form
    written with a bare 街道/镇/区 (街道办事处, 镇文明办, 区文明办) belongs to: an article about
    花木街道 calls its office 街道办事处. docs/ANNOTATION.md: a pure short form takes its parent in
    the parent's fullest printed form, so a street or town the issue prints with its district
    (浦东新区花木街道, 金山区X镇, also inside a longer name such as 崇明区X镇鳌山居委会) is named so."""
    if prefix == "区":
        found = {dm.group(1) for u in full_units if (dm := _DISTRICT_OF.match(u)) and len(dm.group(1)) >= 3}
        return next(iter(found)) if len(found) == 1 else ""
    fullest: dict[str, str] = {}  # the parent's bare name -> its longest printed form
    for u in full_units:
        dm = _DISTRICT.match(u)
        start = dm.end() if dm and len(u) > dm.end() else 0
        k = u.find(prefix, start)
        if k - start < 2:
            continue
        bare, printed = u[start : k + len(prefix)], u[: k + len(prefix)]
        if len(printed) > len(fullest.get(bare, "")):
            fullest[bare] = printed
    return next(iter(fullest.values())) if len(fullest) == 1 else ""


_TERRITORIES = ("街道", "镇", "乡", "村")  # names complete in themselves: a street office, town or village
_CITY_PREFIX = re.compile(r"^(?:中国)?(?:上海|[\u4e00-\u9fff]{2}市)$")
_BARE_DISTRICT = re.compile(r"^(?:上海市?)?[\u4e00-\u9fff]{1,3}?(?<![居社小园校景城街])(?:新区|区|县)$")


def fuller_repeat(name: str, earlier: list[str]) -> str:
    """The fullest earlier printing of the unit `name` in the same paragraph ('' if none): ANNOTATION.md
    has a repeat of a unit printed more fully earlier take that fuller form (港沿镇 after 崇明区港沿镇党委
    -> 崇明区港沿镇; 中山医院 after 复旦大学附属中山医院心内科), so a researcher's unit table does not split
    one unit in two. Only text before the mention counts (a district printed later does not reach back);
    a city alone before it (上海市…) is not part of the unit's name, and a district is never a repeat."""
    if _BARE_DISTRICT.match(name):
        return ""
    best = ""
    for e in earlier:
        k = e.find(name, 1)
        while k > 0:
            if not _CITY_PREFIX.match(e[:k]) and k + len(name) > len(best):
                best = e[: k + len(name)]
            k = e.find(name, k + 1)
    return best


# which institution a sub-unit belongs to by its head: a company's divisions, a school's groups, a hospital's wards
_PARENT_KINDS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("分公司", "子公司", "事业部", "项目部", "车间", "分厂"), ("集团", "公司")),
    (("年级组", "教研组", "备课组"), ("学校", "中学", "小学", "幼儿园", "学院")),
    (("护理部", "内科", "外科", "科室"), ("医院",)),
)
_LEGAL_TAIL = re.compile(r"(?:股份)?有限(?:责任)?公司")
_CAMPUS = re.compile(r"[\u4e00-\u9fff]{1,3}?(?:校区|分校|分院)")


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def class_parent(name: str, full_units: set[str]) -> str:
    """The issue's one institution that a unit written without it belongs to, in its fullest printed form
    ('' if none or several): 集团党委 and 公司党支部 open with the class word of their group or company
    (上海X建设集团有限公司党委 -> 集团党委), 初二年级组 and 智能建造事业部 are sub-units whose head says the kind
    (a school's, a company's). docs/ANNOTATION.md: a pure short form takes its parent in its fullest form."""
    opener = next((c for c in ("集团", "公司") if name.startswith(c) and len(name) > len(c) + 1), "")
    if opener:
        classes: tuple[str, ...] = (opener,)
        rest = name[len(opener):]
    else:
        stem = re.sub(r"(?:党支部|党总支|党委|团支部|支部|工会)$", "", name)
        classes = next((c for heads, c in _PARENT_KINDS if stem.endswith(heads)), ())
        rest = name
        if re.search(r"(?<![分子总])(?:公司|集团|学校|中学|小学|医院)", stem[:-2]):
            return ""  # …有限公司车间 names its parent already
    if not classes:
        return ""
    parents: set[str] = set()
    for u in full_units:
        for c in classes:
            k = u.find(c)
            while k > 0 and u[k - 1] in "分子总":
                k = u.find(c, k + 1)
            if k <= 0:
                continue
            end = k + len(c)
            m = _LEGAL_TAIL.match(u, end)
            end = m.end() if m else end
            if not opener and (camp := _CAMPUS.match(u, end)) and camp.end() == len(u):
                end = camp.end()  # …学校东校区: the campus the groups belong to
            parents.add(u[:end])
            break
    if not parents:
        return ""
    longest = max(parents, key=len)
    if any(not _subsequence(p, longest) for p in parents):  # two different institutions: ambiguous
        return ""
    return longest + rest


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
    # nor a complete name after its district (长白新村街道, 杨浦区长白新村街道…): it names itself, and only a
    # fuller printing before it in the paragraph is its repeat (fuller_repeat)
    owners = {u for u in full_units if u != name and u.endswith(name)
              and not any(u.endswith(x, 0, len(u) - len(name)) for x in lex.unit_suffixes)
              and not (name.endswith(_TERRITORIES) and _BARE_DISTRICT.match(u[: len(u) - len(name)]))}
    if not owners:
        organ = next((x for x in lex.unit_suffixes if name.endswith(x) and x in lex.generic_units), "")
        stem = name[: len(name) - len(organ)]
        if organ and len(stem) >= 2:
            owners = {u for u in full_units if u != name and u.endswith(organ) and stem in u[: len(u) - len(organ)] and not u[: len(u) - len(organ)].endswith(stem)}
    return next(iter(owners)) if len(owners) == 1 else ""


def _tagged_blocks(issue: Issue) -> list[tuple[Page, Block]]:
    """Blocks in reading order, page furniture (kind other) left out."""
    return [
        (page, b)
        for page in issue.pages
        for b in page.reading_order_blocks()
        if b.kind != BlockKind.OTHER and b.text.strip()
    ]


def _refiner(crf: SpanRefiner | bool | None, cfg: EntitiesConfig) -> SpanRefiner | None:
    if crf is None:
        crf = cfg.crf
    if crf is True:
        from .crf import default_tagger

        return default_tagger()
    return crf or None


def tag_issue(issue: Issue, cfg: EntitiesConfig, crf: SpanRefiner | bool | None = None) -> Issue:
    """Fill `issue.mentions` and `issue.awards` from the corrected block texts.

    Two passes: the first finds people by their titles; the second tags their later, title-less
    mentions and links generic short unit names (街道党工委) to the one full unit of the issue
    that ends with them. `crf`: None follows `cfg.crf`, False is the rules alone, True the shipped CRF,
    or any object with `refine(text, spans, issue_date)` (a fold's model in cross-validation) that
    replaces each block's rule spans before units are normalized and awards are assembled."""
    if not cfg.enabled:
        return issue
    t0 = time.perf_counter()
    refiner = _refiner(crf, cfg)
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
            if s.type is EntityType.UNIT and s.rule == "suffix-run" and s.normalized == s.text \
                    and (parent := class_parent(s.text, full_units)):
                s.normalized = parent  # 集团第三分公司党支部, 第三分公司车间: the issue's one group, written short
                s.confidence = min(s.confidence, 0.75)
                continue
            if s.type is EntityType.UNIT and s.rule == "suffix-run":
                owner = issue_owner(s.text, full_units)
                if owner:
                    s.normalized = owner
                    s.confidence = min(s.confidence, 0.75)
        for s in res.short_units:
            if s.rule == "short-territory":  # 镇党委: the organ of the issue's one town
                prefix = next((p for p in _OWN_PREFIXES if s.text.startswith(p)), s.text[0])
                own = own_territory(prefix, full_units)
                owners = [own + s.text[len(prefix):]] if own else []
            elif s.rule == "short-subunit":  # 初二年级组: a group of the issue's one school
                owners = [p] if (p := class_parent(s.text, full_units)) else []
            else:
                owners = sorted(u for u in full_units if u.endswith(s.text) and u != s.text)
                if not owners and text[s.start - 1 : s.start] not in ("该", "本", "此", "这") \
                        and (p := class_parent(s.text, full_units)):
                    owners = [p]  # 公司党支部 in an article about one company
            if len(owners) == 1 and not any(used[s.start : s.end]):
                s.normalized = owners[0]
                spans.append(s)
                for k in range(s.start, s.end):
                    used[k] = True
        spans += find_known_people(text, known, used, mask)
        spans.sort(key=lambda s: s.start)
        if refiner is not None:
            spans = refiner.refine(text, spans, issue.date)
        printed: list[str] = []
        for s in spans:  # 鹿溪村 after 浦东新区万祥镇鹿溪村: the same village, printed more fully before
            if s.type is not EntityType.UNIT:
                continue
            if s.normalized == s.text and (fuller := fuller_repeat(s.text, printed)):
                s.normalized = fuller
            printed.append(s.text)
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
