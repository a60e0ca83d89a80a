# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of pseudo_inverse: Penrose conditions, numpy.linalg.pinv, both routes agree."""

from __future__ import annotations

import numpy as np
import pytest

from identica.attribution import INVERSES, pseudo_inverse
from identica.exceptions import ConfigurationError, DataValidationError


@pytest.fixture
def stack(seed):
    return np.random.default_rng(seed).normal(size=(20, 6, 50))


@pytest.mark.parametrize("inverse", INVERSES)
def test_penrose_conditions(stack, inverse):
    pinv = pseudo_inverse(stack, inverse=inverse)
    assert pinv.shape == (20, 50, 6)
    np.testing.assert_allclose(stack @ pinv @ stack, stack, atol=1e-5)
    np.testing.assert_allclose(pinv @ stack @ pinv, pinv, atol=1e-5)
    np.testing.assert_allclose(stack @ pinv, np.swapaxes(stack @ pinv, 1, 2), atol=1e-10)
    np.testing.assert_allclose(pinv @ stack, np.swapaxes(pinv @ stack, 1, 2), atol=1e-10)


@pytest.mark.parametrize("inverse", INVERSES)
def test_matches_numpy_and_closed_form(stack, inverse):
    pinv = pseudo_inverse(stack, inverse=inverse)
    np.testing.assert_allclose(pinv, np.linalg.pinv(stack), rtol=1e-10, atol=1e-12)
    closed = np.swapaxes(stack, 1, 2) @ np.linalg.inv(stack @ np.swapaxes(stack, 1, 2))
    np.testing.assert_allclose(pinv, closed, rtol=1e-8, atol=1e-10)


def test_routes_agree_on_rank_deficient_matrices(seed):
    rng = np.random.default_rng(seed)
    low_rank = rng.normal(size=(10, 6, 4)) @ rng.normal(size=(10, 4, 50))
    lstsq = pseudo_inverse(low_rank, inverse="lstsq")
    svd = pseudo_inverse(low_rank, inverse="svd")
    np.testing.assert_allclose(lstsq, svd, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(svd, np.linalg.pinv(low_rank, rcond=1e-10), atol=1e-10)
    np.testing.assert_allclose(low_rank @ svd @ low_rank, low_rank, atol=1e-9)


def test_keeps_float32_and_single_matrix(seed):
    a = np.random.default_rng(seed).normal(size=(3, 7)).astype(np.float32)
    out = pseudo_inverse(a, inverse="svd")
    assert out.dtype == np.float32 and out.shape == (7, 3)
    np.testing.assert_allclose(a @ out, np.eye(3), atol=1e-5)


def test_zero_matrix_gives_zero():
    np.testing.assert_array_equal(pseudo_inverse(np.zeros((2, 3, 4))), np.zeros((2, 4, 3)))


def test_rcond_cuts_small_singular_values():
    a = np.diag([1.0, 1e-3])
    np.testing.assert_allclose(pseudo_inverse(a, inverse="svd", rcond=1e-2), np.diag([1.0, 0]))
    np.testing.assert_allclose(pseudo_inverse(a, inverse="lstsq", rcond=1e-2), np.diag([1.0, 0]))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"matrices": np.ones(3)}, DataValidationError, r"shape \(\.\.\., m, n\); got .* \(3,\)"),
        ({"matrices": np.array([[1.0, np.nan]])}, DataValidationError, r"NaN or inf .*\(0, 1\)"),
        ({"matrices": np.ones((2, 2)), "inverse": "svg"}, ConfigurationError, "Did you mean 'svd'"),
        ({"matrices": np.ones((2, 2)), "rcond": -1.0}, ConfigurationError, "'rcond'.*Got -1.0"),
    ],
)
def test_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        pseudo_inverse(**kwargs)
