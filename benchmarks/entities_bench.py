"""Entity tagging benchmark: P/R/F1 per type, role accuracy and ms per page, tune vs held-out.

Data: benchmarks/data/entities_pages.jsonl (annotated paragraphs, guideline: docs/ENTITY-RULES.md;
split `tune` was used to develop the rules, `held-out` never was) and
benchmarks/data/entities_seed_page.json (the seed page's corrected blocks, for timing).
Matching is on (type, text) as multisets per paragraph; `norm` is the share of matched mentions
whose normalized form is right; `role` is F1 over (person, role) pairs, so a role attached to the
wrong person counts as a miss. Run: .venv/bin/python benchmarks/entities_bench.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.config import EntitiesConfig  # noqa: E402
from pipeline.entities import tag_issue  # noqa: E402
from pipeline.model import Block, BlockKind, Box, Issue, Line, Page  # noqa: E402

DATA = Path(__file__).parent / "data"
TYPES = ("person", "unit", "award", "place", "date")


def make_issue(texts: list[tuple[str, str]], date: str, issue_id: str = "bench") -> Issue:
    blocks = []
    for n, (kind, text) in enumerate(texts, start=1):
        bid = f"{issue_id}_p001_b{n:03d}"
        parts = text.split("\n") if kind in ("list", "masthead") else [text]
        lines = [Line(f"{bid}_l{k:03d}", Box(0, 0, 1, 1), t, t, 1.0) for k, t in enumerate(parts, 1)]
        blocks.append(Block(bid, BlockKind(kind), Box(0, 0, 1, 1), lines, order=n - 1))
    return Issue(issue_id, issue_id, pages=[Page(f"{issue_id}_p001", issue_id, 1, "x", blocks=blocks)], date=date)


def f1(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(records: list[dict]) -> dict[str, dict[str, float]]:
    tp: Counter[str] = Counter()
    npred: Counter[str] = Counter()
    ngold: Counter[str] = Counter()
    norm_ok: Counter[str] = Counter()
    role = Counter()
    errors: list[str] = []
    for rec in records:
        issue = tag_issue(make_issue([("body", rec["text"])], rec["issue_date"]), EntitiesConfig())
        pred = Counter((m.type.value, m.text) for m in issue.mentions)
        gold = Counter((g[0], g[1]) for g in rec["gold"])
        pred_norm = {(m.type.value, m.text): m.normalized for m in issue.mentions}
        gold_norm = {(g[0], g[1]): g[2] for g in rec["gold"]}
        for key in pred | gold:
            t = key[0]
            hit = min(pred[key], gold[key])
            tp[t] += hit
            npred[t] += pred[key]
            ngold[t] += gold[key]
            if hit and pred_norm.get(key) == gold_norm.get(key):
                norm_ok[t] += hit
            if pred[key] != gold[key]:
                errors.append(f"{rec['id']}: {key} pred={pred[key]} gold={gold[key]}")
        pr = Counter((m.text, m.role) for m in issue.mentions if m.type.value == "person")
        gr = Counter((g[1], g[3]) for g in rec["gold"] if g[0] == "person")
        role["tp"] += sum((pr & gr).values())
        role["pred"] += sum(pr.values())
        role["gold"] += sum(gr.values())
        for key in gr - pr:
            errors.append(f"{rec['id']}: role {key} missed (got {[k for k in pr if k[0] == key[0]]})")
    out: dict[str, dict[str, float]] = {}
    for t in TYPES:
        p, r, f = f1(tp[t], npred[t], ngold[t])
        out[t] = {"P": p, "R": r, "F1": f, "norm": norm_ok[t] / tp[t] if tp[t] else 1.0, "gold": ngold[t]}
    p, r, f = f1(role["tp"], role["pred"], role["gold"])
    out["role"] = {"P": p, "R": r, "F1": f, "norm": 1.0, "gold": role["gold"]}
    out["_errors"] = errors  # type: ignore[assignment]
    return out


def time_page(repeats: int = 20) -> float:
    seed = json.loads((DATA / "entities_seed_page.json").read_text(encoding="utf-8"))
    texts = [(b["kind"], b["text"]) for b in seed if b["kind"] != "other"]
    tag_issue(make_issue(texts, "2020-01-08"), EntitiesConfig())  # loads jieba and the lexicon
    times = []
    for _ in range(repeats):
        issue = make_issue(texts, "2020-01-08")
        t0 = time.perf_counter()
        tag_issue(issue, EntitiesConfig())
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> int:
    t0 = time.perf_counter()
    from pipeline.entities.rules import tag_text

    tag_text("预热")
    load_s = time.perf_counter() - t0
    records = [json.loads(x) for x in (DATA / "entities_pages.jsonl").read_text(encoding="utf-8").splitlines() if x]
    verbose = "-v" in sys.argv
    for split in ("tune", "held-out"):
        recs = [r for r in records if r["split"] == split]
        res = evaluate(recs)
        print(f"\n== {split}: {len(recs)} paragraphs")
        print(f"{'type':8} {'gold':>5} {'P':>6} {'R':>6} {'F1':>6} {'norm':>6}")
        for t in (*TYPES, "role"):
            m = res[t]
            print(f"{t:8} {m['gold']:5d} {m['P']:6.3f} {m['R']:6.3f} {m['F1']:6.3f} {m['norm']:6.3f}")
        if verbose:
            for e in res["_errors"]:  # type: ignore[union-attr]
                print("  ", e)
    print(f"\njieba + lexicon load: {load_s:.2f} s (once per process)")
    print(f"tagging the seed page (26 blocks, ~2,600 chars): {time_page():.1f} ms median")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
