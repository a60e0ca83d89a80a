# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""scikit-learn's estimator checks over tiny CPU configurations of Embedding."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

import identica
from identica.exceptions import ConfigurationError

TINY = dict(output_dimension=3, hidden_units=8, batch_size=16, max_iterations=3, time_offset=1,
            device="cpu", num_threads=1, random_state=0)

ESTIMATORS = [
    identica.Embedding(encoder="mlp", **TINY),
    identica.Embedding(encoder="mlp", similarity="euclidean", learn_temperature=True,
                       conditional="time", **TINY),
    identica.Embedding(encoder="conv5", **TINY),
]

# Checks that cannot hold for a windowed encoder, with the reason.
_WINDOWED = {
    "check_methods_subset_invariance": (
        "a conv encoder reads neighbouring rows, so a row's embedding depends on which rows "
        "surround it"
    ),
    "check_methods_sample_order_invariance": (
        "a conv encoder reads neighbouring rows, so reordering rows changes each window"
    ),
}


def _expected_failed_checks(estimator):
    if estimator.encoder == "conv5":
        return _WINDOWED
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_enough_checks_are_collected():
    ids = list(parametrize_with_checks(ESTIMATORS).args[1])
    per_estimator = len(ids) / len(ESTIMATORS)
    assert per_estimator >= 40, per_estimator


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: f"{e.encoder}")
def test_clone_keeps_parameters(estimator):
    from sklearn.base import clone

    assert clone(estimator).get_params() == estimator.get_params()



@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_are_refused_before_parameter_checks_with_the_default_offset(bad):
    """Data checks run first: on sklearn's 10-row arrays the default time_offset=10 leaves no
    pair, yet a NaN or inf is what the error names (the check's own clean fit of 10 rows
    cannot succeed with that offset, so the full check runs with time_offset=1 above)."""
    from identica.exceptions import DataValidationError

    X = np.random.default_rng(0).uniform(size=(10, 3))
    X[0, 0] = bad
    y = np.r_[np.zeros(5), np.ones(5)]
    estimator = identica.Embedding(**{**TINY, "time_offset": 10})
    with pytest.raises(DataValidationError, match="NaN or inf"):
        estimator.fit(X, y)
    with pytest.raises(ConfigurationError, match="'time_offset' must be shorter"):
        estimator.fit(np.nan_to_num(X, posinf=0.0), y)
