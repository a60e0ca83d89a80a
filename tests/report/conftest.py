# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Shared tiny fits of the report tests: the synthetic track and one report with controls."""

from __future__ import annotations

import numpy as np
import pytest

import identica
from identica.report import QualityReport, quality_report


def _config(**extra):
    params = {"encoder": "mlp", "output_dimension": 3, "batch_size": 128,
              "max_iterations": 150, "time_offset": 1, "num_threads": 1, **extra}
    return identica.Embedding(**params)


@pytest.fixture(scope="package")
def small_config():
    """A factory of tiny Embedding configurations (mlp, 3-D, 150 steps of batch 128)."""
    return _config


@pytest.fixture(scope="package")
def track():
    return identica.synthetic.linear_track(n_samples=2000, n_neurons=40)


@pytest.fixture(scope="package")
def report(track) -> QualityReport:
    """Two seeds, the controls, the truth as reference, an identity and a noise perturbation."""
    return quality_report(_config(), track.neural, track.continuous[:, 0], seeds=(0, 1),
                          truth=track.truth["position"],
                          noise={"same": lambda X: X, "gaussian": lambda X: X + np.random.
                                 default_rng(0).normal(size=X.shape)})
