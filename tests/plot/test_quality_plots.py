# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The quality report's plots read a report by its attributes and return their Axes."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.figure import Figure

from identica.exceptions import ConfigurationError
from identica.plot import pareto, quality_radar, quality_table, rank_correlation


def _report(values: dict[str, dict[str, float]], groups: dict[str, dict[str, float | None]]):
    keys = sorted({k for v in values.values() for k in v})
    directions = {"latency": "lower"}
    return SimpleNamespace(
        models=list(values), measures=keys, group_scores=groups, anchors={},
        scores={m: {k: v.get(k) for k in keys} for m, v in values.items()},
        summary=lambda m, k: None if k not in values[m] else {"mean": values[m][k]},
        measure=lambda k: SimpleNamespace(direction=directions.get(k, "higher"), label=k),
        rank_correlation=None)


VALUES = {"a": {"decoding_knn": 0.9, "consistency": 0.5, "latency": 5.0},
          "b": {"decoding_knn": 0.5, "consistency": 0.9, "latency": 1.0},
          "c": {"decoding_knn": 0.4, "consistency": 0.4, "latency": 9.0}}
GROUPS = {"a": {"Task": 0.9, "Stability": 0.5, "Truth": None},
          "b": {"Task": 0.5, "Stability": 0.9, "Truth": None},
          "c": {"Task": 0.4, "Stability": 0.4, "Truth": None}}


def test_radar_draws_one_polygon_per_model_and_the_rings():
    ax = quality_radar(_report(VALUES, GROUPS))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Task", "Stability"]
    assert len(ax.lines) == 3 + 2
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.9, 0.5, 0.9])
    with pytest.raises(ConfigurationError, match="polar Axes"):
        quality_radar(_report(VALUES, GROUPS), ax=Figure().add_subplot())


def test_table_annotates_raw_means_and_scores():
    ax = quality_table(_report(VALUES, GROUPS), ax=Figure().add_subplot())
    texts = [t.get_text() for t in ax.texts]
    assert "0.9\ns=0.90" in texts and len(texts) == 9


def test_pareto_front_respects_lower_is_better_cost():
    ax = pareto(_report(VALUES, GROUPS), ax=Figure().add_subplot())
    assert ax.lines[0].get_xdata().tolist() == [0.5, 0.9]  # a and b; c is dominated
    ax = pareto(_report(VALUES, GROUPS), x="decoding_knn", y="latency",
                ax=Figure().add_subplot())
    assert ax.lines[0].get_xdata().tolist() == [0.5, 0.9]  # b is fast, a decodes best


def test_rank_correlation_of_several_reports_and_errors():
    reports = [_report({m: v}, {m: GROUPS[m]}) for m, v in VALUES.items()]
    ax = rank_correlation(reports, ax=Figure().add_subplot())
    matrix = ax.images[0].get_array()
    assert matrix.shape == (3, 3) and matrix[0, 0] == pytest.approx(1.0)
    assert ax.get_title() == "Spearman rank correlation across 3 models"
    with pytest.raises(ConfigurationError, match="need QualityReport objects"):
        rank_correlation([object()])
    ax = rank_correlation(_report(VALUES, GROUPS), ax=Figure().add_subplot())
    assert "too few" in ax.texts[0].get_text()
