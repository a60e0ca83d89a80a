# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The scikit-learn facade over the engine: :class:`Embedding` and what it is made of.

``Embedding.fit`` is a straight pipeline: parameters → one frozen :class:`EmbeddingConfig`
(checked once against the constraint table) → :func:`plan_fit` (sessions checked, the
conditional resolved, objectives expanded) → :func:`assemble` (sampler, encoders, loss,
optimiser, objective) → the engine's ``Solver`` → a returned fitted state that the estimator
assigns. ``adapt``, ``load``, goodness of fit and the benchmarks use the same assembly. Model
files, :class:`Objective` and :class:`ConsistencyEnsemble` live here too. Nothing here is meant
to be subclassed: new method families compose the engine's parts and this assembly.
"""

from identica.estimator._assembly import Assembly as Assembly
from identica.estimator._assembly import Network as Network
from identica.estimator._assembly import assemble as assemble
from identica.estimator._config import EmbeddingConfig as EmbeddingConfig
from identica.estimator._embedding import Embedding as Embedding
from identica.estimator._ensemble import ConsistencyEnsemble as ConsistencyEnsemble
from identica.estimator._load import load as load
from identica.estimator._objective import Objective as Objective
from identica.estimator._plan import Plan as Plan
from identica.estimator._plan import plan_fit as plan_fit

__all__ = [
    "Assembly",
    "ConsistencyEnsemble",
    "Embedding",
    "EmbeddingConfig",
    "Network",
    "Objective",
    "Plan",
    "assemble",
    "load",
    "plan_fit",
]
