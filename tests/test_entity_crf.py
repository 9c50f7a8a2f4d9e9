"""The learned CRF over the rules (pipeline/entities/crf.py): it loads offline from the shipped resource,
finds names the rules miss, keeps the rules' normalized/role where it agrees with them, and is a no-op when
switched off."""

from __future__ import annotations

from pathlib import Path

import pytest

import pipeline.entities as entities
from pipeline.config import EntitiesConfig
from pipeline.entities import tag_issue
from pipeline.entities.crf import CrfTagger, bio_labels, char_features, decode_bio, default_tagger
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
