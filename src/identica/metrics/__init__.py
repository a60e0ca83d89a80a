# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Metrics: pure functions on arrays that score embeddings.

Metrics take numpy arrays (embeddings, labels) and return floats or small arrays; they train
nothing and hold no state. :func:`consistency` measures how well an affine map explains one
embedding by another (mean pairwise R²), optionally held out or aligned across sessions of
different lengths by their labels. There is no base class to subclass: a new metric is a new
function in its own private module, re-exported here.
"""

from ._consistency import consistency as consistency
from ._consistency import consistency_matrix as consistency_matrix

__all__ = [
    "consistency",
    "consistency_matrix",
]
