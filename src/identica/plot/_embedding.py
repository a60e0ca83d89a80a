# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Scatter plot of two or three embedding dimensions, coloured by a label."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import is_color_like

from identica.exceptions import ConfigurationError, DataValidationError
from identica.plot._axes import as_float_array, check_ax, is_3d, new_axes

__all__ = ["plot_embedding"]

_OWNER = "plot_embedding"


def plot_embedding(
    embedding: Any,
    color: Any = None,
    *,
    dims: Sequence[int] = (0, 1, 2),
    ax: Axes | None = None,
    cmap: str = "viridis",
    s: float = 1.0,
    title: str | None = None,
) -> Axes:
    """Scatter two or three dimensions of an embedding, one point per time step.

    Three ``dims`` give a 3-D scatter on a new 3-D axes (``ax=None``) or on the given
    ``projection="3d"`` axes; two give a 2-D scatter.

    Parameters
    ----------
    embedding : array-like of shape (n_samples, n_dims)
        The embedding, e.g. the output of :meth:`identica.Embedding.transform`.
    color : array-like of shape (n_samples,) or (n_samples, 3 or 4), or a colour, optional
        One value per point, mapped through ``cmap`` (e.g. position); RGB(A) rows; or a single
        matplotlib colour such as ``"k"``. Default: matplotlib's first colour.
    dims : sequence of 2 or 3 int, default=(0, 1, 2)
        The embedding columns to plot, distinct and in ``[0, n_dims)``.
    ax : matplotlib Axes, optional
        Where to draw; a 3-D axes for three ``dims``. Default: a new pyplot figure.
    cmap : str, default="viridis"
        Colormap for one value per point.
    s : float, default=1.0
        Marker size in points², > 0.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (``ax`` if given).

    Raises
    ------
    DataValidationError
        If ``embedding`` is not a non-empty 2-D numeric array, or ``color`` does not have one
        entry per row of it.
    ConfigurationError
        If ``dims`` is not 2 or 3 distinct column indices, ``ax`` is not an Axes or does not
        match the number of ``dims`` (2-D vs 3-D), or ``s`` is not a positive number.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from identica.plot import plot_embedding
    >>> t = np.linspace(0, 4 * np.pi, 500)
    >>> Z = np.stack([np.cos(t), np.sin(t), t / 10], axis=1)
    >>> ax = plot_embedding(Z, color=t, ax=Figure().add_subplot(projection="3d"))
    >>> ax.name
    '3d'
    >>> ax = plot_embedding(Z, color=t, dims=(0, 1), ax=Figure().add_subplot(), title="circle")
    >>> len(ax.collections[0].get_offsets()), ax.get_title()
    (500, 'circle')
    """
    points = as_float_array(embedding, name="embedding", owner=_OWNER, ndim=2)
    dims = _check_dims(dims, points.shape[1])
    if not (isinstance(s, numbers.Real) and not isinstance(s, bool) and s > 0):
        raise ConfigurationError(f"'s' of {_OWNER} must be a positive number. Got {s!r}.")
    style = _color_style(color, len(points), cmap)
    three = len(dims) == 3
    if ax is None:
        ax = new_axes(projection="3d" if three else None)
    elif is_3d(check_ax(ax, owner=_OWNER)) != three:
        kind = "a 3-D axes" if is_3d(ax) else "a 2-D axes"
        fix = (
            "pass dims with 3 entries" if is_3d(ax)
            else "create the axes with fig.add_subplot(projection='3d')"
        )
        raise ConfigurationError(
            f"'ax' of {_OWNER} is {kind}, but dims={dims} has {len(dims)} entries. To fix, "
            f"{fix}, or leave ax=None."
        )
    columns = [points[:, d] for d in dims]
    ax.scatter(*columns, s=s, linewidths=0, **style)
    ax.set_xlabel(f"dim {dims[0]}")
    ax.set_ylabel(f"dim {dims[1]}")
    if three:
        ax.set_zlabel(f"dim {dims[2]}")
    if title is not None:
        ax.set_title(title)
    return ax


def _check_dims(dims: Any, n_dims: int) -> tuple[int, ...]:
    """Return ``dims`` as a tuple of 2 or 3 distinct column indices; else raise."""
    ok = (
        isinstance(dims, Sequence)
        and not isinstance(dims, str)
        and len(dims) in (2, 3)
        and all(isinstance(d, numbers.Integral) and not isinstance(d, bool) for d in dims)
    )
    if not ok:
        raise ConfigurationError(
            f"'dims' of {_OWNER} must be a sequence of 2 or 3 ints (embedding columns). Got "
            f"{dims!r}."
        )
    dims = tuple(int(d) for d in dims)
    if len(set(dims)) != len(dims) or not all(0 <= d < n_dims for d in dims):
        hint = f" Pass dims={tuple(range(min(n_dims, 3)))}." if n_dims >= 2 else ""
        raise ConfigurationError(
            f"'dims' of {_OWNER} must be distinct columns in [0, {n_dims}) of an embedding with "
            f"{n_dims} dimensions. Got {dims}.{hint}"
        )
    return dims


def _color_style(color: Any, n: int, cmap: str) -> dict[str, Any]:
    """Return the scatter keyword arguments for ``color``; raise on a length mismatch."""
    if color is None:
        return {}
    if isinstance(color, str) or (isinstance(color, tuple) and is_color_like(color)):
        if not is_color_like(color):
            raise ConfigurationError(
                f"'color' of {_OWNER} is the string {color!r}, which is not a matplotlib colour. "
                "Pass a colour name such as 'k', or one value per point."
            )
        return {"color": color}
    try:
        values = np.asarray(color, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise DataValidationError(
            f"'color' of {_OWNER} must be numeric values, RGB(A) rows or one matplotlib colour. "
            f"Could not convert {type(color).__name__}: {error}"
        ) from error
    if not (
        (values.ndim == 1 or (values.ndim == 2 and values.shape[1] in (3, 4)))
        and len(values) == n
    ):
        raise DataValidationError(
            f"'color' of {_OWNER} must have one value (or one RGB(A) row) per point: shape "
            f"({n},) or ({n}, 3 or 4), as embedding has {n} rows. Got shape {values.shape}."
        )
    if values.ndim == 2:
        return {"c": values}
    return {"c": values, "cmap": cmap}
