"""Train the entity CRF (pipeline/entities/crf.py) on the tune split and print its cross-validation table.

Why cross-validation by source: the tune split is eleven sets written by different annotators (the id prefix:
tune-, held2-, heldout2- … heldout8-). Leaving whole sets out is the nearest thing to a blind set we may
look at: a fold's model never saw that annotator's shapes. Both rows are optimistic (the rules were tuned
on all eleven sets, and the CRF's main feature is the rules' label), so the comparison is what counts.

Blind rule features (default, `--features blind`): on the tune split the current rules are near perfect (they
were tuned on it), so a CRF trained on their output only learns to copy them, and it would then meet on new
text rules that are right ~90% of the time. So each annotator set's rule labels come from the last rules
that had NOT seen it (git history: round N's code for the set moved into tuning in round N+1, extracted with
`git archive`, read-only), which err on it the way today's rules err on a new blind set. tune-* (no older
blind code) uses today's rules. The same blind output gives a second, honest CV table: rules-as-blind vs
rules-as-blind + the fold's CRF, i.e. what the CRF adds on text the rules had not seen.

Gold mentions carry no offsets (docs/ANNOTATION.md: listed in text order, every occurrence, never nested),
so each is placed at its first unused occurrence at or after the previous one (falling back to any unused
occurrence); one that cannot be placed is reported and left out of the labels.

Deterministic: records in file order, groups sorted, fold k = groups k, k+5, …; CRFsuite's L-BFGS gives the
same model for the same input. Run:
    .venv/bin/python benchmarks/train_entity_crf.py            # CV table + writes the shipped model
    .venv/bin/python benchmarks/train_entity_crf.py --cv-only  # CV table only
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.entities_bench import DATA, TYPES, evaluate, f1, load_jsonl, make_issue
from pipeline.config import EntitiesConfig
from pipeline.entities import tag_issue
from pipeline.entities.crf import MODEL_RESOURCE, CrfTagger, bio_labels, char_features, train_crf
from pipeline.entities.rules import Span
from pipeline.model import EntityType

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parents[1] / "pipeline" / "resources" / "entities" / MODEL_RESOURCE
FOLDS = 5
ROOT = Path(__file__).resolve().parents[1]
# annotator set -> the last commit whose rules had not seen it (its round's commit moved it into tuning)
BLIND_CODE = {
    "held2": "486787b",  # round 2 (held2 was its fresh held-out set)
    "heldout2": "221a58f",  # round 3
    "heldout3": "de74f81",  # round 4
    "heldout4": "e7922dc",  # round 5
    "heldout5": "17fb5c4",  # round 6
    "heldout6": "39d3bbb",  # round 7
    "heldout7": "deee071",  # round 8
    "heldout8": "0deb37c",  # round 9
    "heldout9": "5598ee8",  # round 10 (heldout9 was scored blind after it)
    "heldout10": "5598ee8",  # round 10's rules (the CRF round 4bc8815 left rules.py as it was)
    "heldout11": "4b79b3e",  # round 11's rules, alone (its CRF is switched off in the dump)
    "heldout12": "1e925e4",  # round 12's rules, alone (CRF off in the dump)
    "heldout13": "7ee8391",  # round 13's rules, alone (CRF off in the dump)
    "heldout14": "7ee8391",  # round 13's rules, alone (heldout13 and 14 were scored together)
    "heldout15": "7ef0313",  # round 14's rules, alone (CRF off in the dump)
    "heldout16": "7ef0313",  # round 14's rules, alone (heldout15 and 16 were scored together)
}
_DUMP = """
import inspect, json, sys
from benchmarks.entities_bench import make_issue
from pipeline.config import EntitiesConfig
from pipeline.entities import tag_issue
import pipeline
assert pipeline.__file__.startswith(sys.argv[1]), pipeline.__file__
out = {}
for rec in json.load(sys.stdin):
    issue = make_issue([(rec.get("kind", "body"), rec["text"])], rec["issue_date"])
    # the rules' labels only: from round 11 on, tag_issue runs the shipped CRF unless told not to
    tag_issue(issue, EntitiesConfig(), **({"crf": False} if "crf" in inspect.signature(tag_issue).parameters else {}))
    text = issue.pages[0].blocks[0].text
    out[rec["id"]] = [text, [[m.type.value, m.start, m.end, m.role] for m in issue.mentions]]
