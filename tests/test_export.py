"""Export layer: the dataset contract, determinism, atomic writes, failed pages, formula guard.

`build_issues()` is the hand-built fixture the other export tests (ALTO, review HTML, loader,
notebook) share: two issues modelled on seed-page.txt, one failed page, text that needs the
formula guard, corrections, mentions of every type and an award."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.export import write_dataset
from pipeline.export.files import guard_text, unguard_text
from pipeline.export.tables import TABLES
from pipeline.model import (
    Article,
    Award,
    Block,
    BlockKind,
    Box,
    Correction,
    EntityType,
    Issue,
    Line,
    Mention,
    Page,
    PageStatus,
)

CHECK_CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "tools" / "check-contract.py"  # ../shared, as on CI

# Text that must survive CSV and come back exactly (formula starts, quotes, commas, a leading ').
TRICKY = ["=SUM(A1:A3)", "+86 021 6248", "-5度", "@静安", "'引号开头", '逗号,和"引号"']


def _line(lid: str, box: tuple[float, float, float, float], raw: str, text: str | None = None, conf: float = 0.95,
          order: int = -1, para: bool = False) -> Line:
    return Line(lid, Box(*box), raw, raw if text is None else text, conf, block_id=lid.rsplit("_l", 1)[0],
                order=order, para_start=para, char_confidences=[conf] * len(raw))


def _issue_102() -> Issue:
    iid = "tongxin-102"
    p1 = f"{iid}_p001"
    mast = Block(f"{p1}_b001", BlockKind.MASTHEAD, Box(100, 50, 1200, 200), order=0, lines=[
        _line(f"{p1}_b001_l001", (100, 50, 600, 100), "2020年1月8日", order=0),
        _line(f"{p1}_b001_l002", (100, 120, 900, 200), "本期 4 版 第 1()2 期", "本期 4 版 第 102 期", order=1),
    ])
    head = Block(f"{p1}_b002", BlockKind.HEADLINE, Box(100, 250, 2000, 330), order=1, article_id=f"{iid}_a001",
                 lines=[_line(f"{p1}_b002_l001", (100, 250, 2000, 330), "街道同心家园共建理事会召开联席会议",
                              order=2, conf=0.99)])
    body = Block(f"{p1}_b003", BlockKind.BODY, Box(100, 350, 1000, 520), order=2, article_id=f"{iid}_a001",
                 column=0, lines=[
                     _line(f"{p1}_b003_l001", (100, 350, 1000, 400), "中共静安区委副书记黄红讲话,表彰了金",
                           order=3, para=True),
                     _line(f"{p1}_b003_l002", (100, 410, 1000, 460), "招指奖项目。", "拇指奖项目。", order=4,
                           conf=0.62),
                     _line(f"{p1}_b003_l003", (100, 470, 1000, 520), "", order=5, conf=0.4),
                 ])
    tricky = Block(f"{p1}_b004", BlockKind.LIST, Box(1100, 350, 2000, 700), order=3, article_id=f"{iid}_a001",
                   column=1, lines=[
                       _line(f"{p1}_b004_l{n:03d}", (1100, 350 + 50 * n, 2000, 390 + 50 * n), t, order=5 + n)
                       for n, t in enumerate(TRICKY, start=1)
                   ])
    junk = Block(f"{p1}_b005", BlockKind.OTHER, Box(1800, 2800, 1900, 2850), order=-1, lines=[
        _line(f"{p1}_b005_l001", (1800, 2800, 1900, 2850), "5990", conf=0.5)])
    page1 = Page(p1, iid, 1, "tongxin-102/page1.png", sha256="a" * 64, width=2480, height=3508, skew_deg=-0.7,
                 cleanup=["grayscale", "deskew"], dpi=300.0, blocks=[junk, tricky, body, head, mast],
                 ocr_lines=[_line(f"{p1}_o007", (50, 3300, 400, 3350), "=IMPORTXML(x)", conf=0.3)])
    # a failed page still carrying content that must NOT be exported
    p2 = f"{iid}_p002"
    page2 = Page(p2, iid, 2, "tongxin-102/page2.png", status=PageStatus.ERROR,
                 error="cannot decode image: truncated PNG file",
                 blocks=[Block(f"{p2}_b001", BlockKind.BODY, Box(0, 0, 10, 10), order=0,
                               lines=[_line(f"{p2}_b001_l001", (0, 0, 10, 10), "半页残文", order=0)])])
    issue = Issue(iid, "tongxin-102", pages=[page2, page1], issue_number=102, issue_number_raw="1()2",
                  issue_number_source="masthead", date="2020-01-08", date_raw="2020年1月8日",
                  next_date="2020-02-12", publisher="静安寺街道党工委", printed_pages=4,
                  notes=[f"{p1}: issue number read as 1()2, corrected from the date sequence"])
    issue.articles = [Article(f"{iid}_a001", iid, 1, 0, [head.block_id, body.block_id, tricky.block_id]),
                      Article(f"{iid}_a002", iid, 2, 1, [f"{p2}_b001"])]
    issue.corrections = [
        Correction(f"{p1}_b001_l002_c01", f"{p1}_b001_l002", 9, 13, "1()2", "102", "digits", 0.9),
        Correction(f"{p1}_b003_l002_c01", f"{p1}_b003_l002", 0, 1, "招", "拇", "lexicon:金拇指奖", 0.8),
        Correction(f"{p2}_b001_l001_c01", f"{p2}_b001_l001", 0, 1, "半", "伴", "x", 0.5),
    ]
    btext = body.text
    s = btext.index("黄红")
    r = btext.index("中共静安区委")
    a = btext.index("金拇指奖")
    issue.mentions = [
        Mention(f"{p1}_b003_m001", "unit-中共静安区委", EntityType.UNIT, "中共静安区委", "中共静安区委", p1,
                body.block_id, r, r + 6, article_id=f"{iid}_a001"),
        Mention(f"{p1}_b003_m002", "person-黄红", EntityType.PERSON, "黄红", "黄红", p1, body.block_id, s, s + 2,
                role="中共静安区委副书记", article_id=f"{iid}_a001", confidence=0.9),
        Mention(f"{p1}_b003_m003", "award-金拇指奖", EntityType.AWARD, "金拇指奖", "金拇指奖", p1, body.block_id,
                a, a + 4, article_id=f"{iid}_a001"),
        Mention(f"{p1}_b001_m001", "date-2020-01-08", EntityType.DATE, "2020年1月8日", "2020-01-08", p1,
                mast.block_id, 0, len("2020年1月8日")),
        Mention(f"{p2}_b001_m001", "person-幽灵", EntityType.PERSON, "幽灵", "幽灵", p2, f"{p2}_b001", 0, 2),
    ]
    issue.awards = [Award(f"{iid}_w001", iid, "金拇指奖", level="金", period="2017-2018", project="同心惠民",
                          recipient_unit="静安寺街道", article_id=f"{iid}_a001", block_id=body.block_id)]
    return issue


def _issue_103() -> Issue:
    # an id starting with a digit (ALTO ids must not), no article, person in a new post
    iid = "2020-02_tongxin-103"
    p1 = f"{iid}_p001"
    body = Block(f"{p1}_b001", BlockKind.BODY, Box(100, 100, 1000, 160), order=0, lines=[
        _line(f"{p1}_b001_l001", (100, 100, 1000, 160), "静安区委书记黄红出席。", order=0, conf=0.97)])
    page = Page(p1, iid, 1, "2020-02_tongxin-103.tif", source_index=0, sha256="b" * 64, width=1240, height=1754,
                blocks=[body])
    s = body.text.index("黄红")
    issue = Issue(iid, "2020-02_tongxin-103.tif", pages=[page], issue_number=103, issue_number_raw="",
                  issue_number_source="inferred", date="2020-02-12", publisher="")
    issue.mentions = [Mention(f"{p1}_b001_m001", "person-黄红", EntityType.PERSON, "黄红", "黄红", p1,
                              body.block_id, s, s + 2, role="静安区委书记")]
    return issue


def build_issues() -> list[Issue]:
    return [_issue_102(), _issue_103()]


MANIFEST = {
    "tool_version": "0.1.0",
    "engine": {"name": "rapidocr", "package": "rapidocr 3.10.0",
               "models": [{"role": "det", "name": "ch_PP-OCRv5_det", "path": "x", "sha256": "c" * 64}]},
    "config": {"workers": 1},
    "inputs": [{"path": "tongxin-102/page1.png", "sha256": "a" * 64, "status": "ok"}],
}


@pytest.fixture()
def out(tmp_path: Path) -> Path:
    d = tmp_path / "output"
    write_dataset(build_issues(), d, MANIFEST)
    return d


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_contract_checker_accepts_output(out: Path) -> None:
    if not CHECK_CONTRACT.exists():
        pytest.skip("shared contract checker not present")
    r = subprocess.run([sys.executable, str(CHECK_CONTRACT), str(out)], capture_output=True, text=True)
    assert r.stdout.strip() == "contract ok", r.stdout + r.stderr


def test_every_table_has_its_schema_columns(out: Path) -> None:
    for t in TABLES.values():
        with (out / t.file).open(encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == t.header


def test_failed_page_has_only_its_pages_row(out: Path) -> None:
    pages = {r["page_id"]: r for r in _rows(out / "pages.csv")}
    bad = pages["tongxin-102_p002"]
    assert bad["status"] == "error" and "truncated" in bad["error"]
    assert pages["tongxin-102_p001"]["status"] == "ok" and pages["tongxin-102_p001"]["error"] == ""
    for name in ("lines", "blocks", "entities", "corrections"):
        assert not any("tongxin-102_p002" in json.dumps(r, ensure_ascii=False) for r in _rows(out / f"{name}.csv")), name
    arts = [r["article_id"] for r in _rows(out / "articles.csv")]
    assert arts == ["tongxin-102_a001"]  # a002 lies only on the failed page
    assert not (out / "alto" / "tongxin-102_p002.xml").exists()
    doc = json.loads((out / "issues" / "tongxin-102.json").read_text(encoding="utf-8"))
    failed = [p for p in doc["pages"] if p["page_id"] == "tongxin-102_p002"][0]
    assert failed["blocks"] == [] and failed["status"] == "error"
    assert "半页残文" not in (out / "issues" / "tongxin-102.json").read_text(encoding="utf-8")
    issues = {r["issue_id"]: r for r in _rows(out / "issues.csv")}
    assert issues["tongxin-102"]["pages"] == "2" and issues["tongxin-102"]["pages_failed"] == "1"


def test_row_orders(out: Path) -> None:
    pages = [r["page_id"] for r in _rows(out / "pages.csv")]
    assert pages == ["2020-02_tongxin-103_p001", "tongxin-102_p001", "tongxin-102_p002"]
    lines = [r for r in _rows(out / "lines.csv") if r["page_id"] == "tongxin-102_p001"]
    orders = [int(r["order"]) for r in lines]
    inside = [o for o in orders if o >= 0]
    assert inside == sorted(inside) and orders[len(inside):] == [-1, -1]  # outside reading order last
    assert lines[-2]["line_id"].endswith("_b005_l001") and lines[-1]["line_id"].endswith("_o007")
    assert lines[-1]["block_id"] == ""
    blocks = [r["block_id"][-4:] for r in _rows(out / "blocks.csv") if r["page_id"] == "tongxin-102_p001"]
    assert blocks == ["b001", "b002", "b003", "b004", "b005"]


def test_block_text_offsets_and_corrections(out: Path) -> None:
    blocks = {r["block_id"]: r for r in _rows(out / "blocks.csv")}
    for m in _rows(out / "entities.csv"):
        assert blocks[m["block_id"]]["text"][int(m["start"]):int(m["end"])] == m["text"]
    body = blocks["tongxin-102_p001_b003"]
    assert body["text"] == "中共静安区委副书记黄红讲话,表彰了金拇指奖项目。"  # no space at the line break
    assert body["text_raw"].endswith("金招指奖项目。")
    corr = _rows(out / "corrections.csv")
    assert [c["correction_id"] for c in corr] == ["tongxin-102_p001_b001_l002_c01", "tongxin-102_p001_b003_l002_c01"]
    assert corr[0]["page_id"] == "tongxin-102_p001" and corr[0]["before"] == "1()2" and corr[0]["start"] == "9"
    date = [m for m in _rows(out / "entities.csv") if m["type"] == "date"][0]
    assert date["article_id"] == ""  # masthead is outside articles


def test_formula_guard_in_csv(out: Path) -> None:
    texts = {r["line_id"]: r["text"] for r in _rows(out / "lines.csv")}
    for n, t in enumerate(TRICKY, start=1):
        cell = texts[f"tongxin-102_p001_b004_l{n:03d}"]
        assert not cell.startswith(("=", "+", "-", "@")), cell
        assert unguard_text(cell) == t
    assert texts["tongxin-102_p001_o007"] == "'=IMPORTXML(x)"
    # numbers are not text: a negative skew stays a number
    pages = {r["page_id"]: r for r in _rows(out / "pages.csv")}
    assert pages["tongxin-102_p001"]["skew_deg"] == "-0.7"


def test_guard_round_trip_property() -> None:
    for s in ["", "a", "=1", "'", "''=", "-", "\tx", "\rx", "＝x", "普通文字"]:
        g = guard_text(s)
        assert unguard_text(g) == s
        assert not g.startswith(("=", "+", "-", "@", "\t", "\r", "＝"))


def test_deterministic_and_idempotent(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    write_dataset(build_issues(), a, MANIFEST)
    write_dataset(list(reversed(build_issues())), b, MANIFEST)  # order of the input list does not matter
    write_dataset(build_issues(), b, MANIFEST)  # rewriting an existing folder

    def digest(d: Path) -> dict[str, str]:
        return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(d.rglob("*")) if p.is_file()}

    da, db = digest(a), digest(b)
    assert da == db
    assert not [p for p in da if ".tmp" in p]  # no temp files left behind
    assert "created" not in json.loads((a / "manifest.json").read_text())


def test_stale_issue_files_removed(tmp_path: Path) -> None:
    d = tmp_path / "o"
    write_dataset(build_issues(), d, MANIFEST)
    assert (d / "alto" / "2020-02_tongxin-103_p001.xml").exists()
    write_dataset(build_issues()[:1], d, MANIFEST)
    assert not (d / "issues" / "2020-02_tongxin-103.json").exists()
    assert not (d / "alto" / "2020-02_tongxin-103_p001.xml").exists()
    assert not (d / "review" / "2020-02_tongxin-103.html").exists()


def test_manifest_lists_tables_with_hashes(out: Path) -> None:
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert man["engine"]["name"] == "rapidocr" and man["inputs"][0]["status"] == "ok"
    lines = man["tables"]["lines"]
    assert lines["rows"] == len(_rows(out / "lines.csv"))
    assert lines["sha256"] == hashlib.sha256((out / "lines.csv").read_bytes()).hexdigest()
    assert man["pages_failed"] == 1


def test_failed_write_leaves_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash while writing must leave the earlier complete file, not a truncated one."""
    from pipeline.export import files

    target = tmp_path / "t.csv"
    files.atomic_write_bytes(target, b"old complete\n")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        files.atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old complete\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_duplicate_issue_ids_refused(tmp_path: Path) -> None:
    issues = build_issues()
    with pytest.raises(ValueError, match="duplicate"):
        write_dataset([issues[0], _issue_102()], tmp_path, MANIFEST)


