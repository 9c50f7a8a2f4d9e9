"""Exit codes and the exception hierarchy. The library raises; only `cli.main` turns an
exception into an exit code (OCRmyPDF's habit). Each message tells the user what to do next."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    PAGES_FAILED = 1  # the batch finished, some pages could not be read (see pages.csv)
    BAD_ARGS = 2
    INPUT_MISSING = 3
    OUTPUT_ERROR = 4
    ENGINE_ERROR = 5
    INTERRUPTED = 130
    INTERNAL = 15


class BackissueError(Exception):
    """Base class; `exit_code` says how the CLI ends when this escapes."""

    exit_code = ExitCode.INTERNAL


class InputMissingError(BackissueError):
    exit_code = ExitCode.INPUT_MISSING


class OutputError(BackissueError):
    exit_code = ExitCode.OUTPUT_ERROR


class EngineError(BackissueError):
    """The OCR engine or its model files are unusable (missing file, wrong package version)."""

    exit_code = ExitCode.ENGINE_ERROR


class PageError(BackissueError):
    """One page cannot be processed (corrupt, empty, too large ...). The batch records it in
    pages.csv with status `error` and goes on; it never ends a run by itself."""

    exit_code = ExitCode.PAGES_FAILED
