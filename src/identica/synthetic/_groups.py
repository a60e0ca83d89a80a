# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Finite sets of group elements as matrices: O(n), SO(n), GL(n), cyclic and dihedral groups."""

from __future__ import annotations

import numpy as np
from scipy.stats import ortho_group, special_ortho_group

from identica._checks import check_choice, check_int, check_random_state
from identica.exceptions import ConfigurationError

__all__ = ["GROUPS", "GL_DET_BOUNDS", "GL_INVERSE_TOLERANCE", "random_group_elements"]

GROUPS: tuple[str, ...] = ("O", "SO", "GL", "cyclic", "dihedral")
# GL(n) rejection: accept A only if low < |det A| < high and ||I - A A^-1||_F < tolerance
GL_DET_BOUNDS = (0.2, 10.0)
GL_INVERSE_TOLERANCE = 1e-3

_OWNER = "random_group_elements"
_CHUNK = 1024  # GL candidates drawn at once


def _rotation(n: int, angle: np.ndarray) -> np.ndarray:
    """(k, n, n) rotations by ``angle`` in the plane of the first two axes, identity elsewhere."""
    out = np.broadcast_to(np.eye(n), (len(angle), n, n)).copy()
    c, s = np.cos(angle), np.sin(angle)
    out[:, 0, 0], out[:, 0, 1], out[:, 1, 0], out[:, 1, 1] = c, -s, s, c
    return out


def _general_linear(rng: np.random.Generator, n: int, count: int) -> np.ndarray:
    low, high = GL_DET_BOUNDS
    accepted: list[np.ndarray] = []
    total = 0
    while total < count:
        a = rng.standard_normal((_CHUNK, n, n))
        det = np.abs(np.linalg.det(a))
        ok = (det > low) & (det < high)
        a = a[ok]
        error = np.linalg.norm(np.eye(n) - a @ np.linalg.inv(a), axis=(1, 2))
        a = a[error < GL_INVERSE_TOLERANCE]
        accepted.append(a)
        total += len(a)
    return np.concatenate(accepted)[:count]


def random_group_elements(
    group: str = "O",
    n: int = 3,
    n_elements: int = 1000,
    *,
    random_state: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Draw a finite set of group elements as ``(n_elements, n, n)`` matrices.

    - ``"O"`` / ``"SO"``: i.i.d. Haar-random orthogonal (special orthogonal) matrices
      (``scipy.stats.ortho_group`` / ``special_ortho_group``, seeded from the generator).
    - ``"GL"``: i.i.d. standard Gaussian matrices, kept only if
      ``0.2 < |det A| < 10`` (:data:`GL_DET_BOUNDS`) and ``||I - A A⁻¹||_F < 1e-3``
      (:data:`GL_INVERSE_TOLERANCE`): rejection sampling of well-conditioned elements.
    - ``"cyclic"``: the cyclic group of order ``n_elements``: rotations by ``2πk / n_elements``
      in the plane of the first two axes (identity on the others), ``k = 0 .. n_elements-1``.
    - ``"dihedral"``: the dihedral group of order ``n_elements`` (even): the
      ``n_elements / 2`` rotations followed by as many reflections (a rotation times the
      reflection of the second axis).

    The random sets are i.i.d. draws, a finite *set* of elements that is not closed under
    composition; the cyclic and dihedral sets are whole groups, in a fixed order, and use no
    randomness.

    Parameters
    ----------
    group : {"O", "SO", "GL", "cyclic", "dihedral"}, default="O"
        Which group (:data:`GROUPS`).
    n : int, default=3
        Matrix size, at least 1 (at least 2 for cyclic and dihedral groups).
    n_elements : int, default=1000
        Number of elements, at least 1 (even for dihedral groups).
    random_state : int, numpy.random.Generator or None, default=None
        All randomness.

    Returns
    -------
    ndarray of shape (n_elements, n, n), float64

    Raises
    ------
    ConfigurationError
        If ``group`` is unknown, ``n`` or ``n_elements`` is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.synthetic import random_group_elements
    >>> a = random_group_elements("SO", n=3, n_elements=5, random_state=0)
    >>> a.shape, bool(np.allclose(a @ a.transpose(0, 2, 1), np.eye(3)))
    ((5, 3, 3), True)
    >>> bool(np.allclose(np.linalg.det(a), 1.0))
    True
    >>> c = random_group_elements("cyclic", n=2, n_elements=4)
    >>> np.round(c[1], 6).tolist()
    [[0.0, -1.0], [1.0, 0.0]]
    """
    group = check_choice(group, GROUPS, name="group", owner=_OWNER)
    finite = group in ("cyclic", "dihedral")
    n = check_int(n, name="n", owner=_OWNER, low=2 if finite else 1)
    n_elements = check_int(n_elements, name="n_elements", owner=_OWNER, low=1)
    rng = check_random_state(random_state, owner=_OWNER)
    if group == "cyclic":
        return _rotation(n, 2 * np.pi * np.arange(n_elements) / n_elements)
    if group == "dihedral":
        if n_elements % 2:
            raise ConfigurationError(
                f"'n_elements' of {_OWNER} must be even for the dihedral group (rotations and "
                f"as many reflections). Got {n_elements}."
            )
        half = n_elements // 2
        rotations = _rotation(n, 2 * np.pi * np.arange(half) / half)
        flip = np.eye(n)
        flip[1, 1] = -1.0
        return np.concatenate([rotations, rotations @ flip])
    if group == "GL":
        return _general_linear(rng, n, n_elements)
    if n == 1:
        signs = rng.choice([-1.0, 1.0], size=n_elements) if group == "O" else np.ones(n_elements)
        return signs.reshape(-1, 1, 1)
    haar = ortho_group if group == "O" else special_ortho_group
    draws = haar.rvs(dim=n, size=n_elements, random_state=rng)
    return np.asarray(draws, dtype=np.float64).reshape(n_elements, n, n)
