"""OCR post-correction that never destroys evidence.

Every change to a line is a `Correction` record appended to `issue.corrections`; `Line.text_raw`
keeps what the engine read, and replaying a line's records on it gives `Line.text`. Rules run on
a block's joined text, so a decision may use context across a line break (金 | 招指奖), and each
change is mapped back to the one line it touches. Rules, in order (see docs/CORRECTIONS.md):

- junk / furniture: blocks of pure symbols and page numbers become kind `other`; junk glued to
  the end of a block ("…运动会5990") is cut off into its own `other` block (rule `junk-split`);
- `digit-context`: look-alikes inside numbers (1()2, 2O19, l2月) where the context is numeric;
- `dust-punct`: specks read as a dot or colon after a stop or opening a body line (领奖。.., ·三是要);
- punctuation: `fullwidth-digit`, `punct-width` (ASCII ,.:;?!() in Chinese text),
  `quote-pair`, `dot-period` (· read for 。 in body text);
- spaces: `cjk-space` (body text), `letter-spacing` (金 拇 指 奖 in headings and lists);
- `lookalike`: 形近字 from a confusion table, accepted only on lexicon evidence;
- `glyph-lexicon`: a shipped name read with one look-alike no table pairs (天旨西路), the glyphs
  rendered and compared;

then the masthead is parsed into the issue's fields (date, number, pages, next date, publisher).
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from .config import CorrectConfig
from .model import Block, BlockKind, Box, Correction, Issue, Line, Page, Step, is_cjk
from .resources import load_wordlist

if TYPE_CHECKING:
    import numpy as np

    from .series import CorpusLexicon

log = logging.getLogger(__name__)

__all__ = [
    "Edit",
    "MastheadFields",
    "apply_block_edits",
    "correct_issue",
    "corrections_by_line",
    "summary",
    "curated_lexicon",
    "confusion_table",
    "engine_confusions",
    "glyph_similarity",
    "parse_masthead",
]

# kinds whose single spaces are printed gaps ("区域融合谋发展 同心共治创辉煌") and stay
SPACED_KINDS = frozenset(
    {BlockKind.MASTHEAD, BlockKind.HEADLINE, BlockKind.SUBHEADLINE, BlockKind.BYLINE, BlockKind.CAPTION}
)

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_OPEN_Q = "“‘《（「『〈"
_CLOSE_Q = "”’》）」』〉"


def _is_han(ch: str | None) -> bool:
    return bool(ch) and bool(_HAN.match(ch))  # type: ignore[arg-type]


def _is_cjkish(ch: str | None) -> bool:
    """Han, full-width punctuation or Chinese quotes: characters between which no space is printed."""
    return bool(ch) and (is_cjk(ch) or ch in "“”‘’《》—…·")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- edits -> records


@dataclass(frozen=True)
class Edit:
    """A proposed change at [start, end) of a block's current `text`."""

    start: int
    end: int
    after: str
    rule: str
    confidence: float


def _trim(start: int, end: int, before: str, after: str) -> tuple[int, int, str]:
    """Shrink an edit to the characters that really change, so the record is minimal and
    usually falls inside one line even when the context that decided it spans two."""
    p = 0
    while p < len(before) and p < len(after) and before[p] == after[p]:
        p += 1
    s = 0
    while s < len(before) - p and s < len(after) - p and before[-1 - s] == after[-1 - s]:
        s += 1
    return start + p, end - s, after[p : len(after) - s]


def _existing_counts(issue: Issue) -> dict[str, int]:
    counts: dict[str, int] = {}
    for c in issue.corrections:
        counts[c.line_id] = counts.get(c.line_id, 0) + 1
    return counts


def apply_block_edits(issue: Issue, block: Block, edits: Iterable[Edit], counts: dict[str, int]) -> int:
    """Turn block-offset edits into per-line `Correction` records and apply them to `line.text`.

    Offsets of each record are into the line's text as it stood when the record was made, so
    replaying records in id order on `text_raw` gives `text`. Overlapping edits keep the first;
    an edit touching a join between lines (a space `join_lines` added) is refused. Returns the
    number of records written."""
    text = block.text
    spans = block.line_spans()
    per_line: dict[str, list[tuple[int, int, str, str, float]]] = {}
    lines: dict[str, Line] = {}
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        start, end, after = _trim(e.start, e.end, text[e.start : e.end], e.after)
        if start == end and not after:
            continue
        pieces: list[tuple[Line, int, int]] = []
        for ln, ls, le in spans:
            if start == end:  # insertion: the first line that holds the point
                if ls <= start <= le and le > ls:
                    pieces.append((ln, start - ls, start - ls))
                    break
                continue
            lo, hi = max(start, ls), min(end, le)
            if lo < hi:
                pieces.append((ln, lo - ls, hi - ls))
        covered = sum(hi - lo for _, lo, hi in pieces)
        if not pieces or (start < end and covered != end - start):
            log.debug("edit %r at %d:%d of %s crosses a line join; refused", e.rule, start, end, block.block_id)
            continue
        for k, (ln, lo, hi) in enumerate(pieces):
            lead = len(ln.text) - len(ln.text.lstrip())
            lines[ln.line_id] = ln
            per_line.setdefault(ln.line_id, []).append(
                (lo + lead, hi + lead, after if k == 0 else "", e.rule, e.confidence)
            )
    written = 0
    for line_id, items in per_line.items():
        ln = lines[line_id]
        shift, last_end = 0, -1
        for lo, hi, after, rule, conf in sorted(items, key=lambda t: (t[0], t[1])):
            if lo < last_end:
                continue
            a, b = lo + shift, hi + shift
            before = ln.text[a:b]
            if before == after:
                continue
            counts[line_id] = counts.get(line_id, 0) + 1
            issue.corrections.append(
                Correction(f"{line_id}_c{counts[line_id]:02d}", line_id, a, b, before, after, rule, round(conf, 3))
            )
            ln.text = ln.text[:a] + after + ln.text[b:]
            shift += len(after) - (b - a)
            last_end = hi
            written += 1
    return written


# --------------------------------------------------------------------------- per-character confidence


@lru_cache(maxsize=4096)
def _text_to_raw(raw: str, text: str) -> tuple[int, ...]:
    """For each character of `text`, its index in `raw` (-1 where a correction put it there)."""
    out = [-1] * len(text)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, raw, text, autojunk=False).get_opcodes():
        if tag == "equal":
            for k in range(j2 - j1):
                out[j1 + k] = i1 + k
    return tuple(out)


