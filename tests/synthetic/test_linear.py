# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""lds and slds: trials of (switching) linear dynamics through an injective mixing (spec §2)."""

from __future__ import annotations

import numpy as np
import pytest

from identica.exceptions import ConfigurationError, DataValidationError
from identica.synthetic import DynamicsData, lds, slds

SMALL = {"n_trials": 20, "n_steps": 100, "n_latents": 3, "n_observed": 7, "mixing_pool": 100}


def residuals(data: DynamicsData, **step) -> np.ndarray:
    """x_{t+1} - f(x_t) over the pairs of rows inside one trial."""
    x, same = data.latents, data.trial[1:] == data.trial[:-1]
    return (x[1:] - data.dynamics.step(x[:-1], **step))[same]


@pytest.fixture(scope="module")
def controlled():
    return lds(**SMALL, noise=0.01, n_controls=2, random_state=0)


@pytest.fixture(scope="module")
def switching():
    return slds(**SMALL, n_modes=4, noise=1e-6, random_state=0)


def test_lds_shapes_dtypes_and_layout(controlled):
    data = controlled
    n = 20 * 100
    assert data.observed.shape == (n, 7) and data.observed.dtype == np.float32
    assert data.latents.shape == (n, 3) and data.latents.dtype == np.float64
    assert data.controls.shape == (n, 2) and data.controls.dtype == np.float32
    assert data.modes is None and data.dynamics.kind == "lds"
    for name in ("trial", "time", "trial_starts"):
        assert getattr(data, name).dtype == np.int64
    assert np.array_equal(data.trial_starts, np.arange(20) * 100)
    assert np.array_equal(data.trial[data.trial_starts], np.arange(20))
    assert (data.time[data.trial_starts] == 0).all()
    assert np.array_equal(data.trial, np.repeat(np.arange(20), 100))
    assert np.array_equal(data.time, np.tile(np.arange(100), 20))
    assert (data.n_trials, data.n_steps) == (20, 100)
    np.testing.assert_allclose(data.observed, data.mixing(data.latents), rtol=1e-5, atol=1e-6)


def test_slds_shapes_dtypes_and_layout(switching):
    assert switching.modes.shape == (2000,) and switching.modes.dtype == np.int64
    assert switching.controls is None and switching.dynamics.kind == "slds"
    assert switching.dynamics.matrices.shape == (4, 3, 3)
    assert switching.dynamics.n_modes == 4


@pytest.mark.parametrize("generator", [lds, slds])
def test_same_seed_gives_bit_identical_data(generator):
    first, second = generator(**SMALL, random_state=3), generator(**SMALL, random_state=3)
    for name in ("observed", "latents", "trial", "time", "trial_starts"):
        assert np.array_equal(getattr(first, name), getattr(second, name))
    assert np.array_equal(first.dynamics.matrices, second.dynamics.matrices)
    assert not np.allclose(first.latents, generator(**SMALL, random_state=4).latents)


def test_lds_follows_a_x_plus_b_u_with_the_stated_noise(controlled):
    data = controlled
    eps = residuals(data, controls=data.controls[:-1])
    assert eps.std() == pytest.approx(0.01, rel=0.05)
    assert np.abs(eps.mean(axis=0)).max() < 5 * 0.01 / np.sqrt(len(eps))
    b = data.dynamics.control_matrix
    np.testing.assert_allclose(np.linalg.norm(b, axis=0), 1.0)  # unit input directions
    assert data.controls.std() == pytest.approx(0.03, rel=0.05)
    # without B u the residuals are much larger: the inputs move the state
    x, same = data.latents, data.trial[1:] == data.trial[:-1]
    no_input = (x[1:] - x[:-1] @ data.dynamics.matrices[0].T)[same]
    assert no_input.std() > 2 * eps.std()


def test_slds_noise_free_step_and_best_modes_reproduce_the_data(switching):
    eps = residuals(switching, modes=switching.modes[:-1])
    assert eps.std() == pytest.approx(1e-6, rel=0.05)
    x, same = switching.latents, switching.trial[1:] == switching.trial[:-1]
    best = switching.dynamics.best_modes(x[:-1], x[1:])
    assert np.array_equal(best[same], switching.modes[:-1][same])


