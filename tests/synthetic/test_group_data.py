# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Group elements and group-action pairs: the samplers' guarantees and the data model."""

from __future__ import annotations

import numpy as np
import pytest

from identica.exceptions import ConfigurationError, DataValidationError
from identica.synthetic import (
    GL_DET_BOUNDS,
    GL_INVERSE_TOLERANCE,
    group_pairs,
    random_group_elements,
)


@pytest.mark.parametrize("n", [2, 3, 5])
def test_gl_elements_satisfy_the_rejection_bounds(n):
    a = random_group_elements("GL", n, 500, random_state=0)
    det = np.abs(np.linalg.det(a))
    assert a.shape == (500, n, n)
    assert ((det > GL_DET_BOUNDS[0]) & (det < GL_DET_BOUNDS[1])).all()
    error = np.linalg.norm(np.eye(n) - a @ np.linalg.inv(a), axis=(1, 2))
    assert (error < GL_INVERSE_TOLERANCE).all()


@pytest.mark.parametrize("group", ["O", "SO"])
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_orthogonal_elements_are_orthogonal(group, n):
    a = random_group_elements(group, n, 200, random_state=1)
    assert np.allclose(a @ a.transpose(0, 2, 1), np.eye(n), atol=1e-10)
    det = np.linalg.det(a)
    if group == "SO":
        assert np.allclose(det, 1.0)
    elif n > 1:  # Haar on O(n): both components
        assert (det < 0).any() and (det > 0).any()


def test_elements_are_a_pure_function_of_the_seed():
    for group in ("O", "SO", "GL"):
        a = random_group_elements(group, 3, 10, random_state=3)
        b = random_group_elements(group, 3, 10, random_state=np.random.default_rng(3))
        assert np.array_equal(a, b)


@pytest.mark.parametrize("group, order", [("cyclic", 6), ("dihedral", 8)])
def test_finite_groups_are_closed_under_composition(group, order):
    a = random_group_elements(group, 3, order)
    products = np.einsum("aij,bjk->abik", a, a).reshape(-1, 3, 3)
    distance = np.abs(products[:, None] - a[None]).max(axis=(2, 3))
    assert (distance.min(axis=1) < 1e-9).all()
    assert np.allclose(a @ a.transpose(0, 2, 1), np.eye(3))


def test_bad_group_arguments_are_refused():
    with pytest.raises(ConfigurationError, match="'group' of random_group_elements"):
        random_group_elements("U", 3, 4)
    with pytest.raises(ConfigurationError, match="must be even for the dihedral group"):
        random_group_elements("dihedral", 3, 5)
    with pytest.raises(ConfigurationError, match="'n' of random_group_elements"):
        random_group_elements("cyclic", 1, 4)


def test_group_pairs_follow_the_model():
    data = group_pairs("GL", n_elements=20, n_samples=400, n_classes=7, random_state=0)
    model = data.model
    assert data.observed.shape == data.observed_acted.shape == (400, 50)
    assert data.observed.dtype == np.float32
    assert np.bincount(data.action).tolist() == [20] * 20
    assert np.allclose(np.linalg.norm(data.group_latents, axis=1), 1.0)
    acted = np.einsum("nij,nj->ni", data.elements[data.action], data.group_latents)
    assert np.allclose(acted, data.group_latents_acted)
    assert np.array_equal(data.content, model.class_vectors[data.classes])
    assert np.allclose(data.observed, model.observe(data.group_latents, data.content))
    assert np.allclose(data.observed_acted, model.observe(acted, data.content))
    # the mixing is invertible: observations determine the latents
    latents = model.mixing.inverse(np.linalg.lstsq(model.projection, data.observed.T.astype(
        np.float64), rcond=None)[0].T)
    assert np.allclose(latents[:, :3], data.group_latents, atol=1e-3)
    bound = 1 / np.sqrt(6)
    assert np.abs(model.projection).max() <= bound


def test_group_pairs_are_a_pure_function_of_the_seed():
    a = group_pairs("O", n_elements=5, n_samples=50, random_state=4)
    b = group_pairs("O", n_elements=5, n_samples=50, random_state=4)
    assert np.array_equal(a.observed, b.observed) and np.array_equal(a.action, b.action)
    fresh_a = a.model.draw(np.arange(10) % 5, random_state=1)
    fresh_b = b.model.draw(np.arange(10) % 5, random_state=1)
    assert np.array_equal(fresh_a.observed_acted, fresh_b.observed_acted)


def test_draw_refuses_unknown_actions():
    model = group_pairs("O", n_elements=5, n_samples=10, random_state=0).model
    with pytest.raises(DataValidationError, match=r"'action' of GroupActionModel.draw"):
        model.draw([0, 5])
    with pytest.raises(ConfigurationError, match="'n_samples' of group_pairs"):
        group_pairs(n_samples=0)
