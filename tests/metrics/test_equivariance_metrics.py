# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Oracle tests of the equivariance metrics: true latents and true actions score 1."""

from __future__ import annotations

import numpy as np
import pytest

from identica.exceptions import ConfigurationError, DataValidationError
from identica.metrics import block_r2, equivariance_r2, homomorphism_r2
from identica.synthetic import group_pairs


@pytest.fixture(scope="module", params=["O", "SO", "GL"])
def data(request):
    return group_pairs(request.param, n_elements=40, n_samples=1200, random_state=0)


def _fit(data):
    orthogonal = np.allclose(data.elements @ data.elements.transpose(0, 2, 1), np.eye(3))
    return "orthogonal" if orthogonal else "none"


def test_the_true_latents_score_one_everywhere(data):
    latents = np.c_[data.group_latents, data.content]
    assert all(np.isclose(s, 1.0) for s in block_r2(latents, data.group_latents,
                                                   data.content))
    assert all(np.isclose(s, 1.0) for s in block_r2(latents, data.group_latents,
                                                   data.content, test_size=None))
    acted = np.c_[data.group_latents_acted, data.content]
    fit = _fit(data)
    assert np.isclose(equivariance_r2(latents, acted, data.action, projection=fit), 1.0)
    assert np.isclose(equivariance_r2(latents, acted, data.action, projection=fit,
                                      group_dimension=3), 1.0)
    assert np.isclose(equivariance_r2(latents, acted, data.action, projection=fit,
                                      target="change"), 1.0)


def test_the_true_latents_keep_composition(data):
    rng = np.random.default_rng(0)
    k = data.elements[rng.integers(40, size=30)]
    l_ = data.elements[rng.integers(40, size=30)]
    x, classes = data.model.draw_latents(30 * 9, rng)
    x = x.reshape(30, 9, 3)
    c = data.model.class_vectors[classes].reshape(30, 9, -1)
    kx = np.einsum("bij,bsj->bsi", k, x)
    lkx = np.einsum("bij,bsj->bsi", l_, kx)
    gx = np.einsum("bij,bsj->bsi", l_ @ k, x)
    arrays = [np.concatenate([a, c], axis=2) for a in (x, kx, lkx, gx)]
    assert np.isclose(homomorphism_r2(*arrays, projection=_fit(data)), 1.0)


def test_an_invariant_embedding_scores_one_on_acted_and_zero_on_change(data):
    content = data.content + 0.01 * np.random.default_rng(1).normal(size=data.content.shape)
    score = equivariance_r2(content, data.content, data.action, projection="none")
    change = equivariance_r2(content, data.content, data.action, projection="none",
                             target="change")
    assert score > 0.99 and change < 0.2


def test_an_unrelated_embedding_scores_low(data):
    rng = np.random.default_rng(2)
    z, z_acted = rng.normal(size=(1200, 3)), rng.normal(size=(1200, 3))
    assert equivariance_r2(z, z_acted, data.action) < 0.1
    assert block_r2(z, data.group_latents).group < 0.1


def test_bad_inputs_are_refused():
    z = np.zeros((20, 3))
    with pytest.raises(DataValidationError, match="must describe the same pairs"):
        equivariance_r2(z, z[:10], np.zeros(20, dtype=int))
    with pytest.raises(DataValidationError, match="more than samples_per_action = 8"):
        equivariance_r2(z, z, np.arange(20) % 4)
    with pytest.raises(DataValidationError, match="finite 2-D array"):
        equivariance_r2(z[:, 0], z, np.zeros(20, dtype=int))
    with pytest.raises(ConfigurationError, match="'projection' of equivariance_r2"):
        equivariance_r2(z, z, np.zeros(20, dtype=int), projection="svd")
    with pytest.raises(ConfigurationError, match="'target' of equivariance_r2"):
        equivariance_r2(z, z, np.zeros(20, dtype=int), target="both")
    with pytest.raises(DataValidationError, match="must share one shape"):
        homomorphism_r2(np.zeros((4, 3, 2)), np.zeros((4, 3, 2)), np.zeros((4, 3, 2)),
                        np.zeros((3, 3, 2)))
