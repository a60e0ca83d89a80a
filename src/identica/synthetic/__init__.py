# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Synthetic recordings with known ground truth, for demos, tests and benchmarks.

Each generator is a plain function that takes a ``random_state`` and returns a
:class:`~identica.data.Recording` (or a list of them, one per session) whose ``truth`` dict holds
the latent variables and the parameters the data were drawn from. :func:`linear_track` simulates
place cells of a rat running back and forth on a linear track; it is the default demo data.
:func:`attribution_benchmark` mixes two groups of random-walk latents into neurons through random
MLPs, with the true latent-to-neuron attribution map in ``truth``. For identifiability checks
(CL-ICA), :func:`latent_pairs` draws positive pairs on a box or a sphere (:class:`PairConfig`),
:func:`mixing_mlp` draws an invertible :class:`MixingMLP` with its exact inverse, and
:func:`observed_pairs` lays mixed pairs out as a recording of two-row trials. For
equivariance (EbC), :func:`random_group_elements` draws finite sets of O(n), SO(n), GL(n),
cyclic or dihedral elements and :func:`group_pairs` pairs of observations related
by them (:class:`GroupPairs`, fresh draws from its :class:`GroupActionModel`). There is no base
class to subclass: a new generator is a new function with the same contract.
"""

from ._attribution import attribution_benchmark as attribution_benchmark
from ._group_pairs import GroupActionModel as GroupActionModel
from ._group_pairs import GroupPairs as GroupPairs
from ._group_pairs import group_pairs as group_pairs
from ._groups import GL_DET_BOUNDS as GL_DET_BOUNDS
from ._groups import GL_INVERSE_TOLERANCE as GL_INVERSE_TOLERANCE
from ._groups import GROUPS as GROUPS
from ._groups import random_group_elements as random_group_elements
from ._latents import PairConfig as PairConfig
from ._latents import latent_pairs as latent_pairs
from ._linear_track import linear_track as linear_track
from ._mixing import MixingMLP as MixingMLP
from ._mixing import mixing_mlp as mixing_mlp
from ._pairs import observed_pairs as observed_pairs

__all__ = [
    "GL_DET_BOUNDS",
    "GL_INVERSE_TOLERANCE",
    "GROUPS",
    "GroupActionModel",
    "GroupPairs",
    "MixingMLP",
    "PairConfig",
    "attribution_benchmark",
    "group_pairs",
    "latent_pairs",
    "linear_track",
    "mixing_mlp",
    "observed_pairs",
    "random_group_elements",
]
