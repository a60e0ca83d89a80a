# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Figures of a quality report: radar of group scores, score heat map, Pareto front, ranks."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from identica.exceptions import ConfigurationError
from identica.plot._axes import check_ax

__all__ = ["pareto", "quality_radar", "quality_table", "rank_correlation"]


def _reports(reports: Any) -> list[Any]:
    items = list(reports) if isinstance(reports, list | tuple) else [reports]
    for r in items:
        if not all(hasattr(r, a) for a in ("models", "scores", "group_scores", "summary")):
            raise ConfigurationError(
                "the quality plots need QualityReport objects (identica.report.quality_report). "
                f"Got {type(r).__name__}."
            )
    return items


def _new(projection: str | None = None) -> Axes:
    import matplotlib.pyplot as plt

    return plt.figure(figsize=(5.5, 4.5)).add_subplot(projection=projection)


def _finite(value: Any) -> bool:
    return value is not None and math.isfinite(value)


def quality_radar(report: Any, ax: Axes | None = None) -> Axes:
    """One polygon per model over its group scores, with the reference ring at 1.

    Parameters
    ----------
    report : QualityReport
    ax : matplotlib polar Axes, optional
        Default: a new figure with polar axes.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from identica.plot import quality_radar
    >>> report = SimpleNamespace(models=["a"], scores={}, summary=None,
    ...                          group_scores={"a": {"Task": 0.8, "Form": 1.2, "Truth": 0.4}})
    >>> ax = quality_radar(report)
    >>> ax.name, len(ax.lines)        # the polygon, the rings at 1 and 0
    ('polar', 3)
    """
    (report,) = _reports([report])
    ax = _new("polar") if ax is None else check_ax(ax, owner="quality_radar")
    if ax.name != "polar":
        raise ConfigurationError("'ax' of quality_radar must be a polar Axes "
                                 "(fig.add_subplot(projection='polar')) or None.")
    groups = [g for g in dict.fromkeys(g for m in report.models for g in report.group_scores[m])
              if any(_finite(report.group_scores[m].get(g)) for m in report.models)]
    angles = np.linspace(0, 2 * np.pi, len(groups), endpoint=False)
    closed = np.append(angles, angles[:1])
    low, high = -0.2, 1.2
    for model in report.models:
        values = np.array([report.group_scores[model].get(g) if _finite(
            report.group_scores[model].get(g)) else np.nan for g in groups], dtype=float)
        low, high = min(low, np.nanmin(values) - 0.1), max(high, np.nanmax(values) + 0.1)
        ax.plot(closed, np.append(values, values[:1]), marker="o", label=model)
        ax.fill(closed, np.append(values, values[:1]), alpha=0.15)
    ring = np.linspace(0, 2 * np.pi, 100)
    ax.plot(ring, np.ones_like(ring), "k--", linewidth=0.8, label="reference (1)")
    ax.plot(ring, np.zeros_like(ring), ":", color="grey", linewidth=0.8, label="trivial (0)")
    ax.set_ylim(low, high)
    ax.set_xticks(angles, groups)
    ax.tick_params(axis="x", pad=12)
    ax.legend(loc="upper left", bbox_to_anchor=(1.08, 1.0), fontsize="small")
    return ax


def quality_table(report: Any, ax: Axes | None = None) -> Axes:
    """Heat map of normalised scores, measures x models, each cell annotated with the raw mean.

    Colours show the score (0 trivial, 1 reference; clipped to [-0.5, 1.5] for colour only);
    unscored cells are grey.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from identica.plot import quality_table
    >>> report = SimpleNamespace(models=["a"], measures=["x", "y"], group_scores={},
    ...     scores={"a": {"x": 0.5, "y": None}}, summary=lambda m, k: {"mean": 0.25})
    >>> len(quality_table(report).texts)
    2
    """
    (report,) = _reports([report])
    ax = _new() if ax is None else check_ax(ax, owner="quality_table")
    keys = list(report.measures)
    grid = np.array([[report.scores[m].get(k) if _finite(report.scores[m].get(k)) else np.nan
                      for m in report.models] for k in keys], dtype=float)
    from matplotlib import colormaps

    image = ax.imshow(np.ma.masked_invalid(grid), vmin=-0.5, vmax=1.5, aspect="auto",
                      cmap=colormaps["RdYlGn"].with_extremes(bad="#dddddd"))
    for i, key in enumerate(keys):
        for j, model in enumerate(report.models):
            summary = report.summary(model, key)
            raw = "—" if summary is None else f"{summary['mean']:.3g}"
            score = "" if np.isnan(grid[i, j]) else f"\ns={grid[i, j]:.2f}"
            ax.text(j, i, raw + score, ha="center", va="center", fontsize=7)
    ax.set_xticks(range(len(report.models)), report.models)
    ax.set_yticks(range(len(keys)), keys, fontsize=8)
    ax.figure.colorbar(image, ax=ax, label="score (0 trivial, 1 reference)")
    return ax


def _point(report: Any, model: str, key: str) -> float:
    summary = report.summary(model, key)
    return np.nan if summary is None else summary["mean"]


