"""The whole pipeline, real PP-OCR models, on a rendered scan of the seed page.

One run per test session (the fixture), then many assertions on what came out: the masthead
fields, the reading-order text against the ground truth, entities, corrections, the contract."""

from __future__ import annotations

import json
import pandas as pd
import pytest

from pipeline.config import Config
from pipeline.orchestrator import run
from pipeline.scoring import score_page
from pipeline.synth.content import seed_issue_content
from pipeline.synth.degrade import degrade
from pipeline.synth.render import render_issue

CONTRACT = {
    "issues.csv": "issue_id source issue_number issue_number_raw date next_date publisher pages",
    "pages.csv": "page_id issue_id page_no source_file sha256 width height skew_deg status error",
    "lines.csv": "line_id page_id block_id order text text_raw confidence x0 y0 x1 y1",
    "blocks.csv": "block_id page_id article_id kind order text x0 y0 x1 y1",
    "articles.csv": "article_id issue_id page_no order headline subheadline byline text",
    "entities.csv": "mention_id entity_id type text normalized role page_id block_id article_id start end confidence",
    "awards.csv": "award_id issue_id article_id award level period project recipient_unit",
    "corrections.csv": "correction_id line_id before after rule confidence",
}


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory):
    """The seed issue rendered as a typical office scan (slight skew, yellowed, noisy), processed."""
    root = tmp_path_factory.mktemp("e2e")
    scans = root / "scans"
    truths = []
    for img, truth in render_issue(seed_issue_content(), "tongxin-a3", dpi=300, seed=102):
        img, truth = degrade(img, truth, "typical", seed=7 + truth.page_no)
        path = scans / "tongxin-102" / f"page-{truth.page_no}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        img.save(path)
        truths.append(truth)
    result = run(scans, root / "out", Config(), progress=False)
    return result, truths


def test_masthead_fields(seed_run):
    result, _ = seed_run
    issue = result.issues[0]
    assert issue.issue_number == 102
    assert issue.date == "2020-01-08"
    assert issue.next_date == "2020-02-12"
    assert "静安寺街道" in issue.publisher


def test_reading_order_text_matches_the_truth(seed_run):
    result, truths = seed_run
    page = result.issues[0].pages[0]
    score = score_page(page, truths[0])
    assert score.lines_matched > 0.95
    assert score.cer_lines < 0.02  # recognition alone
    assert score.order_accuracy > 0.98
    assert score.cer_reading_order < 0.05
    assert score.cjk_spaces == 0
    text = page.reading_order_text()
    assert "静安寺街道同心家园共建理事会" in text and "共 建" not in text


def test_people_units_awards(seed_run):
    result, _ = seed_run
    issue = result.issues[0]
    people = {m.text: m.role for m in issue.mentions if m.type == "person"}
    assert people.get("黄红") == "中共静安区委副书记"
    assert "张峰" in people
    units = {m.text for m in issue.mentions if m.type == "unit"}
    assert "静安寺街道党工委" in units or "静安寺街道同心家园共建理事会" in units
    awards = {m.normalized for m in issue.mentions if m.type == "award"}
    assert "金拇指奖" in awards
    text = "\n".join(b.text for _, b in issue.iter_blocks())
    assert "金招指奖" not in text and "金拇指奖" in text


def test_dataset_contract_and_audit_trail(seed_run):
    result, _ = seed_run
    out = result.out_dir
    for name, cols in CONTRACT.items():
        have = set(pd.read_csv(out / name, nrows=0).columns)
        assert set(cols.split()) <= have, name
    manifest = json.loads((out / "manifest.json").read_text())
    models = manifest["engine"]["models"]
    assert {m["name"] for m in models} == {"PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx",
                                            "ch_ppocr_mobile_v2.0_cls_mobile.onnx"}
    assert all(len(m["sha256"]) == 64 for m in models)
    issue_json = json.loads((out / "issues" / "tongxin-102.json").read_text())
    assert issue_json["pages"][0]["blocks"], "nested document has no blocks"
    lines = pd.read_csv(out / "lines.csv", dtype=str, keep_default_na=False)
    assert len(lines) > 100
    fixes = pd.read_csv(out / "corrections.csv", dtype=str, keep_default_na=False)
    changed = lines[lines.text != lines.text_raw]
    assert set(changed.line_id) <= set(fixes.line_id), "a line changed without a correction record"


def test_entity_offsets_point_into_block_text(seed_run):
    result, _ = seed_run
    issue = result.issues[0]
    assert issue.mentions
    for m in issue.mentions:
        assert issue.block(m.block_id).text[m.start : m.end] == m.text

