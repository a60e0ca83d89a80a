# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Attribution maps: which neurons drive which embedding dimension (xCEBRA).

:func:`attribute` evaluates a trained encoder on every time step of a recording and returns an
:class:`AttributionMap`: per-sample maps ``M_t`` (output dimensions × neurons) and their summary
``mean_t |M_t|``. The default method, the inverted neuron gradient, is the per-sample
Moore–Penrose pseudo-inverse of the encoder's Jacobian (:func:`pseudo_inverse`); the Jacobian,
gradient × input, integrated gradients, gradient SHAP (expected gradients) and feature ablation,
each also inverted, are the baselines listed in :data:`METHODS`. There is no class to
subclass: a new method is a new function in ``_methods.py`` plus its name in :data:`METHODS`;
score maps against a known truth with :func:`identica.metrics.attribution_auc`.
"""

from identica.attribution._attribute import METHODS as METHODS
from identica.attribution._attribute import AttributionMap as AttributionMap
from identica.attribution._attribute import attribute as attribute
from identica.attribution._inverse import INVERSES as INVERSES
from identica.attribution._inverse import pseudo_inverse as pseudo_inverse

__all__ = [
    "INVERSES",
    "METHODS",
    "AttributionMap",
    "attribute",
    "pseudo_inverse",
]
