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
:func:`observed_pairs` lays mixed pairs out as a recording of two-row trials. For dynamics
contrastive learning (DCL), :func:`lds`, :func:`slds` and :func:`lorenz` draw trials of a
(switching) linear or Lorenz system seen through an injective :class:`ObservationMap`, as a
:class:`DynamicsData` holding the true :class:`LatentDynamics`; :func:`random_rotation` and
:func:`mode_transitions` are their building blocks. For equivariance (EbC),
:func:`random_group_elements` draws finite sets of O(n), SO(n), GL(n), cyclic or dihedral
elements and :func:`group_pairs` pairs of observations related by them (:class:`GroupPairs`,
fresh draws from its :class:`GroupActionModel`). For drift (test-time adaptation),
:func:`place_cell_population` and :func:`reaching_population` give firing rates
(:class:`DriftPopulation`) on which a :class:`DriftModel` applies the operators of
:data:`OPERATORS` at a severity in [0, 5]; :func:`drift_days` draws across-day sessions,
:func:`behavior_shift` the behaviour-only control, and :func:`drift_stream` a CCC-style walk at
constant difficulty from a :class:`DriftCalibration` (:func:`calibrate_drift`, :func:`walk`).
There is no base class to subclass: a new
generator is a new function with the same contract.
"""

from ._attribution import attribution_benchmark as attribution_benchmark
from ._drift import OPERATORS as OPERATORS
from ._drift import DriftModel as DriftModel
from ._drift import DriftScales as DriftScales
from ._drift import behavior_shift as behavior_shift
from ._drift import drift_days as drift_days
from ._drift_population import DriftPopulation as DriftPopulation
from ._drift_population import place_cell_population as place_cell_population
from ._drift_population import reaching_population as reaching_population
from ._drift_stream import DriftCalibration as DriftCalibration
from ._drift_stream import DriftStream as DriftStream
from ._drift_stream import calibrate_drift as calibrate_drift
from ._drift_stream import drift_stream as drift_stream
from ._drift_stream import walk as walk
from ._dynamics import DynamicsData as DynamicsData
from ._dynamics import LatentDynamics as LatentDynamics
from ._group_pairs import GroupActionModel as GroupActionModel
from ._group_pairs import GroupPairs as GroupPairs
from ._group_pairs import group_pairs as group_pairs
from ._groups import GL_DET_BOUNDS as GL_DET_BOUNDS
from ._groups import GL_INVERSE_TOLERANCE as GL_INVERSE_TOLERANCE
from ._groups import GROUPS as GROUPS
from ._groups import random_group_elements as random_group_elements
from ._latents import PairConfig as PairConfig
from ._latents import latent_pairs as latent_pairs
from ._linear import lds as lds
from ._linear import slds as slds
from ._linear_track import linear_track as linear_track
from ._lorenz import LORENZ_INITIAL as LORENZ_INITIAL
from ._lorenz import lorenz as lorenz
from ._mixing import MixingMLP as MixingMLP
from ._mixing import mixing_mlp as mixing_mlp
from ._modes import mode_transitions as mode_transitions
from ._observation import ObservationMap as ObservationMap
from ._pairs import observed_pairs as observed_pairs
from ._rotation import random_rotation as random_rotation

__all__ = [
    "OPERATORS",
    "DriftCalibration",
    "DriftModel",
    "DriftPopulation",
    "DriftScales",
    "DriftStream",
    "behavior_shift",
    "calibrate_drift",
    "drift_days",
    "drift_stream",
    "place_cell_population",
    "reaching_population",
    "walk",
    "LORENZ_INITIAL",
    "DynamicsData",
    "LatentDynamics",
    "GL_DET_BOUNDS",
    "GL_INVERSE_TOLERANCE",
    "GROUPS",
    "GroupActionModel",
    "GroupPairs",
    "MixingMLP",
    "ObservationMap",
    "PairConfig",
    "attribution_benchmark",
    "group_pairs",
    "latent_pairs",
    "lds",
    "linear_track",
    "lorenz",
    "mixing_mlp",
    "mode_transitions",
    "observed_pairs",
    "random_rotation",
    "slds",
    "random_group_elements",
]
