# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Heat map of an attribution map (latents x neurons), optionally beside its ground truth."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colorbar import Colorbar

from identica.exceptions import ConfigurationError, DataValidationError
from identica.plot._axes import check_ax, new_axes

__all__ = ["plot_attribution"]

_OWNER = "plot_attribution"


def plot_attribution(
    map: Any,  # noqa: A002 - the name of the quantity in the xCEBRA paper
    truth: Any = None,
    *,
    ax: Axes | Sequence[Axes] | None = None,
    cmap: str = "viridis",
    latent_names: Sequence[str] | None = None,
    title: str | None = None,
) -> Axes | tuple[Axes, Axes]:
    """Draw an attribution map as a heat map with a colour bar, optionally beside the truth.

    Row ``i``, column ``j`` of ``map`` is how much latent ``i`` drives neuron ``j`` (for
    example the ``summary`` of what :func:`identica.attribution.attribute` returns, or that
    result itself). With ``truth``, the
    ground-truth map of the same shape is drawn in a second panel on the same colour map,
    scaled from 0 (False) to 1 (True).

    Parameters
    ----------
    map : AttributionMap or array-like of shape (n_latents, n_neurons)
        Attribution scores, finite numbers: the :class:`~identica.attribution.AttributionMap`
        that :func:`identica.attribution.attribute` returns (its ``summary`` is drawn), or the
        array itself.
    truth : array-like of shape (n_latents, n_neurons), optional
        Ground truth: booleans, or numbers that are all 0 or 1 (e.g.
        ``recording.truth["attribution"]`` of :func:`identica.synthetic.attribution_benchmark`).
    ax : matplotlib Axes, or a sequence of two Axes when ``truth`` is given, optional
        Where to draw: the map goes on ``ax`` (or ``ax[0]``), the truth on ``ax[1]``. Default:
        a new pyplot figure with one panel, or two side by side.
    cmap : str, default="viridis"
        Colormap of both panels.
    latent_names : sequence of str, optional
        One name per latent (row), used as y tick labels. Default: ``0, 1, ...``.
    title : str, optional
        Title of the map panel. The truth panel is titled ``"ground truth"``.

    Returns
    -------
    matplotlib.axes.Axes or tuple of two Axes
        The axes of the map; with ``truth``, the pair ``(map_axes, truth_axes)``. The first
        image of each holds its array.

    Raises
    ------
    DataValidationError
        If ``map`` is not a non-empty 2-D array of finite numbers, ``truth`` does not have the
        shape of ``map`` or holds values other than 0 and 1, or ``latent_names`` does not have
        one entry per row.
    ConfigurationError
        If ``ax`` is not an Axes (without ``truth``) or not a sequence of two Axes (with
        ``truth``).

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from identica.plot import plot_attribution
    >>> scores = np.array([[0.9, 0.8, 0.7], [0.1, 0.2, 0.9]])
    >>> truth = np.array([[True, True, True], [False, False, True]])
    >>> axes = Figure(figsize=(8, 3)).subplots(1, 2)
    >>> map_ax, truth_ax = plot_attribution(scores, truth, ax=axes, latent_names=["z1", "z2"])
    >>> map_ax.images[0].get_array().shape, truth_ax.get_title()
    ((2, 3), 'ground truth')
    """
    values = _as_map(map)
    n_latents, n_neurons = values.shape
    names = [str(i) for i in range(n_latents)] if latent_names is None else latent_names
    names = [str(name) for name in names]
    if len(names) != n_latents:
        raise DataValidationError(
            f"'latent_names' of {_OWNER} must have one entry per row of map ({n_latents}). Got "
            f"{len(names)}: {names!r}."
        )
    if truth is None:
        map_ax = new_axes() if ax is None else check_ax(ax, owner=_OWNER)
        _draw(map_ax, values, cmap=cmap, names=names, label="attribution", vmin=None)
        if title is not None:
            map_ax.set_title(title)
        return map_ax

    mask = _as_truth(truth, values.shape)
    map_ax, truth_ax = _new_pair() if ax is None else _check_pair(ax)
    _draw(map_ax, values, cmap=cmap, names=names, label="attribution", vmin=None)
    if title is not None:
        map_ax.set_title(title)
    colorbar = _draw(truth_ax, mask, cmap=cmap, names=names, label="ground truth", vmin=0.0)
    colorbar.set_ticks([0.0, 1.0], labels=["False", "True"])
    truth_ax.set_title("ground truth")
    return map_ax, truth_ax


