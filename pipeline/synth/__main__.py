"""`python -m pipeline.synth sample scans/` writes the committed sample issue;
`python -m pipeline.synth render OUT --pages N --profile hard --seed S` writes benchmark pages
with their `*.truth.json` beside them."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

log = logging.getLogger(__name__)

SAMPLE_ISSUE = "tongxin-jiayuan-102"
SAMPLE_TEMPLATE = "tongxin-a3"
SAMPLE_SEED = 102


def _save(img, path: Path) -> None:  # type: ignore[no-untyped-def]
    """PNG for lossless pages, JPEG (quality 90) where the name says so."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".jpg", ".jpeg"):
        img.save(path, quality=90, subsampling=2, optimize=True)
    else:
        img.save(path, compress_level=6)


def cmd_sample(args: argparse.Namespace) -> int:
    from .content import seed_issue_content
    from .degrade import degrade
    from .render import render_issue

    out = Path(args.out_dir) / SAMPLE_ISSUE
    pages = render_issue(seed_issue_content(), SAMPLE_TEMPLATE, dpi=300, seed=SAMPLE_SEED)
    for i, (img, truth) in enumerate(pages, 1):
        img, truth = degrade(img, truth, "typical", seed=SAMPLE_SEED + i)
        path = out / f"page-{i}.{args.format}"
        _save(img, path)
        if args.truth_dir:
            Path(args.truth_dir).mkdir(parents=True, exist_ok=True)
            truth.save(Path(args.truth_dir) / f"{SAMPLE_ISSUE}-page-{i}.truth.json")
        print(f"{path} {img.width}x{img.height} skew {truth.skew_deg:+.2f} deg, {path.stat().st_size // 1024} KiB")
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from .content import random_issue_content, seed_issue_content
    from .degrade import degrade
    from .render import TEMPLATES, render_issue

    out = Path(args.out_dir)
    names = [args.template] if args.template else sorted(TEMPLATES)
    written = 0
    k = 0
    while written < args.pages:
        seed = args.seed + k
        template = names[k % len(names)]
        issue = seed_issue_content() if args.content == "seed" else random_issue_content(seed)
        for img, truth in render_issue(issue, template, dpi=args.dpi, seed=seed):
            if written >= args.pages:
                break
            img, truth = degrade(img, truth, args.profile, seed=seed * 100 + truth.page_no)
            stem = f"{args.content}-{seed}-{template}-p{truth.page_no}-{args.profile}"
            _save(img, out / f"{stem}.{args.format}")
            truth.save(out / f"{stem}.truth.json")
            written += 1
            print(out / f"{stem}.{args.format}")
        k += 1
    return 0


def main(argv: list[str] | None = None) -> int:
    from .degrade import PROFILES

    p = argparse.ArgumentParser(prog="python -m pipeline.synth", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample", help="write the sample issue (seed page, typical scan) into a scans folder")
    s.add_argument("out_dir")
    s.add_argument("--format", choices=("png", "jpg"), default="jpg")
    s.add_argument("--truth-dir", default="", help="also write each page's truth JSON here")
    s.set_defaults(func=cmd_sample)
    r = sub.add_parser("render", help="write rendered pages and their *.truth.json")
    r.add_argument("out_dir")
    r.add_argument("--pages", type=int, default=1)
    r.add_argument("--profile", choices=PROFILES, default="clean")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--template", default="", help="one template (default: cycle through all)")
    r.add_argument("--content", choices=("random", "seed"), default="random")
    r.add_argument("--dpi", type=float, default=300)
    r.add_argument("--format", choices=("png", "jpg"), default="png")
    r.set_defaults(func=cmd_render)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
