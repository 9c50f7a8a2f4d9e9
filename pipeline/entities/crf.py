"""A learned character-level tagger on top of the rules (issue #6).

Why: the rules in rules.py reach .96-1.00 F1 on the text they were tuned on but .80-.92 on each new blind
set, because they fix the shapes they have seen. A linear-chain CRF (CRFsuite, via python-crfsuite) over
characters sees the same evidence the rules do (the characters around, jieba's word boundaries and tags,
the project's word lists) plus the RULE TAGGER's own BIO label and rule name for each character, so it
learns from the annotated paragraphs when the rules are right, when to extend or cut one of their spans,
and which shapes they miss.

The CRF decides spans and types only, and only within reason: a span the rules did not produce must pass
`_plausible` (no clause mark inside, balanced quotes, a unit ending on a unit head, ...) and, where it
overlaps no rule span, be sure enough (`min_new`); otherwise the rules' spans stand. This keeps a sure but
malformed stretch (静安寺街道…新格局) out of the dataset: precision matters more there than recall.

Roles and `normalized` stay with the rules: a CRF span equal to a rule span keeps the rule's Span
(normalized, role, confidence); a new span gets normalized = its text (dates and awards through the rules'
own normalizers), a person span that overlaps a rule person keeps that person's role, and a new person
gets the role the rules' title-run logic reads before it
(`rules.role_before_name`). The model is a data file (`pipeline/resources/entities/crf.model`) trained by
`benchmarks/train_entity_crf.py`; no network, no weights fetched at run time.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from ..model import EntityType
from .lexicon import Lexicon, in_dictionary, is_han, load_lexicon, tokenizer, word_tag
from .rules import (
    _CITY_START,
    _PROPER_TAGS,
    Span,
    _common_word_end,
    _name_at,
    _suffix_at,
    find_dates,
    normalize_award,
    quote_mask,
    role_before_name,
)

log = logging.getLogger(__name__)

__all__ = [
    "MODEL_RESOURCE",
    "CrfTagger",
    "SpanRefiner",
    "bio_labels",
    "char_features",
    "decode_bio",
    "default_tagger",
    "train_crf",
]

MODEL_RESOURCE = "crf.model"  # inside pipeline/resources/entities/
TRAIN_PARAMS: dict[str, Any] = {
    "c1": 0.05,  # L1: most of ~100k string features are useless; keep the model small
    "c2": 0.05,
    "max_iterations": 150,
    "feature.possible_transitions": True,
}
_PAD = "∅"
_DIGITS = set("0123456789０１２３４５６７８９〇零一二三四五六七八九十百")
_PUNCT = set("，,。．.、；;：:！!？?（）()【】[]《》〈〉“”\"‘’'「」『』·…—-－~～/｜|")


class SpanRefiner(Protocol):
    """What tag_issue calls per block with the rules' final spans; the CRF tagger is one."""

    def refine(self, text: str, spans: list[Span], issue_date: str) -> list[Span]: ...


def _char_class(ch: str) -> str:
    if ch in _DIGITS:
        return "D"  # digits and Chinese numerals: dates, house numbers, 第X
    if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff":
        return "H"
    if ch.isspace():
        return "S"
    if ch in _PUNCT:
        return "P"
    if ch.isascii() and ch.isalpha():
        return "L"
    return "O"


@dataclass(frozen=True)
class _Tables:
    """Word lists keyed by their last / first character, so each position looks up only a handful."""

    unit_end: dict[str, tuple[str, ...]]
    place_end: dict[str, tuple[str, ...]]
    title_end: dict[str, tuple[str, ...]]
    title_start: dict[str, tuple[str, ...]]
    award_end: dict[str, tuple[str, ...]]
    surnames: frozenset[str]
    compound_surnames: frozenset[str]
    lexicon: Lexicon


def _by_char(words: Iterable[str], last: bool) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for w in words:
        if w:
            out.setdefault(w[-1] if last else w[0], []).append(w)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in out.items()}


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    lex: Lexicon = load_lexicon()
    award_words = set(lex.award_heads) | set(lex.award_title_heads) | set(lex.awards)
    return _Tables(
        unit_end=_by_char(lex.unit_suffixes, last=True),
        place_end=_by_char(lex.place_suffixes, last=True),
        title_end=_by_char(lex.titles, last=True),
        title_start=_by_char(lex.titles, last=False),
        award_end=_by_char(award_words, last=True),
        surnames=lex.surnames,
        compound_surnames=lex.compound_surnames,
        lexicon=lex,
    )


