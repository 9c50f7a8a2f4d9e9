"""End-to-end benchmark: render pages with known truth, run the whole pipeline, print tables.

    python -m benchmarks            # seed page (clean/typical/hard) + varied templates
    python -m benchmarks --quick    # seed page only, clean and typical

Reports CER of the reading-order text and of recognition alone, pairwise reading order, spaces
between Chinese characters, issue-number recovery, entity P/R/F1 per type and role accuracy,
and seconds per page per stage, with templates held out of tuning reported separately.
Timings are only comparable on an otherwise idle machine: the table says which machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Config
from pipeline.evaluate import PRF
from pipeline.orchestrator import run
from pipeline.scoring import score_entities, score_page
from pipeline.synth.content import random_issue_content, seed_issue_content
from pipeline.synth.degrade import degrade, rescale
from pipeline.synth.render import HELD_OUT_TEMPLATES, render_issue
from pipeline.synth.truth import TruthPage


@dataclass(frozen=True)
class Case:
    name: str  # issue folder name
    content: str  # seed / random
    seed: int
    template: str
    profile: str
    dpi: int

    @property
    def split(self) -> str:
        return "held-out" if self.template in HELD_OUT_TEMPLATES else "tuning"


def cases(quick: bool) -> list[Case]:
    out = [
        Case("seed-clean-300", "seed", 102, "tongxin-a3", "clean", 300),
        Case("seed-typical-300", "seed", 102, "tongxin-a3", "typical", 300),
    ]
    if quick:
        return out
    out.append(Case("seed-hard-150", "seed", 102, "tongxin-a3", "hard", 150))
    for i, template in enumerate(["classic-a4", "broadsheet-a3", "modular-a3", "a4-2col"]):
        out.append(Case(f"random{i}-{template}-typical-300", "random", 7 + i, template, "typical", 300))
        out.append(Case(f"random{i}-{template}-hard-150", "random", 7 + i, template, "hard", 150))
    out.append(Case("random9-classic-a4-typical-200", "random", 9, "classic-a4", "typical", 200))
    return out


def render_case(case: Case, scans: Path) -> list[TruthPage]:
    content = seed_issue_content() if case.content == "seed" else random_issue_content(case.seed, pages=1)
    truths = []
    for img, truth in render_issue(content, case.template, dpi=300, seed=case.seed):
        img, truth = degrade(img, truth, case.profile, seed=case.seed * 100 + truth.page_no)
        if case.profile != "hard" and case.dpi != 300:  # "hard" is a 150 dpi scan by definition
            img, truth = rescale(img, truth, case.dpi)
        path = scans / case.name / f"page-{truth.page_no}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        img.save(path)
        truths.append(truth)
    return truths


def _fmt(v: float) -> str:
    return f"{v:.4f}" if v < 0.1 else f"{v:.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="seed page only, clean and typical")
    ap.add_argument("--work", type=Path, default=None, help="keep scans and output here (default: a temp dir)")
    args = ap.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="backissue-bench-"))
    scans, out = work / "scans", work / "out"
    if scans.exists():
        shutil.rmtree(scans)
    if out.exists():
        shutil.rmtree(out)
    all_cases = cases(args.quick)
    truths: dict[str, list[TruthPage]] = {}
    t = time.perf_counter()
    for case in all_cases:
        truths[case.name] = render_case(case, scans)
    render_s = time.perf_counter() - t
    n_pages = sum(len(v) for v in truths.values())

    result = run(scans, out, Config(), progress=False)
    by_id = {i.issue_id: i for i in result.issues}

    print(f"# backissue end-to-end benchmark\n\n{time.strftime('%Y-%m-%d')}, {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}; {n_pages} pages rendered in {render_s:.0f} s\n")
    print("| case | split | pages | CER reading order (corrected text) | CER lines (raw recognition) | order acc | CJK spaces | lines found "
          "| issue no. | date |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    ents: dict[str, dict[str, PRF]] = defaultdict(dict)
    roles: dict[str, PRF] = defaultdict(PRF)
    for case in all_cases:
        issue = by_id[case.name]
        scores = [score_page(p, tr) for p, tr in zip(issue.pages, truths[case.name])]
        n = len(scores)
        tr0 = truths[case.name][0]
        number_ok = "ok" if issue.issue_number == tr0.issue_number else f"{issue.issue_number} != {tr0.issue_number}"
        date_ok = "ok" if issue.date == tr0.date else f"{issue.date or '-'} != {tr0.date}"
        print(f"| {case.name} | {case.split} | {n} | {_fmt(sum(s.cer_reading_order for s in scores) / n)} "
              f"| {_fmt(sum(s.cer_lines for s in scores) / n)} | {sum(s.order_accuracy for s in scores) / n:.4f} "
              f"| {sum(s.cjk_spaces for s in scores)} | {sum(s.lines_matched for s in scores) / n:.3f} "
              f"| {number_ok} | {date_ok} |")
        per_type, r = score_entities(issue, truths[case.name])
        for typ, prf in per_type.items():
            ents[case.split].setdefault(typ, PRF()).add(prf)
        roles[case.split].add(r)

    print("\n## Entities (per page, (type, text) pairs)\n")
    print("| split | type | precision | recall | F1 | gold |")
    print("|---|---|---|---|---|---|")
    for split in sorted(ents):
        for typ, prf in sorted(ents[split].items()):
            print(f"| {split} | {typ} | {prf.precision:.3f} | {prf.recall:.3f} | {prf.f1:.3f} | {prf.tp + prf.fn} |")
        rp = roles[split]
        print(f"| {split} | role (person, role) | {rp.precision:.3f} | {rp.recall:.3f} | {rp.f1:.3f} | {rp.tp + rp.fn} |")

    print("\n## Speed (seconds per page, this run)\n")
    print("| stage | s/page |")
    print("|---|---|")
    labels = {"assemble": "articles + correct + entities + series", "export": "export (tables, JSON, ALTO, review)"}
    for stage in ("ingest", "cleanup", "ocr", "layout", "assemble", "export"):
        print(f"| {labels.get(stage, stage)} | {result.timings.get(stage, 0.0) / n_pages:.3f} |")
    rest = max(0.0, result.seconds - sum(result.timings.values()))
    print(f"| other (discovery, hashing, engine load, manifest) | {rest / n_pages:.3f} |")
    print(f"| **total** | **{result.seconds / n_pages:.2f}** ({60 * n_pages / result.seconds:.1f} pages/min) |")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