def _char_conf(spans: list[tuple[Line, int, int]], off: int) -> float | None:
    """The engine's confidence for the character at block offset `off`, when it gave one."""
    for ln, ls, le in spans:
        if ls <= off < le:
            if not ln.char_confidences:
                return None
            i = off - ls + len(ln.text) - len(ln.text.lstrip())
            ri = i if ln.text == ln.text_raw else _text_to_raw(ln.text_raw, ln.text)[i]
            if 0 <= ri < len(ln.char_confidences):
                return float(ln.char_confidences[ri])
            return None
    return None


# --------------------------------------------------------------------------- lexicons


@lru_cache(maxsize=1)
def curated_lexicon() -> frozenset[str]:
    """Units, titles, awards, places and domain words shipped with the project."""
    words: set[str] = set()
    for name in ("units", "titles", "awards", "places", "words"):
        words.update(load_wordlist(name))
    return frozenset(words)


@lru_cache(maxsize=8)
def confusion_table(
    engine: bool = False, min_count: int = 2, symmetric: bool = False, glyph_top_k: int = 0
) -> dict[str, tuple[str, ...]]:
    """Character -> the characters it may have been misread for: the groups of confusables.txt
    (symmetric), then with `engine` the recogniser's own substitutions learned by
    benchmarks/learn_confusions.py (what the engine read -> what was printed; both ways with
    `symmetric`), pairs seen at least `min_count` times, most frequent first after the hand-made
    alternatives; then, with `glyph_top_k` > 0, each character's nearest glyph look-alikes from
    benchmarks/glyph_neighbours.py (both ways: shape similarity is symmetric). CorrectConfig's
    engine_* and glyph_* fields choose the arguments the stage uses."""
    table: dict[str, list[str]] = {}
    for group in load_wordlist("confusables"):
        chars = [c for c in group.split() if len(c) == 1]
        for c in chars:
            alts = table.setdefault(c, [])
            alts.extend(o for o in chars if o != c and o not in alts)
    if engine:
        for char, read_as, _count in engine_confusions(min_count):
            for a, b in ((read_as, char), (char, read_as)) if symmetric else ((read_as, char),):
                alts = table.setdefault(a, [])
                if b not in alts:
                    alts.append(b)
    for char, near in glyph_neighbours(glyph_top_k) if glyph_top_k > 0 else ():
        for a, b in ((char, near), (near, char)):
            alts = table.setdefault(a, [])
            if b not in alts:
                alts.append(b)
    return {k: tuple(v) for k, v in table.items()}


def _table_rows(name: str, columns: int, missing: str) -> list[list[str]]:
    """Tab-separated rows of resources/lexicon/`name` with `columns` fields, comments (#) skipped.
    A missing file is a warning (`missing` says what is lost), not an error: the hand table still
    works."""
    from importlib import resources

    ref = resources.files("pipeline.resources").joinpath("lexicon", name)
    if not ref.is_file():
        log.warning("no table %s; %s", ref, missing)
        return []
    rows = (raw.split("\t") for raw in ref.read_text(encoding="utf-8").splitlines() if not raw.startswith("#"))
    return [parts for parts in rows if len(parts) == columns]


@lru_cache(maxsize=4)
def glyph_neighbours(top_k: int = 3) -> tuple[tuple[str, str], ...]:
    """(char, look-alike) pairs of lexicon/confusables_glyph.tsv, each character's `top_k` nearest
    rendered-glyph neighbours (benchmarks/glyph_neighbours.py). Why: a general candidate source
    for pairs neither the hand table nor the short engine learning run has seen."""
    rows: list[tuple[str, str]] = []
    for char, near in _table_rows("confusables_glyph.tsv", 2, "glyph candidates off"):
        if len(char) == 1 and char != "char":  # the header row
            rows.extend((char, n) for n in near[:top_k] if n != char)
    return tuple(rows)


@lru_cache(maxsize=8)
def engine_confusions(min_count: int = 2) -> tuple[tuple[str, str, int], ...]:
    """(printed char, read as, count) rows of lexicon/confusables_engine.tsv seen >= `min_count`
    times, in file order (most frequent first)."""
    rows: list[tuple[str, str, int]] = []
    for char, read_as, count in _table_rows("confusables_engine.tsv", 3, "hand-made table only"):
        if not count.isdigit():
            continue  # the header row
        if len(char) == 1 and len(read_as) == 1 and char != read_as and int(count) >= min_count:
            rows.append((char, read_as, int(count)))
    return tuple(rows)


@lru_cache(maxsize=1)
def _jieba_freq() -> dict[str, int]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt.FREQ  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- rule context


@dataclass
class _Ctx:
    cfg: CorrectConfig
    lexicon: CorpusLexicon | None
    block: Block
    spans: list[tuple[Line, int, int]] = field(default_factory=list)


Rule = Callable[[str, _Ctx], list[Edit]]


# --------------------------------------------------------------------------- digits

_LOOKALIKE_DIGIT = {"O": "0", "o": "0", "〇": "0", "()": "0", "（）": "0", "l": "1", "I": "1", "|": "1",
                    "S": "5", "B": "8", "Z": "2"}  # fmt: skip
_NUM_RUN = re.compile(r"(?:[0-9OolI|SBZ〇]|\(\)|（）)+")
_NUM_UNIT = re.compile(r"^\s*(?:[年月日号时点分元万亿千百人户家个名位次届期版岁天周项条件余多组栋幢层室]|%|％)")
_DATE_UNIT = re.compile(r"^\s*[年月日]")
_ORDINAL_PRE = re.compile(r"(?:总?第)\s*$")
_ORDINAL_POST = re.compile(r"^\s*[期版届次号]")
_PHONE_PRE = re.compile(r"(?:电话|手机|热线|传真|邮编|联系方式|Tel|TEL|tel)\s*[:：]?\s*$")


def _rule_digits(text: str, ctx: _Ctx) -> list[Edit]:
    """Look-alikes of digits inside a number, only where the context says "number"."""
    edits: list[Edit] = []
    for m in _NUM_RUN.finditer(text):
        units = re.findall(r"\(\)|（）|.", m.group(0))
        n_digits = sum(u.isdigit() and u.isascii() for u in units)
        n_look = len(units) - n_digits
        if n_digits == 0 or n_look == 0:
            continue
        prev = text[m.start() - 1] if m.start() else ""
        nxt = text[m.end()] if m.end() < len(text) else ""
        if (prev.isascii() and prev.isalpha()) or (nxt.isascii() and nxt.isalpha()):
            continue  # part of a Latin word or code (ISO9001, B2B)
        before, after = text[: m.start()], text[m.end() :]
        inner = not _LOOKALIKE_DIGIT.get(units[0]) and not _LOOKALIKE_DIGIT.get(units[-1])
        if _ORDINAL_PRE.search(before) and _ORDINAL_POST.match(after):
            conf = 0.95
        elif _DATE_UNIT.match(after):
            conf = 0.93
        elif _PHONE_PRE.search(before):
            conf = 0.9
        elif _NUM_UNIT.match(after) and n_digits >= n_look:
            conf = 0.88
        elif inner and n_digits >= 2 and n_digits >= n_look:
            conf = 0.85
        else:
            continue
        pos = m.start()
        for u in units:
            if u in _LOOKALIKE_DIGIT:
                edits.append(Edit(pos, pos + len(u), _LOOKALIKE_DIGIT[u], "digit-context", conf))
            pos += len(u)
    for m in _DAY_CHAR.finditer(text):
        edits.append(Edit(m.start(1), m.end(1), "日", "digit-context", 0.9))
    return edits


