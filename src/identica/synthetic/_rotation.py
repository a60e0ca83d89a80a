# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Random rotations as products of Givens rotations with small random angles."""

from __future__ import annotations

import numpy as np

from identica._checks import check_float, check_int, check_random_state
from identica.exceptions import ConfigurationError

__all__ = ["random_rotation"]

_OWNER = "random_rotation"


def random_rotation(
    n_dims: int,
    *,
    min_angle: float = 0.0,
    max_angle: float = 10.0,
    random_state: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Draw a rotation matrix as a product of Givens rotations, one per coordinate plane.

    Start from the identity; for every pair ``(i, j)`` with ``i < j``, in lexicographic order
    ((0, 1), (0, 2), …, (1, 2), …), draw an angle ``θ ~ U[min_angle, max_angle]`` degrees,
    flip its sign with probability ½, and right-multiply by the rotation in plane ``(i, j)``:
    ``cos θ`` at ``(i, i)`` and ``(j, j)``, ``-sin θ`` at ``(i, j)``, ``sin θ`` at ``(j, i)``.
    The result is orthogonal with determinant 1. All angles are drawn first (one array), then
    all signs. ``max_angle=0`` gives the identity (the "identity dynamics" of DCL).

    Parameters
    ----------
    n_dims : int
        Size ``d`` of the matrix, at least 1 (``d = 1`` has no plane: the identity).
    min_angle, max_angle : float, default=0.0, 10.0
        Range of the angles in degrees, ``0 <= min_angle <= max_angle``.
    random_state : int, numpy.random.Generator or None, default=None
        All randomness; the same seed gives the same matrix.

    Returns
    -------
    ndarray of shape (n_dims, n_dims), float64
        The rotation ``A`` (``A @ A.T = I``, ``det A = 1``).

    Raises
    ------
    ConfigurationError
        If ``n_dims`` is not a positive int or the angles are not ``0 <= min <= max``.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.synthetic import random_rotation
    >>> a = random_rotation(4, max_angle=5.0, random_state=0)
    >>> bool(np.allclose(a @ a.T, np.eye(4))), round(float(np.linalg.det(a)), 6)
    (True, 1.0)
    >>> bool((random_rotation(3, max_angle=0.0, random_state=0) == np.eye(3)).all())
    True
    """
    n = check_int(n_dims, name="n_dims", owner=_OWNER, low=1)
    low, high = _angles(min_angle, max_angle, _OWNER)
    rng = check_random_state(random_state, owner=_OWNER)
    planes = [(i, j) for i in range(n) for j in range(i + 1, n)]
    angles = np.deg2rad(rng.uniform(low, high, size=len(planes)))
    angles = np.where(rng.random(len(planes)) < 0.5, -angles, angles)
    rotation = np.eye(n)
    for (i, j), theta in zip(planes, angles):
        cos, sin = np.cos(theta), np.sin(theta)
        # right-multiplying by the Givens matrix only mixes columns i and j
        col_i, col_j = rotation[:, i].copy(), rotation[:, j].copy()
        rotation[:, i] = cos * col_i + sin * col_j
        rotation[:, j] = -sin * col_i + cos * col_j
    return rotation


def _angles(min_angle: object, max_angle: object, owner: str) -> tuple[float, float]:
    """``(min_angle, max_angle)`` as floats with ``0 <= min <= max``; else raise."""
    low = check_float(min_angle, name="min_angle", owner=owner, low=0.0, low_inclusive=True)
    high = check_float(max_angle, name="max_angle", owner=owner, low=0.0, low_inclusive=True)
    if low > high:
        raise ConfigurationError(
            f"'min_angle' of {owner} must not exceed 'max_angle'. Got min_angle={low} and "
            f"max_angle={high}."
        )
    return low, high
