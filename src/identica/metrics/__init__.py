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
The quality report's measures are here too: :func:`block_split` (held-out time blocks with a
gap), :func:`decoding_score`, :func:`flip_rates` and :func:`update_flip_rates` (negative flip
rate of an update), :func:`calibration_error`, :func:`coverage_gap` and :func:`gaussian_nll`
(decoder calibration), :func:`behavior_balance`, :func:`smoothness`,
:func:`smoothness_score`, :func:`participation_ratio`, :func:`compactness` and
:func:`robustness`.
Over a drifting stream (test-time adaptation), :func:`window_r2` scores each window,
:func:`stream_summary` (:class:`StreamSummary`) gives mean, last-quarter and worst R², the area
against the non-adapting model and :func:`collapse_flag`; :func:`participation_ratio`,
:func:`moment_distance`, :func:`disagreement` and :func:`window_goodness_of_fit` are label-free
monitors. There is no base class to subclass: a new metric is a new function in its own
private module, re-exported here.
"""

from ._alignment import INDETERMINACIES as INDETERMINACIES
from ._alignment import Alignment as Alignment
from ._alignment import fit_alignment as fit_alignment
from ._attribution import attribution_auc as attribution_auc
from ._attribution import attribution_gaps as attribution_gaps
from ._balance import behavior_balance as behavior_balance
from ._blocks import block_split as block_split
from ._calibration import calibration_error as calibration_error
from ._calibration import coverage_gap as coverage_gap
from ._calibration import gaussian_nll as gaussian_nll
from ._consistency import consistency as consistency
from ._consistency import consistency_matrix as consistency_matrix
from ._decoding import decoder_predictions as decoder_predictions
from ._decoding import decoding_score as decoding_score
from ._drift import StreamSummary as StreamSummary
from ._drift import collapse_flag as collapse_flag
from ._drift import disagreement as disagreement
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
from ._flips import FlipRates as FlipRates
from ._flips import flip_rates as flip_rates
from ._flips import update_flip_rates as update_flip_rates
from ._form import compactness as compactness
from ._form import participation_ratio as participation_ratio
from ._form import smoothness as smoothness
from ._form import smoothness_score as smoothness_score
from ._goodness_of_fit import bits as bits
from ._goodness_of_fit import goodness_of_fit as goodness_of_fit
from ._goodness_of_fit import goodness_of_fit_history as goodness_of_fit_history
from ._identifiability import identifiability as identifiability
from ._identifiability import mcc as mcc
from ._robustness import Robustness as Robustness
from ._robustness import perturbation_names as perturbation_names
from ._robustness import robustness as robustness

__all__ = [
    "ACTION_FITS",
    "Alignment",
    "BlockR2",
    "FlipRates",
    "INDETERMINACIES",
    "Robustness",
    "StreamSummary",
    "attribution_auc",
    "attribution_gaps",
    "behavior_balance",
    "bits",
    "block_r2",
    "block_split",
    "calibration_error",
    "collapse_flag",
    "compactness",
    "consistency",
    "consistency_matrix",
    "control_error",
    "coverage_gap",
    "decoder_predictions",
    "decoding_score",
    "disagreement",
    "dynamics_r2",
    "equivariance_r2",
    "fit_alignment",
    "flip_rates",
    "gaussian_nll",
    "goodness_of_fit",
    "goodness_of_fit_history",
    "homomorphism_r2",
    "identifiability",
    "lds_error",
    "mcc",
    "mode_accuracy",
    "moment_distance",
    "participation_ratio",
    "perturbation_names",
    "predictive_mse",
    "robustness",
    "smoothness",
    "smoothness_score",
    "stream_summary",
    "update_flip_rates",
    "window_goodness_of_fit",
    "window_r2",
]
