# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Shared fixtures: small seeded recordings, CPU by default, GPU tests skipped without a GPU."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import identica


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def seed() -> int:
    return 0


@pytest.fixture(scope="session")
def track():
    """A small linear-track recording (2,000 bins x 40 cells)."""
    return identica.synthetic.linear_track(n_samples=2000, n_neurons=40, random_state=7)


@pytest.fixture
def noise(seed):
    return np.random.default_rng(seed).normal(size=(300, 6)).astype(np.float32)
