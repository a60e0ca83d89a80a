# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""identica: consistent, identifiable embeddings of time series by contrastive learning.

Fit :class:`Embedding` on neural data (and behaviour), transform recordings into embeddings,
save them to safetensors files and :func:`load` them back. The subpackages hold the layers:
``data``, ``io``, ``sampling``, ``nn``, ``losses``, ``training``, ``metrics``, ``decoders``,
``synthetic``, ``plot``, ``attribution``, ``dynamics``, ``equivariance``, ``adaptation``
(test-time adaptation to drift), ``report`` (the quality report) and ``distributed`` (torchrun,
resumable jobs, sweeps); ``compat`` holds
:class:`compat.CEBRA`, CEBRA 0.6.1's scikit-learn names on top of :class:`Embedding`.
"""

from identica import adaptation as adaptation
from identica import attribution as attribution
from identica import compat as compat
from identica import data as data
from identica import decoders as decoders
from identica import distributed as distributed
from identica import dynamics as dynamics
from identica import equivariance as equivariance
from identica import estimator as estimator
from identica import exceptions as exceptions
from identica import io as io
from identica import losses as losses
from identica import metrics as metrics
from identica import nn as nn
from identica import report as report
from identica import sampling as sampling
from identica import synthetic as synthetic
from identica import training as training
from identica import workflows as workflows
from identica._version import __version__ as __version__
from identica.estimator import ConsistencyEnsemble as ConsistencyEnsemble
from identica.estimator import Embedding as Embedding
from identica.estimator import Objective as Objective
from identica.estimator import load as load

__all__ = [
    "ConsistencyEnsemble",
    "Embedding",
    "Objective",
    "__version__",
    "adaptation",
    "attribution",
    "compat",
    "data",
    "decoders",
    "distributed",
    "dynamics",
    "equivariance",
    "estimator",
    "exceptions",
    "io",
    "load",
    "losses",
    "metrics",
    "nn",
    "report",
    "sampling",
    "synthetic",
    "training",
    "workflows",
]
