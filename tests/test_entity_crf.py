"""The learned CRF over the rules (pipeline/entities/crf.py): it loads offline from the shipped resource,
finds names the rules miss, keeps the rules' normalized/role where it agrees with them, and is a no-op when
switched off."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

import pipeline.entities as entities
from pipeline.config import EntitiesConfig
from pipeline.entities import tag_issue
from pipeline.entities.crf import CrfTagger, _plausible, bio_labels, char_features, decode_bio, default_tagger
from pipeline.entities.rules import Span
from pipeline.model import Block, BlockKind, Box, EntityType, Issue, Line, Page

# plain names with no title or cue word before them: the rules find no person in either
MISSED_BY_RULES = ("志愿者们在汪秀兰家中帮忙打扫卫生。", "汪秀兰")
MISSED_BY_RULES_2 = ("胡桂英阿姨今年八十岁了。", "胡桂英")


def _issue(*texts: str) -> Issue:
    blocks = [Block(f"t_p001_b{n:03d}", BlockKind.BODY, Box(0, 0, 1, 1), [Line(f"t_p001_b{n:03d}_l001", Box(0, 0, 1, 1), t, t, 1.0)],
                    order=n - 1) for n, t in enumerate(texts, start=1)]
    return Issue("t", "t", pages=[Page("t_p001", "t", 1, "x", blocks=blocks)], date="2021-05-12")


def _people(issue: Issue) -> list[str]:
    return [m.text for m in issue.mentions if m.type is EntityType.PERSON]


class _Identity:
    """A refiner that returns the rules' spans untouched."""

    def refine(self, text: str, spans: list[Span], issue_date: str) -> list[Span]:
        return spans


def test_bio_round_trip_and_stray_inside_label() -> None:
    spans = [("person", 0, 3), ("unit", 5, 9), ("date", 9, 11)]
    assert decode_bio(bio_labels(12, spans)) == spans
    # Viterbi may start a span with I-: it still opens one, and a type change closes it
    assert decode_bio(["O", "I-unit", "I-unit", "I-place", "O"]) == [("unit", 1, 3), ("place", 3, 4)]


def test_features_carry_the_rules_label_and_word_lists() -> None:
    text = "书记王明来到华山居民区"
    rule = [Span(EntityType.PERSON, 2, 4, "王明", "王明", rule="t")]
    feats = char_features(text, rule)
    assert len(feats) == len(text)
    assert "r=B-person" in feats[2] and "r=I-person" in feats[3] and "r=O" in feats[0]
    assert "r+1=B-person" in feats[1]
    assert "sur" in feats[2]  # 王 is a surname
    assert "T]" in feats[1]  # 书记 (a title) ends right before the name
    assert "U]" in feats[-1]  # 居民区 is a unit suffix


def test_shipped_model_loads_offline_from_the_resource() -> None:
    tagger = default_tagger()
    assert tagger is not None
    assert tagger.path.name == "crf.model"
    assert tagger.path.parent == Path(entities.__file__).resolve().parents[1] / "resources" / "entities"
    assert tagger.path.stat().st_size < 5 * 1024 * 1024


@pytest.mark.parametrize(("text", "name"), [MISSED_BY_RULES, MISSED_BY_RULES_2])
def test_crf_finds_a_name_the_rules_miss(text: str, name: str) -> None:
    rules = tag_issue(_issue(text), EntitiesConfig(), crf=False)
    assert name not in _people(rules)
    crf = tag_issue(_issue(text), EntitiesConfig(), crf=True)
    found = [m for m in crf.mentions if m.type is EntityType.PERSON and m.text == name]
    assert len(found) == 1
    m = found[0]
    assert m.normalized == name and m.entity_id == f"person-{name}"
    assert text[m.start : m.end] == name
    assert 0 < m.confidence <= 0.9  # a span only the CRF found is never as sure as a rule's


def test_switched_off_gives_the_rules_output() -> None:
    texts = (MISSED_BY_RULES[0], "12月18日，静安寺街道党工委书记王红来到华山居民区，看望老党员。")
    off = tag_issue(_issue(*texts), EntitiesConfig(crf=False))
    untouched = tag_issue(_issue(*texts), EntitiesConfig(crf=False), crf=_Identity())
    assert off.mentions == untouched.mentions and off.awards == untouched.awards
    assert MISSED_BY_RULES[1] not in _people(off)
    on = tag_issue(_issue(*texts), EntitiesConfig())  # on by default
    assert EntitiesConfig().crf
    assert MISSED_BY_RULES[1] in _people(on)


