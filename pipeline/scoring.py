"""Score a processed issue against the ground truth of its rendered pages.

Used by the end-to-end tests and by `python -m benchmarks`, so both measure the same thing:
CER of the reading-order text, line recognition CER, pairwise reading order, spaces between
Chinese characters, entity P/R/F1 per type, role accuracy, issue-number recovery."""

from __future__ import annotations

from dataclasses import dataclass, field

from .evaluate import PRF, cer, cjk_space_count, entity_prf, pairwise_order_accuracy, set_prf
from .model import Box, Issue, Page
from .synth.truth import TruthPage


@dataclass
class PageScore:
    cer_reading_order: float
    cer_lines: float  # recognition alone: each truth line against the output line over it
    order_accuracy: float  # pairwise, over truth lines matched to output lines
    cjk_spaces: int  # spaces between two Chinese characters in reading-order body text
    lines_matched: float  # share of truth lines found
    entities: dict[str, PRF] = field(default_factory=dict)
    roles: PRF = field(default_factory=PRF)


def _overlap(a: Box, b: Box) -> float:
    inter = a.x_overlap(b) * a.y_overlap(b)
    return inter / min(a.area, b.area) if min(a.area, b.area) > 0 else 0.0


def match_lines(page: Page, truth: TruthPage) -> list[tuple[int, int]]:
    """(truth line index, output line index) pairs: each truth line to the output line whose box
    covers it best (at least half of the smaller box), in original scan pixels."""
    truth_lines = [ln for b in truth.blocks for ln in b.lines]
    out_lines = page.lines
    pairs = []
    for ti, tl in enumerate(truth_lines):
        best, best_ov = -1, 0.5
        for oi, ol in enumerate(out_lines):
            if ol.box.y1 < tl.box.y0 or ol.box.y0 > tl.box.y1:
                continue
            ov = _overlap(tl.box, ol.box)
            if ov > best_ov:
                best, best_ov = oi, ov
        if best >= 0:
            pairs.append((ti, best))
    return pairs


def score_page(page: Page, truth: TruthPage) -> PageScore:
    truth_lines = [ln for b in truth.blocks for ln in b.lines]
    out_lines = page.lines
    pairs = match_lines(page, truth)
    ref = "".join(truth_lines[t].text for t, _ in pairs)
    hyp = "".join(out_lines[o].text_raw for _, o in pairs)
    line_cer = cer(hyp, ref) if pairs else 1.0

    # reading order: truth lines of reading-order blocks, in truth order, vs the output order of
    # the output lines that matched them (several truth lines on one output line keep truth order)
    reading = {id(ln) for b in truth.reading_blocks() for ln in b.lines}
    truth_seq = [i for i, ln in enumerate(truth_lines) if id(ln) in reading]
    truth_rank = {t: r for r, t in enumerate(sorted(truth_seq, key=lambda t: _truth_order(truth, t)))}
    out_rank = {ln.line_id: k for k, ln in enumerate(sorted((ln for ln in out_lines if ln.order >= 0),
                                                               key=lambda ln: ln.order))}
    t2o = dict(pairs)
    predicted = sorted(
        (t for t, o in pairs if t in truth_rank and out_lines[o].line_id in out_rank),
        key=lambda t: (out_rank[out_lines[t2o[t]].line_id], truth_rank[t]),
    )
    reference = sorted(truth_rank, key=truth_rank.get)
    order = pairwise_order_accuracy(predicted, reference)

    body = "\n".join(b.text for b in page.reading_order_blocks() if b.kind == "body")
    return PageScore(
        cer_reading_order=cer(page.reading_order_text(), truth.reading_order_text()),
        cer_lines=line_cer,
        order_accuracy=order,
        cjk_spaces=cjk_space_count(body),
        lines_matched=len(pairs) / len(truth_lines) if truth_lines else 1.0,
    )


def _truth_order(truth: TruthPage, line_index: int) -> tuple[int, int]:
    k = 0
    for b in truth.blocks:
        for j, _ in enumerate(b.lines):
            if k == line_index:
                return (b.order if b.order >= 0 else 10**6, j)
            k += 1
    return (10**6, 0)


def score_entities(issue: Issue, truths: list[TruthPage]) -> tuple[dict[str, PRF], PRF]:
    """Per-type P/R/F1 of (type, text) pairs per page, and roles as (person, role) pairs."""
    totals: dict[str, PRF] = {}
    roles = PRF()
    for page, truth in zip(issue.pages, truths):
        pred = [(str(m.type), m.text) for m in issue.mentions if m.page_id == page.page_id]
        gold = [(e.type, e.text) for e in truth.entities]
        for t, prf in entity_prf(pred, gold).items():
            totals.setdefault(t, PRF()).add(prf)
        pred_roles = {(m.text, m.role) for m in issue.mentions if m.page_id == page.page_id and m.type == "person"}
        gold_roles = {(e.text, e.role) for e in truth.entities if e.type == "person"}
        roles.add(set_prf(pred_roles, gold_roles))
    return totals, roles
