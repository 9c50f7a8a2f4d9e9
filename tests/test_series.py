"""Cross-issue stage: batch lexicon, issue numbers checked against dates, canonical entity ids."""

from __future__ import annotations

import random

from pipeline.model import Block, BlockKind, Box, EntityType, Issue, Line, Mention, Page
from pipeline.series import CorpusLexicon, canonicalize_entities, learn_lexicon, reconcile


def issue_with(issue_id: str, texts: list[tuple[BlockKind, str]], date: str = "", number: int | None = None) -> Issue:
    page = Page(f"{issue_id}_p001", issue_id, 1, "x.png")
    for k, (kind, text) in enumerate(texts):
        bid = f"{page.page_id}_b{k + 1:03d}"
        ln = Line(f"{bid}_l001", Box(0, 40 * k, 500, 40 * k + 30), text, text, 0.9, block_id=bid)
        page.blocks.append(Block(bid, kind, ln.box, [ln], order=k if kind != BlockKind.OTHER else -1))
    src = "masthead" if number is not None else ""
    return Issue(issue_id, issue_id, pages=[page], date=date, issue_number=number, issue_number_source=src,
                 issue_number_raw=f"第{number}期" if number is not None else "")  # fmt: skip


def monthly(numbers: list[int | None], start_year: int = 2020) -> list[Issue]:
    out = []
    for k, n in enumerate(numbers):
        y, m = start_year + k // 12, k % 12 + 1
        out.append(issue_with(f"i{k:02d}", [], date=f"{y}-{m:02d}-{8 + k % 3:02d}", number=n))
    return out


def test_learn_lexicon_counts_words_and_lexicon_entries():
    a = issue_with("a", [(BlockKind.BODY, "表彰了金拇指奖、银拇指奖。静安寺街道党工委书记洪明铭讲话。"),
                         (BlockKind.OTHER, "洪明铭洪明铭洪明铭")])  # fmt: skip
    b = issue_with("b", [(BlockKind.BODY, "金拇指奖获奖项目负责人上台领奖，洪明 铭颁奖。")])
    lex = learn_lexicon([a, b])
    assert lex.count("金拇指奖") == 2 and lex.count("银拇指奖") == 1
    assert lex.count("洪明铭") == 2  # OTHER blocks ignored; the OCR space in 洪明 铭 too
    assert lex.issues == 2 and "领奖" in lex and "不存在的词" not in lex


def test_corpus_lexicon_merge_and_round_trip():
    a = CorpusLexicon.from_dict({"issues": 1, "counts": {"张峰": 3}})
    b = CorpusLexicon.from_dict({"issues": 2, "counts": {"张峰": 1, "黄红": 2}})
    m = a.merge(b)
    assert m.count("张峰") == 4 and m.issues == 3
    assert CorpusLexicon.from_dict(m.to_dict()) == m
    assert m.most_common(1) == [("张峰", 4)]


def test_garbled_number_inferred_from_agreeing_neighbours():
    issues = monthly([100, 101, 108, 103, 104])
    out = reconcile(issues)
    bad = out[2]
    assert bad.issue_number == 102 and bad.issue_number_source == "inferred"
    assert bad.issue_number_raw == "第108期"  # what was printed stays
    assert any("108" in n and "102" in n for n in bad.notes)
    assert [i.issue_number for i in out] == [100, 101, 102, 103, 104]
    assert all(i.issue_number_source == "masthead" for k, i in enumerate(out) if k != 2)


def test_missing_number_inferred_and_gaps_in_the_run_respected():
    issues = monthly([100, 101, None, 103, None, 105, 106])
    del issues[4]  # issue 104 is not in the batch: a gap of two months
    out = reconcile(issues)
    assert [i.issue_number for i in out] == [100, 101, 102, 103, 105, 106]
    assert out[2].issue_number_source == "inferred" and out[2].notes


def test_edge_mismatch_is_noted_not_changed_and_output_sorted():
    issues = monthly([100, 101, 102, 109])
    shuffled = issues[:]
    random.Random(3).shuffle(shuffled)
    out = reconcile(shuffled)
    assert [i.issue_id for i in out] == ["i00", "i01", "i02", "i03"]
    assert out[3].issue_number == 109 and out[3].issue_number_source == "masthead"
    assert any("109" in n and "does not fit" in n for n in out[3].notes)


def test_undated_issues_go_last_and_keep_their_number():
    issues = monthly([100, 101, 102]) + [issue_with("zz", [], number=7)]
    out = reconcile(issues)
    assert out[-1].issue_id == "zz" and out[-1].issue_number == 7 and not out[-1].notes


def mention(issue: Issue, k: int, etype: EntityType, text: str, eid: str) -> Mention:
    page = issue.pages[0]
    return Mention(f"{page.page_id}_b001_m{k:03d}", eid, etype, text, text, page.page_id, f"{page.page_id}_b001", 0,
                   len(text))  # fmt: skip


def test_short_unit_names_take_the_one_full_name_of_the_batch():
    a, b, c = (issue_with(x, []) for x in "abc")
    a.mentions = [mention(a, 1, EntityType.UNIT, "静安寺街道党工委", "unit-jasjddgw")]
    b.mentions = [mention(b, 1, EntityType.UNIT, "街道党工委", "unit-jddgw"),
                  mention(b, 2, EntityType.UNIT, "华山医院", "unit-hsyy"),
                  mention(b, 3, EntityType.PERSON, "黄红", "person-hh")]  # fmt: skip
    c.mentions = [mention(c, 1, EntityType.UNIT, "复旦大学附属华山医院", "unit-fd"),
                  mention(c, 2, EntityType.UNIT, "上海华山医院", "unit-sh"),
                  mention(c, 3, EntityType.PERSON, "黄红", "person-huanghong")]  # fmt: skip
    changed = canonicalize_entities([a, b, c])
    short = b.mentions[0]
    assert (short.entity_id, short.normalized, short.text) == ("unit-jasjddgw", "静安寺街道党工委", "街道党工委")
    assert b.mentions[1].entity_id == "unit-hsyy"  # two full names end with 华山医院: ambiguous, left
    assert b.mentions[2].entity_id == c.mentions[2].entity_id  # same person, one id
    assert changed == 2


def test_reconcile_is_deterministic():
    def batch() -> list[Issue]:
        issues = monthly([100, None, 102, 150, 104])
        issues[0].mentions = [mention(issues[0], 1, EntityType.UNIT, "街道党工委", "unit-a")]
        issues[1].mentions = [mention(issues[1], 1, EntityType.UNIT, "静安寺街道党工委", "unit-b")]
        return issues

    one = [i.to_dict() for i in reconcile(batch())]
    shuffled = batch()
    random.Random(7).shuffle(shuffled)
    two = [i.to_dict() for i in reconcile(shuffled)]
    assert one == two
    assert [i["issue_number"] for i in one] == [100, 101, 102, 103, 104]