@pytest.mark.parametrize("noise", [0.0, 0.05])
def test_lds_residual_std_equals_noise(noise):
    data = lds(**SMALL, noise=noise, random_state=1)
    assert residuals(data).std() == pytest.approx(noise, rel=0.05, abs=1e-12)


def test_angle_zero_is_identity_dynamics():
    data = lds(**SMALL, max_angle=0.0, noise=0.0, random_state=0)
    assert np.array_equal(data.dynamics.matrices[0], np.eye(3))
    chains = data.latents.reshape(20, 100, 3)
    assert np.array_equal(chains, np.repeat(chains[:, :1], 100, axis=1))


def test_rotations_keep_the_norm_without_noise():
    data = slds(**SMALL, noise=0.0, random_state=2)
    np.testing.assert_allclose(np.linalg.norm(data.latents, axis=1), 1.0, atol=1e-12)


def test_trials_start_apart_and_have_independent_noise():
    data = lds(**{**SMALL, "n_trials": 200}, noise=0.01, random_state=6)
    starts = data.latents[data.trial_starts]
    np.testing.assert_allclose(np.linalg.norm(starts, axis=1), 1.0)  # uniform on the sphere
    assert np.abs(starts.mean(axis=0)).max() < 4 / np.sqrt(3 * 200)
    eps = residuals(data).reshape(200, 99, 3)
    corr = np.corrcoef(eps[0::2].ravel(), eps[1::2].ravel())[0, 1]
    assert abs(corr) < 4 / np.sqrt(eps[0::2].size)


def test_box_and_explicit_initial_points():
    box = lds(**SMALL, initial="box", random_state=0)
    starts = box.latents[box.trial_starts]
    assert (np.abs(starts) <= 1).all() and (np.linalg.norm(starts, axis=1) != 1.0).any()
    points = [[1.0, 2.0, 3.0], [0.0, 0.0, 1.0]]
    given = slds(**SMALL, initial=points, random_state=0)
    np.testing.assert_array_equal(given.latents[given.trial_starts], np.array(points * 10))


def test_noise_and_inputs_do_not_change_the_dynamics_or_the_mixing():
    base = lds(**SMALL, noise=0.01, random_state=9)
    other = lds(**SMALL, noise=0.2, n_controls=1, random_state=9)
    assert np.array_equal(base.dynamics.matrices, other.dynamics.matrices)
    assert np.array_equal(base.mixing.readout, other.mixing.readout)
    assert np.array_equal(base.latents[base.trial_starts], other.latents[other.trial_starts])


def test_mixing_is_injective_and_readout_has_linear_default_init(controlled):
    data = controlled
    np.testing.assert_allclose(data.mixing.inverse(data.observed), data.latents, atol=1e-4)
    assert np.abs(data.mixing.readout).max() <= 1 / np.sqrt(3)
    assert len(data.mixing.mlp.weights) == 4


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"n_observed": 2}, ConfigurationError, "'n_observed' of lds must be an int in \\[3, inf\\]"),
    ({"noise": -0.1}, ConfigurationError, "'noise' of lds .* Got -0.1"),
    ({"n_controls": -1}, ConfigurationError, "'n_controls' of lds"),
    ({"control_scale": 0.0}, ConfigurationError, "'control_scale' of lds"),
    ({"initial": "ball"}, ConfigurationError,
     "'initial' of lds must be one of \\['sphere', 'box'\\] or an array .* Got 'ball'"),
    ({"initial": np.zeros((2, 4))}, DataValidationError,
     "'initial' of lds must be a finite array of shape \\(n_points, 3\\)"),
    ({"n_steps": 0}, ConfigurationError, "'n_steps' of lds"),
    ({"min_angle": 3.0, "max_angle": 2.0}, ConfigurationError, "'min_angle' of random_rotation"),
])
def test_bad_lds_arguments_are_refused(kwargs, error, match):
    with pytest.raises(error, match=match):
        lds(**{**SMALL, **kwargs}, random_state=0)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"n_modes": 0}, "'n_modes' of slds"),
    ({"switch_probability": -0.1}, "'switch_probability' of mode_transitions"),
    ({"random_state": "seed"}, "'random_state' of slds"),
])
def test_bad_slds_arguments_are_refused(kwargs, match):
    with pytest.raises(ConfigurationError, match=match):
        slds(**{**SMALL, "random_state": 0, **kwargs})
