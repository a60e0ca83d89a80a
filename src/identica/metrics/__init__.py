# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Metrics: pure functions on arrays that score embeddings.

Metrics take numpy arrays (embeddings, labels) and return floats or small arrays; they train
nothing and hold no state. :func:`consistency` measures how well an affine map explains one
embedding by another (mean pairwise R²), optionally held out or aligned across sessions of
different lengths by their labels. :func:`goodness_of_fit` reports a fitted model's InfoNCE
below chance, in bits; :func:`attribution_auc` and :func:`attribution_gaps` score an
attribution map against a known one. There is no base class to subclass: a new metric is a new
function in its own private module, re-exported here.
"""

from ._attribution import attribution_auc as attribution_auc
from ._attribution import attribution_gaps as attribution_gaps
from ._consistency import consistency as consistency
from ._consistency import consistency_matrix as consistency_matrix
from ._goodness_of_fit import bits as bits
from ._goodness_of_fit import goodness_of_fit as goodness_of_fit
from ._goodness_of_fit import goodness_of_fit_history as goodness_of_fit_history

__all__ = [
    "bits",
    "attribution_auc",
    "attribution_gaps",
    "consistency",
    "consistency_matrix",
    "goodness_of_fit",
    "goodness_of_fit_history",
]
