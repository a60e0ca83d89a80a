# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""System identification in latent space: dynamics contrastive learning (DCL, ICLR 2025).

:class:`DynamicsEmbedding` learns an encoder and a dynamics model ``f̂`` together, so that
``f̂(h(y_t))`` predicts ``h(y_{t+1})`` (predictive InfoNCE over pairs of consecutive rows of a
trial). ``f̂`` is a frozen :class:`IdentityDynamics` (the time-contrastive baseline), a
:class:`LinearDynamics` or a :class:`SwitchingDynamics` (∇-SLDS), all optionally driven by
known control inputs; :func:`make_dynamics` builds them from the names in :data:`DYNAMICS`.
Subclass :class:`AbstractDynamics` for another model: :class:`DynamicsObjective` trains any of
them through the engine's Solver. Model files load with :func:`load`.
"""

from identica.dynamics._estimator import DynamicsEmbedding as DynamicsEmbedding
from identica.dynamics._load import load as load
from identica.dynamics._models import AbstractDynamics as AbstractDynamics
from identica.dynamics._models import IdentityDynamics as IdentityDynamics
from identica.dynamics._models import LinearDynamics as LinearDynamics
from identica.dynamics._objective import DynamicsObjective as DynamicsObjective
from identica.dynamics._registry import DYNAMICS as DYNAMICS
from identica.dynamics._registry import make_dynamics as make_dynamics
from identica.dynamics._switching import SwitchingDynamics as SwitchingDynamics
from identica.dynamics._switching import gumbel_noise as gumbel_noise

__all__ = [
    "DYNAMICS",
    "AbstractDynamics",
    "DynamicsEmbedding",
    "DynamicsObjective",
    "IdentityDynamics",
    "LinearDynamics",
    "SwitchingDynamics",
    "gumbel_noise",
    "load",
    "make_dynamics",
]
