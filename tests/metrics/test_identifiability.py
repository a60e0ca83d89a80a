# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of identifiability and mcc on data with known latents."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.stats import ortho_group, spearmanr
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score

from identica.exceptions import ConfigurationError, DataValidationError
from identica.metrics import INDETERMINACIES, consistency_matrix, identifiability, mcc


@pytest.fixture
def latents(seed):
    return np.random.default_rng(seed).normal(size=(800, 4))


# -- mcc -------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_mcc_of_a_permuted_sign_flipped_rescaled_copy_is_one(latents, method, seed):
    rng = np.random.default_rng(seed)
    z_pred = latents[:, rng.permutation(4)] * [-2.0, 1.0, -0.5, 3.0] + 7.0
    assert mcc(latents, z_pred, method=method) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_mcc_of_independent_noise_is_near_zero(latents, method, seed):
    noise = np.random.default_rng(seed + 1).normal(size=latents.shape)
    assert 0.0 <= mcc(latents, noise, method=method) < 0.1


def test_spearman_sees_through_monotone_maps_and_pearson_does_not(latents):
    z_pred = np.exp(2.0 * latents)
    assert mcc(latents, z_pred, method="spearman") == pytest.approx(1.0, abs=1e-12)
    assert mcc(latents, z_pred) < 0.9


def test_mcc_matches_a_naive_loop(latents, seed):
    rng = np.random.default_rng(seed)
    z_pred = latents @ rng.normal(size=(4, 4)) + 0.3 * rng.normal(size=latents.shape)
    corr = np.abs(np.corrcoef(latents.T, z_pred.T)[:4, 4:])
    best = max(sum(corr[i, p[i]] for i in range(4)) / 4 for p in itertools.permutations(range(4)))
    assert mcc(latents, z_pred) == pytest.approx(best, abs=1e-12)
    ranks = np.abs(spearmanr(latents, z_pred).statistic[:4, 4:])
    best_rank = max(sum(ranks[i, p[i]] for i in range(4)) / 4
                    for p in itertools.permutations(range(4)))
    assert mcc(latents, z_pred, method="spearman") == pytest.approx(best_rank, abs=1e-12)


def test_mcc_matches_each_latent_to_its_own_dimension_when_z_pred_is_larger(latents, seed):
    rng = np.random.default_rng(seed)
    extra = rng.normal(size=(len(latents), 3))
    z_pred = np.hstack([extra[:, :1], -latents[:, ::-1], extra[:, 1:]])
    assert mcc(latents, z_pred) == pytest.approx(1.0, abs=1e-12)
    # one dimension cannot serve two latents
    assert mcc(latents, np.hstack([latents[:, :1]] * 4 + [extra])) < 0.5


def test_a_constant_dimension_correlates_zero(latents):
    z_pred = latents.copy()
    z_pred[:, 0] = 1.0
    assert mcc(latents, z_pred) == pytest.approx(0.75, abs=1e-12)


def test_mcc_rejects_fewer_predicted_dimensions(latents):
    with pytest.raises(DataValidationError,
                       match="'z_pred' of mcc must have at least as many .* z_true with 4 and "
                             "z_pred with 3"):
        mcc(latents, latents[:, :3])


def test_mcc_rejects_an_unknown_method(latents):
    with pytest.raises(ConfigurationError,
                       match=r"'method' of mcc must be one of \['pearson', 'spearman'\]. Got "
                             r"'kendall'"):
        mcc(latents, latents, method="kendall")


def test_mcc_names_the_bad_argument(latents):
    with pytest.raises(DataValidationError, match="'z_true' of mcc contains NaN"):
        mcc(np.where(latents > 3, np.nan, latents), latents)
    with pytest.raises(DataValidationError, match=r"'z_pred' of mcc must be 2-D.*\(800,\)"):
        mcc(latents, latents[:, 0])


# -- identifiability ---------------------------------------------------------------------------


def test_identifiability_is_r2_of_the_best_map(latents, seed):
    rng = np.random.default_rng(seed)
    z_pred = np.tanh(latents @ rng.normal(size=(4, 6)))
    prediction = LinearRegression().fit(z_pred, latents).predict(z_pred)
    assert identifiability(latents, z_pred) == pytest.approx(r2_score(latents, prediction),
                                                             abs=1e-12)
    np.testing.assert_allclose(identifiability(latents, z_pred),
                               consistency_matrix([z_pred, latents])[0, 1], atol=1e-12)


@pytest.mark.parametrize("kind", INDETERMINACIES)
def test_a_map_of_the_class_is_fully_identifiable(latents, kind, seed):
    rng = np.random.default_rng(seed)
    matrix = {
        "identity": np.eye(4),
        "permutation": np.eye(4)[rng.permutation(4)] * rng.choice([-1.0, 1.0], size=4),
        "scaled-permutation": np.eye(4)[rng.permutation(4)] * rng.uniform(-3.0, 3.0, size=4),
        "orthogonal": ortho_group.rvs(4, random_state=rng),
    }.get(kind, rng.normal(size=(4, 4)))
    offset = rng.normal(size=4) if kind in ("affine", "scaled-permutation") else 0.0
    assert identifiability(latents, latents @ matrix + offset, kind) == pytest.approx(1.0,
                                                                                       abs=1e-10)


def test_identifiability_increases_with_the_class(latents, seed):
    rng = np.random.default_rng(seed)
    z_pred = latents @ rng.normal(size=(4, 4)) + 1.0 + 0.3 * rng.normal(size=latents.shape)
    scores = {k: identifiability(latents, z_pred, k) for k in INDETERMINACIES}
    for kind in ("identity", "permutation", "orthogonal"):
        assert scores[kind] <= scores["linear"] + 1e-12
    assert scores["linear"] <= scores["affine"] + 1e-12
    assert scores["identity"] < 0.0 < scores["affine"]
    assert scores["affine"] > 0.5


def test_identifiability_rejects_bad_input(latents):
    with pytest.raises(ConfigurationError, match="'indeterminacy' of identifiability .* Got 'x'"):
        identifiability(latents, latents, "x")
    with pytest.raises(DataValidationError,
                       match="indeterminacy='permutation' of identifiability needs 'z_true' and "
                             "'z_pred' with the same number of dimensions. Got 4 and 2"):
        identifiability(latents, latents[:, :2], "permutation")
    with pytest.raises(DataValidationError, match="'z_true' and 'z_pred' of identifiability must "
                                                  "have the same number of rows"):
        identifiability(latents, latents[1:])
