# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Stream metrics against naive references and hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import r2_score

from identica.exceptions import ConfigurationError, DataValidationError
from identica.metrics import (
    collapse_flag,
    disagreement,
    moment_distance,
    participation_ratio,
    stream_summary,
    window_goodness_of_fit,
    window_r2,
)


def test_window_r2_matches_sklearn_per_window():
    rng = np.random.default_rng(0)
    y = rng.standard_normal((1050, 2))
    p = y + 0.5 * rng.standard_normal((1050, 2))
    scores = window_r2(y, p, 200)
    assert len(scores) == 6  # the last window holds 50 rows
    for k, score in enumerate(scores):
        rows = slice(200 * k, 200 * (k + 1))
        assert score == pytest.approx(r2_score(y[rows], p[rows]))
    with pytest.raises(DataValidationError, match="y_pred has"):
        window_r2(y, p[:, :1], 200)


def _naive_collapse(r2, ref, delta, k):
    for start in range(len(r2) - k + 1):
        if all(r2[start + j] < ref[start + j] - delta for j in range(k)):
            return True
    return False


def test_collapse_flag_matches_a_naive_scan():
    rng = np.random.default_rng(1)
    for _ in range(200):
        r2, ref = rng.uniform(0, 1, 12), rng.uniform(0, 1, 12)
        delta, k = float(rng.uniform(0, 0.3)), int(rng.integers(1, 5))
        assert collapse_flag(r2, ref, delta=delta, k=k) == _naive_collapse(r2, ref, delta, k)
    with pytest.raises(ConfigurationError, match="'k' of collapse_flag"):
        collapse_flag(r2, ref, k=0)


def test_stream_summary_by_hand():
    r2 = np.array([0.9, 0.8, 0.2, 0.1, 0.1, 0.1, 0.5, 0.4])
    ref = np.full(8, 0.5)
    s = stream_summary(r2, ref, delta=0.2, k=3)
    assert s.mean_r2 == pytest.approx(0.3875)
    assert s.last_quarter_r2 == pytest.approx(0.45)
    assert s.worst_r2 == pytest.approx(0.1)
    assert s.area == pytest.approx(0.3875 - 0.5)
    assert s.collapsed and (s.delta, s.k) == (0.2, 3)
    assert not stream_summary(r2).collapsed
    with pytest.raises(DataValidationError, match="reference of stream_summary"):
        stream_summary(r2, ref[:3])


def test_monitors():
    rng = np.random.default_rng(2)
    z = rng.standard_normal((5000, 3)) * [3.0, 1.0, 1.0]
    eig = np.linalg.eigvalsh(np.cov(z, rowvar=False))
    assert participation_ratio(z) == pytest.approx(eig.sum() ** 2 / (eig ** 2).sum())
    cov = np.cov(z, rowvar=False)
    assert moment_distance(z, z.mean(axis=0), cov) == pytest.approx(0.0, abs=1e-12)
    assert moment_distance(z + 1.0, z.mean(axis=0), cov) == pytest.approx(np.sqrt(3))
    y = rng.standard_normal(1000)
    assert disagreement(y, y) == 0.0
    assert disagreement(rng.permutation(y), y) == pytest.approx(2.0, abs=0.2)


def test_goodness_of_fit_prefers_slow_embeddings():
    rng = np.random.default_rng(3)
    t = np.linspace(0, 30, 600)
    slow = np.stack([np.cos(t), np.sin(t), np.cos(0.5 * t)], axis=1)
    noise = rng.standard_normal((600, 3))
    assert window_goodness_of_fit(slow) > window_goodness_of_fit(noise) + 0.3
    assert abs(window_goodness_of_fit(noise)) < 0.3
