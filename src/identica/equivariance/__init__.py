# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Equivariant embeddings from unlabeled group actions (Equivariance by Contrast, EbC).

Pairs of observations ``(y, y')`` share an unknown group action; only which pairs share one is
known. :class:`EquivariantEmbedding` (a scikit-learn estimator) learns an encoder ``h`` in which
each action acts linearly: per training step, :func:`estimate_action` solves the action's matrix
``Q`` from a support set of pairs by batched least squares, and
:class:`EquivariantObjective` (the :class:`~identica.training.AbstractObjective` of this
family) contrasts ``Q h(y)`` with ``h(y')``. ``projection="identity"`` gives the invariant
baseline. Subclass :class:`~identica.training.AbstractObjective` for another step.
"""

from identica.equivariance._embedding import EquivariantEmbedding as EquivariantEmbedding
from identica.equivariance._estimate import PROJECTIONS as PROJECTIONS
from identica.equivariance._estimate import estimate_action as estimate_action
from identica.equivariance._objective import EquivariantObjective as EquivariantObjective

__all__ = ["PROJECTIONS", "EquivariantEmbedding", "EquivariantObjective", "estimate_action"]
