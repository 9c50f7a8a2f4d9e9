"""Data files shipped with the package (lexicons, confusion tables), read through
importlib.resources so they work from a wheel or a zip as well as from a checkout."""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib import resources

log = logging.getLogger(__name__)

__all__ = ["load_wordlist", "wordlist_names"]


@lru_cache(maxsize=None)
def _read(name: str) -> tuple[str, ...]:
    ref = resources.files(__name__).joinpath("lexicon", f"{name}.txt")
    if not ref.is_file():
        raise FileNotFoundError(
            f"no word list {name!r} in pipeline/resources/lexicon/ (have: {', '.join(wordlist_names())})"
        )
    out: list[str] = []
    seen: set[str] = set()
    for raw in ref.read_text(encoding="utf-8").splitlines():
        entry = raw.split("#", 1)[0].strip()
        if entry and entry not in seen:
            seen.add(entry)
            out.append(entry)
    log.debug("word list %s: %d entries", name, len(out))
    return tuple(out)


def load_wordlist(name: str) -> list[str]:
    """Entries of `lexicon/NAME.txt`: one per line, UTF-8, `#` starts a comment, blank lines and
    duplicates dropped, file order kept. Cached, so every stage may call it freely."""
    return list(_read(name))


def wordlist_names() -> list[str]:
    """Names of the shipped word lists (file names without `.txt`)."""
    folder = resources.files(__name__).joinpath("lexicon")
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".txt"))
