# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The quality report's measures against hand-computed cases and independent references."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import balanced_accuracy_score, r2_score

from identica import metrics
from identica.exceptions import ConfigurationError, DataValidationError


def test_block_split_leaves_the_gap_out():
    train, test = metrics.block_split(50, gap=7, test_fraction=0.2)
    assert train.tolist() == list(range(33)) and test.tolist() == list(range(40, 50))
    assert test[0] - train[-1] - 1 == 7


def test_block_split_refuses_too_little_data():
    with pytest.raises(DataValidationError, match="both need at least 2"):
        metrics.block_split(10, gap=8)
    with pytest.raises(ConfigurationError, match="'gap' of block_split"):
        metrics.block_split(10, gap=-1)


def test_decoding_score_matches_a_one_neighbour_hand_count():
    Z_train = np.array([[0.0], [1.0], [10.0], [11.0]])
    y_train = np.array([0.0, 1.0, 10.0, 11.0])
    Z_test = np.array([[0.4], [10.6], [5.2]])
    # nearest neighbours: 0, 11, 1 -> predictions 0, 11, 1
    expected = r2_score([0.5, 10.5, 5.0], [0.0, 11.0, 1.0])
    got = metrics.decoding_score(Z_train, y_train, Z_test, np.array([0.5, 10.5, 5.0]),
                                 n_neighbors=1, metric="euclidean")
    assert got == pytest.approx(expected)


def test_decoding_score_balanced_accuracy():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(200, 2))
    y = (Z[:, 0] > 1.0).astype(int)  # unbalanced classes
    got = metrics.decoding_score(Z[:150], y[:150], Z[150:], y[150:], n_neighbors=3,
                                 metric="euclidean")
    from sklearn.neighbors import KNeighborsClassifier
    pred = KNeighborsClassifier(3).fit(Z[:150], y[:150]).predict(Z[150:])
    assert got == pytest.approx(balanced_accuracy_score(y[150:], pred))


def test_decoding_score_errors_name_the_argument():
    with pytest.raises(ConfigurationError, match="'decoder' of decoding_score"):
        metrics.decoding_score(np.zeros((4, 1)), np.zeros(4), np.zeros((2, 1)), np.zeros(2),
                               decoder="forest")
    with pytest.raises(DataValidationError, match="y_test of decoding_score"):
        metrics.decoding_score(np.zeros((4, 1)), np.zeros(4), np.zeros((2, 1)), np.zeros(3))


def test_flip_rates_match_hand_counts():
    y = [0, 1, 1, 0, 1, 0]
    old = [0, 1, 0, 0, 0, 1]  # right: 0, 1, 3
    new = [0, 0, 1, 1, 1, 1]  # right: 0, 2, 4
    rates = metrics.flip_rates(y, old, new)
    assert rates.negative == pytest.approx(2 / 6)  # 1 and 3: old right, new wrong
    assert rates.positive == pytest.approx(2 / 6)  # 2 and 4
    assert (rates.old_correct, rates.new_correct) == (0.5, 0.5)


@pytest.mark.parametrize("kind", ["discrete", "continuous"])
def test_flip_rates_are_zero_for_identical_and_for_perfect_new_models(kind):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 50) if kind == "discrete" else rng.normal(size=50)
    old = rng.integers(0, 3, 50) if kind == "discrete" else y + rng.normal(size=50)
    assert metrics.flip_rates(y, old, old).negative == 0.0
    assert metrics.flip_rates(y, old, y).negative == 0.0


def test_flip_rates_continuous_tolerance_defaults_to_the_old_median_error():
    y = np.zeros(4)
    old = np.array([0.1, 0.2, 0.3, 0.4])  # median error 0.25: right on 0 and 1
    new = np.array([0.3, 0.1, 0.1, 0.1])  # right on 1, 2, 3
    rates = metrics.flip_rates(y, old, new)
    assert rates.tolerance == pytest.approx(0.25)
    assert (rates.negative, rates.positive) == (0.25, 0.5)


def test_flip_rates_shape_mismatch():
    with pytest.raises(DataValidationError, match="same non-empty shape"):
        metrics.flip_rates([0, 1], [0, 1], [0])


def test_update_flip_rates_compatibility_survives_an_affine_change():
    rng = np.random.default_rng(2)
    z = rng.normal(size=(400, 3))
    y = np.sin(z[:, 0]) + z[:, 1]
    new = z @ rng.normal(size=(3, 3)) + 3.0  # an invertible affine image
    args = (z[:300], z[300:], new[:300], new[300:], y[:300], y[300:])
    assert metrics.update_flip_rates(*args, metric="euclidean").negative == 0.0
    unrelated = rng.normal(size=(400, 3))
    args = (z[:300], z[300:], unrelated[:300], unrelated[300:], y[:300], y[300:])
    assert metrics.update_flip_rates(*args, metric="euclidean", level="prediction").negative > 0.2


