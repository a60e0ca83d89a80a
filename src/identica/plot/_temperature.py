# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The InfoNCE temperature of a model: where it started, where training left it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes

from identica.exceptions import DataValidationError
from identica.plot._axes import as_float_array, check_ax, new_axes

if TYPE_CHECKING:
    from identica.estimator import Embedding

__all__ = ["plot_temperature"]

_OWNER = "plot_temperature"


def plot_temperature(
    model_or_history: Embedding | Any,
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Plot the InfoNCE temperature over training: its start and end value, or a history.

    A fitted model does not record its temperature at every step (the training loop keeps
    only the loss and its two parts, so that a step costs nothing extra). For a model, each
    objective's temperature is drawn at iteration 0 (the ``temperature`` it was configured
    with) and at ``n_iter_`` (the value its loss module holds now), joined by a dotted line;
    a learned temperature also gets its floor ``min_temperature`` as a dashed line. To see
    the whole course, record ``float(model.loss_.temperature)`` yourself (for example every
    ``partial_fit`` of a few steps) and pass the values.

    Parameters
    ----------
    model_or_history : Embedding or array-like of shape (n_iterations,)
        A fitted :class:`~identica.Embedding` (read: ``loss_``, ``n_iter_`` and the
        ``temperature`` and ``objectives`` parameters), or temperature values, one per
        iteration, drawn at iterations 1, 2, ...
    ax : matplotlib Axes, optional
        Where to draw. Default: a new pyplot figure.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (``ax`` if given). For a model, one line per objective from
        ``(0, start)`` to ``(n_iter_, end)``, labelled with both values and ``(fixed)`` when
        the temperature was not learned.

    Raises
    ------
    NotFittedError
        If ``model_or_history`` is an Embedding that is not fitted.
    DataValidationError
        If ``model_or_history`` is neither a fitted model with a loss module nor a non-empty
        1-D array of positive numbers.
    ConfigurationError
        If ``ax`` is not a matplotlib Axes.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from identica.plot import plot_temperature
    >>> taus = 0.1 + 0.9 * np.exp(-np.arange(300) / 80)   # e.g. recorded between partial_fits
    >>> ax = plot_temperature(taus, ax=Figure().add_subplot())
    >>> ax.get_lines()[0].get_label(), ax.get_ylabel()
    ('temperature', 'temperature τ')
    """
    ax_given = ax
    if hasattr(model_or_history, "get_params"):
        curves = _model_temperatures(model_or_history)
    else:
        values = as_float_array(model_or_history, name="model_or_history", owner=_OWNER, ndim=1)
        bad = np.flatnonzero(~(values > 0) | ~np.isfinite(values))
        if bad.size:
            raise DataValidationError(
                f"'model_or_history' of {_OWNER} must hold positive finite temperatures. Got "
                f"{values[bad[0]]} at index {bad[0]}."
            )
        curves = None
    ax = new_axes() if ax_given is None else check_ax(ax_given, owner=_OWNER)
    if curves is None:
        ax.plot(np.arange(1, len(values) + 1), values, label="temperature", linewidth=1.5)
    else:
        n_iter, objectives = curves
        floors = set()
        for name, start, end, learned, floor in objectives:
            note = "" if learned else " (fixed)"
            ax.plot([0, n_iter], [start, end], linestyle=":", marker="o",
                    label=f"{name}: {start:.3g} → {end:.3g}{note}")
            if learned:
                floors.add(floor)
        for floor in sorted(floors):
            ax.axhline(floor, linestyle="--", color="0.5", linewidth=1.0,
                       label=f"min_temperature = {floor:g}")
        ax.legend(frameon=False)
    ax.set_xlabel("iteration")
    ax.set_ylabel("temperature τ")
    if title is not None:
        ax.set_title(title)
    return ax


def _model_temperatures(model: Any) -> tuple[int, list[tuple[str, float, float, bool, float]]]:
    """``n_iter_`` and ``(name, start, end, learned, floor)`` of every objective of ``model``."""
    if not (hasattr(type(model), "loss_") and hasattr(type(model), "n_iter_")):
        raise DataValidationError(
            f"'model_or_history' of {_OWNER} must be a fitted identica Embedding or a 1-D array "
            f"of temperatures. Got a {type(model).__name__} without loss_ and n_iter_."
        )
    loss = model.loss_  # raises NotFittedError on an unfitted Embedding
    modules = list(getattr(loss, "losses", [loss]))
    params = model.get_params()
    default = float(params.get("temperature", 1.0))
    objectives = list(params.get("objectives") or [])
    try:
        conditionals = list(model.objective_conditionals_)
    except AttributeError:
        conditionals = []
    rows = []
    for k, module in enumerate(modules):
        configured = getattr(objectives[k], "temperature", None) if k < len(objectives) else None
        start = default if configured is None else float(configured)
        value = module.temperature
        end = float(value.detach() if hasattr(value, "detach") else value)
        name = "temperature" if len(modules) == 1 else f"objective {k}"
        if len(modules) > 1 and k < len(conditionals):
            name += f" ({conditionals[k]})"
        rows.append((name, start, end, bool(getattr(module, "learn_temperature", False)),
                     float(getattr(module, "min_temperature", 0.0))))
    return int(model.n_iter_), rows
