# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of consistency and consistency_matrix against naive scikit-learn loops."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score

from identica.exceptions import ConfigurationError, DataValidationError
from identica.metrics import consistency, consistency_matrix


def reference_matrix(points_fit: list, points_score: list) -> np.ndarray:
    """Pairwise R² with sklearn: fit E_i -> E_j on one set of points, score on another."""
    n = len(points_fit)
    out = np.full((n, n), np.nan)
    for i in range(n):
        for j in range(n):
            if i != j:
                model = LinearRegression().fit(points_fit[i], points_fit[j])
                out[i, j] = r2_score(points_score[j], model.predict(points_score[i]))
    return out


def reference_bin_points(embedding, label, lo, hi, n_bins):
    """Naive per-bin means with borrowing from bins ±1 then ±2; None marks an empty bin."""
    width = (hi - lo) / n_bins
    members: list[list] = [[] for _ in range(n_bins)]
    for row, value in zip(embedding, label):
        if lo <= value <= hi:
            members[min(int((value - lo) // width), n_bins - 1)].append(row)
    points = []
    for b in range(n_bins):
        rows = members[b]
        for radius in (1, 2):
            if rows:
                break
            rows = [r for k in range(b - radius, b + radius + 1) if 0 <= k < n_bins
                    for r in members[k]]
        points.append(None if not rows else np.mean(rows, axis=0))
    return points


def reference_aligned(embeddings, labels, n_bins, label_range=None):
    lo = max(lab.min() for lab in labels) if label_range is None else label_range[0]
    hi = min(lab.max() for lab in labels) if label_range is None else label_range[1]
    per_session = [
        reference_bin_points(e, lab, lo, hi, n_bins) for e, lab in zip(embeddings, labels)
    ]
    keep = [b for b in range(n_bins) if all(p[b] is not None for p in per_session)]
    out = []
    for p in per_session:
        m = np.stack([p[b] for b in keep])
        out.append(m / np.linalg.norm(m, axis=1, keepdims=True))
    return out


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def related(rng: np.random.Generator, n: int, dims=(3, 4, 2), noise=0.5) -> list[np.ndarray]:
    latent = rng.normal(size=(n, 3))
    return [latent @ rng.normal(size=(3, d)) + noise * rng.normal(size=(n, d)) for d in dims]


def test_matches_sklearn_in_sample(rng: np.random.Generator) -> None:
    embeddings = related(rng, 300)
    got = consistency_matrix(embeddings)
    np.testing.assert_allclose(got, reference_matrix(embeddings, embeddings), atol=1e-10)
    assert np.all(np.isnan(np.diag(got)))


def test_matches_sklearn_held_out(rng: np.random.Generator) -> None:
    embeddings = related(rng, 301)
    split = int(0.8 * 301)
    expected = reference_matrix([e[:split] for e in embeddings], [e[split:] for e in embeddings])
    got = consistency_matrix(embeddings, held_out=True)
    np.testing.assert_allclose(got, expected, atol=1e-10)


def test_consistency_is_mean_of_off_diagonal(rng: np.random.Generator) -> None:
    embeddings = related(rng, 200)
    m = consistency_matrix(embeddings)
    assert consistency(embeddings) == pytest.approx(np.nanmean(m), abs=1e-12)
    assert isinstance(consistency(embeddings), float)


@pytest.mark.parametrize("held_out", [False, True])
def test_affine_copies_are_fully_consistent(rng: np.random.Generator, held_out: bool) -> None:
    z = rng.normal(size=(400, 4))
    copies = [z, z @ rng.normal(size=(4, 4)) + rng.normal(size=4), 3.0 * z - 2.0]
    assert consistency(copies, held_out=held_out) == pytest.approx(1.0, abs=1e-9)


def test_independent_noise_is_near_zero(rng: np.random.Generator) -> None:
    noise = [rng.normal(size=(3000, 3)) for _ in range(3)]
    assert abs(consistency(noise)) < 0.01
    assert consistency(noise, held_out=True) < 0.01


def test_accepts_float32_and_tuple(rng: np.random.Generator) -> None:
    a, b = related(rng, 100, dims=(2, 2))
    expected = consistency([a, b])
    assert consistency((a.astype(np.float32), b.astype(np.float32))) == pytest.approx(
        expected, abs=1e-5
    )


def test_label_aligned_matches_naive_reference(rng: np.random.Generator) -> None:
    lengths = (700, 1100, 900)
    labels, embeddings = [], []
    for n in lengths:
        pos = rng.uniform(0.0, 1.6, size=n)
        pos = pos[(pos < 0.5) | (pos > 0.53)]  # a gap: some bins are empty and must borrow
        labels.append(pos)
        z = np.stack([np.cos(2 * pos), np.sin(2 * pos), pos], axis=1)
        embeddings.append(z @ rng.normal(size=(3, 3)) + 0.05 * rng.normal(size=(len(pos), 3)))
    got = consistency_matrix(embeddings, labels=labels, n_bins=60)
    points = reference_aligned(embeddings, labels, 60)
    assert len(points[0]) == 60  # the gap is filled by borrowing
    np.testing.assert_allclose(got, reference_matrix(points, points), atol=1e-10)
    assert consistency(embeddings, labels=labels, n_bins=60) > 0.9


def test_label_aligned_drops_bins_empty_in_any_session(rng: np.random.Generator) -> None:
    pos_a = rng.uniform(0, 1, size=500)
    pos_b = rng.uniform(0, 1, size=800)
    pos_b = pos_b[(pos_b < 0.4) | (pos_b > 0.6)]  # 20 % missing: more than ±2 bins of 100
    emb = [np.stack([p, p**2, np.sin(5 * p)], axis=1) for p in (pos_a, pos_b)]
    got = consistency_matrix(emb, labels=[pos_a, pos_b], n_bins=100)
    points = reference_aligned(emb, [pos_a, pos_b], 100)
    assert 70 < len(points[0]) < 90
    np.testing.assert_allclose(got, reference_matrix(points, points), atol=1e-10)


def test_label_aligned_unrelated_embeddings_score_low(rng: np.random.Generator) -> None:
    labels = [rng.uniform(0, 1, size=n) for n in (2000, 3000)]
    noise = [rng.normal(size=(len(lab), 3)) for lab in labels]
    assert consistency(noise, labels=labels, n_bins=20) < 0.5


def test_label_aligned_held_out(rng: np.random.Generator) -> None:
    labels, embeddings = [], []
    for n in (800, 1000):
        pos = rng.uniform(0, 1, size=n)
        labels.append(pos)
        embeddings.append(np.stack([np.cos(3 * pos), np.sin(3 * pos)], axis=1))
    got = consistency_matrix(embeddings, labels=labels, n_bins=10, held_out=True)
    # Both splits use the bins of the label range shared by the full sessions.
    shared = (max(lab.min() for lab in labels), min(lab.max() for lab in labels))
    splits = [int(0.8 * len(e)) for e in embeddings]
    fit = reference_aligned(
        [e[:s] for e, s in zip(embeddings, splits)],
        [lab[:s] for lab, s in zip(labels, splits)],
        10,
        shared,
    )
    score = reference_aligned(
        [e[s:] for e, s in zip(embeddings, splits)],
        [lab[s:] for lab, s in zip(labels, splits)],
        10,
        shared,
    )
    np.testing.assert_allclose(got, reference_matrix(fit, score), atol=1e-10)
    assert consistency(embeddings, labels=labels, n_bins=10, held_out=True) > 0.95


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, np.int32])
def test_discrete_labels_use_one_mean_per_class(rng: np.random.Generator, dtype) -> None:
    labels = [rng.integers(0, 6, size=n).astype(dtype) for n in (300, 500)]
    labels[1][labels[1] == 5] = 4  # class 5 missing in session 1: dropped for both
    centres = rng.normal(size=(6, 3))
    embeddings = [centres[lab] + 0.1 * rng.normal(size=(len(lab), 3)) for lab in labels]
    got = consistency_matrix(embeddings, labels=labels)
    points = []
    for e, lab in zip(embeddings, labels):
        m = np.stack([e[lab == c].mean(axis=0) for c in range(5)])
        points.append(m / np.linalg.norm(m, axis=1, keepdims=True))
    np.testing.assert_allclose(got, reference_matrix(points, points), atol=1e-10)


def test_bool_labels_are_classes(rng: np.random.Generator) -> None:
    labels = [rng.integers(0, 2, size=n).astype(bool) for n in (100, 150)]
    embeddings = [np.where(lab[:, None], 1.0, -1.0) * np.ones((1, 2)) + 0.5 for lab in labels]
    assert consistency(embeddings, labels=labels) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"embeddings": [np.zeros((5, 2))]},
            DataValidationError,
            r"at least 2 embeddings\. Got 1\.",
        ),
        ({"embeddings": np.zeros((5, 2))}, DataValidationError, r"Got ndarray of shape \(5, 2\)"),
        ({"embeddings": 3}, DataValidationError, r"sequence .* Got int"),
        (
            {"embeddings": [np.zeros((5, 2)), np.zeros(5)]},
            DataValidationError,
            r"embeddings\[1\] of consistency must be 2-D .* Got shape \(5,\)\.",
        ),
        (
            {"embeddings": [np.zeros((5, 2)), np.zeros((5, 0))]},
            DataValidationError,
            r"embeddings\[1\] .* with n_dims >= 1\. Got shape \(5, 0\)\.",
        ),
        (
            {"embeddings": [np.zeros((5, 2)), np.zeros((6, 2))]},
            DataValidationError,
            r"same number of rows .* Got lengths \[5, 6\]\. Pass labels=",
        ),
        (
            {"embeddings": [np.zeros((1, 2)), np.zeros((1, 2))]},
            DataValidationError,
            r"at least 2 rows in each embedding to compute R². Got 1\.",
        ),
        (
            {"embeddings": [np.zeros((9, 2)), np.zeros((9, 2))], "held_out": True},
            DataValidationError,
            r"held_out=True .* at least 10 rows in the embeddings, .* Got 9 rows\.",
        ),
        (
            {"embeddings": [np.zeros((5, 2))] * 2, "held_out": "yes"},
            ConfigurationError,
            r"'held_out' of consistency must be a bool\. Got 'yes'\.",
        ),
        (
            {"embeddings": [np.zeros((5, 2))] * 2, "n_bins": 1},
            ConfigurationError,
            r"'n_bins' of consistency must be an int in \[2, inf\]\. Got 1\.",
        ),
    ],
)
def test_bad_embeddings_raise(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        consistency_matrix(**kwargs)


def test_nan_in_embedding_names_array_and_index() -> None:
    a = np.zeros((5, 2))
    b = np.zeros((5, 2))
    b[3, 1] = np.nan
    match = r"embeddings\[1\] .* NaN or inf; first at row 3, column 1"
    with pytest.raises(DataValidationError, match=match):
        consistency([a, b])


@pytest.mark.parametrize(
    ("labels", "match"),
    [
        ([np.zeros(5)], r"one 1-D array per embedding \(2 embeddings\)\. Got length 1\."),
        (np.zeros(5), r"one 1-D array per embedding \(2 embeddings\)\. Got length 5\."),
        (
            [np.zeros(5), np.zeros(7)],
            r"labels\[1\] .* embeddings\[1\] \(6 rows\)\. Got shape \(7,\)\.",
        ),
        ([np.zeros(5), np.zeros((6, 1))], r"labels\[1\] .* Got shape \(6, 1\)\."),
        ([np.array(list("abcde")), np.zeros(6)], r"labels\[0\] .* float .* Got dtype <U1\."),
        (
            [np.linspace(0, 1, 5), np.arange(6)],
            r"all float or all integer/bool\. Got \['float64', 'int64'\]",
        ),
        ([np.linspace(0, 1, 5), np.linspace(2, 3, 6)], r"share a range of values"),
        (
            [np.array([0, 0, 1, 1, 1]), np.array([2, 2, 2, 3, 3, 3])],
            r"at least 2 aligned label points .* Got 0\.",
        ),
        (
            [np.array([0.0, np.inf, 1, 1, 1]), np.linspace(0, 1, 6)],
            r"labels\[0\] .* NaN or inf; first at index 1\.",
        ),
    ],
)
def test_bad_labels_raise(labels, match: str) -> None:
    embeddings = [np.arange(10.0).reshape(5, 2), np.arange(12.0).reshape(6, 2)]
    with pytest.raises(DataValidationError, match=match):
        consistency(embeddings, labels=labels)


def test_labels_held_out_needs_enough_rows() -> None:
    embeddings = [np.zeros((8, 2)), np.zeros((20, 2))]
    labels = [np.linspace(0, 1, 8), np.linspace(0, 1, 20)]
    match = r"10 rows in the embeddings\[0\], .* Got 8 rows\."
    with pytest.raises(DataValidationError, match=match):
        consistency(embeddings, labels=labels, held_out=True)