def _ends_here(text: str, i: int, table: dict[str, tuple[str, ...]]) -> bool:
    return any(text.startswith(w, i + 1 - len(w)) for w in table.get(text[i], ()) if i + 1 >= len(w))


def _starts_here(text: str, i: int, table: dict[str, tuple[str, ...]]) -> bool:
    return any(text.startswith(w, i) for w in table.get(text[i], ()))


def _rule_labels(n: int, spans: Sequence[Span]) -> list[str]:
    """The rules' BIO label for each character. (Not the rule's name: the model is trained on older rule
    versions' output too, whose rule names differ; benchmarks/train_entity_crf.py.)"""
    return bio_labels(n, ((s.type.value, max(s.start, 0), min(s.end, n)) for s in spans))


@lru_cache(maxsize=16)
def _tokens(text: str) -> tuple[tuple[str, int, int], ...]:
    """jieba's segmentation of a block, computed once for the CRF's features and its guard."""
    return tuple(tokenizer().tokenize(text))


def char_features(text: str, rule_spans: Sequence[Span]) -> list[list[str]]:
    """One feature list per character: the char and its ±2 neighbours (uni- and bigrams), its class,
    jieba's word boundary / tag / word, word-list hits (surname, unit/place suffix, title, award head
    ending or starting nearby), where the rules' `_name_at` reads a name of 2-4 characters (nm2..nm4),
    and the rules' own BIO label at -2..+2."""
    n = len(text)
    if n == 0:
        return []
    tb = _tables()
    chars = [_PAD, _PAD, *text, _PAD, _PAD]
    wpos = ["S"] * n
    wtag = [""] * n
    wword = [""] * n
    tok_ends: set[int] = set()
    for w, a, b in _tokens(text):
        tok_ends.add(b)
        tag = word_tag(w)[:2] or ("x" if not w.strip() else "?")
        for k in range(a, b):
            wpos[k] = "S" if b - a == 1 else ("B" if k == a else ("E" if k == b - 1 else "M"))
            wtag[k] = tag
            wword[k] = w if len(w) <= 4 else ""
    rl = ["BOS", "BOS", *_rule_labels(n, rule_spans), "EOS", "EOS"]
    flags: list[list[str]] = []
    for i, ch in enumerate(text):
        f: list[str] = []
        if ch in tb.surnames:
            f.append("sur")
        # the rules' own name-shape reading (surname + given name closed by punctuation, a follower word
        # or a jieba word end): evidence for plain names with no title before them
        if ch in tb.surnames or text[i : i + 2] in tb.compound_surnames:
            k = _name_at(text, i, tb.lexicon, tok_ends=tok_ends)
            if k:
                f.append(f"nm{k}")
        if text[i : i + 2] in tb.compound_surnames:
            f.append("sur2")
        if _ends_here(text, i, tb.unit_end):
            f.append("U]")
        if _ends_here(text, i, tb.place_end):
            f.append("P]")
        if _ends_here(text, i, tb.title_end):
            f.append("T]")
        if _starts_here(text, i, tb.title_start):
            f.append("[T")
        if _ends_here(text, i, tb.award_end):
            f.append("A]")
        flags.append(f)
    out: list[list[str]] = []
    for i in range(n):
        j = i + 2  # index into the padded lists
        c = chars[j]
        f = [
            "bias",
            "c=" + c, "c-1=" + chars[j - 1], "c+1=" + chars[j + 1], "c-2=" + chars[j - 2], "c+2=" + chars[j + 2],
            "b-2=" + chars[j - 2] + chars[j - 1], "b-1=" + chars[j - 1] + c,
            "b+1=" + c + chars[j + 1], "b+2=" + chars[j + 1] + chars[j + 2],
            "t=" + _char_class(c),
            "t-1|t|t+1=" + _char_class(chars[j - 1]) + _char_class(c) + _char_class(chars[j + 1]),
            "wp=" + wpos[i], "pos=" + wtag[i], "wp|pos=" + wpos[i] + wtag[i],
            "r=" + rl[j], "r-1=" + rl[j - 1], "r+1=" + rl[j + 1], "r-2=" + rl[j - 2], "r+2=" + rl[j + 2],
            "r|c=" + rl[j] + c, "r-1|r|r+1=" + rl[j - 1] + "|" + rl[j] + "|" + rl[j + 1],
        ]
        if wword[i]:
            f.append("w=" + wword[i])
        f.extend(flags[i])
        for off in (-2, -1, 1, 2):
            if 0 <= i + off < n:
                f.extend(f"{x}@{off}" for x in flags[i + off])
        out.append(f)
    return out


