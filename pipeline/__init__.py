"""backissue: scanned back issues of Chinese newsletters -> a clean, citable dataset.

Public API: `run()` processes a folder of scans, `load_dataset()` reads an output folder
back as pandas DataFrames."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "run", "load_dataset"]


def __getattr__(name: str):  # lazy, so `import pipeline` stays light
    if name == "run":
        from .orchestrator import run

        return run
    if name == "load_dataset":
        from .export.dataset import load_dataset

        return load_dataset
    raise AttributeError(name)