_DAY_CHAR = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*(曰)")  # 曰 for 日 after a month and day number


# --------------------------------------------------------------------------- punctuation

_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", ".": "。"}
_TRANSLIT = set("克斯尔德特伦尼娜莎雅丽亚玛布拉夫基维诺罗萨卡琳娅艾伊约翰汉姆森逊顿普奥")


def _prev_ns(text: str, i: int) -> str:
    j = i - 1
    while j >= 0 and text[j] == " ":
        j -= 1
    return text[j] if j >= 0 else ""


def _next_ns(text: str, i: int) -> str:
    j = i + 1
    while j < len(text) and text[j] == " ":
        j += 1
    return text[j] if j < len(text) else ""


def _rule_punct(text: str, ctx: _Ctx) -> list[Edit]:
    """One convention for Chinese text: full-width ，。：；？！（）, full-width digits to ASCII."""
    if not _HAN.search(text):
        return []
    edits: list[Edit] = []
    for m in re.finditer("[０-９]", text):
        edits.append(Edit(m.start(), m.end(), chr(ord(m.group()) - 0xFEE0), "fullwidth-digit", 0.99))
    for i, ch in enumerate(text):
        if ch not in _FULL:
            continue
        prev, nxt = _prev_ns(text, i), _next_ns(text, i)
        if prev.isdigit() and nxt.isdigit():
            continue  # 1,000  3.5  10:30
        if ch == ".":
            ok = (_is_han(prev) or prev in _CLOSE_Q + "”") and not (nxt.isascii() and nxt.isalnum())
        elif ch == ":":
            ok = (_is_han(prev) or _is_han(nxt)) and nxt != "/"
        else:
            ok = _is_han(prev) or prev in _CLOSE_Q or _is_han(nxt)
        if ok:
            edits.append(Edit(i, i + 1, _FULL[ch], "punct-width", 0.95))
    for m in re.finditer(r"[(（]([^()（）\n]{0,40})[)）]", text):
        if _HAN.search(m.group(1)):
            if m.group(0)[0] != "（":
                edits.append(Edit(m.start(), m.start() + 1, "（", "punct-width", 0.95))
            if m.group(0)[-1] != "）":
                edits.append(Edit(m.end() - 1, m.end(), "）", "punct-width", 0.95))
    edits += _pair_quotes(text, '"“”', "“", "”")
    if not any(a.isascii() and a.isalpha() and b.isascii() and b.isalpha() for a, b in _around(text, "'")):
        edits += _pair_quotes(text, "'‘’", "‘", "’")
    if ctx.block.kind == BlockKind.BODY:
        edits += _dot_period(text, ctx)
    return edits


def _around(text: str, ch: str) -> list[tuple[str, str]]:
    return [(text[i - 1] if i else "", text[i + 1] if i + 1 < len(text) else "") for i, c in enumerate(text) if c == ch]


def _pair_quotes(text: str, chars: str, open_q: str, close_q: str) -> list[Edit]:
    """Quotes alternate open/close within a block; with an odd count the pairing is unknowable
    (a quotation running on into the next block), so nothing is changed."""
    pos = [i for i, c in enumerate(text) if c in chars]
    if not pos or len(pos) % 2:
        if pos:
            log.debug("odd number of quotes %r in %r: left as read", chars, text[:30])
        return []
    edits = []
    for k, i in enumerate(pos):
        want = open_q if k % 2 == 0 else close_q
        if text[i] != want:
            edits.append(Edit(i, i + 1, want, "quote-pair", 0.95 if text[i].isascii() else 0.8))
    return edits


def _dot_period(text: str, ctx: _Ctx) -> list[Edit]:
    """PP-OCR reads 。 as · on hard scans. A middle dot ending a paragraph, or ending a long clause
    outside quotes and names, is a full stop; dots in quoted titles and names stay."""
    edits = []
    for i, ch in enumerate(text):
        if ch != "·":
            continue
        prev = text[i - 1] if i else ""
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if not (_is_han(prev) or prev in "”’）"):
            continue
        depth = sum(text[:i].count(c) for c in "“《（") - sum(text[:i].count(c) for c in "”》）")
        if depth > 0:
            continue  # inside quotes / a title: 「同心讲坛·惠健康」
        if not nxt.strip():
            edits.append(Edit(i, i + 1, "。", "dot-period", 0.9))
            continue
        clause_start = max(text.rfind(c, 0, i) for c in "。！？；") + 1
        conf = _char_conf(ctx.spans, i)
        if (
            i - clause_start >= 8
            and (_is_han(nxt) or nxt in "“《（")
            and not (prev in _TRANSLIT and nxt in _TRANSLIT)
            and (conf is None or conf < 0.95)
        ):
            edits.append(Edit(i, i + 1, "。", "dot-period", 0.8))
    return edits


# --------------------------------------------------------------------------- dust read as punctuation

_DUST = "·•.:："
_STOPS = "。，、；：！？"  # after one of these no other stop or dot can follow in Chinese text
_DUST_AFTER_STOP = re.compile(r"(?<=[。，、；：！？])\s*([.·•]{1,3})(?=\s*(?:$|[\u4e00-\u9fff“《]))")


def _rule_dust(text: str, ctx: _Ctx) -> list[Edit]:
    """Specks of dust that the engine read as punctuation. Two places where no Chinese text has
    one: a dot right after a stop (领奖。..  近日，·静安区), and a dot or colon opening a line of
    body text, which typesetting never allows (行首禁则: 。，：· may not start a line), where the
    engine was unsure of it. Real uses stay: 约翰·史密斯 and 8:30 are between letters or digits,
    list bullets and "1." are in lists, a sure mark is left to the other rules."""
    if not _HAN.search(text):
        return []
    cfg = ctx.cfg
    edits: list[Edit] = []
    for m in _DUST_AFTER_STOP.finditer(text):
        edits.append(Edit(m.start(1), m.end(1), "", "dust-punct", 0.9))
    if ctx.block.kind != BlockKind.BODY:
        return edits
    for _, ls, le in ctx.spans:
        j = ls
        while j < le and j - ls < 3 and text[j] in _DUST:
            j += 1
        if j == ls or j >= le or not _is_han(text[j]):
            continue
        confs = [_char_conf(ctx.spans, k) for k in range(ls, j)]
        if all(c is not None and c < cfg.dust_max_char_conf for c in confs):
            edits.append(Edit(ls, j, "", "dust-punct", 0.85))
    return edits


