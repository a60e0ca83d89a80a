# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""plot_drift_stream draws one line per method and both severities."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from identica.plot import plot_drift_stream  # noqa: E402


def test_plot_drift_stream_on_given_axes():
    fig, axes = plt.subplots(2, 1)
    r2 = {"none": [0.5, 0.4, 0.3], "stats": [0.6, 0.6, 0.5]}
    top, bottom = plot_drift_stream(r2, np.linspace(0, 5, 1500), np.zeros(1500), window=500,
                                    ax=axes)
    assert top is axes[0] and bottom is axes[1]
    assert len(top.get_lines()) == 2 and len(bottom.get_lines()) == 2
    np.testing.assert_allclose(top.get_lines()[1].get_xdata(), [250, 750, 1250])
    plt.close(fig)


def test_plot_drift_stream_makes_its_own_figure():
    top, bottom = plot_drift_stream({"none": [0.1]}, [0.0] * 10, [1.0] * 10, window=10)
    assert top.figure is bottom.figure
    plt.close(top.figure)