def test_rule_mentions_keep_their_role_and_normalized_form() -> None:
    text = "12月18日，静安寺街道党工委书记王红来到华山居民区，看望老党员。"
    rules = tag_issue(_issue(text), EntitiesConfig(), crf=False)
    crf = tag_issue(_issue(text), EntitiesConfig(), crf=True)
    key = [(m.type, m.start, m.end, m.normalized, m.role) for m in rules.mentions]
    assert [(m.type, m.start, m.end, m.normalized, m.role) for m in crf.mentions] == key
    person = next(m for m in crf.mentions if m.type is EntityType.PERSON)
    assert person.role == "静安寺街道党工委书记"
    assert next(m for m in crf.mentions if m.type is EntityType.DATE).normalized == "2020-12-18"


def test_new_spans_use_the_rules_normalizers() -> None:
    text = "王红于3月5日获“十佳”好邻居"
    rule_person = Span(EntityType.PERSON, 0, 3, "王红于", "王红于", role="居民", rule="t")
    date = CrfTagger._new_span(text, EntityType.DATE, 3, 7, [], "2021-05-12", 0.95)
    assert (date.normalized, date.rule, date.confidence) == ("2021-03-05", "crf", 0.9)
    award = CrfTagger._new_span(text, EntityType.AWARD, 8, 15, [], "2021-05-12", 0.5)
    assert award.normalized == "十佳好邻居" and award.confidence == 0.5
    # a person the CRF cut shorter than the rules' keeps the rules' role for it
    person = CrfTagger._new_span(text, EntityType.PERSON, 0, 2, [rule_person], "2021-05-12", 0.8)
    assert (person.text, person.normalized, person.role) == ("王红", "王红", "居民")


def test_unsure_recut_keeps_the_rule_spans() -> None:
    tagger = default_tagger()
    assert tagger is not None
    text = "华山医院专题健康讲座进社区"
    rule = [Span(EntityType.UNIT, 0, 4, "华山医院", "复旦大学附属华山医院", rule="t")]
    labels, probs = tagger.labels(text, rule)
    strict = CrfTagger(tagger.path, min_override=1.01)  # no re-cut is ever sure enough
    out = strict.refine(text, rule, "2020-01-08")
    assert all(s.rule == "t" or not any(r.start < s.end and s.start < r.end for r in rule) for s in out)
    assert len(labels) == len(probs) == len(text) and all(0.0 <= p <= 1.0 for p in probs)


# --------------------------------------------------------------------------- round 11 (strings unlike heldout9/10's)


def _unit(text: str, s: str) -> Span:
    a = text.index(s)
    return Span(EntityType.UNIT, a, a + len(s), s, s, rule="t")


def test_a_new_person_gets_the_role_of_the_title_run_before_it() -> None:
    text = "桐荫居委会副主任 钟离安平带队走访。"
    a = text.index("钟离安平")
    person = CrfTagger._new_span(text, EntityType.PERSON, a, a + 4, [_unit(text, "桐荫居委会")], "2021-05-12", 0.8)
    assert person.role == "桐荫居委会副主任"
    text2 = "退休护士宓秀芝每周来帮忙。"
    a2 = text2.index("宓秀芝")
    assert CrfTagger._new_span(text2, EntityType.PERSON, a2, a2 + 3, [], "2021-05-12", 0.8).role == "退休护士"
    # X的Name ends the role run, and a name in a list after 、 has no title of its own
    text3 = "桐荫居民区的志愿者、宓秀芝"
    a3 = text3.index("宓秀芝")
    assert CrfTagger._new_span(text3, EntityType.PERSON, a3, a3 + 3, [], "2021-05-12", 0.8).role == ""


def test_name_shape_feature_marks_plain_names() -> None:
    text = "居民宓秀芝（桐荫居民区）"
    feats = char_features(text, [])
    assert "nm3" in feats[2]  # 宓秀芝 closed by the bracket
    assert "nm3@-1" in feats[3] and "nm3@2" in feats[0] and not any(f.startswith("nm") for f in feats[-1])