# --------------------------------------------------------------------------- spaces

_CJK_CLASS = r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’《》—…·]"
_CJK_SPACE = re.compile(rf"(?<={_CJK_CLASS})[ \t\u3000]+(?={_CJK_CLASS})")
_LETTER_SPACED = re.compile(r"(?<!\S)[\u4e00-\u9fff](?: [\u4e00-\u9fff]){2,9}(?!\S)")


def _rule_spaces(text: str, ctx: _Ctx) -> list[Edit]:
    """Body text has no printed space between Chinese characters: one that survives OCR is an
    artefact. In headings and captions a space is a printed gap and stays, except inside a
    letter-spaced word (金 拇 指 奖), which is one word."""
    edits: list[Edit] = []
    if ctx.block.kind == BlockKind.BODY:
        for m in _CJK_SPACE.finditer(text):
            edits.append(Edit(m.start(), m.end(), "", "cjk-space", 0.95))
    elif ctx.block.kind != BlockKind.MASTHEAD:
        for m in _LETTER_SPACED.finditer(text):
            edits.append(Edit(m.start(), m.end(), m.group(0).replace(" ", ""), "letter-spacing", 0.85))
    return edits


# --------------------------------------------------------------------------- look-alike characters


@dataclass
class _Evidence:
    curated: int = 0  # length of the longest shipped-lexicon word covering the position
    curated_word: str = ""
    corpus: int = 0  # batch count of the best corpus word covering it (length >= 2)
    corpus_word: str = ""
    freq: int = 0  # jieba dictionary frequency of the best word covering it (length >= 2)
    freq_word: str = ""


@lru_cache(maxsize=1)
def _curated_prefixes() -> frozenset[str]:
    return frozenset(w[:k] for w in curated_lexicon() for k in range(1, len(w) + 1))


_CORPUS_PREFIXES: dict[int, tuple[CorpusLexicon, int, frozenset[str]]] = {}


def _corpus_prefixes(lexicon: CorpusLexicon) -> frozenset[str]:
    """Every prefix of the batch's words, built once per lexicon (identity and size checked)."""
    hit = _CORPUS_PREFIXES.get(id(lexicon))
    if hit is not None and hit[0] is lexicon and hit[1] == len(lexicon.counts):
        return hit[2]
    pre = frozenset(w[:k] for w in lexicon.counts for k in range(1, len(w) + 1))
    _CORPUS_PREFIXES.clear()  # one batch at a time; keeps the cache from holding old lexicons
    _CORPUS_PREFIXES[id(lexicon)] = (lexicon, len(lexicon.counts), pre)
    return pre


def _evidence(text: str, i: int, lexicon: CorpusLexicon | None, max_len: int = 10) -> _Evidence:
    """The best shipped, batch and jieba words of 2..max_len characters covering position i.
    Windows are grown from each start only while they are still the prefix of some known word
    (jieba's dictionary holds every prefix of its words), so the many look-alike candidates of
    the learned and glyph tables stay cheap; the result is the same as trying every window."""
    ev = _Evidence()
    cur = curated_lexicon()
    freq = _jieba_freq()
    cur_pre = _curated_prefixes()
    corp_pre = _corpus_prefixes(lexicon) if lexicon is not None else frozenset()
    n = len(text)
    windows: list[tuple[int, int, str]] = []
    for a in range(max(0, i - max_len + 1), i + 1):
        if not _HAN.match(text[a]):
            continue
        for b in range(a + 1, min(n, a + max_len) + 1):
            w = text[a:b]
            if w not in freq and w not in cur_pre and w not in corp_pre:
                break  # no known word starts with w: none longer from a either
            if b > i and b - a >= 2 and _HAN.match(text[b - 1]) and " " not in w and "\n" not in w:
                windows.append((b - a, a, w))
    windows.sort()
    for length, _, w in windows:
        if w in cur and length > ev.curated:
            ev.curated, ev.curated_word = length, w
        f = freq.get(w) or 0
        if f > ev.freq:
            ev.freq, ev.freq_word = f, w
        if lexicon is not None:
            c = lexicon.count(w)
            if c > ev.corpus or (c == ev.corpus and c and length > len(ev.corpus_word)):
                ev.corpus, ev.corpus_word = c, w
    return ev


def _rule_lookalikes(text: str, ctx: _Ctx) -> list[Edit]:
    """A look-alike replaces a character only when it completes a known word and the original
    makes none: a shipped lexicon entry (3+ characters), a word the batch has seen many times
    more often, or a much more frequent jieba word where the engine itself was unsure."""
    cfg = ctx.cfg
    glyph_k = cfg.glyph_top_k if cfg.glyph_confusions else 0
    table = confusion_table(cfg.engine_confusions, cfg.engine_min_count, cfg.engine_symmetric, glyph_k)
    hand = confusion_table()
    edits: list[Edit] = []
    spans: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        alts = table.get(ch)
        if not alts:
            continue
        orig = _evidence(text, i, ctx.lexicon)
        conf_char = _char_conf(ctx.spans, i)
        found: list[tuple[float, float, str, str, tuple[int, int]]] = []
        for alt in alts:
            # a pair only the engine table holds rests on the engine: jieba alone may not apply it
            # where the engine gave no confidence to doubt (五同 -> 五间 in a quoted term)
            learned_only = alt not in hand.get(ch, ())
            cand_text = text[:i] + alt + text[i + 1 :]
            cand = _evidence(cand_text, i, ctx.lexicon)
            decided: tuple[float, str, str] | None = None
            if cand.curated >= 3 and orig.curated == 0 and (cand.curated >= 4 or orig.freq < cfg.dict_min_freq):
                decided = (0.95 if cand.curated >= 4 else 0.9, f"lexicon {cand.curated_word}", cand.curated_word)
            elif (
                ctx.lexicon is not None
                and orig.curated == 0
                and cand.corpus >= cfg.corpus_min_count
                and cand.corpus >= cfg.corpus_ratio * max(1, _same_window(text, cand_text, cand.corpus_word, i, ctx))
                and (len(cand.corpus_word) >= 3 or orig.freq == 0)
            ):
                decided = (0.9, f"batch {cand.corpus_word}x{cand.corpus}", cand.corpus_word)
            elif (
                orig.curated == 0
                and orig.corpus < cfg.corpus_min_count
                and orig.freq <= cfg.dict_rare_freq
                and cand.freq >= cfg.dict_min_freq
                and (conf_char < cfg.dict_max_char_conf if conf_char is not None else not learned_only)
                and _segment_gain(text, cand_text, i) >= _min_gain(orig.freq, cfg, learned_only)
            ):
                decided = (0.8 if conf_char is None else 0.85, f"jieba {cand.freq_word}", cand.freq_word)
            if decided:
                found.append((decided[0], _segment_gain(text, cand_text, i), alt, decided[1], _word_span(cand_text, i, decided[2])))
        if not found:
            continue
        found.sort(key=lambda f: (-f[0], -f[1], f[2]))
        if len(found) > 1 and found[1][0] == found[0][0] and found[0][1] - found[1][1] < math.log(cfg.dict_ratio):
            log.debug("lookalike %s at %d of %r: %s and %s both fit; left", ch, i, text[i - 4 : i + 5],
                      found[0][2], found[1][2])  # fmt: skip
            continue
        conf, _, alt, why, span = found[0]
        log.debug("lookalike %s -> %s at %d of %r (%s)", ch, alt, i, text[max(0, i - 4) : i + 5], why)
        edits.append(Edit(i, i + 1, alt, "lookalike", conf))
        spans.append(span)
    return _resolve_dependent(text, edits, spans, math.log(cfg.dict_ratio))


