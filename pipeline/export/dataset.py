"""Read an output folder back as typed pandas DataFrames: `pipeline.load_dataset("output/")`.

Why not plain `pd.read_csv`: it turns ids like "0102" into numbers, empty text into NaN and
leaves the formula guard (a leading `'`, see files.py) on the text. Here every column gets the
dtype its table schema declares (tables.py): ids and text `string`, counts `Int64`, measures
`float64`, flags `boolean`, dates `datetime64`; empty text stays "" and only empty numeric or
date cells are missing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputMissingError
from .tables import TABLES, Table

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)


def read_table(path: Path, table: Table) -> pd.DataFrame:
    """One CSV with the dtypes of its schema and the formula guard removed from text cells."""
    import pandas as pd

    df = pd.read_csv(
        path,
        dtype={c.name: "string" for c in table.columns if c.type in ("string", "date", "boolean")},
        keep_default_na=False,
        na_values={c.name: [""] for c in table.columns if c.type not in ("string",)},
        encoding="utf-8",
    )
    for c in table.columns:
        if c.name not in df.columns:
            continue
        s = df[c.name]
        if c.type == "string":
            s = s.fillna("").astype("string")
            guarded = s.str.startswith("'")
            if guarded.any():
                s = s.mask(guarded, s.str.slice(1))
        elif c.type == "integer":
            s = pd.to_numeric(s).astype("Int64")
        elif c.type == "number":
            s = pd.to_numeric(s).astype("float64")
        elif c.type == "boolean":
            s = s.str.lower().map({"true": True, "false": False}).astype("boolean")
        elif c.type == "date":
            s = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
        df[c.name] = s
    extra = [c for c in df.columns if c not in set(table.header)]
    if extra:
        log.debug("%s: columns not in the schema kept as read: %s", path.name, extra)
    return df


@dataclass
class Dataset:
    """The eight tables of an output folder, plus the joins researchers ask for most."""

    path: Path
    issues: pd.DataFrame
    pages: pd.DataFrame
    lines: pd.DataFrame
    blocks: pd.DataFrame
    articles: pd.DataFrame
    entities: pd.DataFrame
    awards: pd.DataFrame
    corrections: pd.DataFrame

    def mentions(self) -> pd.DataFrame:
        """Every entity mention with its article headline and its issue's id, date and number."""
        issue_cols = self.issues[["issue_id", "date", "issue_number"]].rename(
            columns={"date": "issue_date", "issue_number": "issue_number"}
        )
        arts = self.articles[["article_id", "headline"]]
        out = self.entities.merge(arts, on="article_id", how="left").merge(issue_cols, on="issue_id", how="left")
        out["headline"] = out["headline"].fillna("")
        return out.sort_values(["issue_date", "issue_id", "mention_id"], kind="stable", na_position="last").reset_index(
            drop=True
        )

    def people_posts(self) -> pd.DataFrame:
        """Who held which post when: person mentions with a role, by person then issue date."""
        m = self.mentions()
        people = m[(m["type"] == "person") & (m["role"] != "")]
        cols = ["entity_id", "normalized", "role", "issue_id", "issue_date", "issue_number", "mention_id", "headline"]
        return (
            people[cols]
            .rename(columns={"normalized": "person"})
            .sort_values(["person", "issue_date", "mention_id"], kind="stable", na_position="last")
            .reset_index(drop=True)
        )

    def awards_table(self) -> pd.DataFrame:
        """Awards with the date and number of the issue that reported them."""
        issue_cols = self.issues[["issue_id", "date", "issue_number"]].rename(columns={"date": "issue_date"})
        return self.awards.merge(issue_cols, on="issue_id", how="left")

    def text(self, issue_id: str) -> str:
        """Reading-order text of one issue: its pages' blocks in order, outside-order blocks left out."""
        pages = self.pages[self.pages["issue_id"] == issue_id].sort_values("page_no")
        b = self.blocks[self.blocks["issue_id"] == issue_id]
        b = b[b["order"] >= 0]
        parts = []
        for pid in pages["page_id"]:
            parts.extend(t for t in b[b["page_id"] == pid].sort_values("order")["text"] if t)
        return "\n".join(parts)


def load_dataset(path: str | Path) -> Dataset:
    """Load an output folder written by `write_dataset` (or the `backissue` CLI)."""
    root = Path(path)
    missing = [t.file for t in TABLES.values() if not (root / t.file).exists()]
    if missing:
        raise InputMissingError(
            f"{root} is not a backissue dataset (missing {', '.join(missing)}); "
            "point load_dataset at the output folder of a run"
        )
    frames = {name: read_table(root / t.file, t) for name, t in TABLES.items()}
    return Dataset(path=root, **frames)
