"""Accuracy measures shared by the tests and the benchmarks: CER, reading order, entity F1.

Kept in the package (not in benchmarks/) so the end-to-end tests and every benchmark score
output the same way."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

_WS = re.compile(r"\s+")


def normalize_for_cer(text: str) -> str:
    """Compare text as read, not as wrapped: drop all whitespace (line breaks, block breaks).

    Spaces between Chinese characters are measured separately (`cjk_space_count`)."""
    return _WS.sub("", text)


def cer(hypothesis: str, reference: str) -> float:
    """Character error rate: edit distance / reference length (whitespace ignored)."""
    from rapidfuzz.distance import Levenshtein

    ref, hyp = normalize_for_cer(reference), normalize_for_cer(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return Levenshtein.distance(hyp, ref) / len(ref)


_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff\u3400-\u4dbf]) +(?=[\u4e00-\u9fff\u3400-\u4dbf])")


def cjk_space_count(text: str) -> int:
    """Spaces standing between two Chinese characters (each one a defect in body text)."""
    return len(_CJK_SPACE.findall(text))


def pairwise_order_accuracy(predicted: Sequence[str], reference: Sequence[str]) -> float:
    """Share of ordered pairs of reference items that the prediction keeps in the same order.

    Items are unit ids (e.g. truth line indices) present in both sequences; items the prediction
    lost are ignored here (recognition and detection errors are counted by CER)."""
    pos = {item: i for i, item in enumerate(predicted)}
    common = [item for item in reference if item in pos]
    n = len(common)
    if n < 2:
        return 1.0
    # count inversions with a Fenwick tree: O(n log n), fine for thousands of lines
    ranks = [pos[item] for item in common]
    order = sorted(range(n), key=lambda i: ranks[i])
    rank_of = [0] * n
    for r, i in enumerate(order):
        rank_of[i] = r + 1
    tree = [0] * (n + 1)
    inversions = 0
    for i in range(n - 1, -1, -1):
        r = rank_of[i] - 1
        while r > 0:
            inversions += tree[r]
            r -= r & -r
        r = rank_of[i]
        while r <= n:
            tree[r] += 1
            r += r & -r
    total = n * (n - 1) // 2
    return 1.0 - inversions / total


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: PRF) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


def set_prf(predicted: Iterable, gold: Iterable) -> PRF:
    """Precision/recall over multisets (e.g. (type, text) pairs of one page)."""
    p, g = Counter(predicted), Counter(gold)
    tp = sum((p & g).values())
    return PRF(tp, sum(p.values()) - tp, sum(g.values()) - tp)


def entity_prf(predicted: Iterable[tuple[str, str]], gold: Iterable[tuple[str, str]]) -> dict[str, PRF]:
    """Per-type P/R/F1 of (type, text) sets, the way the benchmark pages are annotated."""
    pred_set, gold_set = set(predicted), set(gold)
    types = sorted({t for t, _ in pred_set | gold_set})
    return {t: set_prf([x for x in pred_set if x[0] == t], [x for x in gold_set if x[0] == t]) for t in types}
