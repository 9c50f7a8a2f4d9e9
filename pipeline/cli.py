"""Command line: argparse, logging, and the one place that turns exceptions into exit codes.

Nothing else in the package prints for the user or exits."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import BackissueError, ExitCode

if TYPE_CHECKING:
    from .orchestrator import RunResult

log = logging.getLogger("backissue")

EPILOG = """exit codes:
  0  every page was processed
  1  the batch finished, but some pages could not be read (see pages.csv, status=error)
  2  bad command-line arguments
  3  the scans folder is missing or holds no scans
  4  the output folder cannot be written
  5  the OCR engine or its model files are unusable
  130 interrupted (run the same command again to resume)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="backissue",
        description="Digitize scanned back issues of Chinese newspapers and newsletters into a "
        "structured CSV/JSON dataset (OCR with PP-OCR, reading order, corrections, entities).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"backissue {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="process a folder of scans into a dataset",
        description="Process SCANS_DIR into the dataset in --out. One sub-folder = one issue (pages in "
        "natural filename order); a multi-page TIFF or PDF = one issue; a loose image = a one-page issue. "
        "Re-running the same command resumes: finished pages are reused, changed or new scans are processed.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    run.add_argument("scans_dir", metavar="SCANS_DIR", type=Path, help="folder of scans (PNG, JPEG, TIFF, PDF)")
    run.add_argument("--out", "-o", type=Path, default=Path("output"), metavar="OUT_DIR",
                     help="output folder for the dataset (default: output)")
    run.add_argument("--workers", "-j", type=int, default=1, metavar="N",
                     help="worker processes; each loads the OCR models once (default: 1)")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="run pages on a Dask cluster at this scheduler address (e.g. tcp://host:8786) "
                     "instead of local processes; needs `pip install 'backissue[dask]'`")
    run.add_argument("--engine", default="rapidocr", help="OCR engine (default: rapidocr, PP-OCRv6 small)")
    run.add_argument("--ocr-threads", type=int, default=0, metavar="N",
                     help="onnxruntime threads per worker (default: cores / workers)")
    run.add_argument("--pdf-dpi", type=int, default=300, metavar="DPI",
                     help="resolution at which PDF pages are rasterised (default: 300)")
    run.add_argument("--max-pixels", type=int, default=None, metavar="N",
                     help="refuse images larger than N pixels (decompression-bomb guard; default: 200,000,000)")
    run.add_argument("--no-cleanup", action="store_true",
                     help="skip image cleanup (rotation, deskew, border crop)")
    run.add_argument("--raw-text", action="store_true",
                     help="export the engine's raw text only: no post-correction (text == text_raw)")
    run.add_argument("--no-entities", action="store_true", help="skip entity tagging")
    run.add_argument("--rules-only", action="store_true",
                     help="tag entities with the rules alone, without the learned CRF over them")
    run.add_argument("--fail-fast", action="store_true",
                     help="stop at the first page that cannot be read instead of recording it and going on")
    run.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                     help="show a progress bar (default: only when stderr is a terminal)")
    run.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    run.add_argument("-q", "--quiet", action="store_true", help="only errors")
    return parser


def _config_from_args(args: argparse.Namespace):
    from .config import Config

    cfg = Config()
    ingest = {"pdf_dpi": args.pdf_dpi}
    if args.max_pixels:
        ingest["max_pixels"] = args.max_pixels
    changes: dict = {
        "ingest": ingest,
        "ocr": {"engine": args.engine, "threads": args.ocr_threads},
        "correct": {"enabled": not args.raw_text},
        "entities": {"enabled": not args.no_entities, "crf": not args.rules_only},
        "workers": args.workers,
    }
    if args.no_cleanup:
        import dataclasses

        changes["cleanup"] = {
            f.name: False for f in dataclasses.fields(cfg.cleanup) if isinstance(getattr(cfg.cleanup, f.name), bool)
        }
    return cfg.replace(**changes)


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return ExitCode.BAD_ARGS
        for name, value, least in (("--workers", args.workers, 1), ("--ocr-threads", args.ocr_threads, 0),
                                   ("--pdf-dpi", args.pdf_dpi, 10), ("--max-pixels", args.max_pixels or 1, 1)):
            if value < least:
                parser.error(f"{name} must be at least {least}")
    except SystemExit as e:  # argparse exits on --help/--version (0) and on bad arguments (2)
        return int(e.code) if isinstance(e.code, int) else ExitCode.BAD_ARGS
    _setup_logging(args.verbose, args.quiet)
    try:
        from .orchestrator import run

        result = run(args.scans_dir, args.out, _config_from_args(args), scheduler=args.scheduler,
                     fail_fast=args.fail_fast, progress=args.progress)
    except KeyboardInterrupt:
        print("interrupted; run the same command again to resume", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BackissueError as e:
        print(f"backissue: error: {e}", file=sys.stderr)
        return e.exit_code
    if not args.quiet:
        _summary(result)
    return ExitCode.OK if result.ok else ExitCode.PAGES_FAILED


def _summary(result: RunResult) -> None:
    """What the archivist needs on coming back: how much is done, what changed, what needs a look."""
    done = result.pages_total - result.pages_failed
    ch = result.inputs
    print(
        f"{len(result.issues)} issues, {done}/{result.pages_total} pages ok "
        f"({result.pages_reused} reused from an earlier run), {result.seconds:.1f} s -> {result.out_dir}",
        file=sys.stderr,
    )
    if ch.new or ch.changed or ch.removed:
        print(f"since the last run: {len(ch.new)} new, {len(ch.changed)} changed, {len(ch.removed)} removed scan(s)",
              file=sys.stderr)
    if result.pages_failed:
        print(f"{result.pages_failed} pages failed: see {result.out_dir / 'pages.csv'} (status=error)", file=sys.stderr)
        for page_id, source_file, error in result.failed[:10]:
            print(f"  {page_id}: {error}", file=sys.stderr)
        if len(result.failed) > 10:
            print(f"  ... and {len(result.failed) - 10} more", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