def _word_span(cand_text: str, i: int, word: str) -> tuple[int, int]:
    """Where the evidence word lies around position i of the candidate text."""
    for a in range(max(0, i - len(word) + 1), i + 1):
        if cand_text[a : a + len(word)] == word:
            return a, a + len(word)
    return i, i + 1


def _route_logp(s: str) -> float:
    """Log probability of jieba's best segmentation of `s`."""
    import jieba

    route: dict[int, tuple[float, int]] = {}
    jieba.dt.calc(s, jieba.dt.get_DAG(s), route)
    return route[0][0] if s else 0.0


def _resolve_dependent(text: str, edits: list[Edit], spans: list[tuple[int, int]], margin: float) -> list[Edit]:
    """Each look-alike is judged against the text as read, so two garbled neighbours can each
    find a word through the other one as read (满意 read 消意: 消 -> 满 makes 满意, 意 -> 息 makes
    消息; applied together: 满息). Where an edit's evidence word covers another edit's position,
    the chain is settled by jieba over the joined run: each edit alone or all of them, the one
    whose segmentation is more probable than every other by `margin` (as two candidates at one
    position); none when no option stands out (各方消意: 满意 or 消息 are both words). An edit
    with stronger evidence than the others (a shipped name: 年记使命 -> 牢记使命, not 年纪) wins."""
    if len(edits) < 2:
        return edits
    order = sorted(range(len(edits)), key=lambda k: edits[k].start)
    groups: list[list[int]] = [[order[0]]]
    for k in order[1:]:
        prev = groups[-1][-1]
        a, b = spans[prev]
        c, d = spans[k]
        if a <= edits[k].start < b or c <= edits[prev].start < d:
            groups[-1].append(k)
        else:
            groups.append([k])
    out: list[Edit] = []
    for g in groups:
        if len(g) == 1:
            out.append(edits[g[0]])
            continue
        top = max(edits[k].confidence for k in g)
        strongest = [k for k in g if edits[k].confidence == top]
        if len(strongest) == 1:  # stronger evidence decides, as at one position (牢记使命 over 年纪)
            log.debug("lookalike chain at %d: kept %s, the strongest evidence", edits[g[0]].start,
                      edits[strongest[0]].after)  # fmt: skip
            out.append(edits[strongest[0]])
            continue
        lo, _ = _han_window(text, edits[g[0]].start)
        _, hi = _han_window(text, edits[g[-1]].start)
        options = [[k] for k in g] + [g]

        def score(ks: list[int]) -> float:
            chars = list(text[lo:hi])
            for k in ks:
                chars[edits[k].start - lo] = edits[k].after
            return _route_logp("".join(chars))

        ranked = sorted(((score(ks), ks) for ks in options), key=lambda t: -t[0])
        if ranked[0][0] - ranked[1][0] < margin:
            log.debug("lookalike chain %r: no option stands out; left", text[lo:hi])
            continue
        log.debug("lookalike chain %r: kept %s", text[lo:hi], [edits[k].after for k in ranked[0][1]])
        out.extend(edits[k] for k in ranked[0][1])
    return sorted(out, key=lambda e: e.start)


# --------------------------------------------------------------------------- glyph look-alikes in lexicon names

_GLYPH_FONTS = ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
                "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")  # fmt: skip
_GLYPH_INDEX = 2  # Simplified Chinese faces in the Noto CJK collections


@lru_cache(maxsize=1)
def _glyph_font():  # type: ignore[no-untyped-def]
    """The body face glyphs are drawn in, loaded once per process (None without the fonts)."""
    from PIL import ImageFont

    for path in _GLYPH_FONTS:
        try:
            return ImageFont.truetype(path, 48, index=_GLYPH_INDEX)
        except OSError:
            continue
    log.warning("no Noto CJK font for glyph similarity; glyph-lexicon rule off")
    return None


@lru_cache(maxsize=4096)
def _glyph(ch: str) -> np.ndarray | None:
    """The character drawn in the body face, blurred and centred to zero mean: a unit vector
    (float32) whose correlation with another character's says how alike they look to a
    recogniser."""
    import cv2
    import numpy as np
    from PIL import Image, ImageDraw

    font = _glyph_font()
    if font is None:
        return None
    im = Image.new("L", (56, 56), 0)
    ImageDraw.Draw(im).text((4, -4), ch, fill=255, font=font)
    a = cv2.GaussianBlur(np.asarray(im, dtype=np.float32) / 255.0, (0, 0), 2.5).ravel()
    a = a - a.mean()
    norm = float(np.linalg.norm(a))
    if not norm:
        return None
    out = a / norm
    out.flags.writeable = False  # shared through the cache
    return out


def glyph_similarity(a: str, b: str) -> float:
    """Correlation (-1..1) of two characters' blurred glyphs: 日/目 0.94, 旨/目 0.85, 邮/邨 0.84,
    東-style pairs that differ in shape (东/西, 南/北) about 0.5. 0 when no font is installed."""
    ga, gb = _glyph(a), _glyph(b)
    if ga is None or gb is None:
        return 0.0
    import numpy as np

    return float(np.dot(ga.astype(np.float64), gb.astype(np.float64)))


@lru_cache(maxsize=1)
def _lexicon_masks() -> dict[str, tuple[tuple[str, int], ...]]:
    """Each shipped-lexicon entry of 3+ characters under every one-character mask
    ("天?西路" -> 天目西路 at 1), so a name read with one wrong character is found by lookup."""
    out: dict[str, list[tuple[str, int]]] = {}
    for w in curated_lexicon():
        if len(w) < 3 or not all(_is_han(c) for c in w):
            continue
        for k in range(len(w)):
            out.setdefault(w[:k] + "?" + w[k + 1 :], []).append((w, k))
    return {key: tuple(v) for key, v in out.items()}


