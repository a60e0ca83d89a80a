# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""identica.compat.CEBRA: CEBRA 0.6.1's names, defaults and call shapes on top of Embedding."""

from __future__ import annotations

import inspect
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import identica
from identica.compat import CEBRA
from identica.estimator._cebra_names import CEBRA_PARAMETERS
from identica.exceptions import (
    CompatibilityWarning,
    ConfigurationError,
    DataValidationError,
    ModelFileError,
    NotFittedError,
)

TINY = dict(model_architecture="offset1-model", batch_size=16, max_iterations=3,
            output_dimension=3, num_hidden_units=8, device="cpu", random_state=0)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 12)).astype(np.float32)
    position = np.cumsum(rng.normal(size=(300, 1)), axis=0).astype(np.float32)
    classes = (np.arange(300) // 30 % 3).astype(np.int64)
    return X, position, classes


# -- sklearn estimator --------------------------------------------------------------------------

ESTIMATORS = [
    CEBRA(**TINY),
    CEBRA(**{**TINY, "time_offsets": 2, "temperature_mode": "auto", "temperature": 2.0}),
    CEBRA(**{**TINY, "model_architecture": "offset5-model", "distance": "cosine"}),
]

# Checks that cannot hold for a windowed encoder, with the reason (as for Embedding).
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
    return _WINDOWED if estimator.model_architecture == "offset5-model" else {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_enough_checks_are_collected():
    ids = list(parametrize_with_checks(ESTIMATORS).args[1])
    assert len(ids) / len(ESTIMATORS) >= 40


def test_parameters_and_defaults_are_cebras():
    parameters = inspect.signature(CEBRA.__init__).parameters
    names = [n for n in parameters if n not in ("self", "random_state")]
    assert names == [row.cebra for row in CEBRA_PARAMETERS]
    for row in CEBRA_PARAMETERS:
        assert parameters[row.cebra].default == row.cebra_default, row
    assert parameters["random_state"].kind is inspect.Parameter.KEYWORD_ONLY


def test_clone_and_pickle_round_trip(data):
    X, position, _ = data
    model = CEBRA(**TINY).fit(X, position)
    assert clone(model).get_params() == model.get_params()
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.transform(X), model.transform(X))


def test_not_fitted():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        CEBRA().transform(np.zeros((10, 3)))
    with pytest.raises(NotFittedError):
        CEBRA().save("model.safetensors")


# -- translation -------------------------------------------------------------------------------

def test_the_translation_into_an_embedding(data):
    X, position, _ = data
    model = CEBRA(model_architecture="offset10-model", distance="cosine", temperature=0.5,
                  temperature_mode="auto", min_temperature=0.2, time_offsets=(2, 4),
                  num_hidden_units=16, output_dimension=4, learning_rate=1e-3,
                  max_iterations=2, max_adapt_iterations=7, batch_size=32,
                  device="cuda_if_available", random_state=3).fit(X, position)
    params = model.embedding_.get_params()
    expected = dict(encoder="conv10", similarity="cosine", temperature=0.5,
                    learn_temperature=True, min_temperature=0.2, time_offset=(2, 4),
                    hidden_units=16, output_dimension=4, learning_rate=1e-3, max_iterations=2,
                    max_adapt_iterations=7, batch_size=32, negatives="independent",
                    conditional="time_delta", random_state=3)
    assert {k: params[k] for k in expected} == expected
    assert params["device"] in ("cpu", "cuda")
    assert model.embedding_.n_iter_ == 2


@pytest.mark.parametrize(("labels", "conditional"), [
    ((), "time"),
    (("position",), "time_delta"),
    (("classes",), "discrete"),
    (("position", "classes"), "mixed"),
    (("classes", "position"), "mixed"),  # CEBRA sorts labels by dtype, not by position
])
def test_labels_choose_the_conditional_as_cebra_does(data, labels, conditional):
    X, position, classes = data
    given = {"position": position, "classes": classes}
    model = CEBRA(**{**TINY, "conditional": "time_delta"}).fit(X, *(given[k] for k in labels))
    assert model.embedding_.conditional_ == conditional


def test_a_continuous_conditional_applies_to_continuous_labels(data):
    X, position, _ = data
    model = CEBRA(**{**TINY, "conditional": "delta", "delta": 0.1}).fit(X, position)
    assert model.embedding_.conditional_ == "delta"


def test_several_continuous_labels_are_joined(data):
    X, position, _ = data
    model = CEBRA(**TINY).fit(X, position[:, 0], position[:, 0] * 2.0)
    assert model.embedding_.conditional_ == "time_delta"


def test_two_discrete_labels_are_refused(data):
    X, _, classes = data
    with pytest.raises(DataValidationError, match="got 2 integer \\(discrete\\) label arrays"):
        CEBRA(**TINY).fit(X, classes, classes)


def test_batch_size_none_is_the_whole_recording(data):
    X, position, _ = data
    model = CEBRA(**{**TINY, "batch_size": None, "max_iterations": 1}).fit(X, position)
    assert model.embedding_.batch_size == len(X)


def test_fit_transform_takes_the_label_tuple(data):
    X, position, classes = data
    Z = CEBRA(**TINY).fit_transform(X, position, classes)
    assert Z.shape == (len(X), 3) and Z.dtype == np.float32


def test_in_a_pipeline(data):
    X, position, _ = data
    pipeline = make_pipeline(StandardScaler(), CEBRA(**TINY)).fit(X, position)
    assert pipeline.transform(X).shape == (len(X), 3)


@pytest.mark.parametrize(("architecture", "left_right"), [("offset1-model", (0, 1)),
                                                          ("offset10-model", (5, 5)),
                                                          ("offset5-model", (2, 3))])
def test_pad_before_transform_false_drops_the_edges(data, architecture, left_right):
    X, position, _ = data
    model = CEBRA(**{**TINY, "model_architecture": architecture}).fit(X, position)
    padded = model.transform(X)
    model.set_params(pad_before_transform=False)
    cropped = model.transform(X)
    left, right = left_right
    assert len(cropped) == len(X) - (left + right) + 1
    np.testing.assert_array_equal(cropped, padded[left:len(X) - right + 1])


def test_transform_batch_size_does_not_change_the_result(data):
    X, position, _ = data
    model = CEBRA(**TINY).fit(X, position)
    np.testing.assert_array_equal(model.transform(X, batch_size=7), model.transform(X))
    with pytest.raises(ConfigurationError, match="'batch_size' of CEBRA.transform"):
        model.transform(X, batch_size=0)


def test_multi_session_with_session_id(data):
    X, position, _ = data
    sessions = [X[:150], X[150:, :8]]
    labels = [position[:150], position[150:]]
    model = CEBRA(**TINY).fit(sessions, labels)
    assert model.num_sessions_ == 2 and not hasattr(model, "n_features_in_")
    assert model.transform(sessions[1], session_id=1).shape == (150, 3)
    with pytest.raises(DataValidationError, match="one array per session"):
        CEBRA(**TINY).fit(sessions, position)


def test_single_session_attributes(data):
    X, position, _ = data
    model = CEBRA(**TINY).fit(X, position)
    assert model.num_sessions_ is None and model.n_features_in_ == X.shape[1]
    assert list(model.get_feature_names_out()) == ["cebra0", "cebra1", "cebra2"]


def test_adapt_maps_a_new_recording(data):
    X, position, _ = data
    model = CEBRA(**{**TINY, "max_adapt_iterations": 4}).fit(X, position)
    before = model.embedding_.n_iter_
    new = np.random.default_rng(1).normal(size=(200, 20)).astype(np.float32)
    model.fit(new, position[:200], adapt=True)
    assert model.n_features_in_ == 20 and model.embedding_.n_iter_ == before + 4
    assert model.transform(new).shape == (200, 3)


def test_adapt_on_an_unfitted_model_fits(data):
    X, position, _ = data
    model = CEBRA(**TINY).fit(X, position, adapt=True)
    assert model.embedding_.n_iter_ == TINY["max_iterations"]


def test_partial_fit_continues(data):
    X, position, _ = data
    model = CEBRA(**TINY).partial_fit(X, position).partial_fit(X, position)
    assert model.embedding_.n_iter_ == 2 * TINY["max_iterations"]


def test_callbacks_are_refused(data):
    X, _, _ = data
    with pytest.raises(ConfigurationError, match="takes no per-step callback"):
        CEBRA(**TINY).fit(X, callback=print, callback_frequency=10)


# -- what identica cannot run, and what it runs differently --------------------------------------

@pytest.mark.parametrize(("params", "match"), [
    ({"criterion": "mse"}, "'criterion' of CEBRA must be one of \\['infonce'\\]"),
    ({"optimizer": "sgd"}, "'optimizer' of CEBRA must be one of \\['adam'\\]"),
    ({"distance": "dot"}, "'distance' of CEBRA must be one of \\['cosine', 'euclidean'\\]"),
    ({"temperature_mode": "learned"}, "'temperature_mode' of CEBRA"),
    ({"pad_before_transform": "yes"}, "'pad_before_transform' of CEBRA"),
    ({"optimizer_kwargs": (("weight_decay", 1e-4),)}, "no weight decay"),
    ({"optimizer_kwargs": 5}, "must be \\(\\(key, value\\), ...\\) pairs"),
    ({"masking_kwargs": (("masking_value", 0.5),)}, "no input masking"),
    ({"model_architecture": "conv10"}, "must be one of CEBRA's model names"),
    ({"temperature_mode": "auto", "min_temperature": None}, "positive number with"),
    ({"time_offsets": 0}, "'time_offsets' of CEBRA must be"),
    ({"num_hidden_units": 1}, "'num_hidden_units' of CEBRA must be"),
    ({"output_dimension": 0}, "'output_dimension' of CEBRA must be"),
])
def test_settings_identica_cannot_run_are_errors_in_cebras_names(data, params, match):
    X, position, _ = data
    with pytest.raises(ConfigurationError, match=match):
        CEBRA(**{**TINY, **params}).fit(X, position)


def test_a_constant_temperature_ignores_min_temperature_none(data):
    X, position, _ = data
    model = CEBRA(**{**TINY, "min_temperature": None}).fit(X, position)
    assert model.embedding_.learn_temperature is False


@pytest.mark.parametrize(("params", "match"), [
    ({"model_architecture": "offset40-model"}, "trains identica's 'conv36': identica has no 40"),
    ({"model_architecture": "offset1-model-mse"}, "clips its output at ±5"),
    ({"distance": "euclidean"}, "normalises its output before the euclidean distance"),
    ({"hybrid": True, "output_dimension": 4}, "hybrid=True: identica normalises"),
])
def test_settings_run_differently_warn(data, params, match):
    X, position, _ = data
    with pytest.warns(CompatibilityWarning, match=match):
        CEBRA(**{**TINY, **params}).fit(X, position)


@pytest.mark.parametrize(("architecture", "distance", "similarity"), [
    ("offset10-model", "cosine", "cosine"),
    ("offset10-model-mse", "euclidean", "euclidean"),
    ("offset10-model-mse", "cosine", "dot"),  # CEBRA's cosine of an unnormalised output
    ("offset1-model-mse-clip-5-5", "euclidean", "euclidean"),
])
def test_exact_settings_run_without_warning(data, architecture, distance, similarity):
    X, position, _ = data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = CEBRA(**{**TINY, "model_architecture": architecture,
                         "distance": distance}).fit(X, position)
    assert model.embedding_.similarity == similarity


# -- files -------------------------------------------------------------------------------------

def test_save_and_load_round_trip(data, tmp_path):
    X, position, classes = data
    model = CEBRA(**{**TINY, "model_architecture": "offset5-model", "time_offsets": (1, 2),
                     "pad_before_transform": False}).fit(X, position, classes)
    path = tmp_path / "cebra_model.pt"  # a CEBRA user's file name: the content decides
    model.save(path)
    loaded = CEBRA.load(path)
    assert loaded.get_params() == model.get_params()
    assert loaded.num_sessions_ is None and loaded.n_features_in_ == X.shape[1]
    np.testing.assert_array_equal(loaded.transform(X), model.transform(X))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cebra_model.pt"]
    # the file is an identica model file too
    np.testing.assert_array_equal(identica.load(path).transform(X),
                                  model.embedding_.transform(X))
    loaded.partial_fit(X, position, classes)
    assert loaded.embedding_.n_iter_ == 2 * TINY["max_iterations"]


def test_load_of_a_plain_embedding_file_says_identica_load(data, tmp_path):
    X, position, _ = data
    identica.Embedding(encoder="mlp", batch_size=16, max_iterations=1, time_offset=1,
                       random_state=0).fit(X, position).save(tmp_path / "model.safetensors")
    with pytest.raises(ModelFileError, match="load it with identica.load\\(path\\)"):
        CEBRA.load(tmp_path / "model.safetensors")


def test_load_of_a_cebra_pickle_is_refused(tmp_path):
    path = tmp_path / "cebra_model.pt"
    path.write_bytes(pickle.dumps({"args": {}, "state": {}}))
    with pytest.raises(ModelFileError, match="identica never unpickles files"):
        CEBRA.load(path)


# -- against the installed CEBRA 0.6.1 (the bench extra; skipped without it) -------------------

@pytest.fixture(scope="module")
def cebra():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = pytest.importorskip("cebra")
    if module.__version__ != "0.6.1":
        pytest.skip(f"compat.CEBRA follows CEBRA 0.6.1; installed {module.__version__}")
    return module


def test_the_same_call_runs_in_both(cebra, data):
    X, position, classes = data
    params = dict(model_architecture="offset10-model", batch_size=32, max_iterations=2,
                  output_dimension=3, time_offsets=5, device="cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = cebra.CEBRA(**params).fit(X, position, classes)
        expected = theirs.transform(X, session_id=None).shape
    ours = CEBRA(**params).fit(X, position, classes)
    assert ours.transform(X, session_id=None).shape == expected
    assert ours.get_params(deep=False) | {"random_state": None} == {
        **theirs.get_params(), "random_state": None}


@pytest.mark.parametrize("record", ["not json", '{"num_sessions": null}',
                                    '{"params": {"no_such_parameter": 1, '
                                    '"optimizer_kwargs": []}}'])
def test_load_of_malformed_compat_metadata_is_refused(data, tmp_path, record):
    from identica.compat._file import METADATA_KEY

    X, position, _ = data
    path = tmp_path / "model.safetensors"  # a checksummed file whose compat record is bad
    CEBRA(**TINY).fit(X, position).embedding_.save(path, metadata={METADATA_KEY: record})
    with pytest.raises(ModelFileError, match="malformed compat.CEBRA metadata"):
        CEBRA.load(path)
