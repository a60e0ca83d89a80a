# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""mode_transitions and the Markov chain of the SLDS modes (DCL spec §2, §7)."""

from __future__ import annotations

import numpy as np
import pytest

from identica.exceptions import ConfigurationError
from identica.synthetic import mode_transitions, slds
from identica.synthetic._modes import next_modes


@pytest.mark.parametrize("n_modes", [2, 3, 5])
@pytest.mark.parametrize("p", [0.0, 0.1, 0.7, 1.0])
def test_rows_sum_to_one_with_the_stay_probability_on_the_diagonal(n_modes, p, seed):
    matrix = mode_transitions(n_modes, p, random_state=seed)
    assert matrix.shape == (n_modes, n_modes)
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.diag(matrix), 1.0 - p)
    assert (matrix >= 0).all()


def test_off_diagonal_mass_is_split_in_proportion_to_uniform_draws():
    weights = np.random.default_rng(4).uniform(0.0, 1.0, size=(4, 3))
    matrix = mode_transitions(4, 0.3, random_state=4)
    for k in range(4):
        off = np.delete(matrix[k], k)
        np.testing.assert_allclose(off, 0.3 * weights[k] / weights[k].sum(), atol=1e-12)


def test_one_mode_never_switches():
    assert np.array_equal(mode_transitions(1, 0.5, random_state=0), [[1.0]])


def _transition_counts(chains: np.ndarray, n_modes: int) -> np.ndarray:
    counts = np.zeros((n_modes, n_modes))
    np.add.at(counts, (chains[:, :-1].ravel(), chains[:, 1:].ravel()), 1)
    return counts


def test_empirical_stay_frequency_and_transitions_match_the_matrix():
    p, n_modes = 0.1, 4
    matrix = mode_transitions(n_modes, p, random_state=1)
    rng = np.random.default_rng(2)
    chains = np.empty((100, 1001), dtype=np.int64)  # 100 chains x 1000 steps = 1e5 transitions
    chains[:, 0] = rng.integers(0, n_modes, size=100)
    for t in range(1000):
        chains[:, t + 1] = next_modes(chains[:, t], matrix, rng)
    counts = _transition_counts(chains, n_modes)
    n = counts.sum()
    stay = np.trace(counts) / n
    assert abs(stay - (1 - p)) < 4 * np.sqrt(p * (1 - p) / n)
    rows = counts.sum(axis=1, keepdims=True)
    sd = np.sqrt(matrix * (1 - matrix) / rows)
    assert (np.abs(counts / rows - matrix) < 4 * sd + 1e-12).all()


def test_slds_modes_follow_its_transition_matrix():
    data = slds(n_trials=100, n_steps=500, n_latents=2, n_observed=2, n_modes=3,
                switch_probability=0.2, n_mixing_layers=1, mixing_pool=10, random_state=5)
    chains = data.modes.reshape(100, 500)
    counts = _transition_counts(chains, 3)
    rows = counts.sum(axis=1, keepdims=True)
    matrix = data.dynamics.transition
    assert (np.abs(counts / rows - matrix) < 4 * np.sqrt(matrix * (1 - matrix) / rows)).all()
    first = np.bincount(chains[:, 0], minlength=3) / 100  # initial mode uniform
    assert (np.abs(first - 1 / 3) < 4 * np.sqrt(2 / 9 / 100)).all()


@pytest.mark.parametrize(("args", "match"), [
    ((0, 0.1), "'n_modes' of mode_transitions must be an int in \\[1, inf\\]. Got 0"),
    ((3, 1.5), "'switch_probability' of mode_transitions must be a finite number in "
               "\\[0.0, 1.0\\]. Got 1.5"),
])
def test_bad_arguments_are_refused(args, match):
    with pytest.raises(ConfigurationError, match=match):
        mode_transitions(*args)