def test_calibration_error_by_hand():
    p = np.array([[0.9, 0.1], [0.9, 0.1], [0.3, 0.7], [0.3, 0.7]])
    y = np.array([0, 1, 1, 1])
    # ECE bins: 0.9 (acc 0.5) and 0.7 (acc 1.0): (2*0.4 + 2*0.3) / 4
    assert metrics.calibration_error(y, p) == pytest.approx(0.35)
    # adaptive, 2 equal-mass bins: the same two groups here
    assert metrics.calibration_error(y, p, n_bins=2, adaptive=True) == pytest.approx(0.35)
    # one adaptive bin: |accuracy 0.75 - mean confidence 0.8|
    assert metrics.calibration_error(y, p, n_bins=1, adaptive=True) == pytest.approx(0.05)
    assert metrics.calibration_error([0, 1], [[1.0, 0.0], [0.0, 1.0]]) == 0.0


def test_coverage_gap_by_hand():
    samples = np.tile(np.linspace(0.0, 1.0, 101), (10, 1))
    y = np.linspace(0.05, 0.95, 10)  # central 50 %: [0.25, 0.75] holds 0.35 .. 0.65: 4 of 10
    assert metrics.coverage_gap(y, samples, levels=[0.5]) == pytest.approx(0.1)
    with pytest.raises(DataValidationError, match="levels of coverage_gap"):
        metrics.coverage_gap(y, samples, levels=[1.5])


def test_gaussian_nll_by_hand():
    got = metrics.gaussian_nll([1.0, 3.0], [0.0, 1.0], [2.0, 4.0])
    expected = np.mean([0.5 * (math.log(2 * math.pi * 2) + 1 / 2),
                        0.5 * (math.log(2 * math.pi * 4) + 4 / 4)])
    assert got == pytest.approx(expected)


def test_behavior_balance_by_hand():
    assert metrics.behavior_balance([0, 0, 1, 1, 2, 2], [0, 0, 1, 0, 0, 0]) == pytest.approx(
        1 - np.std([1.0, 0.5, 0.0]))
    assert metrics.behavior_balance([0.0, 10.0], [0.0, 10.0]) == 1.0


def test_smoothness_by_hand_and_score_zero_for_a_scaled_rotation_plus_constant():
    assert metrics.smoothness(np.array([[0.0], [2.0], [4.0]])) == pytest.approx(4 / (8 / 3))
    rng = np.random.default_rng(3)
    truth = np.cumsum(rng.normal(size=(500, 3)), axis=0)
    rotation = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    z = 2.5 * truth @ rotation + np.array([1.0, -4.0, 7.0])
    assert metrics.smoothness_score(z, truth) == pytest.approx(0.0, abs=1e-12)
    assert metrics.smoothness_score(rng.normal(size=(500, 3)), truth) < -1.0


def test_participation_ratio_cases():
    rng = np.random.default_rng(4)
    assert metrics.participation_ratio(rng.normal(size=(20000, 6))) == pytest.approx(6, rel=0.02)
    assert metrics.participation_ratio(np.outer(rng.normal(size=300), [1.0, -2.0, 0.5])) == 1.0
    assert metrics.compactness(rng.normal(size=(20000, 4))) == pytest.approx(1.0, rel=0.02)
    assert metrics.participation_ratio(np.ones((10, 2))) == 0.0


def test_robustness_raw_and_adapted_by_hand():
    def score(X):
        return float(X.sum())

    def adapted(X):
        return 4.0

    result = metrics.robustness(score, np.ones(4), {"half": lambda X: X / 2,
                                                    "zero": lambda X: 0 * X},
                                adapted_score=adapted)
    assert result.clean == 4.0 and result.raw == pytest.approx(0.25)
    assert result.adapted == 1.0 and result.per_perturbation["zero"] == (0.0, 1.0)
    with pytest.raises(ConfigurationError, match="must be a callable"):
        metrics.robustness(score, np.ones(4), {"bad": 3})


def test_cosine_knn_predictions_equal_a_brute_force_cosine_search():
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    rng = np.random.default_rng(11)
    Z, Z_test = rng.normal(size=(600, 4)), rng.normal(size=(150, 4))
    Z[0] = 0.0  # a zero row: no direction, as the cosine distance treats it
    y, classes = rng.normal(size=(600, 2)), rng.integers(0, 4, 600)
    brute = KNeighborsRegressor(n_neighbors=9, metric="cosine", algorithm="brute")
    np.testing.assert_allclose(metrics.decoder_predictions(Z, y, Z_test, n_neighbors=9),
                               brute.fit(Z, y).predict(Z_test))
    brute = KNeighborsClassifier(n_neighbors=9, metric="cosine", algorithm="brute")
    np.testing.assert_array_equal(metrics.decoder_predictions(Z, classes, Z_test, n_neighbors=9),
                                  brute.fit(Z, classes).predict(Z_test))