def test_datapackage_validates_with_frictionless(out: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    pkg = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in pkg["resources"]] == list(TABLES)
    pages = [r for r in pkg["resources"] if r["name"] == "pages"][0]
    assert pages["schema"]["foreignKeys"][0]["reference"] == {"resource": "issues", "fields": ["issue_id"]}
    assert {f["name"] for f in pages["schema"]["fields"]} >= {"page_id", "status", "error", "skew_deg"}
    assert all(f.get("description") for r in pkg["resources"] for f in r["schema"]["fields"])
    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_datapackage_catches_broken_foreign_key(out: Path) -> None:
    """The package declares its joins: a dangling page_id must fail validation."""
    frictionless = pytest.importorskip("frictionless")
    p = out / "lines.csv"
    p.write_text(p.read_text(encoding="utf-8").replace("tongxin-102_p001,tongxin-102", "nope_p001,tongxin-102", 1),
                 encoding="utf-8")
    pkg = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    for r in pkg["resources"]:
        r.pop("hash", None)  # we changed the file on purpose: check the keys, not the hash
    (out / "datapackage.json").write_text(json.dumps(pkg), encoding="utf-8")
    report = frictionless.validate(str(out / "datapackage.json"))
    assert not report.valid
    assert "foreign-key" in {e["type"] for t in report.tasks for e in t.to_dict().get("errors", [])}


