# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Multi-objective and hybrid training: slices, named labels, weights, files, refusals."""

from __future__ import annotations

import numpy as np
import pytest

import identica
from identica import Objective
from identica.decoders import KNNDecoder
from identica.exceptions import ConfigurationError, DataValidationError

PARAMS = dict(encoder="conv10", output_dimension=6, hidden_units=16, batch_size=128,
              max_iterations=200, learning_rate=3e-3, device="cpu", random_state=0)
CUT = 1600


def _r2(z, track):
    position = track.truth["position"]
    return KNNDecoder().fit(z[:CUT], position[:CUT]).score(z[CUT:], position[CUT:])


def test_each_objective_shapes_its_slice(track):
    y = {"position": track.continuous[:CUT, :1], "direction": track.truth["direction"][:CUT]}
    model = identica.Embedding(**PARAMS, objectives=[
        Objective(dims=(0, 1, 2), label="position"),
        Objective(dims=(3, 4, 5), label="direction"),
    ])
    model.fit(track.neural[:CUT], y)
    assert model.conditional_ == "multi-objective"
    assert model.objective_conditionals_ == ["time_delta", "discrete"]
    z = model.transform(track.neural)
    assert _r2(z[:, :3], track) > 0.8
    direction = track.truth["direction"]
    accuracy = KNNDecoder().fit(z[:CUT, 3:], direction[:CUT]).score(z[CUT:, 3:],
                                                                     direction[CUT:])
    assert accuracy > 0.8  # chance is 0.5; seeds 0-4 give 0.84-0.89


def test_mixed_objective_from_two_named_labels(track):
    y = {"position": track.continuous[:, :1], "direction": track.truth["direction"]}
    model = identica.Embedding(**{**PARAMS, "max_iterations": 5}, objectives=[
        Objective(label=("position", "direction"))])
    model.fit(track.neural, y)
    assert model.objective_conditionals_ == ["mixed"]


@pytest.mark.parametrize("hybrid_time", ["overlapping", "separate"])
def test_hybrid_is_behaviour_plus_time(track, hybrid_time):
    model = identica.Embedding(**PARAMS, hybrid=True, behavior_dimension=3,
                               hybrid_time=hybrid_time)
    model.fit(track.neural[:CUT], track.continuous[:CUT])
    assert model.objective_conditionals_ == ["time_delta", "time"]
    dims = model.loss_.dims
    assert dims[0] == (0, 1, 2)
    assert dims[1] == ((0, 1, 2, 3, 4, 5) if hybrid_time == "overlapping" else (3, 4, 5))
    assert _r2(model.transform(track.neural)[:, :3], track) > 0.8


def test_weights_scale_the_loss(track):
    def first_loss(weight):
        model = identica.Embedding(**{**PARAMS, "max_iterations": 1}, objectives=[
            Objective(conditional="time", weight=weight)])
        return model.fit(track.neural).loss_history_[0]

    assert first_loss(2.0) == pytest.approx(2 * first_loss(1.0), rel=1e-6)


def test_objectives_round_trip_through_a_file(track, tmp_path):
    model = identica.Embedding(**{**PARAMS, "max_iterations": 3}, hybrid=True,
                               learn_temperature=True)
    model.fit(track.neural, track.continuous)
    model.save(tmp_path / "h.safetensors")
    loaded = identica.load(tmp_path / "h.safetensors")
    assert np.array_equal(loaded.transform(track.neural), model.transform(track.neural))
    named = identica.Embedding(**{**PARAMS, "max_iterations": 2}, objectives=[
        Objective(dims=(0, 1), label="p", time_offset=(1, 3)), Objective(conditional="time")])
    named.fit(track.neural, {"p": track.continuous[:, :1]}).save(tmp_path / "o.safetensors")
    assert identica.load(tmp_path / "o.safetensors").objectives == named.objectives


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"objectives": [Objective(dims=(0, 9))]}, ConfigurationError,
         r"'dims' of Objective 0 must be distinct ints in \[0, 5\]"),
        ({"objectives": [Objective(conditional="tim")]}, ConfigurationError,
         r"'conditional' of Objective 0.*Did you mean 'time'"),
        ({"objectives": ["time"]}, ConfigurationError, "must hold identica.Objective"),
        ({"objectives": []}, ConfigurationError, "non-empty list"),
        ({"objectives": [Objective()], "hybrid": True}, ConfigurationError,
         "'hybrid' of Embedding must be False when 'objectives' is given"),
        ({"hybrid": True, "behavior_dimension": 6}, ConfigurationError,
         "'behavior_dimension' of Embedding must be smaller than output_dimension"),
        ({"hybrid_time": "apart"}, ConfigurationError, "'hybrid_time'"),
        ({"objectives": [Objective(label="speed")]}, DataValidationError,
         r"Objective label 'speed' is not in y; y has \['position'\]"),
        ({"objectives": [Objective()]}, DataValidationError,
         "every objective needs label="),
    ],
)
def test_refused_objective_settings(track, params, error, match):
    model = identica.Embedding(**{**PARAMS, **params})
    with pytest.raises(error, match=match):
        model.fit(track.neural, {"position": track.continuous[:, :1]})
    assert not model.__sklearn_is_fitted__()


def test_named_labels_need_a_dict(track):
    model = identica.Embedding(**PARAMS, objectives=[Objective(label="position")])
    with pytest.raises(DataValidationError, match="y must be a dict of named label arrays"):
        model.fit(track.neural, track.continuous)


def test_objectives_take_one_recording(track):
    model = identica.Embedding(**PARAMS, hybrid=True)
    with pytest.raises(ConfigurationError, match="take one recording; got a list of 2"):
        model.fit([track.neural, track.neural], [track.continuous, track.continuous])