def bio_labels(n: int, spans: Iterable[tuple[str, int, int]]) -> list[str]:
    """BIO labels for a text of length n from (type, start, end) spans (which never overlap)."""
    labels = ["O"] * n
    for t, a, b in spans:
        for k in range(a, b):
            labels[k] = ("B-" if k == a else "I-") + t
    return labels


def decode_bio(labels: Sequence[str]) -> list[tuple[str, int, int]]:
    """(type, start, end) spans from BIO labels; an I- of a new type (or after O) opens a span, as
    CRFsuite's Viterbi path may produce one."""
    out: list[tuple[str, int, int]] = []
    cur: tuple[str, int] | None = None
    for k, lab in enumerate([*labels, "O"]):
        kind, _, t = lab.partition("-")
        if cur and (kind != "I" or t != cur[0]):
            out.append((cur[0], cur[1], k))
            cur = None
        if kind == "B" or (kind == "I" and cur is None):
            cur = (t, k)
    return out


_CLAUSE_MARKS = set("，,。；;：:、！!？?\n")
_PAIRS = (("“", "”"), ("‘", "’"), ("（", "）"), ("(", ")"), ("《", "》"), ("【", "】"), ("「", "」"), ("『", "』"),
          ("〈", "〉"))
_BARE_HEADS = ("街道", "区", "县", "镇", "乡", "村")  # a territory is a unit head whatever its name's words


@lru_cache(maxsize=1)
def _listed_end() -> dict[str, tuple[str, ...]]:
    """Listed unit and place names (and the home short forms) by last character."""
    lex = load_lexicon()
    return _by_char([*lex.units, *lex.places, *lex.home, *lex.subunit_heads], last=True)


def _balanced(s: str) -> bool:
    if s.count('"') % 2:
        return False
    for op, cl in _PAIRS:
        depth = 0
        for ch in s:
            depth += (ch == op) - (ch == cl)
            if depth < 0:
                return False
        if depth:
            return False
    return True


def _word_at_end(tokens: list[tuple[str, int, int]], b: int) -> str:
    """The jieba word that covers the span's last character (it may run past the span's end)."""
    return next((w for w, s, e in tokens if s < b <= e), "")


def _field_word(w: str) -> bool:
    """A noun of two or more characters: the field an office is named by (公安|分局, 教育|局)."""
    return len(w) >= 2 and in_dictionary(w) and word_tag(w).startswith(("n", "vn", "j"))


def _unit_head_end(text: str, a: int, b: int, tokens: list[tuple[str, int, int]], lex: Lexicon) -> bool:
    """The unit ends on a unit head and that head is not just the end of an ordinary word (格局, 进社区)."""
    head = max(_suffix_at(text, b, lex.unit_suffixes), _suffix_at(text, b, lex.place_suffixes),
               _suffix_at(text, b, lex.subunit_heads), key=len)
    if not head:
        head = next((x for x in _BARE_HEADS if text.endswith(x, a, b)), "")
    if not head:
        listed = _listed_end().get(text[b - 1], ())
        head = next((w for w in listed if b - len(w) >= a and text.startswith(w, b - len(w))), "")
    if not head:
        return False
    word = _word_at_end(tokens, b)
    if not word or not text.endswith(word, 0, b):
        return True  # jieba reads on past the span (a glued follower): the head alone decides
    # a field + office compound (教育|局, 财政|局, 公安|分局) is a unit whatever its tail reads like
    if any(_field_word(word[:k]) and (in_dictionary(word[k:]) or word[k:] in lex.unit_suffixes)
           for k in range(2, len(word))):
        return True
    if any(_common_word_end(word[k:], lex) for k in range(len(word) - 1)):
        return False  # 格局, 新|格局, 政局
    if len(word) <= len(head) or len(head) >= 2 or word in lex.units or word in lex.places \
            or word_tag(word).startswith(_PROPER_TAGS):
        return True  # 总|公司: a two-character head stands; 卫生站/nt names an office
    # a dictionary word longer than the one-character head it ends in, and no compound: 进社区
    return not in_dictionary(word)


