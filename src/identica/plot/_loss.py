# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Training curve: the loss per iteration on its own axis, its two parts on a twin axis."""

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
    """Plot the training loss against the iteration, its parts on a second y-axis.

    The loss (alignment + uniformity) is drawn on ``ax`` with its own y scale, so its decrease
    stays visible; with ``parts``, the alignment and uniformity parts of a model go on a twin
    axes that shares the iteration axis (right-hand y-axis), and one legend lists all three.

    Parameters
    ----------
    model_or_history : Embedding or array-like of shape (n_iterations,)
        A fitted :class:`~identica.Embedding` (its ``loss_history_``, and with ``parts`` its
        ``alignment_history_`` and ``uniformity_history_``), or the loss values themselves.
    ax : matplotlib Axes, optional
        Where to draw the loss. Default: a new pyplot figure.
    parts : bool, default=True
        Also draw the alignment and uniformity parts of the loss when the model has them.

    Returns
    -------
    matplotlib.axes.Axes
        The axes of the loss (``ax`` if given); its line is labelled ``"loss"`` and its x values
        are iterations 1, 2, ... The parts, labelled ``"alignment"`` and ``"uniformity"``, are
        on ``ax.figure.axes[-1]``, a twin of ``ax`` sharing its x-axis.

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
    loss = curves.pop("loss")
    iterations = np.arange(1, len(loss) + 1)
    lines = ax.plot(iterations, loss, label="loss", color="C0", linewidth=1.5)
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss (InfoNCE)", color="C0")
    if curves:
        twin = ax.twinx()
        for color, (name, values) in zip(("C1", "C2"), curves.items()):
            lines += twin.plot(iterations, values, label=name, color=color, linewidth=1.0,
                               alpha=0.8)
        twin.set_ylabel(" and ".join(curves))
        ax.legend(handles=lines, frameon=False)
    return ax


def history_of(model_or_history: Any, *, name: str, owner: str) -> np.ndarray:
    """The loss history of a fitted model (read by duck typing) or the 1-D array given."""
    if hasattr(model_or_history, "get_params"):  # an estimator: read its fitted history
        if not hasattr(type(model_or_history), "loss_history_"):
            raise DataValidationError(
                f"{name!r} of {owner} must be an identica Embedding or a 1-D array of loss "
                f"values. Got a {type(model_or_history).__name__} without loss_history_."
            )
        history = np.asarray(model_or_history.loss_history_, dtype=np.float64)
        if len(history) == 0:
            raise DataValidationError(
                f"{name!r} of {owner} has an empty loss history. Fit it first."
            )
        return history
    return as_float_array(model_or_history, name=name, owner=owner, ndim=1)


def _curves(model_or_history: Any, *, parts: bool) -> dict[str, np.ndarray]:
    """Return the named curves to draw: ``loss`` first, then the parts a model has."""
    curves = {"loss": history_of(model_or_history, name="model_or_history", owner=_OWNER)}
    if parts and hasattr(model_or_history, "get_params"):
        for name in _PARTS:
            values = getattr(model_or_history, f"{name}_history_", None)
            if values is not None:
                curves[name] = np.asarray(values, dtype=np.float64)
    return curves
