# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Random maps of each indeterminacy class, for the alignment and ensemble tests."""

from __future__ import annotations

import numpy as np


def random_map(kind: str, d: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A random map of class ``kind``, ``z -> z @ matrix + offset``, as (matrix, offset).

    Linear and affine matrices get ``2 I`` added so they stay well conditioned.
    """
    offset = np.zeros(d)
    if kind == "identity":
        return np.eye(d), offset
    if kind == "permutation":
        return np.eye(d)[rng.permutation(d)] * rng.choice([-1.0, 1.0], size=d), offset
    if kind == "scaled-permutation":
        scale = rng.uniform(0.5, 3.0, size=d) * rng.choice([-1.0, 1.0], size=d)
        return np.eye(d)[rng.permutation(d)] * scale, rng.normal(size=d)
    if kind == "orthogonal":
        return np.linalg.qr(rng.normal(size=(d, d)))[0], offset
    matrix = rng.normal(size=(d, d)) + 2 * np.eye(d)
    return matrix, (rng.normal(size=d) if kind == "affine" else offset)
