# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of fit_alignment and Alignment against ground truth and naive references."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.linalg import orthogonal_procrustes
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from tests.metrics._maps import random_map

from identica.exceptions import ConfigurationError, DataValidationError
from identica.metrics import INDETERMINACIES, Alignment, fit_alignment
from identica.metrics._alignment import r2


def naive_permutation(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Signed permutation maximising the summed |Pearson r| by trying every permutation."""
    d = source.shape[1]
    corr = np.array([[np.corrcoef(source[:, i], target[:, j])[0, 1] for j in range(d)]
                     for i in range(d)])
    best = max(itertools.permutations(range(d)),
               key=lambda p: sum(abs(corr[i, p[i]]) for i in range(d)))
    matrix = np.zeros((d, d))
    for i, j in enumerate(best):
        matrix[i, j] = np.sign(corr[i, j])
    return matrix


@pytest.mark.parametrize("kind", INDETERMINACIES)
def test_a_random_map_of_the_class_is_recovered_exactly(kind, seed):
    rng = np.random.default_rng(seed)
    source = rng.normal(size=(300, 4)) * [1.0, 2.0, 3.0, 4.0]
    matrix, offset = random_map(kind, 4, rng)
    alignment = fit_alignment(source, source @ matrix + offset, kind)
    np.testing.assert_allclose(alignment.matrix, matrix, atol=1e-10)
    np.testing.assert_allclose(alignment.offset, offset, atol=1e-10)


def test_affine_and_linear_match_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    source, target = rng.normal(size=(200, 3)), rng.normal(size=(200, 5)) + 2.0
    for kind, intercept in (("affine", True), ("linear", False)):
        reference = LinearRegression(fit_intercept=intercept).fit(source, target)
        alignment = fit_alignment(source, target, kind)
        np.testing.assert_allclose(alignment.matrix, reference.coef_.T, atol=1e-10)
        np.testing.assert_allclose(alignment.offset, np.broadcast_to(reference.intercept_, 5),
                                   atol=1e-10)
        np.testing.assert_allclose(alignment.apply(source), reference.predict(source),
                                   atol=1e-10)


def test_orthogonal_is_uncentred_procrustes(seed):
    rng = np.random.default_rng(seed)
    source = rng.normal(size=(200, 3))
    target = source @ random_map("orthogonal", 3, rng)[0] + 5.0 + rng.normal(size=(200, 3))
    alignment = fit_alignment(source, target, "orthogonal")
    np.testing.assert_allclose(alignment.matrix, orthogonal_procrustes(source, target)[0])
    np.testing.assert_allclose(alignment.matrix @ alignment.matrix.T, np.eye(3), atol=1e-12)
    np.testing.assert_array_equal(alignment.offset, 0.0)


def test_permutation_matches_a_brute_force_search(seed):
    rng = np.random.default_rng(seed)
    source = rng.normal(size=(300, 4))
    target = source @ random_map("linear", 4, rng)[0]  # not a permutation: still one out
    matrix = fit_alignment(source, target, "permutation").matrix
    np.testing.assert_array_equal(matrix, naive_permutation(source, target))
    np.testing.assert_array_equal(np.abs(matrix).sum(axis=0), 1.0)
    np.testing.assert_array_equal(np.abs(matrix).sum(axis=1), 1.0)


def test_identity_and_non_square_shapes():
    source = np.arange(12.0).reshape(4, 3)
    np.testing.assert_array_equal(fit_alignment(source, source + 1, "identity").matrix, np.eye(3))
    alignment = fit_alignment(source, source[:, :2], "linear")
    assert alignment.matrix.shape == (3, 2) and alignment.offset.shape == (2,)


def test_alignment_is_a_read_only_value():
    matrix = np.eye(2)
    alignment = Alignment(matrix, [0, 1])
    matrix[0, 0] = 5.0  # a copy is stored
    assert alignment.matrix[0, 0] == 1.0 and alignment.offset.dtype == np.float64
    with pytest.raises(ValueError, match="read-only"):
        alignment.matrix[0, 0] = 2.0
    with pytest.raises(AttributeError):
        alignment.offset = np.zeros(2)


@pytest.mark.parametrize(
    ("matrix", "offset", "match"),
    [
        (np.eye(2)[0], np.zeros(2), r"2-D 'matrix'.*Got matrix of shape \(2,\)"),
        (np.eye(2), np.zeros(3), r"offset of shape \(3,\)"),
        (np.full((2, 2), np.nan), np.zeros(2), "must be finite"),
    ],
)
def test_alignment_rejects_bad_arrays(matrix, offset, match):
    with pytest.raises(DataValidationError, match=match):
        Alignment(matrix, offset)


def test_apply_rejects_the_wrong_number_of_columns():
    with pytest.raises(DataValidationError, match=r"'z' of Alignment.apply .* 3 columns.*\(5, 2\)"):
        Alignment(np.eye(3), np.zeros(3)).apply(np.zeros((5, 2)))


@pytest.mark.parametrize(
    ("source", "target", "kind", "match"),
    [
        (np.zeros(5), np.zeros((5, 1)), "affine", r"'source' of fit_alignment must be 2-D.*\(5,\)"),
        (np.zeros((5, 0)), np.zeros((5, 1)), "affine", r"n_dims >= 1. Got shape \(5, 0\)"),
        ([["a"]], np.zeros((1, 1)), "affine", "'source' of fit_alignment must be a numeric"),
        (np.zeros((5, 2)), np.zeros((4, 2)), "affine",
         "same number of rows .* source with 5 rows and target with 4"),
        (np.zeros((1, 2)), np.zeros((1, 2)), "affine", "at least 2 rows .* Got 1"),
        (np.zeros((5, 2)), np.r_[np.zeros((3, 2)), [[0, np.inf]], [[0, 0]]], "affine",
         "'target' of fit_alignment contains NaN or inf; first at row 3, column 1"),
        (np.zeros((5, 2)), np.zeros((5, 3)), "orthogonal",
         "indeterminacy='orthogonal' of fit_alignment needs .* Got 2 and 3. Use 'linear'"),
    ],
)
def test_fit_alignment_rejects_bad_data(source, target, kind, match):
    with pytest.raises(DataValidationError, match=match):
        fit_alignment(source, target, kind)


def test_fit_alignment_rejects_an_unknown_class():
    with pytest.raises(ConfigurationError,
                       match=r"'indeterminacy' of fit_alignment must be one of \['identity'.*"
                             r"Got 'afine'. Did you mean 'affine'\?"):
        fit_alignment(np.zeros((3, 1)), np.zeros((3, 1)), "afine")


@pytest.mark.parametrize("constant", [False, True])
def test_r2_is_scikit_learns_uniform_r2(constant, seed):
    rng = np.random.default_rng(seed)
    y_true, y_pred = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
    if constant:
        y_true[:, 1] = 2.0
        y_pred[:, 1] = 2.0  # exactly predicted constant: 1
        y_true[:, 2] = 3.0  # missed constant: 0
    assert r2(y_true, y_pred) == pytest.approx(r2_score(y_true, y_pred), abs=1e-12)
