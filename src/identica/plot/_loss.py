# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Training curve: InfoNCE loss per iteration, with its alignment and uniformity parts."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes

from identica.exceptions import DataValidationError
from identica.plot._axes import as_float_array, check_ax, new_axes

__all__ = ["plot_loss"]

_OWNER = "plot_loss"
_PARTS = ("alignment", "uniformity")


def plot_loss(model_or_history: Any, *, ax: Axes | None = None, parts: bool = True) -> Axes:
    """Plot the training loss against the iteration.

    Parameters
    ----------
    model_or_history : Embedding or array-like of shape (n_iterations,)
        A fitted :class:`~identica.Embedding` (its ``loss_history_``, and with ``parts`` its
        ``alignment_history_`` and ``uniformity_history_``), or the loss values themselves.
    ax : matplotlib Axes, optional
        Where to draw. Default: a new pyplot figure.
    parts : bool, default=True
        Also draw the alignment and uniformity parts of the loss when the model has them.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (``ax`` if given). Lines are labelled ``"loss"``, ``"alignment"``
        and ``"uniformity"``; x values are iterations 1, 2, ...

    Raises
    ------
    NotFittedError
        If ``model_or_history`` is an Embedding that is not fitted.
    DataValidationError
        If the history is not a non-empty 1-D numeric array.
    ConfigurationError
        If ``ax`` is not a matplotlib Axes.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from identica.plot import plot_loss
    >>> history = 6.2 - np.log1p(np.arange(100)) / 5
    >>> ax = plot_loss(history, ax=Figure().add_subplot())
    >>> [line.get_label() for line in ax.get_lines()], len(ax.get_lines()[0].get_ydata())
    (['loss'], 100)
    """
    curves = _curves(model_or_history, parts=parts)
    ax = new_axes() if ax is None else check_ax(ax, owner=_OWNER)
    for name, values in curves.items():
        style = {"linewidth": 1.5} if name == "loss" else {"linewidth": 1.0, "alpha": 0.8}
        ax.plot(np.arange(1, len(values) + 1), values, label=name, **style)
    ax.set_xlabel("iteration")
    ax.set_ylabel("InfoNCE")
    if len(curves) > 1:
        ax.legend(frameon=False)
    return ax


def _curves(model_or_history: Any, *, parts: bool) -> dict[str, np.ndarray]:
    """Return the named curves to draw: ``loss`` first, then the parts a model has."""
    if hasattr(model_or_history, "get_params"):  # an estimator: read its fitted histories
        if not hasattr(type(model_or_history), "loss_history_"):
            raise DataValidationError(
                f"'model_or_history' of {_OWNER} must be an identica Embedding or a 1-D array of "
                f"loss values. Got a {type(model_or_history).__name__} without loss_history_."
            )
        curves = {"loss": np.asarray(model_or_history.loss_history_, dtype=np.float64)}
        if parts:
            for name in _PARTS:
                values = getattr(model_or_history, f"{name}_history_", None)
                if values is not None:
                    curves[name] = np.asarray(values, dtype=np.float64)
        if len(curves["loss"]) == 0:
            raise DataValidationError(
                f"'model_or_history' of {_OWNER} has an empty loss history. Fit it first."
            )
        return curves
    loss = as_float_array(model_or_history, name="model_or_history", owner=_OWNER, ndim=1)
    return {"loss": loss}