def test_exported_corrections_replay_to_text(out: Path) -> None:
    """corrections.csv is a complete audit trail: replaying it on text_raw gives text."""
    from pipeline.export.dataset import load_dataset
    from pipeline.model import Correction, replay_corrections

    ds = load_dataset(out)
    for ln in ds.lines.itertuples():
        cs = [Correction(c.correction_id, c.line_id, int(c.start), int(c.end), c.before, c.after, c.rule,
                         float(c.confidence))
              for c in ds.corrections[ds.corrections["line_id"] == ln.line_id].itertuples()]
        assert replay_corrections(ln.text_raw, cs) == ln.text, ln.line_id
    assert len(ds.corrections) == 2


def test_dataset_doc_lists_every_column() -> None:
    """docs/DATASET.md stays in step with the schemas the files are written from."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "DATASET.md").read_text(encoding="utf-8")
    for t in TABLES.values():
        section = doc.split(f"### {t.file}", 1)[1].split("### ", 1)[0]
        missing = [c.name for c in t.columns if f"| `{c.name}` |" not in section]
        assert not missing, f"{t.file}: {missing}"


def test_written_files_are_readable_by_others(tmp_path: Path) -> None:
    """Atomic writes go through mkstemp (mode 0600); the dataset must still be shareable."""
    from pipeline.export.files import atomic_write_text

    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "x.csv", "a\n")
    finally:
        os.umask(old)
    assert (tmp_path / "x.csv").stat().st_mode & 0o777 == 0o644
