# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The quality report: how far to trust an embedding, beyond decoding accuracy.

:func:`quality_report` fits configurations over seeds on training time blocks (or takes
fitted models), computes every measure of :data:`MEASURES` on a held-out block (decoding,
goodness of fit, consistency, update compatibility, identifiability, robustness, calibration,
balance, smoothness, compactness, cost), normalises each between a trivial anchor and a
reference (:func:`anchor_score`), combines them into group and overall scores
(:func:`combine`), and runs validity controls (shuffled labels, time-shifted labels,
time-shuffled neural data). The result is a :class:`QualityReport` with ``to_dict``,
``to_markdown`` and a self-contained ``to_html``. There is no base class to subclass: a new
measure is a pure function in :mod:`identica.metrics` plus a row of :data:`MEASURES`.
"""

from identica.report._measures import GROUPS as GROUPS
from identica.report._measures import MEASURES as MEASURES
from identica.report._measures import Measure as Measure
from identica.report._perturbations import channel_perturbations as channel_perturbations
from identica.report._perturbations import noise_perturbations as noise_perturbations
from identica.report._quality_report import quality_report as quality_report
from identica.report._reference import REFERENCE_CONFIG as REFERENCE_CONFIG
from identica.report._report import QualityReport as QualityReport
from identica.report._score import anchor_score as anchor_score
from identica.report._score import combine as combine
from identica.report._score import is_discriminative as is_discriminative
from identica.report._score import rank_correlations as rank_correlations
from identica.report._score import tradeoff_flags as tradeoff_flags

__all__ = [
    "GROUPS",
    "MEASURES",
    "REFERENCE_CONFIG",
    "Measure",
    "QualityReport",
    "anchor_score",
    "channel_perturbations",
    "combine",
    "is_discriminative",
    "noise_perturbations",
    "quality_report",
    "rank_correlations",
    "tradeoff_flags",
]
