# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Dynamics metrics (DCL spec §4, §7): oracles, affine invariance, naive references."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score

from identica.exceptions import ConfigurationError, DataValidationError
from identica.metrics import (
    control_error,
    dynamics_r2,
    identifiability,
    lds_error,
    mode_accuracy,
    predictive_mse,
)
from identica.synthetic import LatentDynamics, mode_transitions, random_rotation, slds


@pytest.fixture(scope="module")
def data():
    return slds(n_trials=20, n_steps=100, n_latents=3, n_observed=6, n_modes=3, noise=1e-4,
                max_angle=20.0, mixing_pool=100, random_state=0)


@pytest.fixture(scope="module")
def affine():
    rng = np.random.default_rng(11)
    return rng.normal(size=(3, 3)) + 2 * np.eye(3), rng.normal(size=3)


def embed(x, affine):
    l_map, b = affine
    return x @ l_map.T + b


def carried_step(dynamics, modes, affine):
    """The true dynamics in embedding space: z -> L A_k L⁻¹ (z - b) + b."""
    l_map, b = affine
    inv = np.linalg.inv(l_map)
    return lambda z: dynamics.step((z - b) @ inv.T, modes=modes) @ l_map.T + b


def true_modes(data):
    x = data.latents
    return data.dynamics.best_modes(x, np.vstack([x[1:], x[-1:]]))


def naive_dynamics_r2(z_true, z_pred, lhs, true_step, cut=0):
    """sklearn regressions fitted on rows [:cut or all], scored on rows [cut:]."""
    fit = slice(0, cut or len(z_true))
    l_t = LinearRegression().fit(z_true[fit], z_pred[fit])
    l_s = LinearRegression().fit(z_pred[fit], z_true[fit])
    rhs = l_t.predict(true_step(l_s.predict(z_pred)))
    return r2_score(lhs[cut:], rhs[cut:])


def naive_lds_error(z_true, z_pred, true, learned):
    l_map = LinearRegression().fit(z_true, z_pred).coef_
    inv = np.linalg.inv(l_map)
    best = np.inf
    for perm in itertools.permutations(range(len(learned)), len(true)):
        cost = np.mean([np.linalg.norm(a - inv @ learned[j] @ l_map) for a, j in zip(true, perm)])
        best = min(best, cost)
    return best


def naive_mode_accuracy(true, predicted):
    true_labels, pred_labels = sorted(set(true)), sorted(set(predicted))
    best = 0.0
    n = max(len(true_labels), len(pred_labels))
    padded = pred_labels + [None] * (n - len(pred_labels))
    for perm in itertools.permutations(padded, len(true_labels)):
        mapping = dict(zip(true_labels, perm))
        best = max(best, np.mean([mapping[t] == p for t, p in zip(true, predicted)]))
    return best


# -- oracles -----------------------------------------------------------------------------------


def test_true_latents_score_perfectly(data):
    x, modes = data.latents, true_modes(data)
    step = lambda s: data.dynamics.step(s, modes=modes)  # noqa: E731
    assert identifiability(x, x) == pytest.approx(1.0)
    assert dynamics_r2(x, x, step(x), step) == pytest.approx(1.0, abs=1e-12)
    assert lds_error(x, x, data.dynamics.matrices, data.dynamics.matrices) == pytest.approx(
        0.0, abs=1e-10)
    assert mode_accuracy(data.modes, data.modes) == 1.0
    assert mode_accuracy(data.modes, np.array([7, 2, 5])[data.modes]) == 1.0  # renamed labels


def test_affine_image_of_the_latents_scores_the_same(data, affine):
    x, modes = data.latents, true_modes(data)
    z = embed(x, affine)
    l_map, _ = affine
    learned = l_map @ data.dynamics.matrices @ np.linalg.inv(l_map)
    f_hat = carried_step(data.dynamics, modes, affine)
    step = lambda s: data.dynamics.step(s, modes=modes)  # noqa: E731
    assert identifiability(x, z) == pytest.approx(1.0)
    assert identifiability(z, x) == pytest.approx(1.0)  # R² forward
    assert dynamics_r2(x, z, f_hat(z), step) == pytest.approx(1.0, abs=1e-9)
    assert lds_error(x, z, data.dynamics.matrices, learned[[2, 0, 1]]) == pytest.approx(
        0.0, abs=1e-9)


