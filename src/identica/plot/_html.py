# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Interactive 3-D scatter of an embedding, written as one self-contained plotly HTML file."""

from __future__ import annotations

import numbers
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.colors import to_hex

from identica.exceptions import ConfigurationError
from identica.plot._axes import as_float_array
from identica.plot._colors import Coloring, parse_color
from identica.plot._embedding import check_dims

__all__ = ["plot_embedding_html"]

_OWNER = "plot_embedding_html"


def plot_embedding_html(
    embedding: Any,
    color: Any,
    path: str | os.PathLike[str],
    *,
    dims: Sequence[int] = (0, 1, 2),
    cmap: str | None = None,
    s: float = 2.0,
    title: str | None = None,
    color_label: str | None = None,
) -> Any:
    """Write an interactive 3-D scatter of an embedding to a self-contained HTML file.

    The file embeds plotly.js (about 4.5 MB), so it opens in any browser without a network
    connection; drag to rotate, scroll to zoom, hover for the time step and colour value.
    Colours follow :func:`plot_embedding`: float values get a colour bar, integer or boolean
    labels with at most 20 distinct values one legend entry each (click one to hide it).
    Needs plotly, part of the ``[plot]`` extra.

    Parameters
    ----------
    embedding : array-like of shape (n_samples, n_dims)
        The embedding, e.g. the output of :meth:`identica.Embedding.transform`.
    color : array-like of shape (n_samples,) or (n_samples, 3 or 4), a colour, or None
        One value per point, mapped through ``cmap``; RGB(A) rows in [0, 1]; a single
        matplotlib colour; or ``None`` for one plain colour.
    path : str or os.PathLike
        The HTML file to write (its folder must exist); overwritten if present.
    dims : sequence of 3 int, default=(0, 1, 2)
        The embedding columns to plot, distinct and in ``[0, n_dims)``.
    cmap : str, optional
        A matplotlib colormap name. Default: ``"viridis"`` for continuous values, ``"tab10"``
        (``"tab20"`` past 10 labels) for discrete ones.
    s : float, default=2.0
        Marker size in pixels, > 0.
    title : str, optional
        Title above the plot.
    color_label : str, optional
        Title of the colour bar or legend (e.g. ``"position (m)"``).

    Returns
    -------
    plotly.graph_objects.Figure
        The figure written, for further changes (``fig.write_html``) or display in a notebook.

    Raises
    ------
    ImportError
        If plotly is not installed (the message says how to install it).
    DataValidationError
        If ``embedding`` is not a non-empty 2-D numeric array, or ``color`` does not have one
        entry per row of it.
    ConfigurationError
        If ``dims`` is not 3 distinct column indices, ``s`` is not a positive number, ``cmap``
        is not a matplotlib colormap, or the folder of ``path`` does not exist.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.plot import plot_embedding_html
    >>> t = np.linspace(0, 4 * np.pi, 500)
    >>> Z = np.stack([np.cos(t), np.sin(t), t / 10], axis=1)
    >>> fig = plot_embedding_html(Z, t, "embedding.html", color_label="time")
    >>> fig.data[0].type, len(fig.data[0].x)
    ('scatter3d', 500)
    >>> from pathlib import Path
    >>> html = Path("embedding.html").read_text(encoding="utf-8")
    >>> "<script src=" in html, len(html) > 1_000_000        # plotly.js inside, no CDN link
    (False, True)
    """
    try:
        import plotly.graph_objects as go
    except ImportError as error:
        raise ImportError(
            f"{_OWNER} needs plotly, which is not installed. Install the plot extra: "
            "pip install 'identica[plot]'"
        ) from error
    points = as_float_array(embedding, name="embedding", owner=_OWNER, ndim=2)
    dims = check_dims(dims, points.shape[1], owner=_OWNER)
    if len(dims) != 3:
        raise ConfigurationError(
            f"'dims' of {_OWNER} must name 3 embedding columns for a 3-D plot. Got {dims}; use "
            "plot_embedding for two."
        )
    if not (isinstance(s, numbers.Real) and not isinstance(s, bool) and s > 0):
        raise ConfigurationError(f"'s' of {_OWNER} must be a positive number. Got {s!r}.")
    path = Path(path)
    if not path.parent.is_dir():
        raise ConfigurationError(
            f"'path' of {_OWNER} must be in an existing folder. Got {str(path)!r}, whose folder "
            f"{str(path.parent)!r} does not exist; create it first."
        )
    coloring = parse_color(color, len(points), cmap, owner=_OWNER)
    figure = go.Figure(data=_traces(go, points[:, list(dims)], coloring, s, color_label))
    axis = {f"{name}axis_title": f"dim {d}" for name, d in zip("xyz", dims)}
    figure.update_layout(
        scene=dict(axis, aspectmode="cube"), title=title, template="plotly_white",
        legend={"title": {"text": color_label or ""}, "itemsizing": "constant"},
        margin={"l": 0, "r": 0, "t": 40 if title else 0, "b": 0},
    )
    figure.write_html(path, include_plotlyjs=True, full_html=True)
    return figure


def _traces(go: Any, xyz: np.ndarray, coloring: Coloring, s: float,
            label: str | None) -> list[Any]:
    """One Scatter3d trace, or one per label for discrete colours."""
    step = np.arange(len(xyz))
    if coloring.kind == "discrete":
        assert coloring.values is not None and coloring.classes is not None
        traces = []
        for index, value in enumerate(coloring.classes.tolist()):
            rows = coloring.values == index
            traces.append(go.Scatter3d(
                x=xyz[rows, 0], y=xyz[rows, 1], z=xyz[rows, 2], mode="markers", name=str(value),
                customdata=step[rows], hovertemplate="t=%{customdata}<extra>%{fullData.name}"
                "</extra>", marker={"size": s, "color": coloring.class_color(index)},
            ))
        return traces
    marker: dict[str, Any] = {"size": s}
    hover = "t=%{customdata}<extra></extra>"
    if coloring.kind == "continuous":
        assert coloring.cmap is not None
        stops = np.linspace(0.0, 1.0, 11)
        marker.update(
            color=coloring.values, showscale=True,
            colorscale=[[float(x), to_hex(coloring.cmap(x))] for x in stops],
            colorbar={"title": {"text": label or ""}, "thickness": 15, "len": 0.7},
        )
        hover = "t=%{customdata}<br>" + (label or "color") + "=%{marker.color:.3g}<extra></extra>"
    elif coloring.kind == "rgb":
        marker["color"] = [to_hex(np.clip(row, 0.0, 1.0), keep_alpha=True) for row in
                           coloring.values]
    elif coloring.kind == "single":
        marker["color"] = to_hex(coloring.color)
    return [go.Scatter3d(x=xyz[:, 0], y=xyz[:, 1], z=xyz[:, 2], mode="markers", marker=marker,
                         customdata=step, hovertemplate=hover, showlegend=False)]