def pareto(reports: Any, x: str = "decoding_knn", y: str = "consistency",
           ax: Axes | None = None) -> Axes:
    """Scatter of two measures' raw means, one point per model, with the Pareto front.

    Lower-is-better measures (by the report's measure directions, e.g. ``latency``) are
    treated as such when finding the front, so ``y="latency"`` draws quality against cost.
    The trivial and reference anchors are drawn too when both measures have them.

    Parameters
    ----------
    reports : QualityReport or list of QualityReport
    x, y : str, default "decoding_knn" and "consistency"
        Measure keys (see :data:`identica.report.MEASURES`).
    ax : Axes, optional

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from identica.plot import pareto
    >>> values = {"a": (0.9, 0.5), "b": (0.5, 0.9), "c": (0.4, 0.4)}
    >>> report = SimpleNamespace(models=list(values), scores={}, group_scores={}, anchors={},
    ...     summary=lambda m, k: {"mean": values[m][0 if k == "decoding_knn" else 1]},
    ...     measure=lambda k: SimpleNamespace(direction="higher", label=k))
    >>> ax = pareto(report)
    >>> ax.lines[0].get_xdata().tolist()          # the front: a and b, not c
    [0.5, 0.9]
    """
    items = _reports(reports)
    ax = _new() if ax is None else check_ax(ax, owner="pareto")
    points, labels = [], []
    for r in items:
        for model in r.models:
            points.append((_point(r, model, x), _point(r, model, y)))
            labels.append(model)
    points_a = np.array(points, dtype=float).reshape(-1, 2)
    sign = np.array([-1.0 if items[0].measure(k).direction == "lower" else 1.0 for k in (x, y)])
    keep = np.all(np.isfinite(points_a), axis=1)
    better = points_a * sign
    front = [i for i in np.flatnonzero(keep)
             if not any(np.all(better[j] >= better[i]) and np.any(better[j] > better[i])
                        for j in np.flatnonzero(keep) if j != i)]
    front.sort(key=lambda i: points_a[i, 0])
    ax.plot(points_a[front, 0], points_a[front, 1], "-", color="black", linewidth=1,
            label="Pareto front")
    ax.scatter(points_a[:, 0], points_a[:, 1], zorder=3)
    for (px, py), label in zip(points_a, labels):
        if np.isfinite(px) and np.isfinite(py):
            ax.annotate(label, (px, py), textcoords="offset points", xytext=(4, 4),
                        fontsize=8)
    anchors = getattr(items[0], "anchors", {})
    model = items[0].models[0]
    for which, marker in (("trivial", "x"), ("reference", "*")):
        ax_, ay_ = (anchors.get(model, {}).get(k, {}).get(which) for k in (x, y))
        if _finite(ax_) and _finite(ay_):
            ax.scatter([ax_], [ay_], marker=marker, color="grey", s=60, label=which, zorder=3)
    ax.set_xlabel(items[0].measure(x).label, fontsize=8)
    ax.set_ylabel(items[0].measure(y).label, fontsize=8)
    ax.legend(fontsize="small")
    return ax


def rank_correlation(reports: Any, ax: Axes | None = None) -> Axes:
    """Spearman rank correlation between measures across models (or across fits).

    One report: its stored matrix (:attr:`QualityReport.rank_correlation`). Several reports:
    the measures' means over seeds, across all their models.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from identica.plot import rank_correlation
    >>> report = SimpleNamespace(models=["a"], scores={}, group_scores={}, summary=None,
    ...     rank_correlation={"measures": ["x", "y"], "matrix": [[1, -1], [-1, 1]], "over": "3"})
    >>> rank_correlation(report).get_title()
    'Spearman rank correlation across 3'
    """
    items = _reports(reports)
    ax = _new() if ax is None else check_ax(ax, owner="rank_correlation")
    if len(items) == 1:
        stored = items[0].rank_correlation
        if stored is None:
            ax.text(0.5, 0.5, "too few models or fits for rank correlations", ha="center")
            ax.set_axis_off()
            return ax
        names, matrix, over = stored["measures"], np.asarray(stored["matrix"]), stored["over"]
    else:
        names, matrix, over = _merged(items)
    image = ax.imshow(matrix, cmap="coolwarm", vmin=-1, vmax=1)
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.figure.colorbar(image, ax=ax, label="Spearman ρ")
    ax.set_title(f"Spearman rank correlation across {over}", fontsize=9)
    return ax


def _merged(items: Sequence[Any]) -> tuple[list[str], np.ndarray, str]:
    from scipy.stats import rankdata

    rows = [(r, m) for r in items for m in r.models]
    keys = [k for k in items[0].measures
            if all(r.summary(m, k) is not None for r, m in rows)]
    data = np.array([[r.summary(m, k)["mean"] for k in keys] for r, m in rows], dtype=float)
    varying = [i for i in range(len(keys)) if np.ptp(data[:, i]) > 0]
    if len(rows) < 3 or len(varying) < 2:
        raise ConfigurationError(
            "rank_correlation needs at least 3 models and 2 measures that vary across them. "
            f"Got {len(rows)} models and {len(varying)} varying measures."
        )
    matrix = np.corrcoef(rankdata(data[:, varying], axis=0), rowvar=False)  # Spearman's rho
    return [keys[i] for i in varying], matrix, f"{len(rows)} models"
