# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Bad input is refused before any training, with a message naming argument, allowed, received."""

from __future__ import annotations

import numpy as np
import pytest

import identica
from identica.exceptions import (
    ConfigurationError,
    DataTypeError,
    DataValidationError,
    DeviceUnavailableError,
    NotFittedError,
)

FAST = dict(encoder="mlp", batch_size=16, max_iterations=2, time_offset=1, device="cpu",
            random_state=0)


def _refuses(error, match, X, y=None, **params):
    model = identica.Embedding(**{**FAST, **params})
    with pytest.raises(error, match=match):
        model.fit(X, y)
    assert not hasattr(model, "encoder_")  # nothing was trained


def test_nan_in_X_names_the_index(noise):
    noise[17, 2] = np.nan
    _refuses(DataValidationError, r"X contains NaN or inf.*\(17, 2\)", noise)


def test_inf_in_labels(noise):
    y = np.zeros(len(noise))
    y[5] = np.inf
    _refuses(DataValidationError, r"y contains NaN or inf.*index 5", noise, y)


@pytest.mark.parametrize("shape", [(300,), (30, 10, 6)])
def test_X_must_be_2d(shape):
    _refuses(DataValidationError, r"X must be a 2-D array.*got \d-D", np.zeros(shape))


def test_length_mismatch(noise):
    _refuses(DataValidationError, r"X has 300 time steps but y has 299", noise,
             np.zeros(299))


def test_fewer_time_steps_than_receptive_field(noise):
    _refuses(DataValidationError, r"X has 8 sample\(s\).*receptive field of 10", noise[:8],
             encoder="conv10")


def test_non_numeric_X():
    _refuses(DataValidationError, r"X must hold numbers", np.array([["a", "b"], ["c", "d"]]))


def test_non_numeric_object_X_is_a_type_error(noise):
    X = noise.astype(object)
    X[0, 0] = {"a": 1}
    _refuses(DataTypeError, r"X must hold numbers", X)


def test_non_integer_discrete_labels(noise):
    model = identica.Embedding(**FAST)
    with pytest.raises(DataValidationError, match=r"discrete must hold integer labels.*float"):
        model.fit(noise, np.zeros(300), discrete=np.zeros(300) + 0.5)


def test_two_dimensional_integer_y(noise):
    _refuses(DataValidationError, r"y is 2-D with integer dtype", noise,
             np.zeros((300, 2), dtype=int))


def test_conditional_needs_its_labels(noise):
    _refuses(DataValidationError, r"conditional='discrete' needs discrete", noise,
             conditional="discrete")


def test_delta_needs_delta(noise):
    _refuses(ConfigurationError, r"'delta' of Embedding must be a positive number", noise,
             np.zeros(300), conditional="delta")


def test_transform_before_fit(noise):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        identica.Embedding().transform(noise)


def test_wrong_feature_count_at_transform(noise):
    model = identica.Embedding(**FAST).fit(noise)
    with pytest.raises(DataValidationError, match="X has 5 features, but Embedding is expecting 6"):
        model.transform(noise[:, :5])


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        ("encoder", "conv11",
         r"'encoder'.*\['mlp', 'mlp-clip', 'conv5'.*Got 'conv11'.*Did you mean 'conv1"),
        ("conditional", "time-delta",
         r"'conditional'.*Got 'time-delta'.*Did you mean 'time_delta'"),
        ("similarity", "cosin", r"'similarity'.*Got 'cosin'.*Did you mean 'cosine'"),
        ("prior", "uniformly", r"'prior'.*Got 'uniformly'.*Did you mean 'uniform'"),
        ("denominator", "al", r"'denominator'.*\['negatives', 'full'\].*Got 'al'"),
    ],
)
def test_unknown_names_list_options_and_suggest(noise, name, value, match):
    _refuses(ConfigurationError, match, noise, **{name: value})


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        ("batch_size", 0, r"'batch_size' of Embedding must be an int in \[1, inf\]. Got 0"),
        ("batch_size", None, r"'batch_size'.*Got None"),
        ("temperature", -1.0, r"'temperature'.*\(0.0, inf\]. Got -1.0"),
        ("temperature", float("nan"), r"'temperature'.*Got nan"),
        ("max_iterations", 0, r"'max_iterations'.*Got 0"),
        ("output_dimension", 0, r"'output_dimension'.*Got 0"),
        ("hidden_units", 1, r"'hidden_units'.*Got 1"),
        ("learning_rate", 0.0, r"'learning_rate'.*Got 0.0"),
        ("num_negatives", -3, r"'num_negatives'.*or None. Got -3"),
        ("num_threads", 0, r"'num_threads'.*Got 0"),
        ("time_offset", 0, r"'time_offset'.*Got 0"),
        ("time_offset", (), r"'time_offset'.*Got \(\)"),
        ("verbose", "yes", r"'verbose' of Embedding must be True or False. Got 'yes'"),
        ("random_state", -1, r"'random_state'.*Got -1"),
    ],
)
def test_out_of_range_numbers(noise, name, value, match):
    _refuses(ConfigurationError, match, noise, **{name: value})


def test_learned_temperature_must_exceed_floor(noise):
    _refuses(ConfigurationError, r"must exceed min_temperature \(0.5\).*Got 0.2", noise,
             learn_temperature=True, temperature=0.2, min_temperature=0.5)


def test_time_offset_longer_than_recording(noise):
    _refuses(ConfigurationError, r"'time_offset' must be shorter.*Got 400", noise,
             time_offset=400)


def test_unavailable_device(noise):
    _refuses(DeviceUnavailableError, r"'device' of Embedding is 'cuda:7'", noise,
             device="cuda:7")


def test_unknown_device(noise):
    _refuses(ConfigurationError, r"'device' of Embedding must be one of", noise, device="tpu")


def test_encoder_module_must_declare_its_shape(noise):
    import torch

    _refuses(ConfigurationError, r"nn.Module without \['receptive_field'", noise,
             encoder=torch.nn.Linear(6, 3))


def test_sparse_input_is_refused(noise):
    from scipy import sparse

    _refuses(DataValidationError, r"sparse input is not supported", sparse.csr_matrix(noise))


def test_num_negatives_with_shared_references(noise):
    _refuses(ConfigurationError, r"'num_negatives' of Embedding must be None with "
             r"negatives='references'.*Got 7", noise, negatives="references", num_negatives=7)


def test_unknown_negatives_mode(noise):
    _refuses(ConfigurationError, r"'negatives'.*Did you mean 'independent'", noise,
             negatives="independant")