json.dump(out, sys.stdout, ensure_ascii=False)
"""


def blind_spans(records: list[dict[str, Any]], tmp: Path) -> dict[str, tuple[str, list[Span]]]:
    """record id -> (text, spans) from the rules of the round before its set was seen."""
    out: dict[str, tuple[str, list[Span]]] = {}
    for group, commit in sorted(BLIND_CODE.items()):
        recs = [r for r in records if group_of(r) == group]
        if not recs:
            continue
        src = tmp / commit
        src.mkdir(exist_ok=True)
        arch = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "pipeline", "benchmarks/__init__.py",
                               "benchmarks/entities_bench.py"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(src)], input=arch, check=True)
        res = subprocess.run([sys.executable, "-c", _DUMP, str(src)], cwd=src, input=json.dumps(recs),
                             capture_output=True, text=True, check=True)
        for rid, (text, ms) in json.loads(res.stdout).items():
            out[rid] = (text, [Span(EntityType(t), a, b, text[a:b], text[a:b], role, rule="blind") for t, a, b, role in ms])
    return out


class _Recorder:
    """A refiner that changes nothing and keeps what the CRF would see: each block's text and rule spans."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, list[Span]]] = []

    def refine(self, text: str, spans: list[Span], issue_date: str) -> list[Span]:
        self.seen.append((text, [Span(s.type, s.start, s.end, s.text, s.normalized, s.role, s.confidence, s.rule)
                                 for s in spans]))
        return spans


def group_of(rec: dict[str, Any]) -> str:
    return str(rec["id"]).rsplit("-", 1)[0]


def align_gold(text: str, gold: list[list[str]]) -> tuple[list[tuple[str, int, int]], list[str]]:
    """Offsets for gold mentions listed in text order: (type, start, end) spans, and the ones not placed."""
    used = [False] * len(text)
    spans: list[tuple[str, int, int]] = []
    missed: list[str] = []
    cursor = 0
    for g in gold:
        t, s = g[0], g[1]
        place = -1
        for start in (cursor, 0):
            k = text.find(s, start)
            while k >= 0 and any(used[k : k + len(s)]):
                k = text.find(s, k + 1)
            if k >= 0:
                place = k
                break
        if place < 0 or not s:
            missed.append(f"{t}:{s}")
            continue
        used[place : place + len(s)] = [True] * len(s)
        spans.append((t, place, place + len(s)))
        cursor = place + len(s)
    return spans, missed


def build_examples(records: list[dict[str, Any]], blind: dict[str, tuple[str, list[Span]]]
                   ) -> tuple[list[list[list[str]]], list[list[str]], list[str]]:
    """Features (from the rules' final spans: the blind rules' where `blind` has the record, else today's)
    and gold BIO labels, one sequence per record."""
    xs: list[list[list[str]]] = []
    ys: list[list[str]] = []
    missed: list[str] = []
    for rec in records:
        rec_blocks = rec.get("blocks") or [(rec.get("kind", "body"), rec["text"])]
        if len(rec_blocks) != 1:
            raise SystemExit(f"{rec['id']}: gold of multi-block records has no block to align to")
        rec_ = _Recorder()
        tag_issue(make_issue(rec_blocks, rec["issue_date"]), EntitiesConfig(), crf=rec_)
        if not rec_.seen:
            continue
        text, spans = rec_.seen[0]
        if rec["id"] in blind:
            if blind[rec["id"]][0] != text:
                raise SystemExit(f"{rec['id']}: the old code's block text differs from today's")
            spans = blind[rec["id"]][1]
        gold, miss = align_gold(text, rec["gold"])
        missed += [f"{rec['id']} {m}" for m in miss]
        xs.append(char_features(text, spans))
        ys.append(bio_labels(len(text), gold))
    return xs, ys, missed


def score_spans(pairs: list[tuple[list[Span], list[list[str]]]]) -> dict[str, Any]:
    """entities_bench's measures ((type, text) multisets per paragraph, (person, role) pairs) for span lists."""
    tp: Counter[str] = Counter()
    npred: Counter[str] = Counter()
    ngold: Counter[str] = Counter()
    for spans, gold_rows in pairs:
        pred = Counter((s.type.value, s.text) for s in spans)
        gold = Counter((g[0], g[1]) for g in gold_rows)
        pred += Counter(("role", f"{s.text}|{s.role}") for s in spans if s.type is EntityType.PERSON)
        gold += Counter(("role", f"{g[1]}|{g[3]}") for g in gold_rows if g[0] == "person")
        for key in pred | gold:
            tp[key[0]] += min(pred[key], gold[key])
            npred[key[0]] += pred[key]
            ngold[key[0]] += gold[key]
    out: dict[str, Any] = {}
    for t in (*TYPES, "role"):
        p, r, f = f1(tp[t], npred[t], ngold[t])
        out[t] = {"P": p, "R": r, "F1": f, "gold": ngold[t]}
    return out