def _as_map(value: Any) -> np.ndarray:
    """Return ``value`` (or its ``summary``) as a non-empty 2-D float64 array of finite numbers."""
    if hasattr(value, "summary") and not isinstance(value, np.ndarray):
        value = value.summary  # an AttributionMap, read by duck typing (plot/ is a leaf layer)
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise DataValidationError(
            f"'map' of {_OWNER} must be an AttributionMap or a numeric array of shape (n_latents, "
            f"n_neurons). Could "
            f"not convert {type(value).__name__}: {error}"
        ) from error
    if array.ndim != 2 or array.size == 0:
        raise DataValidationError(
            f"'map' of {_OWNER} must be a non-empty 2-D array of shape (n_latents, n_neurons). "
            f"Got shape {array.shape}."
        )
    bad = np.argwhere(~np.isfinite(array))
    if bad.size:
        row, col = bad[0]
        raise DataValidationError(
            f"'map' of {_OWNER} must hold finite numbers. Got {array[row, col]} at index "
            f"({row}, {col})."
        )
    return array


def _as_truth(value: Any, shape: tuple[int, int]) -> np.ndarray:
    """Return ``value`` as a float64 0/1 array of ``shape``; else raise."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise DataValidationError(
            f"'truth' of {_OWNER} must be a boolean array of shape {shape} (the shape of map). "
            f"Could not convert {type(value).__name__}: {error}"
        ) from error
    if array.shape != shape:
        raise DataValidationError(
            f"'truth' of {_OWNER} must have the shape of map, {shape} (n_latents, n_neurons). "
            f"Got shape {array.shape}."
        )
    bad = np.argwhere((array != 0) & (array != 1))
    if bad.size:
        row, col = bad[0]
        raise DataValidationError(
            f"'truth' of {_OWNER} must hold booleans (or 0 and 1 only). Got {array[row, col]} "
            f"at index ({row}, {col})."
        )
    return array


def _new_pair() -> tuple[Axes, Axes]:
    """Open a new pyplot figure with two panels side by side (pyplot imported on demand)."""
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(10.0, 3.8), layout="constrained")
    left, right = figure.subplots(1, 2)
    return left, right


def _check_pair(ax: Any) -> tuple[Axes, Axes]:
    """Return ``ax`` as a pair of Axes if it is a sequence of exactly two Axes; else raise."""
    items = list(np.ravel(np.asarray(ax, dtype=object))) if _is_sequence(ax) else None
    if items is None or len(items) != 2 or not all(isinstance(a, Axes) for a in items):
        got = type(ax).__name__ if items is None else f"{len(items)} items"
        raise ConfigurationError(
            f"'ax' of {_OWNER} must be a sequence of two matplotlib Axes (map, truth) when truth "
            f"is given. Got {got}. Create them with fig.subplots(1, 2), or leave ax=None for a "
            "new figure."
        )
    return items[0], items[1]


def _is_sequence(value: Any) -> bool:
    """Whether ``value`` is a list, tuple or array (not a string)."""
    return isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, str)


def _draw(
    ax: Axes,
    values: np.ndarray,
    *,
    cmap: str,
    names: list[str],
    label: str,
    vmin: float | None,
) -> Colorbar:
    """Draw ``values`` as an image with a colour bar and latent tick labels; return the bar."""
    vmax = None if vmin is None else 1.0
    image = ax.imshow(
        values, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest"
    )
    colorbar = ax.figure.colorbar(image, ax=ax, label=label)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("neuron")
    ax.set_ylabel("latent")
    return colorbar
