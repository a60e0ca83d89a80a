# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Plot tests draw with the Agg backend (no display) and close every pyplot figure after a test."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 - after the backend is chosen
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import identica  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="package")
def fitted() -> identica.Embedding:
    """A tiny fitted model with a learned temperature (5 steps)."""
    rng = np.random.default_rng(0)
    X = rng.poisson(1.0, size=(200, 6)).astype(np.float32)
    model = identica.Embedding(
        encoder="mlp", output_dimension=3, batch_size=32, max_iterations=5, time_offset=1,
        random_state=0, device="cpu", num_threads=1, learn_temperature=True, temperature=0.5,
        learning_rate=0.05,
    )
    return model.fit(X)


@pytest.fixture
def render(tmp_path):
    """Render a figure to a PNG in ``tmp_path`` (Agg), check the file, return its path."""

    def _render(figure, name: str = "plot.png"):
        path = tmp_path / name
        figure.savefig(path, dpi=60)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        return path

    return _render