def _rule_glyph_lexicon(text: str, ctx: _Ctx) -> list[Edit]:
    """A shipped name of 4+ characters (天目西路, 静安雕塑公园) read with one character that
    the confusion tables do not pair with the printed one (天官西路, 静安離塑公园): accepted when
    the two glyphs look alike (rendered-glyph correlation >= glyph_min_sim), the original spelling
    is no lexicon entry, no entry covers the position as read, and the engine was not sure of
    that character. One candidate per position or nothing."""
    cfg = ctx.cfg
    masks = _lexicon_masks()
    lengths = sorted({len(k) for k in masks}, reverse=True)
    cur = curated_lexicon()
    cands: dict[int, set[tuple[str, str]]] = {}
    for n in lengths:
        for a in range(0, len(text) - n + 1):
            win = text[a : a + n]
            if win in cur or not all(_is_han(c) for c in win):
                continue
            for k in range(n):
                for word, wk in masks.get(win[:k] + "?" + win[k + 1 :], ()):
                    if wk == k and word[k] != win[k]:
                        cands.setdefault(a + k, set()).add((word[k], word))
    edits: list[Edit] = []
    for i, found in sorted(cands.items()):
        longest = max(len(w) for _, w in found)
        found = {(c, w) for c, w in found if len(w) == longest}  # 静安離塑公园: 雕, not 寺 of 静安寺
        alts = {c for c, _ in found}
        if len(alts) != 1:
            continue
        alt = next(iter(alts))
        conf_char = _char_conf(ctx.spans, i)
        if conf_char is not None and conf_char >= cfg.dict_max_char_conf:
            continue
        orig = _evidence(text, i, None)
        if orig.curated:
            continue  # the characters as read already make a shipped name here
        if longest < 4 and orig.freq >= cfg.dict_min_freq:
            continue  # a 3-character name against a common word as read: as the lookalike rule
        sim = glyph_similarity(text[i], alt)
        if sim < cfg.glyph_min_sim:
            continue
        log.debug("glyph-lexicon %s -> %s (%.2f) for %s", text[i], alt, sim, sorted(w for _, w in found))
        edits.append(Edit(i, i + 1, alt, "glyph-lexicon", 0.9))
    return edits


def _min_gain(orig_freq: int, cfg: CorrectConfig, learned_only: bool = False) -> float:
    """Segmentation gain the jieba rule needs: ln(dict_ratio) when the original makes no word;
    ln(dict_rare_ratio) when it makes a rare one (freq <= dict_rare_freq), since a rare jieba
    word (心王, 3) is weak evidence that the characters were read right, but some evidence; the
    same stricter bar for a pair only the learned engine table holds (a wider net of candidates
    finds more chance words: 五同 -> 五间)."""
    strict = orig_freq > 0 or (learned_only and cfg.engine_strict)
    return math.log(max(cfg.dict_ratio, cfg.dict_rare_ratio) if strict else cfg.dict_ratio)


def _han_window(text: str, i: int, radius: int = 6) -> tuple[int, int]:
    a = i
    while a > 0 and i - a < radius and _is_han(text[a - 1]):
        a -= 1
    b = i + 1
    while b < len(text) and b - i <= radius and _is_han(text[b]):
        b += 1
    return a, b


def _segment_gain(text: str, cand_text: str, i: int) -> float:
    """How much more likely jieba finds the candidate's context than the original's: the log
    probability of the best segmentation of the Chinese run around `i` (jieba's own route
    search). A function word read correctly (通过了理事) loses against 过于 this way, while
    表影了 -> 表彰了 wins by a wide margin."""
    import jieba

    a, b = _han_window(text, i)
    scores = []
    for s in (text[a:b], cand_text[a:b]):
        route: dict[int, tuple[float, int]] = {}
        jieba.dt.calc(s, jieba.dt.get_DAG(s), route)
        scores.append(route[0][0])
    return scores[1] - scores[0]


def _same_window(text: str, cand_text: str, word: str, i: int, ctx: _Ctx) -> int:
    """Batch count of the original characters in the window where the candidate found `word`."""
    if ctx.lexicon is None or not word:
        return 0
    for a in range(max(0, i - len(word) + 1), i + 1):
        if cand_text[a : a + len(word)] == word:
            return ctx.lexicon.count(text[a : a + len(word)])
    return 0


# --------------------------------------------------------------------------- junk and page furniture

_NO_TEXT = re.compile(r"^[^\w\u3400-\u9fff]*$")
_PAGE_NO = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,3}\s*(?:版|页)?[-—–\s]*$")
_TRAILING_JUNK = re.compile(r"(?<=[\u4e00-\u9fff。！？”）])([0-9]{3,}|[0-9A-Za-z_=~^*#@&|/\\-]{4,})$")
_NUMBER_LABEL = re.compile(
    r"(?:电话|手机|热线|邮编|传真|编号|号码|代码|展望|迎接|截至|微信|账号|QQ|[为是约共计达第于在至到和与及])$"
)


def _reclassify_junk(issue: Issue, page: Page) -> int:
    """Blocks with no word in them (rules, dots, stray marks) and page numbers at the page edge
    are page furniture: kind `other`, out of reading order, kept in the dataset."""
    moved = 0
    for b in page.blocks:
        if b.kind in (BlockKind.OTHER, BlockKind.MASTHEAD):
            continue
        t = b.text.strip()
        edge = page.height > 0 and (b.box.y1 < 0.08 * page.height or b.box.y0 > 0.92 * page.height)
        why = ""
        if _NO_TEXT.match(t):
            why = "no text"
        elif edge and _PAGE_NO.match(t):
            why = "page number"
        if why:
            log.info("%s: block %s %r is page furniture (%s): kind other", issue.issue_id, b.block_id, t, why)
            page.steps.append(Step("correct", f"block {b.block_id} ({b.kind}) -> other: {why}", {"text": t}))
            b.kind = BlockKind.OTHER
            moved += 1
    if moved:
        _renumber(page)
    return moved


def _renumber(page: Page) -> None:
    """Reading order stays a dense 0..n-1 after blocks leave it."""
    order = sorted((b for b in page.blocks if b.order >= 0 and b.kind != BlockKind.OTHER), key=lambda b: b.order)
    for b in page.blocks:
        if b.kind == BlockKind.OTHER:
            b.order = -1
            for ln in b.lines:
                ln.order = -1
    n = 0
    for k, b in enumerate(order):
        b.order = k
        for ln in b.lines:
            if ln.order >= 0:
                ln.order = n
                n += 1


