# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""lorenz: Euler-integrated Lorenz trajectories through an injective mixing (spec §2)."""

from __future__ import annotations

import numpy as np
import pytest

from identica.exceptions import ConfigurationError
from identica.synthetic import LORENZ_INITIAL, lorenz

SMALL = {"n_steps": 2000, "n_observed": 10, "mixing_pool": 100}


@pytest.fixture(scope="module")
def data():
    return lorenz(n_trials=7, **SMALL, random_state=0)


def test_shapes_dtypes_and_default_initial_points_cycled(data):
    assert data.observed.shape == (14000, 10) and data.observed.dtype == np.float32
    assert data.latents.shape == (14000, 3) and data.modes is None and data.controls is None
    assert data.dynamics.kind == "lorenz" and data.dynamics.dt == 0.01
    expected = np.array(LORENZ_INITIAL)[[0, 1, 2, 3, 4, 0, 1]]
    np.testing.assert_array_equal(data.latents[data.trial_starts], expected)


def test_states_follow_euler_steps_with_the_stated_noise(data):
    x, same = data.latents, data.trial[1:] == data.trial[:-1]
    eps = (x[1:] - data.dynamics.step(x[:-1]))[same]
    assert eps.std() == pytest.approx(0.001, rel=0.05)


def test_trajectories_stay_on_the_attractor(data):
    late = data.latents.reshape(7, 2000, 3)[:, 500:]
    assert np.abs(late).max() < 60 and late[..., 2].mean() == pytest.approx(23.5, abs=3.0)


def test_mixing_standardises_the_latents_and_is_injective(data):
    np.testing.assert_allclose(data.mixing.center, data.latents.mean(axis=0))
    np.testing.assert_allclose(data.mixing.scale, data.latents.std(axis=0))
    np.testing.assert_allclose(data.mixing.inverse(data.observed), data.latents, atol=1e-3)


def test_same_seed_same_data_and_small_dt():
    first = lorenz(n_trials=2, **SMALL, dt=0.0005, noise=0.1, random_state=1)
    second = lorenz(n_trials=2, **SMALL, dt=0.0005, noise=0.1, random_state=1)
    assert np.array_equal(first.observed, second.observed)
    assert not np.array_equal(first.latents, lorenz(n_trials=2, **SMALL, dt=0.0005, noise=0.1,
                                                    random_state=2).latents)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"dt": 0.5}, "'dt' of lorenz is too large for explicit Euler.* Got dt=0.5"),
    ({"dt": 0.0}, "'dt' of lorenz must be a finite number in \\(0.0, inf\\]"),
    ({"n_observed": 2}, "'n_observed' of lorenz must be an int in \\[3, inf\\]"),
    ({"initial": "cube"}, "'initial' of lorenz must be one of"),
])
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ConfigurationError, match=match):
        lorenz(**{"n_trials": 2, **SMALL, "n_steps": 300, **kwargs}, random_state=0)
