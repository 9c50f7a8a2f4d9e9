"""Entity word lists and the jieba tokenizer, each loaded once per process.

The lists live in `pipeline/resources/entities/` (data, not code, so an archivist can extend them
without touching Python); they are read with importlib.resources so an installed wheel works too.
jieba is imported here only, lazily, so `backissue --help` never pays for it."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

log = logging.getLogger(__name__)

_RES = "pipeline.resources"
_lock = threading.Lock()
_tokenizer: Any = None


def _read(name: str) -> list[str]:
    """Non-empty, non-comment lines of an entity data file."""
    text = resources.files(_RES).joinpath("entities", name).read_text(encoding="utf-8")
    return [ln.rstrip("\n") for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def _read_map(name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for ln in _read(name):
        printed, _, canon = ln.partition("\t")
        printed = printed.strip()
        out[printed] = canon.strip() or printed
    return out


@dataclass(frozen=True)
class Lexicon:
    """Everything the rules consult; frozen so one instance can be shared by every call."""

    units: dict[str, str]  # printed -> canonical
    places: dict[str, str]
    unit_suffixes: tuple[str, ...]  # longest first
    place_suffixes: tuple[str, ...]
    generic_units: frozenset[str]
    titles: frozenset[str]
    title_modifiers: frozenset[str]
    surnames: frozenset[str]
    compound_surnames: frozenset[str]
    name_followers: tuple[str, ...]  # longest first
    awards: tuple[str, ...]
    award_heads: tuple[str, ...]
    award_prefixes: tuple[str, ...]  # 优秀, 文明, 巾帼 ...: start of an honour title in an award context
    award_title_heads: tuple[str, ...]  # 奖, 标兵, 社区, 团队 ...: its end
    stop_tokens: frozenset[str]

    role_pieces: tuple[str, ...]  # words a role run is made of besides unit names, longest first
    home: dict[str, str]  # short prefix -> the newsletter's own street/district (街道 -> 静安寺街道)
    subunit_heads: tuple[str, ...] = ()  # 护理部, 校区, 年级组, 部, 组 ...: a sub-unit written after its parent


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Read every entity data file once."""
    surnames = [s.strip() for s in _read("surnames.txt")]

    def longest_first(xs: list[str]) -> tuple[str, ...]:
        return tuple(sorted({x.strip() for x in xs if x.strip()}, key=len, reverse=True))

    titles = frozenset(x.strip() for x in _read("titles.txt"))
    modifiers = frozenset(x.strip() for x in _read("title_modifiers.txt"))
    generic = frozenset(x.strip() for x in _read("generic_units.txt"))
    lex = Lexicon(
        units=_read_map("units.tsv"),
        places=_read_map("places.tsv"),
        unit_suffixes=longest_first(_read("unit_suffixes.txt")),
        place_suffixes=longest_first(_read("place_suffixes.txt")),
        generic_units=generic,
        titles=titles,
        title_modifiers=modifiers,
        surnames=frozenset(s for s in surnames if len(s) == 1),
        compound_surnames=frozenset(s for s in surnames if len(s) == 2),
        name_followers=longest_first(_read("name_followers.txt")),
        awards=longest_first(_read("awards.txt")),
        award_heads=longest_first(_read("award_heads.txt")),
        award_prefixes=longest_first(_read("award_prefixes.txt")),
        award_title_heads=longest_first(_read("award_title_heads.txt")),
        stop_tokens=frozenset(x.strip() for x in _read("stop_tokens.txt")),
        # unit suffixes too: after 、 a role may start with a bare office (办事处主任, 武装部部长)
        role_pieces=longest_first(list(titles | modifiers | generic | set(_read("unit_suffixes.txt")))),
        home=_read_map("home.tsv"),
        subunit_heads=longest_first(_read("subunit_heads.txt")),
    )
    log.debug("entity lexicon: %d units, %d titles, %d surnames", len(lex.units), len(lex.titles), len(surnames))
    return lex


def tokenizer() -> Any:
    """The process's jieba Tokenizer with the project user dictionary (built once, thread-safe)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                # start from a copy of jieba's default dictionary, which the correct stage has
                # usually loaded already: one dictionary load per process instead of two
                jieba.dt.check_initialized()
                tok = jieba.Tokenizer()
                tok.FREQ, tok.total, tok.initialized = dict(jieba.dt.FREQ), jieba.dt.total, True
                userdict = resources.files(_RES).joinpath("jieba_userdict.txt")
                with resources.as_file(userdict) as path:
                    tok.load_userdict(str(path))
                lex = load_lexicon()
                # every known unit/place/award name is one word, so jieba never splits it
                for word in list(lex.units) + list(lex.places) + list(lex.awards):
                    tok.add_word(word, freq=max(tok.suggest_freq(word, tune=False), 500))
                _tokenizer = tok
    return _tokenizer


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def in_dictionary(word: str) -> bool:
    """True when jieba's dictionary (with the user dictionary) knows the word."""
    return bool(tokenizer().FREQ.get(word))


def word_tag(word: str) -> str:
    """The part-of-speech jieba's dictionary gives a word ('' for words it does not know)."""
    return _tag_table().get(word, "")


@lru_cache(maxsize=1)
def _tag_table() -> dict[str, str]:
    """jieba's default tag table plus the user dictionary's tags (read once)."""
    import jieba.posseg as pseg

    table: dict[str, str] = dict(pseg.dt.word_tag_tab)
    userdict = resources.files(_RES).joinpath("jieba_userdict.txt").read_text(encoding="utf-8")
    for ln in userdict.splitlines():
        parts = ln.split()
        if len(parts) == 3:
            table[parts[0]] = parts[2]
    lex = load_lexicon()
    for w in lex.units:
        table.setdefault(w, "nt")
    for w in lex.places:
        table.setdefault(w, "ns")
    return table


def is_han(ch: str) -> bool:
    return bool(_HAN.match(ch))
