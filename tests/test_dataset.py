"""load_dataset: typed frames, exact text round trip (formula guard removed), join helpers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import pipeline
from pipeline.errors import InputMissingError
from pipeline.export import write_dataset
from pipeline.export.dataset import Dataset, load_dataset
from test_export import MANIFEST, TRICKY, build_issues


@pytest.fixture(scope="module")
def ds(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    d = tmp_path_factory.mktemp("ds") / "output"
    write_dataset(build_issues(), d, MANIFEST, alto=False, review=False)
    return pipeline.load_dataset(d)  # the public, lazily imported entry point


def test_public_entry_point_is_the_export_loader() -> None:
    assert pipeline.load_dataset is load_dataset


def test_dtypes(ds: Dataset) -> None:
    assert ds.issues["issue_id"].dtype == "string"
    assert ds.issues["issue_number"].dtype == "Int64"
    assert ds.issues["date"].dtype.kind == "M" and ds.issues["next_date"].dtype.kind == "M"
    assert ds.pages["skew_deg"].dtype == "float64" and ds.pages["page_no"].dtype == "Int64"
    assert ds.lines["para_start"].dtype == "boolean"
    assert ds.lines["text"].dtype == "string" and ds.entities["start"].dtype == "Int64"
    row = ds.issues.set_index("issue_id").loc["tongxin-102"]
    assert row["date"] == pd.Timestamp("2020-01-08") and row["issue_number"] == 102
    assert row["issue_number_raw"] == "1()2"


def test_missing_numbers_and_dates_vs_empty_text(ds: Dataset) -> None:
    i103 = ds.issues.set_index("issue_id").loc["2020-02_tongxin-103"]
    assert pd.isna(i103["next_date"]) and pd.isna(i103["printed_pages"])
    assert i103["publisher"] == "" and i103["issue_number_raw"] == ""  # empty text stays "", not NaN
    bad = ds.pages.set_index("page_id").loc["tongxin-102_p002"]
    assert bad["status"] == "error" and pd.isna(bad["skew_deg"]) and pd.isna(bad["lines"])
    empty = ds.lines.set_index("line_id").loc["tongxin-102_p001_b003_l003"]
    assert empty["text"] == "" and not pd.isna(empty["text"])


def test_exact_text_round_trip(ds: Dataset) -> None:
    lines = ds.lines.set_index("line_id")
    for n, t in enumerate(TRICKY, start=1):
        assert lines.loc[f"tongxin-102_p001_b004_l{n:03d}", "text"] == t
    assert lines.loc["tongxin-102_p001_o007", "text"] == "=IMPORTXML(x)"
    blocks = ds.blocks.set_index("block_id")
    assert blocks.loc["tongxin-102_p001_b004", "text"] == "\n".join(TRICKY)  # newlines inside a cell
    assert blocks.loc["tongxin-102_p001_b005", "article_id"] == ""


def test_ids_stay_strings(tmp_path: Path) -> None:
    issues = build_issues()[1:]
    old = issues[0].issue_id
    issues[0].issue_id = "0102"  # a numeric-looking id must not become 102
    for p in issues[0].pages:
        p.issue_id = "0102"
    write_dataset(issues, tmp_path, MANIFEST, alto=False, review=False)
    ds = load_dataset(tmp_path)
    assert list(ds.issues["issue_id"]) == ["0102"] and list(ds.pages["issue_id"]) == ["0102"]
    assert old != "0102"


def test_mentions_join(ds: Dataset) -> None:
    m = ds.mentions()
    huang = m[m["entity_id"] == "person-黄红"]
    assert list(huang["issue_number"]) == [102, 103]
    assert list(huang["headline"]) == ["街道同心家园共建理事会召开联席会议", ""]
    assert list(huang["issue_date"]) == [pd.Timestamp("2020-01-08"), pd.Timestamp("2020-02-12")]
    assert "person-幽灵" not in set(m["entity_id"])  # mention on the failed page is not exported


def test_people_posts(ds: Dataset) -> None:
    pp = ds.people_posts()
    assert list(pp["person"]) == ["黄红", "黄红"]
    assert list(pp["role"]) == ["中共静安区委副书记", "静安区委书记"]  # the post changed between issues


def test_awards_and_text(ds: Dataset) -> None:
    aw = ds.awards_table()
    assert aw.loc[0, "award"] == "金拇指奖" and aw.loc[0, "issue_date"] == pd.Timestamp("2020-01-08")
    text = ds.text("tongxin-102")
    assert text.startswith("2020年1月8日\n本期 4 版 第 102 期\n街道同心家园")
    assert "5990" not in text  # page furniture is outside the reading order


def test_not_a_dataset(tmp_path: Path) -> None:
    with pytest.raises(InputMissingError, match="not a backissue dataset"):
        load_dataset(tmp_path)
