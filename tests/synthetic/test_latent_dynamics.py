# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""LatentDynamics: the true noise-free step and best modes of the DCL generators."""

from __future__ import annotations

import numpy as np
import pytest

from identica.exceptions import ConfigurationError, DataValidationError
from identica.synthetic import LatentDynamics, mode_transitions, random_rotation


@pytest.fixture
def switching():
    matrices = np.stack([random_rotation(3, max_angle=30.0, random_state=s) for s in range(4)])
    return LatentDynamics("slds", matrices=matrices,
                          transition=mode_transitions(4, 0.1, random_state=0))


def hand_euler(point, dt):
    x, y, z = point
    return [x + dt * 10.0 * (y - x), y + dt * (x * (28.0 - z) - y),
            z + dt * (x * y - 8.0 / 3.0 * z)]


def test_lorenz_step_is_one_hand_written_euler_step():
    points = np.array([[1.0, 2.0, 3.0], [-8.0, 7.5, 27.0], [0.0, 1.0, 0.0]])
    f = LatentDynamics("lorenz", dt=0.005)
    expected = [hand_euler(p, 0.005) for p in points]
    np.testing.assert_allclose(f.step(points), expected, rtol=1e-14)
    assert f.n_modes == 1 and f.n_latents == 3
    assert (f.best_modes(points, points) == 0).all()


def test_slds_step_applies_every_row_its_own_matrix(switching, seed):
    rng = np.random.default_rng(seed)
    x, modes = rng.normal(size=(50, 3)), rng.integers(0, 4, size=50)
    expected = np.array([switching.matrices[k] @ row for k, row in zip(modes, x)])
    np.testing.assert_allclose(switching.step(x, modes=modes), expected, atol=1e-14)


def test_lds_step_with_controls_is_a_x_plus_b_u(seed):
    rng = np.random.default_rng(seed)
    a, b = random_rotation(3, random_state=seed), rng.normal(size=(3, 2))
    f = LatentDynamics("lds", matrices=a[None], control_matrix=b)
    x, u = rng.normal(size=(20, 3)), rng.normal(size=(20, 2))
    expected = np.array([a @ xi + b @ ui for xi, ui in zip(x, u)])
    np.testing.assert_allclose(f.step(x, controls=u), expected, atol=1e-14)
    assert (f.best_modes(x, f.step(x, controls=u), controls=u) == 0).all()


def test_best_modes_recover_the_modes_of_noise_free_steps(switching, seed):
    rng = np.random.default_rng(seed)
    x, modes = rng.normal(size=(200, 3)), rng.integers(0, 4, size=200)
    best = switching.best_modes(x, switching.step(x, modes=modes))
    assert best.dtype == np.int64
    assert np.array_equal(best, modes)


def test_arrays_are_read_only_copies(switching):
    matrices = np.eye(2)[None].copy()
    f = LatentDynamics("lds", matrices=matrices)
    matrices[0, 0, 0] = 5.0
    assert f.matrices[0, 0, 0] == 1.0
    with pytest.raises(ValueError, match="read-only"):
        switching.matrices[0, 0, 0] = 2.0


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"kind": "ode"}, ConfigurationError, "'kind' of LatentDynamics must be one of"),
    ({"kind": "lds"}, ConfigurationError, "'matrices' of LatentDynamics is needed"),
    ({"kind": "slds", "matrices": np.eye(2)[None]}, ConfigurationError,
     "'transition' of LatentDynamics is needed"),
    ({"kind": "lorenz", "dt": 0.01, "matrices": np.eye(3)[None]}, ConfigurationError,
     "'matrices' of LatentDynamics must be None for kind='lorenz'"),
    ({"kind": "lorenz", "dt": 0.0}, ConfigurationError, "'dt' of LatentDynamics"),
    ({"kind": "lds", "matrices": np.ones((2, 2, 3))}, DataValidationError,
     "'matrices' of LatentDynamics must have shape \\(n_modes, d, d\\)"),
    ({"kind": "lds", "matrices": np.ones((2, 3, 3))}, DataValidationError,
     "n_modes = 1 for kind=lds"),
    ({"kind": "lds", "matrices": np.eye(2)[None], "control_matrix": np.ones((3, 1))},
     DataValidationError, "'control_matrix' of LatentDynamics must have shape \\(d, n_controls\\)"),
    ({"kind": "slds", "matrices": np.stack([np.eye(2)] * 2), "transition": [[1.0, 0.5],
                                                                            [0.0, 1.0]]},
     DataValidationError, "'transition' of LatentDynamics must be a \\(2, 2\\) row-stochastic"),
    ({"kind": "lds", "matrices": np.full((1, 2, 2), np.nan)}, DataValidationError,
     "'matrices' of LatentDynamics must be a finite 3-D array"),
    ({"kind": "lds", "matrices": np.eye(2)[None], "noise": -1.0}, ConfigurationError,
     "'noise' of LatentDynamics"),
])
def test_bad_fields_are_refused(kwargs, error, match):
    with pytest.raises(error, match=match):
        LatentDynamics(**kwargs)


def test_bad_step_arguments_are_refused(switching):
    x = np.zeros((4, 3))
    with pytest.raises(DataValidationError, match="'x' of LatentDynamics must be 2-D"):
        switching.step(np.zeros((4, 2)), modes=np.zeros(4, dtype=int))
    with pytest.raises(DataValidationError, match="'modes' of LatentDynamics.step is needed"):
        switching.step(x)
    with pytest.raises(DataValidationError, match="must be 4 ints in \\[0, 4\\)"):
        switching.step(x, modes=np.array([0, 1, 2, 4]))
    with pytest.raises(DataValidationError, match="must be 4 ints"):
        switching.step(x, modes=np.zeros(4))
    with pytest.raises(DataValidationError, match="'controls' of LatentDynamics.step must be None"):
        switching.step(x, modes=np.zeros(4, dtype=int), controls=np.zeros((4, 1)))
    controlled = LatentDynamics("lds", matrices=np.eye(3)[None], control_matrix=np.ones((3, 2)))
    with pytest.raises(DataValidationError, match="finite \\(4, 2\\) array .* Got None"):
        controlled.step(x)
    with pytest.raises(DataValidationError, match="'x' and 'x_next' of LatentDynamics"):
        switching.best_modes(x, x[:2])