def _split_trailing_junk(issue: Issue, page: Page, counts: dict[str, int]) -> int:
    """"…运动会5990": a digit or symbol run glued to the end of a block, after a full stop, or
    after a noun with nothing that could make it a number (电话, 为, a unit) and not a year, is
    cut off into its own block of kind other (the text is kept, the line's record says so)."""
    last_block = max(page.reading_order_blocks(), key=lambda b: b.order, default=None)
    new_blocks: list[Block] = []
    for b in page.blocks:
        if b.kind in (BlockKind.OTHER, BlockKind.MASTHEAD) or not b.lines:
            continue
        text = b.text
        m = _TRAILING_JUNK.search(text)
        if not m:
            continue
        run = m.group(1)
        prev = text[m.start() - 1]
        spans = b.line_spans()
        confs = [_char_conf(spans, k) for k in range(m.start(), m.end())]
        known = [c for c in confs if c is not None]
        low = bool(known) and sum(known) / len(known) < 0.9
        if prev in "。！？":
            conf = 0.85
        elif _NUMBER_LABEL.search(text[: m.start()]) or re.fullmatch(r"(?:19|20)\d\d", run):
            continue
        elif run.isdigit() and (low or b is last_block):
            conf = 0.75
        else:
            continue
        ln, ls, le = next(s for s in spans if s[1] <= m.start() < s[2])
        if m.start() < ls or m.end() > le:
            continue
        before_len = len(ln.text)
        if not apply_block_edits(issue, b, [Edit(m.start(), m.end(), "", "junk-split", conf)], counts):
            continue
        new_blocks.append(_junk_block(page, ln, run, m.start() - ls, before_len, known, len(new_blocks)))
    page.blocks.extend(new_blocks)
    return len(new_blocks)


def _junk_block(page: Page, src: Line, run: str, offset: int, src_len: int, confs: list[float], k: int) -> Block:
    used = {b.block_id for b in page.blocks}
    n = len(page.blocks) + 1 + k
    while f"{page.page_id}_b{n:03d}" in used:
        n += 1
    block_id = f"{page.page_id}_b{n:03d}"
    frac0, frac1 = offset / max(1, src_len), (offset + len(run)) / max(1, src_len)
    box = Box(src.box.x0 + frac0 * src.box.width, src.box.y0, src.box.x0 + frac1 * src.box.width, src.box.y1)
    line = Line(
        line_id=f"{block_id}_l001",
        box=box.rounded() if box.width >= 1 else src.box,
        text_raw=run,
        text=run,
        confidence=round(sum(confs) / len(confs), 4) if confs else src.confidence,
        char_confidences=list(confs) if len(confs) == len(run) else [],
        block_id=block_id,
        order=-1,
    )
    page.steps.append(Step("correct", f"junk {run!r} cut from line {src.line_id} into block {block_id}"))
    return Block(block_id=block_id, kind=BlockKind.OTHER, box=line.box, lines=[line], order=-1)


# --------------------------------------------------------------------------- masthead

_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}  # fmt: skip
_NUM = r"[0-9〇零○一二两三四五六七八九十百]"


def _to_int(s: str) -> int | None:
    """Arabic or Chinese numerals (102, 一〇二, 一百零二, 十二) -> int; None if it is neither."""
    s = s.strip()
    if not s:
        return None
    if s.isascii() and s.isdigit():
        return int(s)
    if any(c not in _CN_DIGIT and c not in "十百" for c in s):
        return None
    if "十" not in s and "百" not in s:  # digit by digit: 二〇二〇
        return int("".join(str(_CN_DIGIT[c]) for c in s))
    total, cur = 0, 0
    for c in s:
        if c in _CN_DIGIT:
            cur = _CN_DIGIT[c]
        elif c == "十":
            total += (cur or 1) * 10
            cur = 0
        elif c == "百":
            total += (cur or 1) * 100
            cur = 0
    return total + cur


_DATE = re.compile(rf"({_NUM}{{4}})\s*年\s*({_NUM}{{1,3}})\s*月\s*({_NUM}{{1,3}})\s*[日号]")
_DATE_LOOSE = re.compile(r"\S{2,6}\s*年\s*\S{1,3}\s*月\s*\S{1,3}\s*[日号]")
_ISSUE = re.compile(rf"(总)?第\s*({_NUM}+)\s*期")
_ISSUE_LOOSE = re.compile(r"(?:总)?第\s*[^\s期第]{1,8}\s*期")
_PAGES = re.compile(r"(?:本期|共)\s*(\S{1,3}?)\s*版")
_NEXT = re.compile(rf"下期(?:出版|出刊)(?:日期|时间)?\s*[:：]?\s*(?:({_NUM}{{4}})\s*年)?\s*({_NUM}{{1,3}})\s*月\s*({_NUM}{{1,3}})\s*[日号]")
_NEXT_LOOSE = re.compile(r"下期(?:出版|出刊)(?:日期|时间)?\s*[:：]?\s*\S{0,12}")
_PUBLISHER = re.compile(r"^(.+?)\s*(?:联合)?(?:出版|主办|编印|编辑出版)\s*$")
_PUBLISHER_LABEL = re.compile(r"(?<!下期)(?:主办|出版|编印)(?:单位)?\s*[:：]\s*(\S+)")


@dataclass
class MastheadFields:
    """What a masthead says; an unreadable field is empty (None) with what was read kept in *_raw."""

    date: str = ""
    date_raw: str = ""
    issue_number: int | None = None
    issue_number_raw: str = ""
    printed_pages: int | None = None
    printed_pages_raw: str = ""
    next_date: str = ""
    next_date_raw: str = ""
    publisher: str = ""
    problems: list[str] = field(default_factory=list)


def _iso(y: int | None, m: int | None, d: int | None) -> str:
    if y is None or m is None or d is None:
        return ""
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return ""


