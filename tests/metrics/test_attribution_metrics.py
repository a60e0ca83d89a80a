# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of attribution_auc and attribution_gaps on constructed maps."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from identica.exceptions import DataValidationError
from identica.metrics import attribution_auc, attribution_gaps


@pytest.fixture
def truth():
    """The xCEBRA benchmark mask: Z1 rows drive every neuron, Z2 rows neurons 25-49 only."""
    mask = np.ones((6, 50), dtype=bool)
    mask[3:, :25] = False
    return mask


def test_perfect_and_inverted_maps(truth):
    perfect = np.where(truth, 1.0, 0.1)
    assert attribution_auc(perfect, truth) == 1.0
    assert attribution_auc(1.0 - perfect, truth) == 0.0


def test_random_map_is_near_chance_and_equals_sklearn(truth, seed):
    scores = np.random.default_rng(seed).random((50,) + truth.shape)
    aucs = [attribution_auc(s, truth) for s in scores]
    assert abs(np.mean(aucs) - 0.5) < 0.03
    expected = roc_auc_score(truth.ravel(), scores[0].ravel())
    assert attribution_auc(scores[0], truth) == pytest.approx(expected, abs=1e-15)


def test_integer_mask_is_accepted(truth, seed):
    scores = np.random.default_rng(seed).random(truth.shape)
    assert attribution_auc(scores, truth.astype(int)) == attribution_auc(scores, truth)


def test_gaps_of_a_constructed_map():
    truth = np.array([[True, True, False], [False, True, False]])
    scores = np.array([[0.9, 0.5, 0.2], [0.1, 0.7, 0.3]])
    gaps = attribution_gaps(scores, truth)
    expected = {
        "max_connected": 0.9, "mean_connected": 0.7, "min_connected": 0.5,
        "max_unconnected": 0.3, "mean_unconnected": 0.2, "min_unconnected": 0.1,
        "max_gap": 0.6, "mean_gap": 0.5, "min_gap_aligned": 0.4, "min_gap": 0.2,
    }
    assert gaps.keys() == expected.keys()
    for key, value in expected.items():
        assert gaps[key] == pytest.approx(value, abs=1e-12), key
    assert all(type(v) is float for v in gaps.values())


def test_gaps_overlap_is_negative(truth):
    scores = np.where(truth, 1.0, 0.0)
    scores[0, 0] = -1.0
    gaps = attribution_gaps(scores, truth)
    assert gaps["min_gap"] == -1.0 and gaps["max_gap"] == 1.0


@pytest.mark.parametrize("metric", [attribution_auc, attribution_gaps])
@pytest.mark.parametrize(
    ("scores", "mask", "match"),
    [
        (np.ones((6, 50)), np.ones((50, 6), bool), r"map \(6, 50\) and truth \(50, 6\)"),
        (np.full((2, 2), np.nan), np.eye(2, dtype=bool), r"NaN or inf \(first at index \(0, 0\)\)"),
        (np.ones((2, 2)), np.eye(2) * 2, "boolean mask"),
        (np.ones((2, 2)), np.ones((2, 2), bool), "both connected .* got 4 of 4 True"),
        (np.array([["a", "b"]]), np.array([[True, False]]), "non-empty numeric array"),
    ],
)
def test_errors(metric, scores, mask, match):
    with pytest.raises(DataValidationError, match=match):
        metric(scores, mask)