def test_guard_refuses_malformed_new_spans() -> None:
    t1 = "他围绕以“睦邻”为品牌的桐荫街道基层治理新格局作报告"
    a = t1.index("桐荫街道")
    assert not _plausible(t1, "unit", a, t1.index("作报告"), [])  # runs on into 格局 (ends like 公安局)
    assert _plausible(t1, "unit", a, a + 4, [])
    t2 = "活动期间，桐荫街道团工委组织志愿者"
    assert not _plausible(t2, "unit", 0, t2.index("组织"), [])  # crosses a clause mark
    t3 = "获评“星级社区"
    assert not _plausible(t3, "award", 2, len(t3), [])  # opens a quote it never closes
    t4 = "上海丙午货运有限公司党支部"
    rule = [_unit(t4, t4)]
    assert not _plausible(t4, "unit", t4.index("货运"), len(t4), rule)  # drops the place that opens it
    assert _plausible(t4, "unit", 0, len(t4), rule)


class _Forced(CrfTagger):
    """The shipped model with its labels replaced: refine's guard is tested on a sure, wrong stretch."""

    forced: list[str] = []

    def labels(self, text: str, rule_spans: Sequence[Span]) -> tuple[list[str], list[float]]:
        return list(self.forced), [0.99] * len(text)


def test_a_sure_malformed_stretch_keeps_the_rule_spans() -> None:
    tagger = default_tagger()
    assert tagger is not None
    text = "以桐荫街道基层治理新格局为题"
    a, b = text.index("桐荫街道"), text.index("为题")
    rule = [_unit(text, "桐荫街道")]
    forced = _Forced(tagger.path)
    forced.forced = bio_labels(len(text), [("unit", a, b)])
    out = forced.refine(text, rule, "2021-05-12")
    assert [(s.text, s.rule) for s in out] == [("桐荫街道", "t")]
    # the same stretch ending on a unit head is taken
    text2 = "以桐荫街道社区文化活动中心为题"
    assert _plausible(text2, "unit", 1, text2.index("为题"), [_unit(text2, "桐荫街道")])
    forced.forced = bio_labels(len(text2), [("unit", 1, text2.index("为题"))])
    out2 = forced.refine(text2, [_unit(text2, "桐荫街道")], "2021-05-12")
    assert [s.text for s in out2] == ["桐荫街道社区文化活动中心"] and out2[0].rule == "crf"


def test_a_new_range_tail_date_reads_its_month_from_the_left() -> None:
    text = "6月3日至4日，居民来到活动室。"
    a = text.index("4日")
    tail = CrfTagger._new_span(text, EntityType.DATE, a, a + 2, [], "2021-05-12", 0.9)
    assert tail.normalized == "2021-06-04"


class _Unsure(_Forced):
    def labels(self, text: str, rule_spans: Sequence[Span]) -> tuple[list[str], list[float]]:
        return list(self.forced), [0.45] * len(text)


def test_an_unsure_span_where_the_rules_found_nothing_is_dropped() -> None:
    tagger = default_tagger()
    assert tagger is not None
    text, name = MISSED_BY_RULES
    a = text.index(name)
    unsure = _Unsure(tagger.path)
    unsure.forced = bio_labels(len(text), [("person", a, a + len(name))])
    assert unsure.refine(text, [], "2021-05-12") == []
    lenient = _Unsure(tagger.path, min_new=0.4)
    lenient.forced = unsure.forced
    assert [s.text for s in lenient.refine(text, [], "2021-05-12")] == [name]


def test_a_crf_only_award_needs_an_award_head_only_alone_on_its_line() -> None:
    """Round 14: the head check (round 13) guards an honour list's category lines (最美外企公益品牌 on
    its own line); in running text it cost blind recall (好媳妇, 申岳工匠), so there the CRF decides."""
    line = "2022年度\n最美社区公益品牌\n和美居民区"
    a = line.index("最美")
    assert not _plausible(line, "award", a, a + len("最美社区公益品牌"), [])
    prose = "她被评为最美社区好婆婆。"
    a = prose.index("最美")
    assert _plausible(prose, "award", a, a + len("最美社区好婆婆"), [])
    # a head on its line still passes: 金钥匙奖 alone is an honour list's level line
    level = "金钥匙奖\n和美居民区"
    assert _plausible(level, "award", 0, 4, [])
