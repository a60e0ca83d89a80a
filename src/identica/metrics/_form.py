# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The form of an embedding: temporal smoothness and compactness (participation ratio)."""

from __future__ import annotations

from typing import Any

import numpy as np

from identica.exceptions import DataValidationError

__all__ = ["compactness", "participation_ratio", "smoothness", "smoothness_score"]


def _points(z: Any, name: str, owner: str, min_rows: int = 2) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    if z.ndim == 1:
        z = z[:, None]
    if z.ndim != 2 or len(z) < min_rows or not np.all(np.isfinite(z)):
        raise DataValidationError(
            f"{name} of {owner} must be a finite array of shape (n_samples, n_dims) with at "
            f"least {min_rows} rows. Got shape {z.shape}."
        )
    return z


def smoothness(z: Any) -> float:
    """``r = mean ||z[t+1] - z[t]||² / total variance of z``: small for slow embeddings.

    The total variance is the trace of the covariance (population). ``r`` is unchanged by
    rotations, scaling and shifts of ``z``; for white noise it is about 2.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import smoothness
    >>> round(smoothness(np.array([0.0, 1.0, 0.0, 1.0])), 6)    # steps 1, variance 0.25
    4.0
    """
    z = _points(z, "z", "smoothness")
    variance = float(z.var(axis=0).sum())
    if variance == 0:
        raise DataValidationError("z of smoothness is constant: its total variance is 0.")
    return float(np.mean(np.sum(np.diff(z, axis=0) ** 2, axis=1)) / variance)


def smoothness_score(z: Any, z_true: Any) -> float:
    """Target-matched smoothness: ``-|log(r(z) / r(z_true))|`` (0 is best).

    Penalises over- and under-smoothing alike against the true latents of a synthetic
    recording (``r``: :func:`smoothness`). 0 for any scaled rotation of ``z_true`` plus a
    constant. On real data, where no target exists, report :func:`smoothness` alone.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import smoothness_score
    >>> t = np.linspace(0, 6, 200)
    >>> truth = np.stack([np.sin(t), np.cos(2 * t)], axis=1)
    >>> rotation = np.array([[0.6, -0.8], [0.8, 0.6]])
    >>> abs(smoothness_score(3.0 * truth @ rotation + 5.0, truth)) < 1e-12
    True
    """
    return float(-abs(np.log(smoothness(z) / smoothness(z_true))))


def participation_ratio(z: Any) -> float:
    """``(sum λ)² / sum λ²`` of the eigenvalues λ of the covariance of ``z``.

    The effective number of dimensions: ``n_dims`` for an isotropic cloud, 1 for points on a
    line, 0 for a constant ``z`` (a fully collapsed embedding). Also a label-free monitor of
    test-time adaptation (a collapsing embedding loses dimensions).

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import participation_ratio
    >>> participation_ratio(np.outer(np.arange(10.0), [1.0, 2.0, -1.0]))
    1.0
    """
    z = _points(z, "z", "participation_ratio")
    eigenvalues = np.clip(np.linalg.eigvalsh(np.cov(z, rowvar=False).reshape(z.shape[1],
                                                                              z.shape[1])),
                          0.0, None)
    total = float(eigenvalues.sum())
    if total == 0:
        return 0.0
    return float(round(total**2 / float((eigenvalues**2).sum()), 12))


def compactness(z: Any) -> float:
    """:func:`participation_ratio` divided by the number of dimensions, in (0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import compactness
    >>> compactness(np.outer(np.arange(10.0), [1.0, 0.0, 0.0, 2.0]))
    0.25
    """
    z = _points(z, "z", "compactness")
    return participation_ratio(z) / z.shape[1]
