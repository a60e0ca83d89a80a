# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Conditional distributions: which windows form positive pairs, and which are negatives.

A sampler is built once at fit time from the labels and the valid window positions
(:class:`~identica.data.ValidRuns`) and returns :class:`BatchIndex` values: int64 indices into
the global timeline, never data. Every draw comes from the ``torch.Generator`` passed to
:meth:`AbstractSampler.sample`; no sampler reads global random state or loops over samples in
Python. Subclass :class:`AbstractSampler` (implement ``positive_for``) for a new conditional,
:data:`CONDITIONALS` maps the names the estimator accepts to their samplers;
:class:`DynamicsPairSampler` draws the one-step pairs of dynamics models.
"""

from identica.sampling._base import AbstractSampler as AbstractSampler
from identica.sampling._base import BatchIndex as BatchIndex
from identica.sampling._base import PairContext as PairContext
from identica.sampling._behavior import DeltaSampler as DeltaSampler
from identica.sampling._behavior import EmpiricalChanges as EmpiricalChanges
from identica.sampling._behavior import TimeDeltaSampler as TimeDeltaSampler
from identica.sampling._conditionals import CONDITIONALS as CONDITIONALS
from identica.sampling._conditionals import Conditional as Conditional
from identica.sampling._conditionals import make_sampler as make_sampler
from identica.sampling._conditionals import resolve_conditional as resolve_conditional
from identica.sampling._discrete import ClassIndex as ClassIndex
from identica.sampling._discrete import DiscreteSampler as DiscreteSampler
from identica.sampling._discrete import MixedSampler as MixedSampler
from identica.sampling._dynamics import DynamicsPairSampler as DynamicsPairSampler
from identica.sampling._group_pairs import GroupPairSampler as GroupPairSampler
from identica.sampling._multiobjective import MultiObjectiveSampler as MultiObjectiveSampler
from identica.sampling._multisession import MultiSessionSampler as MultiSessionSampler
from identica.sampling._nearest import NearestLabelIndex as NearestLabelIndex
from identica.sampling._offsets import OffsetPairs as OffsetPairs
from identica.sampling._time import TimeSampler as TimeSampler

__all__ = [
    "CONDITIONALS",
    "AbstractSampler",
    "BatchIndex",
    "ClassIndex",
    "Conditional",
    "DeltaSampler",
    "DiscreteSampler",
    "DynamicsPairSampler",
    "EmpiricalChanges",
    "GroupPairSampler",
    "MixedSampler",
    "MultiObjectiveSampler",
    "MultiSessionSampler",
    "NearestLabelIndex",
    "OffsetPairs",
    "PairContext",
    "TimeDeltaSampler",
    "TimeSampler",
    "make_sampler",
    "resolve_conditional",
]
