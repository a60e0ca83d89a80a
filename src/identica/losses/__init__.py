# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Contrastive losses: a pure functional core plus a thin module.

:func:`infonce` takes reference, positive and negative embeddings and a similarity object
(:data:`cosine`, :data:`dot`, :data:`euclidean`, :data:`l1`, or any :class:`LpSimilarity`)
and returns :class:`LossParts` — the total and its alignment and uniformity parts.
:class:`InfoNCE` wraps it with a fixed or learned temperature; :func:`predictive_infonce`
(:class:`PredictiveInfoNCE`) scores a dynamics model's prediction of the positive, and
:func:`action_infonce` applies a linear action to every reference (Equivariance by
Contrast). Subclass :class:`AbstractContrastiveLoss` for a new loss (it receives the batch's
pair context) and :class:`AbstractSimilarity` for a new similarity measure.
"""

from identica.losses._action_infonce import action_infonce as action_infonce
from identica.losses._base import AbstractContrastiveLoss as AbstractContrastiveLoss
from identica.losses._blockwise import mean_logsumexp as mean_logsumexp
from identica.losses._infonce import DENOMINATORS as DENOMINATORS
from identica.losses._infonce import LossParts as LossParts
from identica.losses._infonce import infonce as infonce
from identica.losses._jacobian import JacobianRegularizer as JacobianRegularizer
from identica.losses._jacobian import LinearRamp as LinearRamp
from identica.losses._jacobian import jacobian_penalty as jacobian_penalty
from identica.losses._module import InfoNCE as InfoNCE
from identica.losses._multiobjective import MultiObjectiveLoss as MultiObjectiveLoss
from identica.losses._predictive import PredictiveInfoNCE as PredictiveInfoNCE
from identica.losses._predictive import predictive_infonce as predictive_infonce
from identica.losses._similarity import SIMILARITIES as SIMILARITIES
from identica.losses._similarity import AbstractSimilarity as AbstractSimilarity
from identica.losses._similarity import CosineSimilarity as CosineSimilarity
from identica.losses._similarity import DotSimilarity as DotSimilarity
from identica.losses._similarity import EuclideanSimilarity as EuclideanSimilarity
from identica.losses._similarity import LpSimilarity as LpSimilarity
from identica.losses._similarity import cosine as cosine
from identica.losses._similarity import dot as dot
from identica.losses._similarity import euclidean as euclidean
from identica.losses._similarity import l1 as l1

__all__ = [
    "AbstractContrastiveLoss",
    "DENOMINATORS",
    "SIMILARITIES",
    "AbstractSimilarity",
    "CosineSimilarity",
    "DotSimilarity",
    "EuclideanSimilarity",
    "InfoNCE",
    "JacobianRegularizer",
    "LinearRamp",
    "LossParts",
    "LpSimilarity",
    "MultiObjectiveLoss",
    "PredictiveInfoNCE",
    "action_infonce",
    "cosine",
    "dot",
    "euclidean",
    "infonce",
    "l1",
    "jacobian_penalty",
    "mean_logsumexp",
    "predictive_infonce",
]
