# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Test-time adaptation of a fitted embedding to a drifting recording, with resets.

A :class:`SourceModel` is a fitted encoder behind an explicit per-channel
:class:`InputStandardization`, with its frozen decoder and source statistics (stored in the model
file by :meth:`SourceModel.save`, read by :func:`load_source`). Every method is an
:class:`AbstractAdapter` (the class to subclass): ``reset()`` returns to the source exactly,
``update(window)`` adapts to an unlabelled window, ``transform(window)`` embeds. Methods:
:class:`NoAdaptation`, :class:`InputStatistics` (re-standardisation with a source prior and a std
floor), :class:`ContrastiveReadIn` (time-contrastive tuning of the read-in, optional L2-SP
anchor), :class:`InputRefit` (a fresh input layer re-fitted on the recent stream, CEBRA-style),
:class:`SelfLearning` (pseudo-labels), :class:`MomentMatching` (CORAL on the embedding),
the wrappers :class:`PeriodicReset` and :class:`MonitorReset` (RDumb), and the labelled
:class:`Oracle`. :func:`evaluate_stream` scores an adapter window by window (:class:`StreamRun`).
"""

from ._base import AbstractAdapter as AbstractAdapter
from ._base import NoAdaptation as NoAdaptation
from ._evaluate import StreamRun as StreamRun
from ._evaluate import evaluate_stream as evaluate_stream
from ._moments import MomentMatching as MomentMatching
from ._oracle import Oracle as Oracle
from ._readin import ContrastiveReadIn as ContrastiveReadIn
from ._refit import InputRefit as InputRefit
from ._reset import MonitorReset as MonitorReset
from ._reset import PeriodicReset as PeriodicReset
from ._selflearning import SelfLearning as SelfLearning
from ._source import InputStandardization as InputStandardization
from ._source import SourceModel as SourceModel
from ._source import load_source as load_source
from ._statistics import InputStatistics as InputStatistics

__all__ = [
    "AbstractAdapter",
    "ContrastiveReadIn",
    "InputRefit",
    "InputStandardization",
    "InputStatistics",
    "MomentMatching",
    "MonitorReset",
    "NoAdaptation",
    "Oracle",
    "PeriodicReset",
    "SelfLearning",
    "SourceModel",
    "StreamRun",
    "evaluate_stream",
    "load_source",
]
