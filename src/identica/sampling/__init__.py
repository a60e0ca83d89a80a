# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Conditional distributions: which windows form positive pairs, and which are negatives.

A sampler is built once at fit time from the labels and the valid window positions
(:class:`~identica.data.ValidRuns`) and returns :class:`BatchIndex` values: int64 indices into
the global timeline, never data. Every draw comes from the ``torch.Generator`` passed to
:meth:`AbstractSampler.sample`; no sampler reads global random state or loops over samples in
Python. Subclass :class:`AbstractSampler` for a new conditional.
"""

from identica.sampling._base import AbstractSampler as AbstractSampler
from identica.sampling._base import BatchIndex as BatchIndex
from identica.sampling._behavior import DeltaSampler as DeltaSampler
from identica.sampling._behavior import EmpiricalChanges as EmpiricalChanges
from identica.sampling._behavior import TimeDeltaSampler as TimeDeltaSampler
from identica.sampling._discrete import ClassIndex as ClassIndex
from identica.sampling._discrete import DiscreteSampler as DiscreteSampler
from identica.sampling._discrete import MixedSampler as MixedSampler
from identica.sampling._multisession import MultiSessionSampler as MultiSessionSampler
from identica.sampling._nearest import NearestLabelIndex as NearestLabelIndex
from identica.sampling._offsets import OffsetPairs as OffsetPairs
from identica.sampling._time import TimeSampler as TimeSampler

__all__ = [
    "AbstractSampler",
    "BatchIndex",
    "ClassIndex",
    "DeltaSampler",
    "DiscreteSampler",
    "EmpiricalChanges",
    "MixedSampler",
    "MultiSessionSampler",
    "NearestLabelIndex",
    "OffsetPairs",
    "TimeDeltaSampler",
    "TimeSampler",
]