def test_wrong_dynamics_score_lower(data, affine):
    x, modes = data.latents, true_modes(data)
    z = embed(x, affine)
    step = lambda s: data.dynamics.step(s, modes=modes)  # noqa: E731
    right = dynamics_r2(x, z, carried_step(data.dynamics, modes, affine)(z), step)
    wrong_modes = carried_step(data.dynamics, (modes + 1) % 3, affine)(z)
    assert dynamics_r2(x, z, z, step) < right - 1e-3  # identity dynamics
    assert dynamics_r2(x, z, wrong_modes, step) < right - 1e-3
    assert lds_error(x, z, data.dynamics.matrices, np.eye(3)[None].repeat(3, 0)) > 0.1


def test_mode_accuracy_of_random_labels_is_about_one_over_k():
    rng = np.random.default_rng(0)
    true, predicted = rng.integers(0, 4, size=20_000), rng.integers(0, 4, size=20_000)
    assert mode_accuracy(true, predicted) == pytest.approx(0.25, abs=0.02)


# -- naive references --------------------------------------------------------------------------


@pytest.mark.parametrize("test_size", [None, 0.3])
def test_dynamics_r2_matches_sklearn_regressions(seed, test_size):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(300, 3))
    a = random_rotation(3, max_angle=40.0, random_state=seed)
    z = np.tanh(x @ rng.normal(size=(3, 4)))  # not an affine image: the maps matter
    lhs = z + 0.1 * rng.normal(size=z.shape)
    step = lambda s: s @ a.T  # noqa: E731
    cut = 0 if test_size is None else 300 - int(np.ceil(300 * test_size))
    expected = naive_dynamics_r2(x, z, lhs, step, cut)
    assert dynamics_r2(x, z, lhs, step, test_size=test_size) == pytest.approx(expected, abs=1e-10)


def test_dynamics_r2_passes_every_row_in_order_to_true_step(seed):
    x = np.random.default_rng(seed).normal(size=(50, 2))
    seen = []
    dynamics_r2(x, x, x, lambda s: seen.append(s.copy()) or s, test_size=0.2)
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], x, atol=1e-12)


@pytest.mark.parametrize("n_learned", [3, 4])
def test_lds_error_matches_an_exhaustive_matching(seed, n_learned):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(200, 3))
    z = x @ rng.normal(size=(3, 3)).T + 0.05 * rng.normal(size=(200, 3)) + 1.0
    true = rng.normal(size=(3, 3, 3))
    learned = rng.normal(size=(n_learned, 3, 3))
    assert lds_error(x, z, true, learned) == pytest.approx(
        naive_lds_error(x, z, true, learned), abs=1e-10)


@pytest.mark.parametrize(("k_true", "k_pred"), [(3, 3), (3, 4), (4, 2)])
def test_mode_accuracy_matches_an_exhaustive_matching(seed, k_true, k_pred):
    rng = np.random.default_rng(seed)
    true = rng.integers(0, k_true, size=300)
    predicted = np.where(rng.random(300) < 0.6, true % k_pred, rng.integers(0, k_pred, size=300))
    assert mode_accuracy(true, predicted) == pytest.approx(naive_mode_accuracy(true, predicted))


def test_control_error_is_relative_and_affine_invariant(seed, affine):
    rng = np.random.default_rng(seed)
    x, b = rng.normal(size=(200, 3)), rng.normal(size=(3, 2))
    z = embed(x, affine)
    l_map, _ = affine
    assert control_error(x, z, b, l_map @ b) == pytest.approx(0.0, abs=1e-10)
    assert control_error(x, z, b, np.zeros((3, 2))) == pytest.approx(1.0)
    assert control_error(x, z, b, l_map @ (1.1 * b)) == pytest.approx(0.1, abs=1e-9)


def test_predictive_mse_is_the_mean_squared_difference(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(40, 3)), rng.normal(size=(40, 3))
    expected = np.mean([(a[i, j] - b[i, j]) ** 2 for i in range(40) for j in range(3)])
    assert predictive_mse(a, b) == pytest.approx(expected)


def test_lds_error_takes_single_matrices(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(100, 2))
    a = random_rotation(2, max_angle=30.0, random_state=seed)
    assert lds_error(x, 2 * x, a, a) == pytest.approx(0.0, abs=1e-10)
    assert lds_error(x, x, a, np.eye(2)) == pytest.approx(np.linalg.norm(a - np.eye(2)))


# -- refusals ----------------------------------------------------------------------------------


