# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""How a ``color`` argument colours the points of an embedding: shared by the PNG and HTML plots.

One value per point is continuous (float: a colour bar) or discrete (integers or booleans with
at most :data:`MAX_CLASSES` distinct values: a legend); RGB(A) rows and a single colour are drawn
as given, without a key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
from matplotlib.colors import Colormap, ListedColormap, is_color_like, to_hex

from identica.exceptions import ConfigurationError, DataValidationError

MAX_CLASSES = 20
"""Integer labels with more distinct values than this get a colour bar instead of a legend."""


@dataclass(frozen=True)
class Coloring:
    """The parsed ``color`` of a scatter plot.

    ``kind`` is ``"none"``, ``"single"`` (``color`` holds one colour), ``"rgb"`` (``values``
    holds RGB(A) rows), ``"continuous"`` (``values`` holds one float per point) or
    ``"discrete"`` (``values`` holds the class index of every point, ``classes`` the sorted
    distinct labels). ``cmap`` is the colormap of the last two kinds.
    """

    kind: str
    values: np.ndarray | None = None
    color: Any = None
    classes: np.ndarray | None = None
    cmap: Colormap | None = None

    def class_color(self, index: int) -> str:
        """Hex colour of class ``index`` (discrete kind)."""
        assert self.cmap is not None and self.classes is not None
        return to_hex(self.cmap(index / max(1, len(self.classes) - 1)))


def parse_color(color: Any, n: int, cmap: str | None, *, owner: str) -> Coloring:
    """Parse ``color`` for ``n`` points; raise with the argument named on bad input."""
    if color is None:
        return Coloring("none")
    if isinstance(color, str) or (isinstance(color, tuple) and is_color_like(color)):
        if not is_color_like(color):
            raise ConfigurationError(
                f"'color' of {owner} is the string {color!r}, which is not a matplotlib colour. "
                "Pass a colour name such as 'k', or one value per point."
            )
        return Coloring("single", color=color)
    raw = np.asarray(color)
    try:
        values = raw.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise DataValidationError(
            f"'color' of {owner} must be numeric values, RGB(A) rows or one matplotlib colour. "
            f"Could not convert {type(color).__name__}: {error}"
        ) from error
    if not (
        (values.ndim == 1 or (values.ndim == 2 and values.shape[1] in (3, 4)))
        and len(values) == n
    ):
        raise DataValidationError(
            f"'color' of {owner} must have one value (or one RGB(A) row) per point: shape "
            f"({n},) or ({n}, 3 or 4), as embedding has {n} rows. Got shape {values.shape}."
        )
    if values.ndim == 2:
        return Coloring("rgb", values=values)
    if raw.dtype.kind in "iub":
        classes, index = np.unique(raw, return_inverse=True)
        if len(classes) <= MAX_CLASSES:
            name = cmap or ("tab10" if len(classes) <= 10 else "tab20")
            colormap = _colormap(name, owner)
            if isinstance(colormap, ListedColormap) and len(classes) <= colormap.N <= MAX_CLASSES:
                # a qualitative map (tab10, Set1, ...): its first colours in order, not spread
                colormap = ListedColormap(colormap.colors[: len(classes)], name=colormap.name)
            return Coloring("discrete", values=index.astype(np.float64), classes=classes,
                            cmap=colormap)
    return Coloring("continuous", values=values, cmap=_colormap(cmap or "viridis", owner))


def _colormap(name: str, owner: str) -> Colormap:
    """The registered matplotlib colormap ``name``; else raise, listing a few."""
    try:
        return matplotlib.colormaps[name]
    except KeyError:
        raise ConfigurationError(
            f"'cmap' of {owner} must be a matplotlib colormap name such as 'viridis', 'magma' "
            f"or 'tab10'. Got {name!r}."
        ) from None
