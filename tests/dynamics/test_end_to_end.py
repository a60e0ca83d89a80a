# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""End to end on tiny systems: the embedding recovers the latents, ∇-SLDS the modes."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.linear_model import LinearRegression

from identica.dynamics import DynamicsEmbedding

SMOKE = dict(batch_size=128, num_negatives=512, max_iterations=200, device="cpu",
             num_threads=1, random_state=0)


def _r2(z, latents):
    return LinearRegression().fit(z, latents).score(z, latents)


def _mode_accuracy(true, predicted, k):
    counts = np.zeros((k, k))
    np.add.at(counts, (true, predicted), 1)
    rows, cols = linear_sum_assignment(-counts)
    return counts[rows, cols].sum() / len(true)


def _pairs(starts, n):
    has_next = np.ones(n, dtype=bool)
    has_next[np.concatenate([starts[1:], [n]]) - 1] = False
    return np.flatnonzero(has_next)


def test_slds_smoke_meets_the_reference_integration_thresholds(slds):
    # thresholds of the reference integration test (specs/dcl.md §6): R² > 0.5, mode accuracy
    # > 0.265, predictive MSE < 1
    model = DynamicsEmbedding(dynamics="slds", n_modes=3, output_dimension=3, **SMOKE)
    model.fit(slds.X, slds.trial_starts)
    z = model.transform(slds.X)
    rows = _pairs(slds.trial_starts, len(z))
    predicted = model.predict(slds.X, trial_starts=slds.trial_starts)[:, 0]
    mse = float(((predicted[rows] - z[rows + 1]) ** 2).sum(1).mean())
    accuracy = _mode_accuracy(slds.modes, model.predict_modes(slds.X, slds.trial_starts), 3)
    assert _r2(z, slds.latents) > 0.5
    assert accuracy > 0.265
    assert mse < 1.0
    assert model.loss_history_[-20:].mean() < model.loss_history_[:20].mean()


def test_linear_dynamics_beats_the_identity_on_a_rotating_system(lds):
    scores = {}
    for dynamics in ("identity", "linear"):
        model = DynamicsEmbedding(dynamics=dynamics, output_dimension=3, **SMOKE)
        z = model.fit(lds.X, lds.trial_starts).transform(lds.X)
        scores[dynamics] = _r2(z, lds.latents)
    assert scores["linear"] > 0.85 and scores["linear"] > scores["identity"]


def test_the_control_matrix_is_recovered_up_to_the_embedding_map(controlled):
    model = DynamicsEmbedding(dynamics="linear", output_dimension=3, **SMOKE)
    model.fit(controlled.X, controlled.trial_starts, controls=controlled.controls)
    z = model.transform(controlled.X)
    L = LinearRegression().fit(controlled.latents, z).coef_  # z ≈ L x + b
    recovered = np.linalg.solve(L, model.control_matrix_)  # B in latent coordinates
    error = np.linalg.norm(recovered - controlled.control_matrix)
    assert error < 0.5 * np.linalg.norm(controlled.control_matrix)


def test_slds_smoke_on_identica_synthetic_data():
    import identica
    from identica.metrics import identifiability, mode_accuracy, predictive_mse

    data = identica.synthetic.slds(n_trials=20, n_steps=100, n_latents=3, n_observed=10,
                                   n_modes=3, mixing_pool=100, random_state=0)
    model = DynamicsEmbedding(dynamics="slds", n_modes=3, output_dimension=3,
                              learning_rate=3e-3, **SMOKE)
    model.fit(data.observed, data.trial_starts)
    z = model.transform(data.observed)
    rows = _pairs(data.trial_starts, len(z))
    predicted = model.predict(data.observed, trial_starts=data.trial_starts)[:, 0]
    modes = model.predict_modes(data.observed, data.trial_starts)
    assert identifiability(data.latents, z) > 0.5
    assert mode_accuracy(data.modes[rows], modes[rows]) > 0.265
    assert predictive_mse(z[rows + 1], predicted[rows]) < 1.0
