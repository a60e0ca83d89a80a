# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Batched Moore–Penrose pseudo-inverses: minimum-norm least squares or truncated SVD."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from identica._checks import check_choice, check_float
from identica.exceptions import DataValidationError

__all__ = ["INVERSES", "pseudo_inverse"]

INVERSES: tuple[str, ...] = ("lstsq", "svd")


def default_rcond(shape: tuple[int, ...] | torch.Size, dtype: torch.dtype) -> float:
    """Cutoff ``max(m, n) · eps`` relative to the largest singular value (LAPACK's default)."""
    return max(shape[-2], shape[-1]) * torch.finfo(dtype).eps


def pinv(matrices: torch.Tensor, inverse: str, rcond: float) -> torch.Tensor:
    """Pseudo-inverse ``(..., n, m)`` of every matrix ``(..., m, n)``; CPU, any float dtype.

    ``"lstsq"`` is the minimum-norm least-squares solution of ``A X = I`` (LAPACK gelsd);
    ``"svd"`` zeroes singular values below ``rcond · σ_max``. Both use the same cutoff, so
    they agree unless a singular value sits at the cutoff.
    """
    if inverse == "lstsq":
        m = matrices.shape[-2]
        eye = torch.eye(m, dtype=matrices.dtype).expand(*matrices.shape[:-2], m, m)
        return torch.linalg.lstsq(matrices, eye, rcond=rcond, driver="gelsd").solution
    return torch.linalg.pinv(matrices, rtol=rcond)


def relative_difference(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``‖a - b‖_F / ‖b‖_F`` per matrix of a stack ``(..., m, n)`` (0 where both are zero)."""
    scale = torch.linalg.matrix_norm(b).clamp_min(torch.finfo(b.dtype).tiny)
    return torch.linalg.matrix_norm(a - b) / scale


def pseudo_inverse(
    matrices: Any, *, inverse: str = "lstsq", rcond: float | None = None
) -> np.ndarray:
    """Moore–Penrose pseudo-inverse of every matrix in a stack, batched.

    Solves in float64 and returns the input's float dtype. Singular values below
    ``rcond · σ_max`` count as zero in both routes; the default ``rcond`` is
    ``max(m, n) · eps`` of the input dtype, so a float32 Jacobian is not inverted along
    directions that are rounding noise.

    Parameters
    ----------
    matrices : array-like of shape (..., m, n)
        One matrix or a stack of them; finite values.
    inverse : {"lstsq", "svd"}, default="lstsq"
        ``"lstsq"``: minimum-norm least-squares solution ``X`` of ``A X = I_m`` (LAPACK
        gelsd, as in the xCEBRA reference). ``"svd"``: truncated SVD pseudo-inverse.
    rcond : float, optional
        Relative cutoff for small singular values.

    Returns
    -------
    ndarray of shape (..., n, m)
        ``A⁺`` for every ``A``; for a full-row-rank ``A`` this is ``Aᵀ(AAᵀ)⁻¹``.

    Raises
    ------
    DataValidationError
        ``matrices`` has fewer than two dimensions or holds NaN or inf.
    ConfigurationError
        ``inverse`` or ``rcond`` is invalid.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.attribution import pseudo_inverse
    >>> a = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0]])
    >>> pseudo_inverse(a)
    array([[1. , 0. ],
           [0. , 0.5],
           [0. , 0. ]])
    """
    check_choice(inverse, INVERSES, name="inverse", owner="pseudo_inverse")
    check_float(rcond, name="rcond", owner="pseudo_inverse", low=0.0, low_inclusive=True,
                allow_none=True)
    array = np.asarray(matrices)
    if array.ndim < 2 or not np.issubdtype(array.dtype, np.number) or array.size == 0:
        raise DataValidationError(
            "matrices of pseudo_inverse must be a non-empty numeric array of shape "
            f"(..., m, n); got dtype {array.dtype} and shape {array.shape}."
        )
    if not np.all(np.isfinite(array)):
        first = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise DataValidationError(
            f"matrices of pseudo_inverse hold NaN or inf (first at index {first})."
        )
    dtype = array.dtype if np.issubdtype(array.dtype, np.floating) else np.dtype(np.float64)
    source = torch.from_numpy(np.asarray(array, dtype=dtype))
    if rcond is None:
        rcond = default_rcond(array.shape, source.dtype)
    out = pinv(source.double(), inverse, rcond)
    return out.numpy().astype(dtype, copy=False)
