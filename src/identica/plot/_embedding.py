# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Scatter plot of two or three embedding dimensions, coloured by a label."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D

from identica.exceptions import ConfigurationError
from identica.plot._axes import as_float_array, check_ax, is_3d, new_axes
from identica.plot._colors import MAX_CLASSES, Coloring, parse_color

__all__ = ["plot_embedding"]

_OWNER = "plot_embedding"


def plot_embedding(
    embedding: Any,
    color: Any = None,
    *,
    dims: Sequence[int] = (0, 1, 2),
    ax: Axes | None = None,
    cmap: str | None = None,
    s: float = 1.0,
    title: str | None = None,
    legend: bool = True,
    color_label: str | None = None,
) -> Axes:
    """Scatter two or three dimensions of an embedding, one point per time step.

    Three ``dims`` give a 3-D scatter on a new 3-D axes (``ax=None``) or on the given
    ``projection="3d"`` axes; two give a 2-D scatter. One value per point draws a key by
    default: float values (e.g. position) a colour bar; integer or boolean labels with at most
    20 distinct values (e.g. trial type) a legend with one entry per label (more distinct
    integers get a colour bar).

    Parameters
    ----------
    embedding : array-like of shape (n_samples, n_dims)
        The embedding, e.g. the output of :meth:`identica.Embedding.transform`.
    color : array-like of shape (n_samples,) or (n_samples, 3 or 4), or a colour, optional
        One value per point, mapped through ``cmap`` (e.g. position, or integer class labels);
        RGB(A) rows; or a single matplotlib colour such as ``"k"``. Default: matplotlib's first
        colour.
    dims : sequence of 2 or 3 int, default=(0, 1, 2)
        The embedding columns to plot, distinct and in ``[0, n_dims)``.
    ax : matplotlib Axes, optional
        Where to draw; a 3-D axes for three ``dims``. Default: a new pyplot figure.
    cmap : str, optional
        Colormap for one value per point. Default: ``"viridis"`` for continuous values,
        ``"tab10"`` (``"tab20"`` past 10 labels) for discrete ones.
    s : float, default=1.0
        Marker size in points², > 0.
    title : str, optional
        Axes title.
    legend : bool, default=True
        Draw the key of one value per point: a colour bar (continuous) or a legend (discrete).
    color_label : str, optional
        Label of the colour bar, or title of the legend (e.g. ``"position (m)"``).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (``ax`` if given). Its first collection holds the points; for
        discrete labels its array holds the index of each point's label in the sorted labels.

    Raises
    ------
    DataValidationError
        If ``embedding`` is not a non-empty 2-D numeric array, or ``color`` does not have one
        entry per row of it.
    ConfigurationError
        If ``dims`` is not 2 or 3 distinct column indices, ``ax`` is not an Axes or does not
        match the number of ``dims`` (2-D vs 3-D), ``s`` is not a positive number, or ``cmap``
        is not a matplotlib colormap.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from identica.plot import plot_embedding
    >>> t = np.linspace(0, 4 * np.pi, 500)
    >>> Z = np.stack([np.cos(t), np.sin(t), t / 10], axis=1)
    >>> ax = plot_embedding(Z, color=t, ax=Figure().add_subplot(projection="3d"))
    >>> ax.name, ax.collections[0].colorbar is not None
    ('3d', True)
    >>> side = (t > 2 * np.pi).astype(int)                      # discrete labels: a legend
    >>> ax = plot_embedding(Z, side, dims=(0, 1), ax=Figure().add_subplot(), title="circle")
    >>> [text.get_text() for text in ax.get_legend().get_texts()], ax.get_title()
    (['0', '1'], 'circle')
    """
    points = as_float_array(embedding, name="embedding", owner=_OWNER, ndim=2)
    dims = check_dims(dims, points.shape[1], owner=_OWNER)
    if not (isinstance(s, numbers.Real) and not isinstance(s, bool) and s > 0):
        raise ConfigurationError(f"'s' of {_OWNER} must be a positive number. Got {s!r}.")
    coloring = parse_color(color, len(points), cmap, owner=_OWNER)
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
    scatter = ax.scatter(*columns, s=s, linewidths=0, **_scatter_style(coloring))
    ax.set_xlabel(f"dim {dims[0]}")
    ax.set_ylabel(f"dim {dims[1]}")
    if three:
        ax.set_zlabel(f"dim {dims[2]}")
    if title is not None:
        ax.set_title(title)
    if legend:
        _draw_key(ax, scatter, coloring, color_label, three=three)
    return ax


def _scatter_style(coloring: Coloring) -> dict[str, Any]:
    """The scatter keyword arguments of a parsed colour."""
    if coloring.kind == "single":
        return {"color": coloring.color}
    if coloring.kind == "rgb":
        return {"c": coloring.values}
    if coloring.kind == "continuous":
        return {"c": coloring.values, "cmap": coloring.cmap}
    if coloring.kind == "discrete":
        assert coloring.classes is not None
        norm = Normalize(0.0, max(1.0, len(coloring.classes) - 1.0))
        return {"c": coloring.values, "cmap": coloring.cmap, "norm": norm}
    return {}


def _draw_key(ax: Axes, scatter: Any, coloring: Coloring, label: str | None, *,
              three: bool) -> None:
    """A colour bar for continuous values, a legend (one entry per label) for discrete ones."""
    if coloring.kind == "continuous":
        ax.figure.colorbar(scatter, ax=ax, label=label or "", shrink=0.7 if three else 1.0,
                           pad=0.1 if three else 0.05)
    elif coloring.kind == "discrete":
        assert coloring.classes is not None and len(coloring.classes) <= MAX_CLASSES
        handles = [
            Line2D([], [], linestyle="", marker="o", markersize=5,
                   color=coloring.class_color(i), label=str(value))
            for i, value in enumerate(coloring.classes.tolist())
        ]
        ax.legend(handles=handles, title=label, loc="best", frameon=False, fontsize="small",
                  markerscale=1.0)


def check_dims(dims: Any, n_dims: int, *, owner: str) -> tuple[int, ...]:
    """Return ``dims`` as a tuple of 2 or 3 distinct column indices; else raise."""
    ok = (
        isinstance(dims, Sequence)
        and not isinstance(dims, str)
        and len(dims) in (2, 3)
        and all(isinstance(d, numbers.Integral) and not isinstance(d, bool) for d in dims)
    )
    if not ok:
        raise ConfigurationError(
            f"'dims' of {owner} must be a sequence of 2 or 3 ints (embedding columns). Got "
            f"{dims!r}."
        )
    dims = tuple(int(d) for d in dims)
    if len(set(dims)) != len(dims) or not all(0 <= d < n_dims for d in dims):
        hint = f" Pass dims={tuple(range(min(n_dims, 3)))}." if n_dims >= 2 else ""
        raise ConfigurationError(
            f"'dims' of {owner} must be distinct columns in [0, {n_dims}) of an embedding with "
            f"{n_dims} dimensions. Got {dims}.{hint}"
        )
    return dims
