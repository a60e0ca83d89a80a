# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Metrics: pure functions on arrays that score embeddings.

Metrics take numpy arrays (embeddings, labels) and return floats or small arrays; they train
nothing and hold no state. :func:`consistency` measures how well an affine map explains one
embedding by another (mean pairwise R²), optionally held out or aligned across sessions of
different lengths by their labels. :func:`fit_alignment` fits the best map of a class of
indeterminacy (:data:`INDETERMINACIES`: identity, permutation, scaled permutation, orthogonal,
linear, affine) from one embedding onto another as an :class:`Alignment`; against known
latents, :func:`identifiability` scores R² under such a class and :func:`mcc` the mean
correlation of matched dimensions, in-sample or held out (``test_size``).
:func:`goodness_of_fit` reports a fitted model's InfoNCE below chance, in bits
(:func:`bits`); :func:`attribution_auc` and :func:`attribution_gaps` score an attribution map
against a known one. For learned dynamics (DCL), :func:`dynamics_r2` compares them with the
true dynamics carried into the embedding, :func:`lds_error` and :func:`control_error` compare
matrices, :func:`mode_accuracy` scores switching modes up to their names and
:func:`predictive_mse` the one-step error. For equivariant embeddings, :func:`block_r2`
scores the group and content blocks, :func:`equivariance_r2` how well fitted linear actions
predict acted embeddings, and :func:`homomorphism_r2` whether composing actions is kept.
Over a drifting stream (test-time adaptation), :func:`window_r2` scores each window,
:func:`stream_summary` (:class:`StreamSummary`) gives mean, last-quarter and worst R², the area
against the non-adapting model and :func:`collapse_flag`; :func:`effective_rank`,
:func:`moment_distance`, :func:`disagreement` and :func:`window_goodness_of_fit` are label-free
monitors. There is no base class to subclass: a new metric is a new function in its own
private module, re-exported here.
"""

from ._alignment import INDETERMINACIES as INDETERMINACIES
from ._alignment import Alignment as Alignment
from ._alignment import fit_alignment as fit_alignment
from ._attribution import attribution_auc as attribution_auc
from ._attribution import attribution_gaps as attribution_gaps
from ._consistency import consistency as consistency
from ._consistency import consistency_matrix as consistency_matrix
from ._drift import StreamSummary as StreamSummary
from ._drift import collapse_flag as collapse_flag
from ._drift import disagreement as disagreement
from ._drift import effective_rank as effective_rank
from ._drift import moment_distance as moment_distance
from ._drift import stream_summary as stream_summary
from ._drift import window_goodness_of_fit as window_goodness_of_fit
from ._drift import window_r2 as window_r2
from ._dynamics import control_error as control_error
from ._dynamics import dynamics_r2 as dynamics_r2
from ._dynamics import lds_error as lds_error
from ._dynamics import mode_accuracy as mode_accuracy
from ._dynamics import predictive_mse as predictive_mse
from ._equivariance import ACTION_FITS as ACTION_FITS
from ._equivariance import BlockR2 as BlockR2
from ._equivariance import block_r2 as block_r2
from ._equivariance import equivariance_r2 as equivariance_r2
from ._equivariance import homomorphism_r2 as homomorphism_r2
from ._goodness_of_fit import bits as bits
from ._goodness_of_fit import goodness_of_fit as goodness_of_fit
from ._goodness_of_fit import goodness_of_fit_history as goodness_of_fit_history
from ._identifiability import identifiability as identifiability
from ._identifiability import mcc as mcc

__all__ = [
    "StreamSummary",
    "collapse_flag",
    "disagreement",
    "effective_rank",
    "moment_distance",
    "stream_summary",
    "window_goodness_of_fit",
    "window_r2",
    "ACTION_FITS",
    "INDETERMINACIES",
    "Alignment",
    "BlockR2",
    "bits",
    "block_r2",
    "attribution_auc",
    "attribution_gaps",
    "consistency",
    "consistency_matrix",
    "control_error",
    "dynamics_r2",
    "equivariance_r2",
    "fit_alignment",
    "goodness_of_fit",
    "goodness_of_fit_history",
    "homomorphism_r2",
    "identifiability",
    "lds_error",
    "mcc",
    "mode_accuracy",
    "predictive_mse",
]