def parse_masthead(text: str, raw: str = "", publisher: str = "") -> MastheadFields:
    """Parse masthead fields from corrected `text`; `raw` (the engine's text) supplies the raw
    strings kept beside each field. Nothing is guessed: what does not parse stays empty."""
    raw = raw or text
    f = MastheadFields()
    m = _DATE.search(text)
    if m:
        f.date = _iso(_to_int(m.group(1)), _to_int(m.group(2)), _to_int(m.group(3)))
        loose = _DATE_LOOSE.search(raw)
        f.date_raw = loose.group(0) if loose else m.group(0)
        if not f.date:
            f.problems.append(f"date {m.group(0)!r} is not a calendar date")
    elif (loose := _DATE_LOOSE.search(raw)) is not None:
        f.date_raw = loose.group(0)
        f.problems.append(f"date unreadable: {f.date_raw!r}")

    found = sorted(_ISSUE.finditer(text), key=lambda x: x.group(1) is None)  # 总第N期 first
    loose_issue = sorted(_ISSUE_LOOSE.finditer(raw), key=lambda x: not x.group(0).startswith("总"))
    if found:
        f.issue_number = _to_int(found[0].group(2))
        f.issue_number_raw = loose_issue[0].group(0) if loose_issue else found[0].group(0)
    elif loose_issue:
        f.issue_number_raw = loose_issue[0].group(0)
        f.problems.append(f"issue number unreadable: {f.issue_number_raw!r}")

    m = _PAGES.search(text)
    if m:
        f.printed_pages = _to_int(m.group(1))
        raw_m = _PAGES.search(raw)
        f.printed_pages_raw = raw_m.group(0) if raw_m else m.group(0)
        if f.printed_pages is None:
            f.problems.append(f"printed pages unreadable: {f.printed_pages_raw!r}")

    m = _NEXT.search(text)
    if m:
        f.next_date_raw = m.group(0)
        month, day = _to_int(m.group(2)), _to_int(m.group(3))
        year = _to_int(m.group(1)) if m.group(1) else None
        if year is None and f.date:
            issue_date = dt.date.fromisoformat(f.date)
            year = issue_date.year + (1 if month is not None and month < issue_date.month else 0)
        f.next_date = _iso(year, month, day)
        if not f.next_date:
            f.problems.append(f"next issue date {m.group(0)!r} has no readable year, month or day")
    elif (loose := _NEXT_LOOSE.search(raw)) is not None:
        f.next_date_raw = loose.group(0)
        f.problems.append(f"next issue date unreadable: {f.next_date_raw!r}")

    for ln in text.splitlines():
        ln = ln.strip()
        m = _PUBLISHER_LABEL.search(ln)
        name = m.group(1) if m else ""
        if not name and (m := _PUBLISHER.match(ln)) is not None and not ln.startswith("下期"):
            tokens = m.group(1).split()
            # other fields may share the line: keep the tokens after the last one with a digit
            while tokens and any(c.isdigit() for c in "".join(tokens)):
                tokens = tokens[1:]
            name = " ".join(tokens)
        if name and _HAN.search(name) and not any(c.isdigit() for c in name):
            f.publisher = name
            break
    if not f.publisher and publisher:
        f.publisher = publisher
    return f


def _masthead_lines(issue: Issue, cfg: CorrectConfig) -> list[Line]:
    """Lines of masthead blocks; without one, the top lines of page 1 (layout may have missed it)."""
    lines = [ln for _, b in issue.iter_blocks() if b.kind == BlockKind.MASTHEAD for ln in b.lines]
    if lines or not issue.pages:
        return lines
    page = min(issue.pages, key=lambda p: p.page_no)
    cands = sorted(page.lines, key=lambda ln: (ln.box.y0, ln.box.x0))
    if page.height > 0:
        return [ln for ln in cands if ln.box.y1 <= cfg.masthead_top_fraction * page.height]
    return cands[:6]


def _apply_masthead(issue: Issue, cfg: CorrectConfig) -> None:
    lines = _masthead_lines(issue, cfg)
    text = "\n".join(ln.text.strip() for ln in lines if ln.text.strip())
    raw = "\n".join(ln.text_raw.strip() for ln in lines if ln.text_raw.strip())
    if not text:
        if cfg.publisher and not issue.publisher:
            issue.publisher = cfg.publisher
        return
    f = parse_masthead(text, raw, cfg.publisher)
    if f.date:
        issue.date = f.date
    if f.date_raw:
        issue.date_raw = f.date_raw
    if f.issue_number is not None:
        issue.issue_number = f.issue_number
        issue.issue_number_source = "masthead"
    if f.issue_number_raw:
        issue.issue_number_raw = f.issue_number_raw
    if f.printed_pages is not None:
        issue.printed_pages = f.printed_pages
    if f.printed_pages_raw:
        issue.printed_pages_raw = f.printed_pages_raw
    if f.next_date:
        issue.next_date = f.next_date
    if f.next_date_raw:
        issue.next_date_raw = f.next_date_raw
    if f.publisher and not issue.publisher:
        issue.publisher = f.publisher
    for p in f.problems:
        note = f"masthead: {p}; left empty"
        if note not in issue.notes:
            issue.notes.append(note)
        log.warning("%s: %s", issue.issue_id, note)


# --------------------------------------------------------------------------- the stage


def _rules(cfg: CorrectConfig) -> list[Rule]:
    rules: list[Rule] = []
    if cfg.digits:
        rules.append(_rule_digits)
    if cfg.dust:
        rules.append(_rule_dust)
    if cfg.punctuation:
        rules.append(_rule_punct)
    if cfg.spaces:
        rules.append(_rule_spaces)
    if cfg.lookalikes:
        rules.append(_rule_lookalikes)
    if cfg.glyph_lexicon:
        rules.append(_rule_glyph_lexicon)
    return rules


def correct_issue(issue: Issue, cfg: CorrectConfig, lexicon: CorpusLexicon | None = None) -> Issue:
    """Correct every block of the issue through correction records and parse its masthead.

    With `cfg.enabled` False the text stays the engine's (raw-only export); the masthead is
    still parsed from it. An issue that already carries corrections is left as it is, so a
    resumed run never doubles them."""
    if not cfg.enabled:
        if cfg.masthead:
            _apply_masthead(issue, cfg)
        return issue
    if issue.corrections:
        log.info("%s already corrected (%d records); skipped", issue.issue_id, len(issue.corrections))
        return issue
    counts = _existing_counts(issue)
    rules = _rules(cfg)
    for page in issue.pages:
        if cfg.junk:
            _reclassify_junk(issue, page)
            _split_trailing_junk(issue, page, counts)
        for block in page.blocks:
            if block.kind == BlockKind.OTHER and not _HAN.search(block.text):
                continue
            for rule in rules:
                edits = rule(block.text, _Ctx(cfg, lexicon, block, block.line_spans()))
                if edits:
                    apply_block_edits(issue, block, edits, counts)
    if cfg.masthead:
        _apply_masthead(issue, cfg)
    if issue.corrections and issue.pages:
        issue.pages[0].steps.append(Step("correct", "OCR post-correction", {"corrections": summary(issue)}))
    log.info("%s: %d corrections", issue.issue_id, len(issue.corrections))
    return issue


def corrections_by_line(issue: Issue) -> dict[str, list[Correction]]:
    """A line's records in replay order (what `replay_corrections` needs)."""
    out: dict[str, list[Correction]] = {}
    for c in issue.corrections:  # appended in the order they were applied
        out.setdefault(c.line_id, []).append(c)
    return out


def summary(issue: Issue) -> dict[str, int]:
    """Counts per rule, for logs and benchmarks."""
    out: dict[str, int] = {}
    for c in issue.corrections:
        out[c.rule] = out.get(c.rule, 0) + 1
    return dict(sorted(out.items()))
