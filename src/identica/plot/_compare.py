# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Loss histories of several models on one axis, one labelled line each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes

from identica.exceptions import DataValidationError
from identica.plot._axes import check_ax, new_axes
from identica.plot._loss import history_of

if TYPE_CHECKING:
    from identica.estimator import Embedding

__all__ = ["compare_models"]

_OWNER = "compare_models"


def compare_models(
    models: Mapping[str, Embedding | Any] | Sequence[Embedding | Any],
    *,
    labels: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw the loss histories of several models on one axis, with a legend.

    Parameters
    ----------
    models : mapping of str to Embedding or array-like, or sequence of them, or 2-D array
        Fitted :class:`~identica.Embedding` models (their ``loss_history_``) or 1-D arrays of
        loss values, in any mix; histories may have different lengths. A mapping's keys are the
        legend entries.
    labels : sequence of str, optional
        Legend entries of a sequence of models, one each. Default: the mapping's keys, else
        ``"model 0"``, ``"model 1"``, ...
    ax : matplotlib Axes, optional
        Where to draw. Default: a new pyplot figure.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (``ax`` if given): one line per model, x values iterations 1, 2, ...

    Raises
    ------
    NotFittedError
        If one of ``models`` is an Embedding that is not fitted.
    DataValidationError
        If ``models`` is empty or not a mapping or sequence, a history is not a non-empty 1-D
        numeric array, ``labels`` is given with a mapping, or does not have one entry per model.
    ConfigurationError
        If ``ax`` is not a matplotlib Axes.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from identica.plot import compare_models
    >>> steps = np.arange(200)
    >>> histories = {"batch 512": 6.2 - np.log1p(steps) / 5, "batch 128": 4.8 - np.log1p(steps) / 6}
    >>> ax = compare_models(histories, ax=Figure().add_subplot())
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['batch 512', 'batch 128']
    """
    items, names = _items(models, labels)
    ax = new_axes() if ax is None else check_ax(ax, owner=_OWNER)
    for index, (name, item) in enumerate(zip(names, items)):
        history = history_of(item, name=f"models[{index}]", owner=_OWNER)
        ax.plot(np.arange(1, len(history) + 1), history, label=name, linewidth=1.2)
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss (InfoNCE)")
    ax.legend(frameon=False)
    if title is not None:
        ax.set_title(title)
    return ax


def _items(models: Any, labels: Sequence[str] | None) -> tuple[list[Any], list[str]]:
    """The models and their legend entries; raise on an empty input or a label mismatch."""
    if isinstance(models, Mapping):
        if labels is not None:
            raise DataValidationError(
                f"'labels' of {_OWNER} must be None when models is a mapping (its keys are the "
                f"labels). Got {list(labels)!r}."
            )
        items, names = list(models.values()), [str(key) for key in models]
    elif isinstance(models, (Sequence, np.ndarray)) and not isinstance(models, str):
        items = list(models)
        names = [f"model {i}" for i in range(len(items))] if labels is None else [
            str(label) for label in labels
        ]
    else:
        raise DataValidationError(
            f"'models' of {_OWNER} must be a mapping of label to model (or history) or a "
            f"sequence of them. Got {type(models).__name__}."
        )
    if not items:
        raise DataValidationError(f"'models' of {_OWNER} must hold at least one model. Got none.")
    if len(names) != len(items):
        raise DataValidationError(
            f"'labels' of {_OWNER} must have one entry per model ({len(items)}). Got "
            f"{len(names)}: {names!r}."
        )
    return items, names
