# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""scikit-learn's estimator checks over tiny CPU configurations of EquivariantEmbedding."""

from __future__ import annotations

from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from identica.equivariance import EquivariantEmbedding

TINY = dict(output_dimension=2, hidden_units=8, batch_size=4, num_negatives=8,
            samples_per_action=2, max_iterations=2, device="cpu", num_threads=1,
            random_state=0)

ESTIMATORS = [
    EquivariantEmbedding(**TINY),
    EquivariantEmbedding(**TINY, projection="identity"),
]

# fit(X, X_acted, action): the second argument is the acted observations, an array of X's
# shape; the checks pass a 1-D target y there, which fit refuses with a DataValidationError.
_PAIRED = "fit takes X_acted (X's shape) second; the check passes a 1-D target y there"
_NEED_PAIRS = (
    "check_dict_unchanged", "check_dont_overwrite_parameters", "check_dtype_object",
    "check_estimators_dtypes", "check_estimators_fit_returns_self",
    "check_estimators_nan_inf", "check_estimators_overwrite_params",
    "check_estimators_pickle", "check_estimators_pickle(readonly_memmap=True)",
    "check_f_contiguous_array_estimator", "check_fit2d_1feature", "check_fit2d_1sample",
    "check_fit2d_predict1d", "check_fit_check_is_fitted", "check_fit_idempotent",
    "check_fit_score_takes_y", "check_methods_sample_order_invariance",
    "check_methods_subset_invariance", "check_n_features_in",
    "check_n_features_in_after_fitting", "check_pipeline_consistency",
    "check_positive_only_tag_during_fit", "check_readonly_memmap_input",
    "check_transformer_data_not_an_array", "check_transformer_general",
    "check_transformer_general(readonly_memmap=True)", "check_transformer_preserve_dtypes",
)
# The contracts these checks cover are tested with paired data in test_embedding.py.
EXPECTED_FAILED: dict[str, str] = dict.fromkeys(_NEED_PAIRS, _PAIRED)


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda e: EXPECTED_FAILED)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_enough_checks_are_collected():
    ids = list(parametrize_with_checks(ESTIMATORS).args[1])
    assert len(ids) / len(ESTIMATORS) >= 40


def test_clone_keeps_parameters():
    for estimator in ESTIMATORS:
        assert clone(estimator).get_params() == estimator.get_params()
