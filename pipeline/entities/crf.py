"""A learned character-level tagger on top of the rules (issue #6).

Why: the rules in rules.py reach .96-1.00 F1 on the text they were tuned on but .80-.92 on each new blind
set, because they fix the shapes they have seen. A linear-chain CRF (CRFsuite, via python-crfsuite) over
characters sees the same evidence the rules do (the characters around, jieba's word boundaries and tags,
the project's word lists) plus the RULE TAGGER's own BIO label and rule name for each character, so it
learns from the annotated paragraphs when the rules are right, when to extend or cut one of their spans,
and which shapes they miss.

The CRF decides spans and types only. Roles and `normalized` stay with the rules: a CRF span equal to a
rule span keeps the rule's Span (normalized, role, confidence); a new span gets normalized = its text
(dates and awards through the rules' own normalizers), and a person span that overlaps a rule person
keeps that person's role. The model is a data file (`pipeline/resources/entities/crf.model`) trained by
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
from .lexicon import Lexicon, load_lexicon, tokenizer, word_tag
from .rules import Span, find_dates, normalize_award, quote_mask

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
    )


def _ends_here(text: str, i: int, table: dict[str, tuple[str, ...]]) -> bool:
    return any(text.startswith(w, i + 1 - len(w)) for w in table.get(text[i], ()) if i + 1 >= len(w))


def _starts_here(text: str, i: int, table: dict[str, tuple[str, ...]]) -> bool:
    return any(text.startswith(w, i) for w in table.get(text[i], ()))


def _rule_labels(n: int, spans: Sequence[Span]) -> list[str]:
    """The rules' BIO label for each character. (Not the rule's name: the model is trained on older rule
    versions' output too, whose rule names differ; benchmarks/train_entity_crf.py.)"""
    return bio_labels(n, ((s.type.value, max(s.start, 0), min(s.end, n)) for s in spans))


def char_features(text: str, rule_spans: Sequence[Span]) -> list[list[str]]:
    """One feature list per character: the char and its ±2 neighbours (uni- and bigrams), its class,
    jieba's word boundary / tag / word, word-list hits (surname, unit/place suffix, title, award head
    ending or starting nearby), and the rules' own BIO label at -2..+2."""
    n = len(text)
    if n == 0:
        return []
    tb = _tables()
    chars = [_PAD, _PAD, *text, _PAD, _PAD]
    wpos = ["S"] * n
    wtag = [""] * n
    wword = [""] * n
    for w, a, b in tokenizer().tokenize(text):
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


class CrfTagger:
    """A trained CRFsuite model; `refine` turns the rules' spans of one text into the CRF's."""

    def __init__(self, model_path: str | Path, min_override: float = 0.8) -> None:
        import pycrfsuite

        self.path = Path(model_path)
        # a CRF span that re-cuts rule spans replaces them only when every char's label has at least this
        # marginal; below it the rules' spans stand (华山医院|专题健康讲座进社区 read as one unit at .71)
        self.min_override = min_override
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
            if overlapped and conf < self.min_override:  # an unsure re-cut of the rules' spans: keep theirs
                out.extend(s for s in overlapped if not any(o.start < s.end and s.start < o.end for o in out))
                continue
            out.append(self._new_span(text, EntityType(t), a, b, spans, issue_date, conf))
        out.sort(key=lambda s: s.start)
        return [s for k, s in enumerate(out) if k == 0 or out[k - 1].end <= s.start]

    @staticmethod
    def _new_span(text: str, etype: EntityType, a: int, b: int, rule_spans: Sequence[Span], issue_date: str,
                  conf: float) -> Span:
        """A span the rules did not produce: normalized = text, except what the rules' normalizers do
        for dates (ISO) and awards (quotes and a leading 年度 dropped); a person cut or extended from a
        rule person keeps that person's role."""
        s_text = text[a:b]
        norm, role = s_text, ""
        if etype is EntityType.DATE:
            whole = [d for d in find_dates(s_text, issue_date) if d.start == 0 and d.end == len(s_text)]
            norm = whole[0].normalized if whole else s_text
        elif etype is EntityType.AWARD:
            norm = normalize_award(s_text)
        elif etype is EntityType.PERSON:
            role = next((s.role for s in rule_spans if s.type is etype and s.start < b and a < s.end), "")
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
