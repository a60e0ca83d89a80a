# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""ObservationMap: the injective mixing of the DCL generators (spec §2, NonlinearLinear)."""

from __future__ import annotations

import numpy as np
import pytest

from identica.exceptions import DataValidationError
from identica.synthetic import MixingMLP, ObservationMap, mixing_mlp


@pytest.fixture
def g():
    mlp = mixing_mlp(4, n_layers=3, pool=100, random_state=0)
    readout = np.random.default_rng(1).uniform(-0.5, 0.5, size=(12, 4))
    return ObservationMap(mlp, readout, center=[1.0, 0.0, -1.0, 2.0], scale=[2.0, 1.0, 1.0, 3.0])


def test_map_is_the_standardised_mlp_then_the_readout(g, seed):
    x = np.random.default_rng(seed).normal(size=(50, 4))
    expected = g.mlp((x - [1.0, 0.0, -1.0, 2.0]) / [2.0, 1.0, 1.0, 3.0]) @ g.readout.T
    np.testing.assert_allclose(g(x), expected, atol=1e-14)
    assert (g.n_latents, g.n_observed) == (4, 12)


def test_inverse_recovers_the_latents(g, seed):
    x = 5.0 * np.random.default_rng(seed).normal(size=(200, 4))
    np.testing.assert_allclose(g.inverse(g(x)), x, atol=1e-9)


def test_distinct_latents_give_distinct_observations(g, seed):
    x = np.random.default_rng(seed).normal(size=(500, 4))
    y = g(x)
    distances = np.linalg.norm(y[:, None] - y[None], axis=2)
    assert distances[~np.eye(500, dtype=bool)].min() > 1e-6


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"mlp": "mlp", "readout": np.eye(2)}, "'mlp' of ObservationMap must be a MixingMLP"),
    ({"readout": np.ones((5, 2))},
     "'readout' of ObservationMap must be a finite \\(n_observed, 2\\) matrix of full column"),
    ({"readout": np.eye(3)}, "Got shape \\(3, 3\\)"),
    ({"readout": np.eye(2), "scale": [1.0, 0.0]}, "'scale' positive"),
    ({"readout": np.eye(2), "center": [1.0]}, "'center' and 'scale' of ObservationMap"),
])
def test_bad_fields_are_refused(kwargs, match):
    kwargs = {"mlp": MixingMLP([np.eye(2)]), **kwargs}
    with pytest.raises(DataValidationError, match=match):
        ObservationMap(**kwargs)


def test_bad_inputs_are_refused(g):
    with pytest.raises(DataValidationError, match="'x' of ObservationMap must be 2-D with 4"):
        g(np.zeros((3, 5)))
    with pytest.raises(DataValidationError, match="'y' of ObservationMap.inverse must be 2-D with"):
        g.inverse(np.zeros((3, 4)))
