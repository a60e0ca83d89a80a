# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The report's built-in perturbations: SNR as stated, deterministic, errors named."""

from __future__ import annotations

import numpy as np
import pytest

from identica.exceptions import ConfigurationError
from identica.report import channel_perturbations, noise_perturbations


@pytest.mark.parametrize("kind", ["gaussian", "poisson"])
def test_noise_has_the_stated_snr_and_repeats(kind):
    X = np.random.default_rng(0).normal(scale=[1.0, 3.0], size=(40000, 2))
    (perturb,) = noise_perturbations([2.0], kinds=[kind]).values()
    noise = perturb(X) - X
    assert noise.var(axis=0) == pytest.approx(X.var(axis=0) / 2.0, rel=0.05)
    assert abs(noise.mean()) < 0.05
    np.testing.assert_array_equal(perturb(X), perturb(X))


def test_channel_perturbations():
    X = np.ones((4, 20), dtype=np.float32)
    perturbations = channel_perturbations([0.2], [0.25], random_state=3)
    assert list(perturbations) == ["gain sd=0.2", "dropout 0.25"]
    gained = perturbations["gain sd=0.2"](X)
    assert np.all(gained > 0) and np.std(np.log(gained[0])) == pytest.approx(0.2, rel=0.5)
    assert int((perturbations["dropout 0.25"](X)[0] == 0).sum()) == 5


def test_perturbation_errors():
    with pytest.raises(ConfigurationError, match="'kinds' of noise_perturbations"):
        noise_perturbations(kinds=["uniform"])
    with pytest.raises(ConfigurationError, match="'dropouts' of channel_perturbations"):
        channel_perturbations(dropouts=[1.5])
