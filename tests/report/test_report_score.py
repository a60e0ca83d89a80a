# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Spec section 6: anchors, direction-free ratios, combination, non-discriminative measures."""

from __future__ import annotations

import numpy as np
import pytest

from identica.exceptions import ConfigurationError
from identica.report import anchor_score, combine, rank_correlations, tradeoff_flags


@pytest.mark.parametrize("trivial, reference", [(0.2, 0.9), (5.0, 1.0), (-3.0, 2.0)])
def test_anchors_score_zero_and_one(trivial, reference):
    assert anchor_score(trivial, trivial, reference) == 0.0
    assert anchor_score(reference, trivial, reference) == 1.0


def test_swapping_the_direction_of_a_measure_leaves_the_score_unchanged():
    value, trivial, reference = 0.35, 0.6, 0.1  # lower is better
    flipped = anchor_score(-value, -trivial, -reference)
    assert anchor_score(value, trivial, reference) == pytest.approx(flipped) == 0.5
    assert anchor_score(1.4, 0.2, 0.8) == pytest.approx(2.0)  # better than the reference


def test_coinciding_anchors_are_not_discriminative():
    assert anchor_score(0.5, 1.0, 1.0 + 1e-12) is None
    assert anchor_score(0.5, None, 1.0) is None


def test_weights_within_a_group_sum_to_one_and_missing_groups_renormalise():
    groups = {"a": "Task", "b": "Task", "c": "Task", "d": "Form", "e": "Truth"}
    scores = {"a": 0.0, "b": 0.3, "c": 0.9, "d": 2.0, "e": None}
    group_scores, overall = combine(scores, groups)
    assert group_scores == {"Task": pytest.approx(0.4), "Form": 2.0, "Truth": None}
    assert overall == pytest.approx((0.4 + 2.0) / 2)  # Truth dropped, weights renormalised
    group_scores, overall = combine(scores, groups, weights={"Task": 3.0, "Form": 1.0,
                                                            "Truth": 5.0})
    assert overall == pytest.approx((3 * 0.4 + 2.0) / 4)
    _, overall = combine({"a": 1.0, "e": 0.0}, {"a": "Task", "e": "Truth"})
    assert overall == 0.5


def test_combine_rejects_negative_weights():
    with pytest.raises(ConfigurationError, match="weights of the quality report"):
        combine({"a": 1.0}, {"a": "Task"}, weights={"Task": -1.0})


def test_tradeoff_flags_need_a_change_beyond_the_spread():
    scores = {"A": {"x": 0.5, "y": 0.9}, "B": {"x": 0.9, "y": 0.5}}
    groups = {"x": "Task", "y": "Stability"}
    assert tradeoff_flags(scores, {"A": {"x": 0.5}, "B": {"y": 0.5}}, groups) == []
    assert len(tradeoff_flags(scores, {}, groups)) == 2  # each direction once
    assert tradeoff_flags(scores, {}, {"x": "Task", "y": "Task"}) == []  # same group


def test_rank_correlations_are_spearman():
    table = {"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, 4.0, 9.0, 16.0], "c": [4.0, 1.0, 3.0, 2.0],
             "d": [1.0, None, 2.0, 3.0]}
    names, matrix = rank_correlations(table)
    assert names == ["a", "b", "c"]
    assert matrix[0, 1] == pytest.approx(1.0)
    assert matrix[0, 2] == pytest.approx(1 - 6 * (9 + 1 + 0 + 4) / (4 * 15))
    assert rank_correlations({"a": [1.0, 2.0], "b": [2.0, 1.0]}) is None
    assert np.allclose(np.diag(matrix), 1.0)