def _alone_on_line(text: str, a: int, b: int) -> bool:
    """Whether [a, b) is all its line holds but for spaces, digits, quotes and list marks."""
    start, end = text.rfind("\n", 0, a) + 1, text.find("\n", b)
    rest = text[start:a] + text[b : len(text) if end < 0 else end]
    return all(not is_han(c) for c in rest)


def _plausible(text: str, etype: str, a: int, b: int, rule_spans: Sequence[Span],
               tokens: list[tuple[str, int, int]] | None = None) -> bool:
    """Whether a span only the CRF proposes is well formed. Why: the CRF is sure of stretches the rules
    never produce (静安寺街道新时代城市基层大党建格局, 优秀项目金拇指奖): the shapes the rules' tests exist
    to refuse. A refused span leaves the rules' spans in place."""
    s_text = text[a:b]
    if any(ch in _CLAUSE_MARKS for ch in s_text) or not _balanced(s_text):
        return False
    lex = load_lexicon()
    toks = tokens if tokens is not None else list(tokenizer().tokenize(text))
    rule_starts = {r.start for r in rule_spans}
    if etype != EntityType.PERSON.value and a not in rule_starts and a not in {s for _, s, _ in toks}:
        return False  # 进|一步深化…: a span does not start inside a word
    if etype == EntityType.UNIT.value:
        if not _unit_head_end(text, a, b, toks, lex):
            return False
        for r in rule_spans:  # a front cut of a rule unit keeps the place that opens it (上海X|物流有限公司)
            if r.type is EntityType.UNIT and r.start < a < r.end:
                dropped = text[r.start:a]
                first = next((w for w, s, _ in tokenizer().tokenize(dropped)), "")
                opens_place = bool(_CITY_START.match(dropped).group()) or word_tag(first).startswith("ns") \
                    or first in lex.places
                if opens_place and not _unit_head_end(text, r.start, a, toks, lex):
                    return False
    elif etype == EntityType.AWARD.value:
        # a new prefix in front of a rule award: the topic before a title is _topic_start's call
        if any(r.type is EntityType.AWARD and a < r.start < b for r in rule_spans):
            return False
        # an award the rules did not touch, alone on its line, must end in a listed award head or title (…奖,
        # …标兵, 先进个人): an honour list's category line (最美外企公益品牌) has a title's shape but names no
        # honour. In running text the sentence around it is the CRF's evidence (round 14: the guard
        # everywhere cost blind award recall)
        if _alone_on_line(text, a, b) and not any(
                r.type is EntityType.AWARD and r.start < b and a < r.end for r in rule_spans):
            heads = set(lex.award_heads) | set(lex.award_title_heads) | set(lex.awards)
            if not any(s_text.rstrip("”\"’").endswith(h) for h in heads if h):
                return False
    return True