def table(rows: dict[str, dict[str, Any]]) -> str:
    names = list(rows)
    head = f"{'type':8} {'gold':>5} " + " ".join(f"{n + ' P/R/F1':>23}" for n in names) + "   ΔF1"
    out = [head]
    for t in (*TYPES, "role"):
        cells = [f"{rows[n][t]['P']:.3f}/{rows[n][t]['R']:.3f}/{rows[n][t]['F1']:.3f}" for n in names]
        delta = rows[names[-1]][t]["F1"] - rows[names[0]][t]["F1"]
        out.append(f"{t:8} {rows[names[0]][t]['gold']:5d} " + " ".join(f"{c:>23}" for c in cells) + f" {delta:+.3f}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cv-only", action="store_true", help="print the CV tables, do not write the model")
    ap.add_argument("--features", choices=("blind", "current"), default="blind",
                    help="rule labels to train on: each set's pre-tuning rules (default) or today's rules")
    ap.add_argument("--out", type=Path, default=MODEL_PATH, help=f"model file (default {MODEL_PATH})")
    ap.add_argument("-v", "--verbose", action="store_true", help="list gold mentions that could not be placed")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    records = [r for r in load_jsonl(DATA / "entities_pages.jsonl") if r["split"] == "tune"]
    groups = sorted({group_of(r) for r in records})
    fold_of = {g: k % FOLDS for k, g in enumerate(groups)}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        blind = blind_spans(records, Path(tmp)) if args.features == "blind" else {}
        if blind:
            print(f"blind rule output for {len(blind)} records from {len(BLIND_CODE)} older rounds "
                  f"in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        xs, ys, missed = build_examples(records, blind)
        n_gold = sum(len(r["gold"]) for r in records)
        print(f"{len(records)} records, {sum(map(len, xs))} characters, {n_gold} gold mentions "
              f"({len(missed)} not placed), features in {time.perf_counter() - t0:.1f} s")
        if args.verbose:
            for m in missed:
                print("   not placed:", m)
        print("folds:", "; ".join(f"{k}: " + ",".join(g for g in groups if fold_of[g] == k) for k in range(FOLDS)))
        taggers: dict[int, CrfTagger] = {}
        t1 = time.perf_counter()
        for k in range(FOLDS):
            train = [i for i, r in enumerate(records) if fold_of[group_of(r)] != k]
            path = train_crf([xs[i] for i in train], [ys[i] for i in train], Path(tmp) / f"fold{k}.crfsuite")
            taggers[k] = CrfTagger(path)
        print(f"{FOLDS} fold models ({args.features} rule features) trained in {time.perf_counter() - t1:.1f} s")

        def fold_tagger(rec: dict[str, Any]) -> CrfTagger:
            return taggers[fold_of[group_of(rec)]]

        rules = evaluate(records, crf=False)
        cv = evaluate(records, crf=fold_tagger)
        print("\n== A. 5-fold CV by annotator set, today's rules (tuned on every fold: optimistic)")
        print(table({"rules": rules, "rules+CRF": cv}))
        print(f"tagging: rules {rules['ms_page']:.1f}, rules+CRF {cv['ms_page']:.1f} ms per 2600-char page")
        print("per fold, micro F1 over the five types (rules -> rules+CRF):")
        for k in range(FOLDS):
            fold_recs = [r for r in records if fold_of[group_of(r)] == k]
            a = evaluate(fold_recs, crf=False)
            b = evaluate(fold_recs, crf=taggers[k])
            print(f"  fold {k} ({len(fold_recs)} records): {_micro(a):.3f} -> {_micro(b):.3f}")
        if blind:
            brecs = [r for r in records if r["id"] in blind]
            base = score_spans([(blind[r["id"]][1], r["gold"]) for r in brecs])
            ref = score_spans([(fold_tagger(r).refine(blind[r["id"]][0], blind[r["id"]][1], r["issue_date"]), r["gold"])
                               for r in brecs])
            print(f"\n== B. 5-fold CV on blind rule output ({len(brecs)} records of the {len(BLIND_CODE)} sets scored blind once: "
                  "each set tagged by the rules of the round before it was seen; the CRF of the fold without it)")
            print(table({"blind rules": base, "blind rules+CRF": ref}))
            print("per set, micro F1 (blind rules -> + CRF):")
            for g in sorted(BLIND_CODE):
                gr = [r for r in brecs if group_of(r) == g]
                a = score_spans([(blind[r["id"]][1], r["gold"]) for r in gr])
                b = score_spans([(fold_tagger(r).refine(blind[r["id"]][0], blind[r["id"]][1], r["issue_date"]),
                                  r["gold"]) for r in gr])
                print(f"  {g:9} ({BLIND_CODE[g]}): {_micro(a):.3f} -> {_micro(b):.3f}")
    if not args.cv_only:
        t2 = time.perf_counter()
        train_crf(xs, ys, args.out)
        print(f"\nshipped model: {args.out} ({args.out.stat().st_size / 1024:.0f} KiB), "
              f"trained on all {len(xs)} records in {time.perf_counter() - t2:.1f} s")
    return 0


def _micro(res: dict[str, Any]) -> float:
    """Micro F1 over types, rebuilt from each type's P, R and gold count."""
    tp = pred = gold = 0.0
    for t in TYPES:
        m = res[t]
        g = m["gold"]
        k = m["R"] * g
        tp += k
        gold += g
        pred += k / m["P"] if m["P"] else 0
    p = tp / pred if pred else 1.0
    r = tp / gold if gold else 1.0
    return 2 * p * r / (p + r) if p + r else 0.0


if __name__ == "__main__":
    raise SystemExit(main())
