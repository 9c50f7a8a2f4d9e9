"""Layout benchmark: reading order, page CER, spaces, articles and speed on rendered pages.

Pages come from `pipeline.synth` (known ground truth) in every template; templates in
`HELD_OUT_TEMPLATES` are never used for tuning and are reported separately. The OCR engine
runs once per page and its lines are cached as JSON under the cache dir, so layout can be
iterated on in seconds:

    .venv/bin/python benchmarks/layout_bench.py                 # OCR (first run) + table
    .venv/bin/python benchmarks/layout_bench.py --issues 2      # more pages per template

Measures per template (pages pooled):
- order: pairwise reading-order accuracy over truth lines matched to output lines (by box);
- cer_page: CER of the page's reading-order text against the truth's;
- cer_rec: CER of recognition alone (matched lines put in the true order): what the page
  CER would be with perfect layout; layout costs `cer_page - cer_rec`;
- cjk_sp: spaces between two Chinese characters in reading-order text (truth's own printed
  ones, e.g. in two-part titles, subtracted);
- kind: share of truth lines whose output block has the truth block's kind;
- art: share of truth articles whose lines all land in one output article holding no line of
  another article (right headline and all paragraphs);
- ms: layout milliseconds per page.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.config import LayoutConfig, OcrConfig
from pipeline.evaluate import cer, cjk_space_count, pairwise_order_accuracy
from pipeline.layout import analyze_page, build_articles
from pipeline.model import Box, Issue, Line, Page
from pipeline.synth import TruthPage, random_issue_content
from pipeline.synth.render import HELD_OUT_TEMPLATES, TEMPLATES, render_issue

log = logging.getLogger("layout_bench")


def ocr_cached(
    cache: Path, template: str, seed: int, dpi: int, pages: int
) -> list[tuple[list[dict], TruthPage]]:
    """Render an issue and OCR each page once; later runs read the JSON cache."""
    out: list[tuple[list[dict], TruthPage]] = []
    key = cache / f"{template}_s{seed}_d{dpi}_n{pages}.json"
    if key.exists():
        data = json.loads(key.read_text(encoding="utf-8"))
        return [(d["ocr"], TruthPage.from_dict(d["truth"])) for d in data]
    import numpy as np

    from pipeline.ocr import create_engine

    eng = _engine(create_engine, OcrConfig())
    rendered = render_issue(random_issue_content(seed, pages=pages), template, dpi=dpi, seed=seed)
    data = []
    for img, truth in rendered:
        t0 = time.perf_counter()
        lines = eng.recognize(np.asarray(img.convert("L")))
        log.info(
            "%s page %d: OCR %.1f s, %d lines", template, truth.page_no, time.perf_counter() - t0, len(lines)
        )
        ocr = [
            {"quad": [list(p) for p in ln.quad], "text": ln.text, "confidence": ln.confidence} for ln in lines
        ]
        data.append({"ocr": ocr, "truth": truth.to_dict()})
        out.append((ocr, truth))
    cache.mkdir(parents=True, exist_ok=True)
    key.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return out


_ENGINE: list = []


def _engine(create, cfg: OcrConfig):
    if not _ENGINE:
        _ENGINE.append(create(cfg))
    return _ENGINE[0]


def to_page(issue_id: str, page_no: int, ocr: list[dict]) -> Page:
    page = Page(f"{issue_id}_p{page_no:03d}", issue_id, page_no, f"{issue_id}.png")
    for i, d in enumerate(ocr, 1):
        box = Box.from_points(d["quad"])
        page.ocr_lines.append(
            Line(
                f"{page.page_id}_o{i:03d}", box, d["text"], d["text"], float(d["confidence"]), layout_box=box
            )
        )
    return page


def _match(lines: list[Line], truth_boxes: list[Box]) -> dict[int, int]:
    """Output line (index) -> truth line (index) with the largest overlap relative to the smaller box."""
    out: dict[int, int] = {}
    for i, ln in enumerate(lines):
        b = ln.box
        best, best_v = -1, 0.3
        for j, tb in enumerate(truth_boxes):
            inter = b.x_overlap(tb) * b.y_overlap(tb)
            if inter <= 0:
                continue
            v = inter / max(1.0, min(b.area, tb.area))
            if v > best_v:
                best, best_v = j, v
        if best >= 0:
            out[i] = best
    return out


def evaluate_issue(issue_id: str, pages: list[tuple[list[dict], TruthPage]]) -> list[dict]:
    """Run layout on an issue's cached OCR and score every page; article accuracy per issue."""
    cfg = LayoutConfig()
    issue = Issue(issue_id, issue_id)
    rows: list[dict] = []
    line_art: dict[int, tuple[int, int]] = {}  # id(output line) -> (truth article, truth line key)
    truth_art_lines: dict[int, set] = defaultdict(set)
    for ocr, truth in pages:
        page = to_page(issue_id, truth.page_no, ocr)
        t0 = time.perf_counter()
        analyze_page(page, cfg)
        ms = (time.perf_counter() - t0) * 1000
        issue.pages.append(page)
        tlines = []  # (block index, line) in truth reading order, then other
        tblocks = truth.reading_blocks()
        for bi, tb in enumerate(truth.blocks):
            for ln in tb.lines:
                tlines.append((bi, ln))
        order_rank = {id(tb): k for k, tb in enumerate(tblocks)}
        tboxes = [ln.box for _, ln in tlines]
        out_lines = [ln for b in page.blocks for ln in b.lines]
        match = _match(out_lines, tboxes)
        # reading order over ordered truth lines
        ref = [
            j
            for j, (bi, _) in sorted(
                enumerate(tlines), key=lambda x: (order_rank.get(id(truth.blocks[x[1][0]]), 1 << 30), x[0])
            )
            if id(truth.blocks[bi]) in order_rank
        ]
        ref_set = set(ref)
        pred: list[int] = []
        seen: set[int] = set()
        for i, ln in sorted(enumerate(out_lines), key=lambda x: x[1].order if x[1].order >= 0 else 1 << 30):
            j = match.get(i)
            if ln.order >= 0 and j is not None and j in ref_set and j not in seen:
                pred.append(j)
                seen.add(j)
        order_acc = pairwise_order_accuracy(pred, ref)
        # recognition alone: matched engine text in the true order
        by_truth: dict[int, list[Line]] = defaultdict(list)
        for i, j in match.items():
            by_truth[j].append(out_lines[i])
        rec_text = "".join("".join(x.text for x in sorted(by_truth[j], key=lambda x: x.box.x0)) for j in ref)
        truth_text = truth.reading_order_text()
        out_text = page.reading_order_text()
        # kinds
        kind_ok = kind_n = 0
        kinds_conf: Counter = Counter()
        block_of = {id(ln): b for b in page.blocks for ln in b.lines}
        for i, j in match.items():
            tk = truth.blocks[tlines[j][0]].kind
            ok_kind = str(block_of[id(out_lines[i])].kind)
            kind_n += 1
            kind_ok += ok_kind == tk
            if ok_kind != tk:
                kinds_conf[(tk, ok_kind)] += 1
        for i, j in match.items():
            tb = truth.blocks[tlines[j][0]]
            if tb.article >= 0:
                line_art[id(out_lines[i])] = (tb.article, (truth.page_no, j))
        for j, (bi, _) in enumerate(tlines):
            if truth.blocks[bi].article >= 0:
                truth_art_lines[truth.blocks[bi].article].add((truth.page_no, j))
        rows.append(
            {
                "order": order_acc,
                "cer_page": cer(out_text, truth_text),
                "cer_rec": cer(rec_text, truth_text),
                "cjk_sp": max(0, cjk_space_count(out_text) - cjk_space_count(truth_text)),
                "kind": kind_ok / max(1, kind_n),
                "ms": ms,
                "lines": len(out_lines),
                "confusions": kinds_conf,
            }
        )
    build_articles(issue)
    # article accuracy: each truth article's matched lines in exactly one output article, alone
    art_of_line = {id(ln): b.article_id for p in issue.pages for b in p.blocks for ln in b.lines}
    out_art_truths: dict[str, set[int]] = defaultdict(set)
    truth_to_out: dict[int, set[str]] = defaultdict(set)
    matched_keys: dict[int, set] = defaultdict(set)
    for p in issue.pages:
        for b in p.blocks:
            for ln in b.lines:
                if id(ln) in line_art:
                    ta, key = line_art[id(ln)]
                    aid = art_of_line[id(ln)]
                    truth_to_out[ta].add(aid)
                    out_art_truths[aid].add(ta)
                    matched_keys[ta].add(key)
    good = 0
    for ta in truth_art_lines:
        outs = truth_to_out.get(ta, set())
        if len(outs) == 1:
            (aid,) = outs
            if aid and out_art_truths[aid] == {ta}:
                good += 1
    art_acc = good / max(1, len(truth_art_lines))
    for r in rows:
        r["art"] = art_acc
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", default="bench-out/layout-cache")
    ap.add_argument("--templates", nargs="*", default=sorted(TEMPLATES))
    ap.add_argument("--issues", type=int, default=1, help="issues (random seeds) per template")
    ap.add_argument("--pages", type=int, default=2, help="pages per issue")
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO if a.verbose else logging.WARNING, format="%(message)s")
    cache = Path(a.cache)
    table: dict[str, list[dict]] = {}
    for t in a.templates:
        for s in range(a.issues):
            pages = ocr_cached(cache, t, 100 + s, a.dpi, a.pages)
            table.setdefault(t, []).extend(evaluate_issue(f"{t}-{s}", pages))
    cols = ["order", "cer_page", "cer_rec", "cjk_sp", "kind", "art", "ms"]
    print(f"{'template':16} {'set':5} {'pages':>5} " + " ".join(f"{c:>8}" for c in cols))
    groups: dict[str, list[dict]] = {"tuned": [], "held": []}
    for t, rows in table.items():
        held = t in HELD_OUT_TEMPLATES
        groups["held" if held else "tuned"].extend(rows)
        print(_row(t, "held" if held else "tune", rows, cols))
    if a.verbose:
        for t, rows in table.items():
            for k, r in enumerate(rows):
                print(_row(f"  {t} p{k + 1}", "", [r], cols))
    for g, rows in groups.items():
        if rows:
            print(_row(f"ALL {g}", "", rows, cols))
    if a.verbose:
        conf: Counter = Counter()
        for rows in table.values():
            for r in rows:
                conf.update(r["confusions"])
        print("kind confusions (truth, output):", conf.most_common(12))
    return 0


def _row(name: str, set_: str, rows: list[dict], cols: list[str]) -> str:
    vals = []
    for c in cols:
        xs = [r[c] for r in rows]
        v = sum(xs) / len(xs)
        vals.append(f"{v:8.0f}" if c == "cjk_sp" else f"{v:8.2f}" if c == "ms" else f"{v:8.4f}")
    if "cjk_sp" in cols:
        i = cols.index("cjk_sp")
        vals[i] = f"{sum(r['cjk_sp'] for r in rows):8d}"
    return f"{name:16} {set_:5} {len(rows):5d} " + " ".join(vals)


if __name__ == "__main__":
    sys.exit(main())
