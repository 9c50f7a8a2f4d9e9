"""The document model: geometry checks, text joining, the audit trail and the JSON round trip."""

from __future__ import annotations

import json

import pytest

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
    Step,
    join_lines,
    replay_corrections,
)


def test_box_rejects_inverted_coordinates():
    with pytest.raises(ValueError):
        Box(10, 0, 5, 5)
    with pytest.raises(ValueError):
        Box(0, 10, 5, 5)


def test_box_geometry():
    a, b = Box(0, 0, 10, 10), Box(5, 5, 20, 8)
    assert a.union(b) == Box(0, 0, 20, 10)
    assert a.x_overlap(b) == 5 and a.y_overlap(b) == 3
    assert Box.enclosing([a, b]) == Box(0, 0, 20, 10)
    assert Box.from_points([(3, 4), (1, 9), (7, 2)]) == Box(1, 2, 7, 9)


@pytest.mark.parametrize(
    "lines, joined",
    [
        (["静安寺街道", "同心家园共建理事会"], "静安寺街道同心家园共建理事会"),
        (["the annual", "meeting"], "the annual meeting"),
        (["2017-", "2018年度"], "2017-2018年度"),
        (["第10", "2期"], "第102期"),
        (["  区域融合 ", "", "谋发展"], "区域融合谋发展"),
    ],
)
def test_join_lines_adds_no_space_between_chinese(lines, joined):
    assert join_lines(lines) == joined


def _issue() -> Issue:
    l1 = Line("i_p001_b001_l001", Box(0, 0, 100, 20), "表彰了项目金", "表彰了项目金", 0.99, Box(0, 0, 100, 20), [0.9] * 6)
    l2 = Line("i_p001_b001_l002", Box(0, 22, 100, 42), "招指奖,共十项", "拇指奖，共十项", 0.8, None, [], order=1)
    block = Block("i_p001_b001", BlockKind.BODY, Box(0, 0, 100, 42), [l1, l2], order=0, article_id="i_a001")
    page = Page("i_p001", "i", 1, "i/page-1.png", blocks=[block], steps=[Step("ocr", "x", {"a": 1})],
                transform=[[1, 0, 0], [0, 1, 0]])
    bad = Page("i_p002", "i", 2, "i/page-2.png", status=PageStatus.ERROR, error="truncated file")
    return Issue(
        "i", "i", pages=[page, bad],
        articles=[Article("i_a001", "i", 1, 0, ["i_p001_b001"])],
        mentions=[Mention("i_p001_b001_m001", "award-金拇指奖", EntityType.AWARD, "金拇指奖", "金拇指奖",
                          "i_p001", "i_p001_b001", 5, 9)],
        awards=[Award("i_w001", "i", "金拇指奖", level="金")],
        corrections=[
            Correction("i_p001_b001_l002_c01", l2.line_id, 0, 1, "招", "拇", "confusable", 0.9),
            Correction("i_p001_b001_l002_c02", l2.line_id, 3, 4, ",", "，", "punctuation", 0.99),
        ],
        issue_number=102, issue_number_raw="第 1()2 期", date="2020-01-08",
    )


def test_block_text_joins_corrected_lines_and_maps_offsets():
    issue = _issue()
    block = issue.block("i_p001_b001")
    assert block.text == "表彰了项目金拇指奖，共十项"
    assert block.text_raw == "表彰了项目金招指奖,共十项"
    spans = block.line_spans()
    assert [(s, e) for _, s, e in spans] == [(0, 6), (6, 13)]
    m = issue.mentions[0]
    assert block.text[m.start : m.end] == "金拇指奖"


def test_issue_round_trips_through_json():
    issue = _issue()
    data = json.loads(json.dumps(issue.to_dict(), ensure_ascii=False))
    again = Issue.from_dict(data)
    assert again == issue
    assert data["articles"][0]["text"] == "表彰了项目金拇指奖，共十项"


def test_replay_corrections_rebuilds_the_corrected_text():
    issue = _issue()
    line = issue.line("i_p001_b001_l002")
    mine = [c for c in issue.corrections if c.line_id == line.line_id]
    assert replay_corrections(line.text_raw, mine) == line.text
    with pytest.raises(ValueError):
        replay_corrections("完全不同的文本", mine)


def test_article_parts_come_from_block_kinds():
    h = Block("x_b1", BlockKind.HEADLINE, Box(0, 0, 1, 1), [Line("x_l1", Box(0, 0, 1, 1), "标题", "标题", 1.0)], order=0)
    by = Block("x_b3", BlockKind.BYLINE, Box(0, 0, 1, 1), [Line("x_l3", Box(0, 0, 1, 1), "（党建办）", "（党建办）", 1.0)],
               order=2)
    body = Block("x_b2", BlockKind.BODY, Box(0, 0, 1, 1), [Line("x_l2", Box(0, 0, 1, 1), "正文", "正文", 1.0)], order=1)
    page = Page("x_p001", "x", 1, "x.png", blocks=[h, body, by])
    issue = Issue("x", "x.png", pages=[page], articles=[Article("x_a001", "x", 1, 0, ["x_b1", "x_b2", "x_b3"])])
    parts = issue.article_parts(issue.articles[0])
    assert parts == {"headline": "标题", "subheadline": "", "byline": "（党建办）", "text": "正文"}
    assert page.reading_order_text() == "标题\n正文\n（党建办）"
