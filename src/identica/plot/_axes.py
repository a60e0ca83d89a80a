# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Shared helpers of the plot functions: new axes on demand, axes checks, array checks."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes

from identica.exceptions import ConfigurationError, DataValidationError


def new_axes(*, projection: str | None = None) -> Axes:
    """Open a new pyplot figure with one subplot (pyplot is imported only here, on demand)."""
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(5.0, 4.5) if projection == "3d" else (5.0, 3.8))
    return figure.add_subplot(projection=projection)


def is_3d(ax: Axes) -> bool:
    """Whether ``ax`` is a 3-D axes (``projection="3d"``)."""
    return getattr(ax, "name", None) == "3d"


def check_ax(ax: Any, *, owner: str) -> Axes:
    """Return ``ax`` if it is a matplotlib Axes; else raise."""
    if not isinstance(ax, Axes):
        raise ConfigurationError(
            f"'ax' of {owner} must be a matplotlib Axes or None. Got {type(ax).__name__}. Create "
            "one with fig.add_subplot(), or leave ax=None for a new figure."
        )
    return ax


def as_float_array(value: Any, *, name: str, owner: str, ndim: int) -> np.ndarray:
    """Return ``value`` as a float64 array of ``ndim`` dimensions and at least one row."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise DataValidationError(
            f"{name!r} of {owner} must be a numeric array. Could not convert "
            f"{type(value).__name__}: {error}"
        ) from error
    if array.ndim != ndim or array.shape[0] == 0:
        shape = "(n_samples, n_dims)" if ndim == 2 else "(n,)"
        raise DataValidationError(
            f"{name!r} of {owner} must be a non-empty {ndim}-D array of shape {shape}. Got shape "
            f"{array.shape}."
        )
    return array
