# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Data that is accepted but looks like a mistake warns (DataWarning) with the fix."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import identica
from identica.data import as_recording, as_sessions
from identica.data._validate import MANY_CLASSES, TRANSPOSED_MIN_FEATURES
from identica.exceptions import DataValidationError, DataWarning


@pytest.fixture
def no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# -- cells x frames --------------------------------------------------------------------------

def test_more_features_than_samples_warns_transpose():
    cells_by_frames = np.random.default_rng(0).poisson(1.0, size=(40, 3000)).astype(np.float32)
    with pytest.warns(DataWarning, match="40 rows .* and 3000 columns .* Did you pass cells x "
                                         "frames\\? .* transpose it with X.T"):
        as_recording(cells_by_frames)


def test_the_transpose_guard_names_the_session():
    with pytest.warns(DataWarning, match="\\(session 1\\)"):
        as_sessions([np.zeros((500, 20)), np.zeros((50, 200))])


def test_the_transpose_guard_fires_in_fit():
    X = np.random.default_rng(0).normal(size=(120, 150)).astype(np.float32)
    model = identica.Embedding(encoder="mlp", batch_size=16, max_iterations=1, time_offset=1,
                               random_state=0)
    with pytest.warns(DataWarning, match="cells x frames"):
        model.fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.transform(X[:5])  # transform of a few rows is not a mistake


@pytest.mark.parametrize("shape", [
    (1, 10),  # scikit-learn's one-sample check
    (20, TRANSPOSED_MIN_FEATURES - 1),  # wide but small: a test array, not a recording
    (TRANSPOSED_MIN_FEATURES, TRANSPOSED_MIN_FEATURES),
    (3000, 40),
])
def test_tiny_and_long_arrays_do_not_warn(no_warning, shape):
    as_recording(np.zeros(shape))


# -- integer labels with very many values ------------------------------------------------------

def test_integer_positions_warn_pass_float():
    position_px = (np.linspace(0, 639, 5000)).astype(int)
    with pytest.warns(DataWarning, match="y holds 640 distinct integer values .* pass float "
                                         "labels .* y.astype\\(np.float32\\)"):
        rec = as_recording(np.zeros((5000, 10)), position_px)
    assert rec.discrete is not None and rec.discrete.max() == 639  # still accepted as classes


def test_many_classes_given_as_discrete_do_not_warn(no_warning):
    frames = np.arange(5000) % 900
    rec = as_recording(np.zeros((5000, 10)), discrete=frames)
    assert rec.discrete.max() == 899


@pytest.mark.parametrize("n_classes", [2, MANY_CLASSES])
def test_few_classes_do_not_warn(no_warning, n_classes):
    as_recording(np.zeros((1000, 5)), np.arange(1000) % n_classes)


# -- text and categorical labels -------------------------------------------------------------

def test_text_labels_are_encoded_with_a_warning():
    y = np.array(["left", "right", "stop", "left", "right", "left"])
    with pytest.warns(DataWarning, match="y holds text labels; they are encoded as 3 discrete "
                                         "classes 0..2 in sorted order \\('left', 'right', "
                                         "'stop'\\)"):
        rec = as_recording(np.zeros((6, 3)), y)
    np.testing.assert_array_equal(rec.discrete, [0, 1, 2, 0, 1, 0])


def test_text_that_looks_like_numbers_says_astype_float():
    with pytest.warns(DataWarning, match="numbers written as text: for continuous labels pass "
                                         "y.astype\\(float\\)"):
        as_recording(np.zeros((4, 3)), np.array(["0.5", "1.5", "0.5", "2"], dtype=object))


def test_text_discrete_labels_with_continuous_y():
    y = np.linspace(0, 1, 6).astype(np.float32)
    with pytest.warns(DataWarning, match="discrete holds text labels"):
        rec = as_recording(np.zeros((6, 3)), y, discrete=["a", "b"] * 3)
    assert rec.continuous is not None
    np.testing.assert_array_equal(rec.discrete, [0, 1] * 3)