class CrfTagger:
    """A trained CRFsuite model; `refine` turns the rules' spans of one text into the CRF's."""

    def __init__(self, model_path: str | Path, min_override: float = 0.8, min_new: float = 0.5) -> None:
        import pycrfsuite

        self.path = Path(model_path)
        # a CRF span that re-cuts rule spans replaces them only when every char's label has at least this
        # marginal; below it the rules' spans stand (华山医院|专题健康讲座进社区 read as one unit at .71)
        self.min_override = min_override
        # a span where the rules found nothing needs every char's marginal at least this: a coin-flip
        # stretch is more often a wrong mention than a missed one
        self.min_new = min_new
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(str(self.path))
        self._lock = threading.Lock()  # a pycrfsuite Tagger holds the last sequence: one caller at a time

    def labels(self, text: str, rule_spans: Sequence[Span]) -> tuple[list[str], list[float]]:
        """The CRF's BIO label for each character and the marginal probability of that label."""
        feats = char_features(text, rule_spans)
        if not feats:
            return [], []
        with self._lock:
            self._tagger.set(feats)
            labels = list(self._tagger.tag())
            probs = [self._tagger.marginal(lab, k) for k, lab in enumerate(labels)]
        return labels, probs

    def refine(self, text: str, spans: list[Span], issue_date: str) -> list[Span]:
        """The CRF's spans for `text`, each the rules' Span where the rules found exactly it."""
        labels, probs = self.labels(text, spans)
        same = {(s.type.value, s.start, s.end): s for s in spans}
        quoted = quote_mask(text)
        out: list[Span] = []
        for t, a, b in decode_bio(labels):
            if not text[a:b].strip():
                continue
            if (rule := same.get((t, a, b))) is not None:
                out.append(rule)
                continue
            if t != EntityType.AWARD.value and any(quoted[a:b]):
                continue  # ENTITIES.md: names inside quoted titles or 《》 are not tagged (awards may be quoted)
            conf = min(probs[a:b])
            overlapped = [s for s in spans if s.start < b and a < s.end]
            if not overlapped and conf < self.min_new:
                continue
            if overlapped and conf < self.min_override or not _plausible(text, t, a, b, spans, list(_tokens(text))):
                # an unsure or malformed re-cut of the rules' spans: keep theirs
                out.extend(s for s in overlapped if not any(o.start < s.end and s.start < o.end for o in out))
                continue
            out.append(self._new_span(text, EntityType(t), a, b, spans, issue_date, conf))
        out.sort(key=lambda s: s.start)
        return [s for k, s in enumerate(out) if k == 0 or out[k - 1].end <= s.start]

    @staticmethod
    def _new_span(text: str, etype: EntityType, a: int, b: int, rule_spans: Sequence[Span], issue_date: str,
                  conf: float) -> Span:
        """A span the rules did not produce: normalized = text, except what the rules' normalizers do
        for dates (ISO; a range's short second end, 至4日, read with the first end before it) and awards
        (quotes and a leading 年度 dropped); a person cut or extended from a rule person keeps that
        person's role, a new one gets the title run before it (none after …的)."""
        s_text = text[a:b]
        norm, role = s_text, ""
        if etype is EntityType.DATE:
            whole = [d for d in find_dates(s_text, issue_date) if d.start == 0 and d.end == len(s_text)]
            if not whole:  # 6月3日至|4日: only the left context gives its month and year
                whole = [d for d in find_dates(text[:b], issue_date) if d.start == a and d.end == b]
            norm = whole[0].normalized if whole else s_text
        elif etype is EntityType.AWARD:
            norm = normalize_award(s_text)
        elif etype is EntityType.PERSON:
            rule = next((s for s in rule_spans if s.type is etype and s.start < b and a < s.end), None)
            if rule is not None:
                role = rule.role
            elif a > 0 and text[a - 1] != "的":
                role = role_before_name(text, a, rule_spans)
        return Span(etype, a, b, s_text, norm, role=role, confidence=round(min(conf, 0.9), 3), rule="crf")


@lru_cache(maxsize=1)
def default_tagger() -> CrfTagger | None:
    """The shipped model (pipeline/resources/entities/crf.model), loaded once; None if it is missing,
    so an install without it falls back to the rules."""
    res = resources.files("pipeline.resources").joinpath("entities", MODEL_RESOURCE)
    if not res.is_file():
        log.warning("entity CRF model %s not found: tagging with the rules only", MODEL_RESOURCE)
        return None
    if isinstance(res, Path):
        return CrfTagger(res)
    with tempfile.NamedTemporaryFile(suffix=".crfsuite", delete=False) as fh:  # a zipped install
        fh.write(res.read_bytes())
    return CrfTagger(fh.name)


def train_crf(xs: Sequence[list[list[str]]], ys: Sequence[list[str]], path: str | Path,
              params: dict[str, Any] | None = None) -> Path:
    """Train a CRF on feature/label sequences and write it to `path`. CRFsuite's L-BFGS is deterministic
    for the same input in the same order."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    for x, y in zip(xs, ys):
        trainer.append(x, y)
    trainer.set_params({**TRAIN_PARAMS, **(params or {})})
    trainer.train(str(path))
    return Path(path)
