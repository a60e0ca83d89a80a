# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""random_rotation: the Givens-product sampler of the DCL generators (spec §2, §7)."""

from __future__ import annotations

import numpy as np
import pytest

from identica.exceptions import ConfigurationError
from identica.synthetic import random_rotation


def naive_rotation(n: int, low: float, high: float, seed: int) -> np.ndarray:
    """Full Givens matrices multiplied one by one, from the documented draw order."""
    rng = np.random.default_rng(seed)
    planes = [(i, j) for i in range(n) for j in range(i + 1, n)]
    angles = rng.uniform(low, high, size=len(planes))
    flips = rng.random(len(planes)) < 0.5
    result = np.eye(n)
    for (i, j), angle, flip in zip(planes, angles, flips):
        theta = np.deg2rad(-angle if flip else angle)
        givens = np.eye(n)
        givens[i, i] = givens[j, j] = np.cos(theta)
        givens[i, j], givens[j, i] = -np.sin(theta), np.sin(theta)
        result = result @ givens
    return result


@pytest.mark.parametrize("n_dims", [1, 2, 3, 6])
@pytest.mark.parametrize("max_angle", [5.0, 10.0, 90.0])
def test_rotation_is_orthogonal_with_determinant_one(n_dims, max_angle, seed):
    a = random_rotation(n_dims, max_angle=max_angle, random_state=seed)
    assert a.shape == (n_dims, n_dims) and a.dtype == np.float64
    np.testing.assert_allclose(a @ a.T, np.eye(n_dims), atol=1e-10)
    assert np.linalg.det(a) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("n_dims", [2, 4, 6])
def test_rotation_matches_a_product_of_full_givens_matrices(n_dims):
    for seed in range(5):
        np.testing.assert_allclose(
            random_rotation(n_dims, min_angle=2.0, max_angle=30.0, random_state=seed),
            naive_rotation(n_dims, 2.0, 30.0, seed), atol=1e-12)


def test_angle_zero_gives_the_identity(seed):
    assert np.array_equal(random_rotation(5, max_angle=0.0, random_state=seed), np.eye(5))


def test_plane_angles_lie_in_range_with_both_signs():
    angles = np.array([np.rad2deg(np.arctan2(a[1, 0], a[0, 0])) for a in (
        random_rotation(2, min_angle=3.0, max_angle=7.0, random_state=s) for s in range(200))])
    assert ((np.abs(angles) >= 3.0 - 1e-9) & (np.abs(angles) <= 7.0 + 1e-9)).all()
    assert 0.35 < (angles < 0).mean() < 0.65  # sign flipped with probability 1/2


def test_same_seed_same_matrix_different_seeds_differ():
    assert np.array_equal(random_rotation(6, random_state=3), random_rotation(6, random_state=3))
    assert not np.allclose(random_rotation(6, random_state=3), random_rotation(6, random_state=4))


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"n_dims": 0}, "'n_dims' of random_rotation must be an int in \\[1, inf\\]. Got 0"),
    ({"n_dims": 3, "min_angle": 5.0, "max_angle": 1.0},
     "'min_angle' of random_rotation must not exceed 'max_angle'. Got min_angle=5.0"),
    ({"n_dims": 3, "max_angle": -1.0}, "'max_angle' of random_rotation .* Got -1.0"),
    ({"n_dims": 3, "random_state": -1}, "'random_state' of random_rotation"),
])
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ConfigurationError, match=match):
        random_rotation(**kwargs)