def test_text_labels_of_the_wrong_length_are_refused():
    with pytest.raises(DataValidationError, match="X has 6 time steps but y has 5"), \
            pytest.warns(DataWarning):
        as_recording(np.zeros((6, 3)), np.array(["a"] * 5))


def test_pandas_categoricals_use_their_codes_silently(no_warning):
    pd = pytest.importorskip("pandas")
    y = pd.Series(["stop", "go", "stop", "go"], dtype=pd.CategoricalDtype(["stop", "go"]))
    np.testing.assert_array_equal(as_recording(np.zeros((4, 3)), y).discrete, [0, 1, 0, 1])
    plain = pd.Categorical(["b", "a", "b", "a"])
    np.testing.assert_array_equal(as_recording(np.zeros((4, 3)), plain).discrete, [1, 0, 1, 0])


def test_a_categorical_with_missing_values_is_refused():
    pd = pytest.importorskip("pandas")
    with pytest.raises(DataValidationError, match="categorical with missing values .* row 1"):
        as_recording(np.zeros((3, 3)), pd.Categorical(["a", None, "a"]))


def test_text_labels_train_a_discrete_embedding():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 8)).astype(np.float32)
    trial_type = np.array(["go", "nogo", "catch"])[np.arange(300) // 20 % 3]
    model = identica.Embedding(encoder="mlp", batch_size=32, max_iterations=2, random_state=0)
    with pytest.warns(DataWarning, match="text labels"):
        model.fit(X, trial_type)
    assert model.conditional_ == "discrete"


# -- DeepLabCut likelihoods as behaviour -------------------------------------------------------

def _session(names):
    from identica.io import Session, TimeSeries

    t = np.arange(0, 10, 1 / 30)
    behaviour = np.c_[[np.sin(t + i) for i in range(len(names))]].T
    neural = TimeSeries(np.random.default_rng(0).normal(size=(len(t), 5)), ("a", "b", "c", "d",
                                                                              "e"), timestamps=t)
    return Session(neural=neural, behavior=TimeSeries(behaviour, tuple(names), timestamps=t))


@pytest.mark.parametrize("names", [
    ("snout_x", "snout_y", "snout_likelihood"),
    ("mouse1_snout_x", "mouse1_snout_Likelihood"),
    ("likelihood",),
])
def test_likelihood_columns_as_labels_warn(names):
    with pytest.warns(DataWarning, match="look like DeepLabCut likelihoods .* "
                                         "likelihood_threshold="):
        _session(names).to_recording()


@pytest.mark.parametrize("names", [("snout_x", "snout_y"), ("log_likelihood_ratio",),
                                   ("maximum_likelihoods",)])
def test_other_columns_do_not_warn(no_warning, names):
    _session(names).to_recording()


def test_read_dlc_with_likelihood_coords_warns_at_to_recording(tmp_path):
    pytest.importorskip("pandas")
    from identica import io

    rows = ["scorer,net,net,net", "bodyparts,snout,snout,snout", "coords,x,y,likelihood"]
    rows += [f"{i},{i * 0.5},{i * 0.25},0.99" for i in range(60)]
    path = tmp_path / "videoDLC.csv"
    path.write_text("\n".join(rows) + "\n")
    pose = io.read_dlc(path, coords=("x", "y", "likelihood"), fps=30.0)
    assert pose.behavior.names == ("snout_x", "snout_y", "snout_likelihood")
    neural = io.TimeSeries(np.zeros((60, 4)), ("a", "b", "c", "d"),
                           timestamps=pose.behavior.timestamps)
    with pytest.warns(DataWarning, match="\\['snout_likelihood'\\]"):
        io.Session(neural=neural, behavior=pose.behavior).to_recording()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        default = io.read_dlc(path, fps=30.0)  # the default coords leave likelihood out
        io.Session(neural=neural, behavior=default.behavior).to_recording()
