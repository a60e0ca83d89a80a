# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Decoding R² over a drifting stream per method, with the walk's severities beneath."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["plot_drift_stream"]


def plot_drift_stream(r2: Mapping[str, Sequence[float]], severity_a: Sequence[float],
                      severity_b: Sequence[float], *, window: int = 1000,
                      ax: Sequence[Any] | None = None) -> tuple[Any, Any]:
    """Per-window R² of each method (top) and the two severities of the walk (bottom).

    Parameters
    ----------
    r2 : mapping of str to sequence of float
        Method name to per-window R².
    severity_a, severity_b : sequence of float, shape (n_samples,)
        Severities of the pair's first and second operator per sample.
    window : int, default=1000
        Samples per R² window (the x axis is in samples).
    ax : pair of matplotlib Axes, optional
        Where to draw; a new figure with two stacked panels otherwise.

    Returns
    -------
    tuple of Axes
        (R² axes, severity axes).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from identica.plot import plot_drift_stream
    >>> top, bottom = plot_drift_stream({"none": [0.5, 0.4]}, np.zeros(2000), np.ones(2000))
    >>> top.get_ylabel(), bottom.get_ylabel()
    ('decoding R²', 'severity')
    """
    if ax is None:
        import matplotlib.pyplot as plt  # only when a new figure is needed

        _, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(8, 4.5),
                                        gridspec_kw={"height_ratios": [3, 1]})
    else:
        top, bottom = ax
    for name, values in r2.items():
        values = np.asarray(values, dtype=float)
        centres = (np.arange(len(values)) + 0.5) * window
        top.plot(centres, values, label=name, linewidth=1.2)
    top.set_ylabel("decoding R²")
    top.legend(fontsize=7, ncol=3, loc="lower left")
    samples = np.arange(len(severity_a))
    bottom.plot(samples, severity_a, label="operator A", linewidth=1.0)
    bottom.plot(samples, severity_b, label="operator B", linewidth=1.0)
    bottom.set_ylabel("severity")
    bottom.set_xlabel("stream sample")
    bottom.set_ylim(-0.2, 5.2)
    bottom.legend(fontsize=7, loc="upper right")
    return top, bottom
