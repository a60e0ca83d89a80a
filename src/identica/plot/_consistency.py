# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Heat map of a pairwise consistency matrix (R² of affine maps between embeddings)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from identica.exceptions import DataValidationError
from identica.plot._axes import as_float_array, check_ax, new_axes

__all__ = ["plot_consistency"]

_OWNER = "plot_consistency"


def plot_consistency(
    matrix: Any,
    *,
    labels: Sequence[str] | None = None,
    ax: Axes | None = None,
    cmap: str = "viridis",
    annotate: bool = True,
) -> Axes:
    """Draw a matrix of pairwise consistency as a heat map with a colour bar.

    Row ``i``, column ``j`` is the R² of the map from embedding ``i`` to embedding ``j``, as
    returned by :func:`identica.metrics.consistency_matrix`; NaN cells (the diagonal) stay
    blank. The colour scale runs from ``min(0, smallest value)`` to 1.

    Parameters
    ----------
    matrix : array-like of shape (n_embeddings, n_embeddings)
        Pairwise R² values.
    labels : sequence of str, optional
        One name per embedding (e.g. ``["seed 0", "seed 1"]``). Default: ``0, 1, ...``.
    ax : matplotlib Axes, optional
        Where to draw. Default: a new pyplot figure.
    cmap : str, default="viridis"
        Colormap.
    annotate : bool, default=True
        Write each finite value (two decimals) in its cell.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (``ax`` if given); its first image holds ``matrix``.

    Raises
    ------
    DataValidationError
        If ``matrix`` is not a square 2-D numeric array, or ``labels`` does not have one entry
        per row.
    ConfigurationError
        If ``ax`` is not a matplotlib Axes.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from identica.plot import plot_consistency
    >>> matrix = np.array([[np.nan, 0.97], [0.95, np.nan]])
    >>> ax = plot_consistency(matrix, labels=["seed 0", "seed 1"], ax=Figure().add_subplot())
    >>> [t.get_text() for t in ax.texts]
    ['0.97', '0.95']
    """
    values = as_float_array(matrix, name="matrix", owner=_OWNER, ndim=2)
    n = values.shape[0]
    if values.shape != (n, n):
        raise DataValidationError(
            f"'matrix' of {_OWNER} must be square, one row and column per embedding. Got shape "
            f"{values.shape}."
        )
    names = [str(i) for i in range(n)] if labels is None else [str(x) for x in labels]
    if len(names) != n:
        raise DataValidationError(
            f"'labels' of {_OWNER} must have one entry per row of matrix ({n}). Got "
            f"{len(names)}: {names!r}."
        )
    ax = new_axes() if ax is None else check_ax(ax, owner=_OWNER)
    finite = values[np.isfinite(values)]
    low = min(0.0, float(finite.min())) if finite.size else 0.0
    image = ax.imshow(values, cmap=cmap, vmin=low, vmax=1.0)
    ax.figure.colorbar(image, ax=ax, label="R²")
    ax.set_xticks(range(n), names)
    ax.set_yticks(range(n), names)
    ax.set_xlabel("to")
    ax.set_ylabel("from")
    if annotate:
        middle = (low + 1.0) / 2
        for i in range(n):
            for j in range(n):
                if np.isfinite(values[i, j]):
                    shade = "black" if values[i, j] > middle else "white"
                    ax.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center", color=shade)
    return ax
