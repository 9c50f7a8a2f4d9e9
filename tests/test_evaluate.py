"""The measures the benchmarks report must themselves be right."""

from __future__ import annotations

import pytest

from pipeline.evaluate import cer, cjk_space_count, entity_prf, pairwise_order_accuracy, set_prf


def test_cer_counts_edits_per_reference_character_ignoring_whitespace():
    assert cer("金招指奖", "金拇指奖") == pytest.approx(0.25)
    assert cer("金拇指奖\n第102期", "金拇指奖 第102期") == 0.0
    assert cer("", "") == 0.0 and cer("x", "") == 1.0


def test_cjk_space_count_ignores_latin_spaces():
    assert cjk_space_count("共 建理事会 and the 会") == 1
    assert cjk_space_count("hello world 2017 年") == 0


def test_pairwise_order_accuracy():
    ref = list("abcd")
    assert pairwise_order_accuracy(list("abcd"), ref) == 1.0
    assert pairwise_order_accuracy(list("dcba"), ref) == 0.0
    assert pairwise_order_accuracy(list("bacd"), ref) == pytest.approx(5 / 6)
    assert pairwise_order_accuracy(list("ab"), ref) == 1.0  # lost items are CER's business


def test_prf():
    s = set_prf(["a", "b", "c"], ["a", "b", "d", "e"])
    assert (s.tp, s.fp, s.fn) == (2, 1, 2)
    assert s.precision == pytest.approx(2 / 3) and s.recall == pytest.approx(0.5)
    per = entity_prf([("person", "黄红"), ("unit", "街道")], [("person", "黄红"), ("unit", "静安寺街道")])
    assert per["person"].f1 == 1.0 and per["unit"].f1 == 0.0
