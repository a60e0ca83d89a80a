# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Held-out identifiability and MCC, and the scaled-permutation class (CL-ICA spec §6, §9.2)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.stats import pearsonr
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score

from identica.exceptions import ConfigurationError, DataValidationError
from identica.metrics import fit_alignment, identifiability, mcc


@pytest.fixture
def latents(seed):
    return np.random.default_rng(seed).uniform(size=(1000, 4))


def naive_scaled_permutation_r2(z_true: np.ndarray, z_pred: np.ndarray) -> float:
    """Best R² over every permutation, with a least-squares line per matched pair."""
    d = z_true.shape[1]
    scores = {}
    for perm in itertools.permutations(range(d)):
        pred = np.column_stack([
            LinearRegression().fit(z_pred[:, [perm[j]]], z_true[:, j]).predict(
                z_pred[:, [perm[j]]]) for j in range(d)])
        scores[perm] = r2_score(z_true, pred)
    return max(scores.values())


def test_scaled_permutation_matches_an_exhaustive_search(latents, seed):
    rng = np.random.default_rng(seed)
    z_pred = latents[:, [2, 0, 3, 1]] * [-3.0, 0.5, 2.0, -1.0] + 4.0
    z_pred = z_pred + 0.2 * rng.normal(size=z_pred.shape)
    assert identifiability(latents, z_pred, "scaled-permutation") == pytest.approx(
        naive_scaled_permutation_r2(latents, z_pred), abs=1e-10)


def test_scaled_permutation_sees_scale_that_permutation_does_not(latents):
    z_pred = latents[:, [1, 0, 3, 2]] * [20.0, -20.0, 5.0, 0.1] - 3.0
    assert identifiability(latents, z_pred, "scaled-permutation") == pytest.approx(1.0)
    assert identifiability(latents, z_pred, "permutation") < 0.0
    assert mcc(latents, z_pred) == pytest.approx(1.0)


def test_scaled_permutation_of_a_rotation_is_not_one(latents):
    angle = np.pi / 4
    rotation = np.eye(4)
    rotation[:2, :2] = [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
    z_pred = latents @ rotation
    assert identifiability(latents, z_pred, "scaled-permutation") < 0.8
    assert identifiability(latents, z_pred, "orthogonal") == pytest.approx(1.0)


def test_scaled_permutation_map_has_one_entry_per_row_and_column(latents):
    matrix = fit_alignment(latents, latents[:, [3, 2, 1, 0]] * 2.0, "scaled-permutation").matrix
    np.testing.assert_allclose(matrix, np.eye(4)[[3, 2, 1, 0]] * 2.0, atol=1e-12)


# -- held out -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["affine", "linear", "orthogonal", "scaled-permutation"])
def test_held_out_r2_fits_on_the_head_and_scores_the_tail(latents, kind, seed):
    rng = np.random.default_rng(seed)
    z_pred = latents @ rng.normal(size=(4, 4)) + 0.3 * rng.normal(size=latents.shape)
    cut = 750  # test_size 0.25 of 1000 rows
    alignment = fit_alignment(z_pred[:cut], latents[:cut], kind)
    expected = r2_score(latents[cut:], alignment.apply(z_pred[cut:]))
    assert identifiability(latents, z_pred, kind, test_size=0.25) == pytest.approx(expected,
                                                                                    abs=1e-12)


def test_exact_and_affine_embeddings_score_one_held_out(latents, seed):
    rng = np.random.default_rng(seed)
    assert identifiability(latents, latents, "identity", test_size=0.3) == pytest.approx(1.0)
    affine = latents @ rng.normal(size=(4, 4)) + 2.0
    assert identifiability(latents, affine, test_size=0.3) == pytest.approx(1.0)
    assert mcc(latents, latents[:, ::-1] * -2.0, test_size=0.3) == pytest.approx(1.0)


def test_held_out_r2_does_not_reward_fitting_noise(seed):
    """Many noise dimensions fit a few latents in-sample, not held out."""
    rng = np.random.default_rng(seed)
    z_true, noise = rng.normal(size=(200, 2)), rng.normal(size=(200, 80))
    assert identifiability(z_true, noise) > 0.3
    assert identifiability(z_true, noise, test_size=0.5) < 0.0


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_held_out_mcc_keeps_the_matching_of_the_head(method, seed):
    rng = np.random.default_rng(seed)
    z_true = rng.normal(size=(400, 2))
    # The matching flips between the halves: dimension 0 follows latent 0 only in the head.
    z_pred = np.vstack([z_true[:200], z_true[200:, ::-1]]) + 0.1 * rng.normal(size=(400, 2))
    assert mcc(z_true, z_pred, method=method) > 0.4
    held_out = mcc(z_true, z_pred, method=method, test_size=0.5)
    assert held_out < 0.15
    expected = np.mean([abs(pearsonr(z_true[200:, j], z_pred[200:, j])[0]) for j in range(2)])
    if method == "pearson":
        assert held_out == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("function", [identifiability, mcc])
@pytest.mark.parametrize("test_size", [0.001, 0.999])
def test_test_size_must_leave_two_rows_on_each_side(function, test_size, latents):
    with pytest.raises(DataValidationError,
                       match=rf"'test_size' of {function.__name__} must leave at least 2 rows"):
        function(latents, latents, test_size=test_size)


@pytest.mark.parametrize("function", [identifiability, mcc])
@pytest.mark.parametrize("test_size", [0.0, 1.5, "half"])
def test_test_size_must_be_a_fraction(function, test_size, latents):
    with pytest.raises(ConfigurationError,
                       match=rf"'test_size' of {function.__name__} must be a finite number in "
                             r"\(0.0, 1.0\]"):
        function(latents, latents, test_size=test_size)