def test_bad_dynamics_r2_inputs_are_refused():
    x = np.random.default_rng(0).normal(size=(20, 2))
    with pytest.raises(DataValidationError, match="'z_pred_next_predicted' of dynamics_r2 must "
                                                  "have the shape of 'z_pred'"):
        dynamics_r2(x, x, x[:, :1], lambda s: s)
    with pytest.raises(ConfigurationError, match="'true_step' of dynamics_r2 must be a callable"):
        dynamics_r2(x, x, x, np.eye(2))
    with pytest.raises(DataValidationError, match="'true_step' of dynamics_r2 must return a "
                                                  "finite array of shape \\(20, 2\\)"):
        dynamics_r2(x, x, x, lambda s: s[:, :1])
    with pytest.raises(DataValidationError, match="with NaN or inf"):
        dynamics_r2(x, x, x, lambda s: s * np.nan)
    with pytest.raises(DataValidationError, match="'test_size' of dynamics_r2 must leave"):
        dynamics_r2(x, x, x, lambda s: s, test_size=0.01)
    with pytest.raises(DataValidationError, match="'z_true' and 'z_pred' of dynamics_r2"):
        dynamics_r2(x, x[:5], x[:5], lambda s: s)


def test_bad_matrix_metric_inputs_are_refused():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 2))
    with pytest.raises(DataValidationError, match="indeterminacy='affine' of lds_error needs"):
        lds_error(x, np.hstack([x, x]), np.eye(2), np.eye(2))
    with pytest.raises(DataValidationError, match="'z_pred' of lds_error is not an invertible"):
        lds_error(x, x[:, [0, 0]], np.eye(2), np.eye(2))
    with pytest.raises(DataValidationError, match="'learned_matrices' of lds_error must hold at "
                                                  "least as many"):
        lds_error(x, x, np.stack([np.eye(2)] * 2), np.eye(2))
    with pytest.raises(DataValidationError, match="'true_matrices' of lds_error must have shape "
                                                  "\\(2, 2\\) or \\(n_modes, 2, 2\\)"):
        lds_error(x, x, np.eye(3), np.eye(2))
    with pytest.raises(DataValidationError, match="'learned_matrices' of lds_error contains NaN"):
        lds_error(x, x, np.eye(2), np.full((2, 2), np.nan))
    with pytest.raises(DataValidationError, match="'true_control' of control_error is all zeros"):
        control_error(x, x, np.zeros((2, 1)), np.ones((2, 1)))
    with pytest.raises(DataValidationError, match="'learned_control' of control_error must have "
                                                  "shape \\(2, n_controls\\)"):
        control_error(x, x, np.ones((2, 1)), np.ones((3, 1)))
    with pytest.raises(DataValidationError, match="must have the same shape. Got \\(2, 1\\) and "
                                                  "\\(2, 2\\)"):
        control_error(x, x, np.ones((2, 1)), np.ones((2, 2)))
    with pytest.raises(DataValidationError, match="'true_control' of control_error contains NaN"):
        control_error(x, x, np.full((2, 1), np.inf), np.ones((2, 1)))


def test_bad_label_and_mse_inputs_are_refused():
    with pytest.raises(DataValidationError, match="'predicted_modes' of mode_accuracy must hold "
                                                  "integer mode labels. Got dtype float64"):
        mode_accuracy([0, 1], [0.0, 1.0])
    with pytest.raises(DataValidationError, match="must have the same length .* Got 2 and 3"):
        mode_accuracy([0, 1], [0, 1, 1])
    with pytest.raises(DataValidationError, match="'true_modes' of mode_accuracy must be a "
                                                  "non-empty 1-D"):
        mode_accuracy(np.zeros((2, 2), dtype=int), [0, 1])
    with pytest.raises(DataValidationError, match="'z_next' and 'z_next_predicted' of "
                                                  "predictive_mse must have the same shape"):
        predictive_mse(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(DataValidationError, match="'z_next' of predictive_mse contains NaN"):
        predictive_mse(np.full((3, 2), np.nan), np.zeros((3, 2)))


def test_metrics_work_with_a_hand_built_switching_system():
    dynamics = LatentDynamics("slds", matrices=np.stack([np.eye(2), -np.eye(2)]),
                              transition=mode_transitions(2, 0.1, random_state=0))
    x = np.random.default_rng(1).normal(size=(100, 2))
    modes = np.arange(100) % 2
    step = lambda s: dynamics.step(s, modes=modes)  # noqa: E731
    assert dynamics_r2(x, x, step(x), step) == pytest.approx(1.0)
    assert dynamics_r2(x, x, x, step) < 0.5
