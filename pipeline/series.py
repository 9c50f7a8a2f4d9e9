"""Cross-issue stage: what one issue cannot know alone.

- `learn_lexicon`: word and name counts over the whole batch, so correction can trust a name
  seen forty times over its one garbled twin;
- `reconcile`: issues in date order, issue numbers checked against dates (a missing or garbled
  number inferred from neighbours that agree with each other, always with a note), and one
  canonical entity id for the same person, unit or place across issues.

Everything here is deterministic: same issues in, same result out, whatever their input order.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .model import BlockKind, EntityType, Issue

log = logging.getLogger(__name__)

__all__ = ["CorpusLexicon", "learn_lexicon", "reconcile", "reconcile_numbers", "canonicalize_entities"]

_HAN_WORD = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]{2,}$")
_SPACE_IN_HAN = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


@dataclass
class CorpusLexicon:
    """How often each word or name was seen in the batch (block texts, all issues)."""

    counts: Counter[str] = field(default_factory=Counter)
    issues: int = 0

    def count(self, word: str) -> int:
        return self.counts.get(word, 0)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.counts.get(word, 0) > 0

    def __len__(self) -> int:
        return len(self.counts)

    def most_common(self, n: int | None = None) -> list[tuple[str, int]]:
        return sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]

    def merge(self, other: CorpusLexicon) -> CorpusLexicon:
        """Counts of two batches together (lexicons learned in parallel workers add up)."""
        return CorpusLexicon(self.counts + other.counts, self.issues + other.issues)

    def to_dict(self) -> dict[str, Any]:
        return {"issues": self.issues, "counts": dict(self.most_common())}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CorpusLexicon:
        return cls(Counter({str(k): int(v) for k, v in d.get("counts", {}).items()}), int(d.get("issues", 0)))


def learn_lexicon(issues: Iterable[Issue]) -> CorpusLexicon:
    """Count, over every block of every issue (page furniture excluded), the words jieba finds
    (its HMM also finds unknown names such as 洪明铭) and the shipped lexicon entries present.

    Spaces between Chinese characters (OCR artefacts at line breaks) are ignored for counting,
    so 共 建理事会 still counts as 共建理事会."""
    import jieba

    from .correct import curated_lexicon

    jieba.setLogLevel(logging.WARNING)
    curated = sorted(curated_lexicon())
    counts: Counter[str] = Counter()
    n = 0
    for issue in issues:
        n += 1
        for _, block in issue.iter_blocks():
            if block.kind == BlockKind.OTHER:
                continue
            text = _SPACE_IN_HAN.sub("", block.text)
            if not text:
                continue
            for w in jieba.cut(text, HMM=True):
                if _HAN_WORD.match(w) and w not in curated_lexicon():
                    counts[w] += 1
            for entry in curated:
                if entry in text:
                    counts[entry] += text.count(entry)
    log.info("corpus lexicon: %d words from %d issues", len(counts), n)
    return CorpusLexicon(counts, n)


# --------------------------------------------------------------------------- issue numbers


def _date(issue: Issue) -> dt.date | None:
    try:
        return dt.date.fromisoformat(issue.date) if issue.date else None
    except ValueError:
        return None


def _note(issue: Issue, text: str) -> None:
    if text not in issue.notes:
        issue.notes.append(text)
    log.warning("%s: %s", issue.issue_id, text)


_PAIR_WINDOW = 8  # each numbered issue is paired with this many following ones


def reconcile_numbers(ordered: list[Issue]) -> None:
    """Check issue numbers against dates in a date-ordered run.

    The publication interval is the median of days per issue over pairs of nearby numbered
    issues. A number is replaced only when both nearest numbered neighbours predict the same
    value and the printed one differs; a missing one is filled when its neighbours agree (or
    from the only neighbour at either end of the run). Each change is a note on the issue."""
    dated = [(d, i) for i in ordered if (d := _date(i)) is not None]
    known = [(d, i.issue_number, i) for d, i in dated if i.issue_number is not None]
    # Theil-Sen over nearby pairs: one garbled number spoils only a few of the slopes
    rates = [
        (d2 - d1).days / (n2 - n1)  # type: ignore[operator]
        for k, (d1, n1, _) in enumerate(known)
        for d2, n2, _ in known[k + 1 : k + 1 + _PAIR_WINDOW]
        if n2 > n1 and d2 > d1  # type: ignore[operator]
    ]
    for (d1, n1, a), (d2, n2, b) in zip(known, known[1:]):
        if n1 == n2:
            _note(b, f"series: issue number {n2} also printed on the issue of {a.date} ({a.issue_id})")
    if not rates:
        missing = [i for _, i in dated if i.issue_number is None]
        if missing:
            log.info("series: too few numbered issues to infer %d missing numbers", len(missing))
        return
    interval = statistics.median(rates)
    printed = {id(i): i.issue_number for _, i in dated}
    for k, (d, issue) in enumerate(dated):
        prev = next(((pd, pi) for pd, pi in reversed(dated[:k]) if printed[id(pi)] is not None), None)
        nxt = next(((nd, ni) for nd, ni in dated[k + 1 :] if printed[id(ni)] is not None), None)
        est_p = printed[id(prev[1])] + round((d - prev[0]).days / interval) if prev else None  # type: ignore[operator]
        est_n = printed[id(nxt[1])] - round((nxt[0] - d).days / interval) if nxt else None  # type: ignore[operator]
        n = printed[id(issue)]
        around = " and ".join(
            f"{printed[id(x[1])]} ({x[1].date})" for x in (prev, nxt) if x is not None
        )
        if n is None:
            if est_p is not None and est_n is not None and est_p != est_n:
                _note(issue, f"series: issue number missing; neighbours {around} disagree, left empty")
                continue
            est = est_p if est_p is not None else est_n
            if est is None or est <= 0:
                continue
            raw = f" (masthead read {issue.issue_number_raw!r})" if issue.issue_number_raw else ""
            issue.issue_number, issue.issue_number_source = est, "inferred"
            _note(issue, f"series: issue number missing{raw}; inferred {est} from neighbour(s) {around}")
        elif est_p is not None and est_n is not None and est_p == est_n and n != est_p:
            issue.issue_number, issue.issue_number_source = est_p, "inferred"
            _note(
                issue,
                f"series: printed issue number {n} ({issue.issue_number_raw!r}) does not fit neighbours "
                f"{around}; inferred {est_p}",
            )
        elif (est_p is not None and n != est_p) or (est_n is not None and n != est_n):
            expected = " or ".join(str(e) for e in sorted({est_p, est_n} - {None}))  # type: ignore[type-var]
            _note(issue, f"series: issue number {n} does not fit neighbour(s) {around} (expected {expected}); kept")


# --------------------------------------------------------------------------- entity ids

_MERGE_TYPES = (EntityType.UNIT, EntityType.PLACE)


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text).strip("-").lower() or "x"


def canonicalize_entities(issues: list[Issue]) -> int:
    """One entity id per (type, normalized) across the batch, and a short unit or place name
    (街道党工委) mapped to the full one (静安寺街道党工委) when exactly one full name in the batch
    ends with it. Returns the number of mentions whose id or normalized form changed."""
    ids: dict[tuple[str, str], Counter[str]] = {}
    for issue in issues:
        for m in issue.mentions:
            ids.setdefault((str(m.type), m.normalized), Counter())[m.entity_id] += 1
    canonical = {
        key: (min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] if any(c) else "") or f"{key[0]}-{_slug(key[1])}"
        for key, c in ids.items()
    }
    full_of: dict[tuple[str, str], str] = {}
    for etype in _MERGE_TYPES:
        forms = sorted(n for t, n in ids if t == str(etype))
        for s in forms:
            if len(s) < 2:
                continue
            longer = [f for f in forms if f != s and f.endswith(s)]
            maximal = [f for f in longer if not any(g != f and g.endswith(f) for g in longer)]
            if len(maximal) == 1:
                full_of[(str(etype), s)] = maximal[0]
    changed = 0
    for issue in issues:
        for m in issue.mentions:
            key = (str(m.type), m.normalized)
            if key in full_of:
                full = full_of[key]
                new_id, new_norm = canonical[(key[0], full)], full
            else:
                new_id, new_norm = canonical.get(key, m.entity_id), m.normalized
            if (new_id, new_norm) != (m.entity_id, m.normalized):
                m.entity_id, m.normalized = new_id, new_norm
                changed += 1
    if full_of:
        log.info("series: short forms mapped to full names: %s", dict(sorted(full_of.items())))
    return changed


def reconcile(issues: list[Issue]) -> list[Issue]:
    """Issues in date order (undated ones last, by id), numbers checked, entity ids unified."""
    ordered = sorted(issues, key=lambda i: (_date(i) is None, i.date, i.issue_id))
    reconcile_numbers(ordered)
    n = canonicalize_entities(ordered)
    log.info("series: %d issues reconciled, %d mentions re-identified", len(ordered), n)
    return ordered
