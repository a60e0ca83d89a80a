# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""DynamicsEmbedding: fit, transform, modes, rollouts, reproducibility, checks and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from identica.dynamics import (
    DynamicsEmbedding,
    IdentityDynamics,
    LinearDynamics,
    SwitchingDynamics,
)
from identica.exceptions import ConfigurationError, DataValidationError, NotFittedError

FAST = dict(output_dimension=3, batch_size=32, num_negatives=64, max_iterations=5,
            device="cpu", num_threads=1, random_state=0)


@pytest.fixture(scope="module")
def fitted_slds(slds):
    return DynamicsEmbedding(dynamics="slds", n_modes=3, **FAST).fit(slds.X, slds.trial_starts)


@pytest.mark.parametrize("dynamics, n_modes, cls", [("identity", 1, IdentityDynamics),
                                                    ("linear", 1, LinearDynamics),
                                                    ("slds", 3, SwitchingDynamics)])
def test_fit_gives_the_fitted_attributes(lds, dynamics, n_modes, cls):
    model = DynamicsEmbedding(dynamics=dynamics, n_modes=n_modes, **FAST)
    assert model.fit(lds.X, lds.trial_starts) is model
    z = model.transform(lds.X)
    assert z.shape == (len(lds.X), 3) and z.dtype == np.float32
    assert isinstance(model.dynamics_, cls) and not model.dynamics_.training
    assert model.matrices_.shape == (n_modes, 3, 3) and model.control_matrix_ is None
    assert model.loss_history_.shape == (5,) == model.alignment_history_.shape
    np.testing.assert_allclose(model.loss_history_,
                               model.alignment_history_ + model.uniformity_history_, rtol=1e-5)
    assert model.n_iter_ == 5 and model.n_features_in_ == 16 and model.n_controls_ == 0
    assert model.encoder_.output_dimension == 3
    assert list(model.get_feature_names_out()) == [
        "dynamicsembedding0", "dynamicsembedding1", "dynamicsembedding2"]


def test_parameter_groups_have_their_own_learning_rates(lds):
    model = DynamicsEmbedding(dynamics="linear", learning_rate=1e-3, dynamics_learning_rate=0.5,
                              **FAST).fit(lds.X)
    groups = model._fitted().optimizer.param_groups
    assert [g["lr"] for g in groups] == [1e-3, 0.5]
    assert groups[1]["params"][0] is model.dynamics_.A
    identity = DynamicsEmbedding(dynamics="identity", **FAST).fit(lds.X)
    assert len(identity._fitted().optimizer.param_groups) == 1


def test_seeded_fits_are_bit_identical(slds):
    params = dict(FAST, max_iterations=20)
    a = DynamicsEmbedding(dynamics="slds", n_modes=3, **params).fit(slds.X, slds.trial_starts)
    b = DynamicsEmbedding(dynamics="slds", n_modes=3, **params).fit(slds.X, slds.trial_starts)
    assert np.array_equal(a.transform(slds.X), b.transform(slds.X))
    assert np.array_equal(a.matrices_, b.matrices_)
    assert np.array_equal(a.loss_history_, b.loss_history_)
    c = DynamicsEmbedding(dynamics="slds", n_modes=3, **{**params, "random_state": 1}).fit(
        slds.X, slds.trial_starts)
    assert not np.array_equal(a.transform(slds.X), c.transform(slds.X))


def test_a_missing_first_trial_start_is_added(lds):
    starts = lds.trial_starts
    with_zero = DynamicsEmbedding(**FAST).fit(lds.X, starts)
    without = DynamicsEmbedding(**FAST).fit(lds.X, list(starts[1:]))
    assert np.array_equal(with_zero.transform(lds.X), without.transform(lds.X))


@pytest.mark.parametrize("starts, match", [
    ([0, 50, 30], r"'trial_starts' of DynamicsEmbedding.fit must increase strictly.*"
                  r"entry 2 \(30\) follows 50"),
    ([0, 50, 50], "must increase strictly"),
    ([0, 4000], r"must lie in \[0, 4000\) for X of 4000 rows. Got \[0, 4000\]"),
    ([-1, 5], r"must lie in \[0, 4000\)"),
    ([0.0, 10.0], "must be a non-empty 1-D array of integer row indices.*Got dtype float64"),
    ([[0, 10]], r"shape \(1, 2\)"),
    ([], "non-empty"),
    (np.arange(4000), "leaves no trial of two rows or more.*Got 4000 trials for 4000 rows"),
])
def test_bad_trial_starts_are_refused(lds, starts, match):
    with pytest.raises(DataValidationError, match=match):
        DynamicsEmbedding(**FAST).fit(lds.X, starts)


def test_one_sample_is_refused():
    with pytest.raises(DataValidationError, match=r"X has 1 sample\(s\)"):
        DynamicsEmbedding(**FAST).fit(np.zeros((1, 3)))


@pytest.mark.parametrize("params, match", [
    (dict(dynamics="lds"), r"'dynamics' of DynamicsEmbedding must be one of \['identity', "
                           r"'linear', 'slds'\]. Got 'lds'. Did you mean"),
    (dict(dynamics="linear", n_modes=3), "'n_modes' of DynamicsEmbedding must be 1 for "
                                         "dynamics='linear'.*Got 3"),
    (dict(dynamics="identity", detach_logits=True), "'detach_logits' of DynamicsEmbedding "
                                                    "applies to dynamics='slds' only"),
    (dict(learning_rate=0.0), r"'learning_rate' of DynamicsEmbedding must be a finite number "
                              r"in \(0.0, inf\]. Got 0.0"),
    (dict(dynamics_learning_rate=-1.0), "'dynamics_learning_rate' of DynamicsEmbedding"),
    (dict(num_negatives=0), "'num_negatives' of DynamicsEmbedding must be an int"),
    (dict(encoder="mlp2"), "'encoder' of DynamicsEmbedding must be one of"),
    (dict(detach_logits=1), "'detach_logits' of DynamicsEmbedding must be True or False"),
    (dict(device=0), "'device' of DynamicsEmbedding must be one of"),
    (dict(random_state=-1), "'random_state' of DynamicsEmbedding must be"),
])
def test_bad_parameters_are_refused_in_fit(lds, params, match):
    with pytest.raises(ConfigurationError, match=match):
        DynamicsEmbedding(**{**FAST, **params}).fit(lds.X)


def test_unfitted_model_and_feature_mismatch(lds, fitted_slds):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        DynamicsEmbedding().transform(lds.X)
    with pytest.raises(DataValidationError, match="X has 5 features, but DynamicsEmbedding is "
                                                  "expecting 16 features as input"):
        fitted_slds.predict_modes(lds.X[:, :5])


def test_modes_of_a_switching_model(slds, fitted_slds):
    modes = fitted_slds.predict_modes(slds.X, slds.trial_starts)
    assert modes.shape == (len(slds.X),) and modes.dtype == np.int64
    assert modes.min() >= 0 and modes.max() < 3
    last = np.concatenate([slds.trial_starts[1:], [len(slds.X)]]) - 1
    assert np.array_equal(modes[last], modes[last - 1])
    z = torch.from_numpy(fitted_slds.transform(slds.X))
    chosen = fitted_slds.dynamics_.modes(z[:-1], z[1:]).numpy()
    inside = np.setdiff1d(np.arange(len(slds.X) - 1), last)
    assert np.array_equal(modes[inside], chosen[inside])
    one_row = fitted_slds.predict_modes(slds.X[:1])
    assert one_row.tolist() == [0]


def test_a_linear_model_has_one_mode(lds):
    model = DynamicsEmbedding(**FAST).fit(lds.X)
    assert not model.predict_modes(lds.X).any()


def test_predict_rolls_the_fitted_matrices_forward(slds, fitted_slds):
    rollout = fitted_slds.predict(slds.X, 3, trial_starts=slds.trial_starts)
    assert rollout.shape == (len(slds.X), 3, 3) and rollout.dtype == np.float32
    z = fitted_slds.transform(slds.X).astype(np.float64)
    A = fitted_slds.matrices_[fitted_slds.predict_modes(slds.X, slds.trial_starts)]
    expected = z
    for s in range(3):
        expected = np.einsum("nij,nj->ni", A, expected)
        np.testing.assert_allclose(rollout[:, s], expected, rtol=1e-4, atol=1e-5)
    with pytest.raises(ConfigurationError, match=r"'steps' of DynamicsEmbedding.predict must "
                                                 r"be an int in \[1, inf\]. Got 0"):
        fitted_slds.predict(slds.X, 0)


def test_controls_train_a_control_matrix(controlled):
    model = DynamicsEmbedding(dynamics="linear", **FAST).fit(
        controlled.X, controlled.trial_starts, controls=controlled.controls)
    assert model.n_controls_ == 2 and model.control_matrix_.shape == (3, 2)
    n = len(controlled.X)
    one = model.predict(controlled.X, controls=controlled.controls)
    z = model.transform(controlled.X)
    expected = z @ model.matrices_[0].T + controlled.controls @ model.control_matrix_.T
    np.testing.assert_allclose(one[:, 0], expected, rtol=1e-4, atol=1e-5)
    steps = np.repeat(controlled.controls[:, None], 2, axis=1)
    assert model.predict(controlled.X, 2, controls=steps).shape == (n, 2, 3)
    with pytest.raises(DataValidationError, match="'controls' of DynamicsEmbedding.predict "
                                                  "is required"):
        model.predict(controlled.X)
    with pytest.raises(DataValidationError, match=r"must have shape \(n_samples, steps, "
                                                  r"n_controls\) = \(4000, 2, 2\)"):
        model.predict(controlled.X, 2, controls=controlled.controls)
    with pytest.raises(DataValidationError, match=r"must have 2 column\(s\), as in fit. Got 1"):
        model.predict_modes(controlled.X, controls=controlled.controls[:, :1])


@pytest.mark.parametrize("controls, match", [
    (np.zeros((10, 2)), r"'controls' of DynamicsEmbedding.fit must have shape \(n_samples, "
                        r"n_controls\) with n_samples = 4000"),
    (np.full((4000, 1), np.nan), "controls contains NaN or inf"),
    (np.zeros((4000, 0)), "has no column"),
])
def test_bad_controls_are_refused(controlled, controls, match):
    with pytest.raises(DataValidationError, match=match):
        DynamicsEmbedding(**FAST).fit(controlled.X, controls=controls)


def test_identity_dynamics_takes_no_controls(controlled):
    with pytest.raises(DataValidationError, match="need a dynamics model with a control matrix"):
        DynamicsEmbedding(dynamics="identity", **FAST).fit(controlled.X,
                                                           controls=controlled.controls)


def test_an_interrupted_fit_keeps_its_steps(lds, monkeypatch):
    from identica.training import Solver

    step = Solver.step
    calls = []

    def interrupting(self):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return step(self)

    monkeypatch.setattr(Solver, "step", interrupting)
    model = DynamicsEmbedding(**FAST)
    with pytest.warns(UserWarning, match="interrupted after 2 of 5 steps"), \
            pytest.raises(KeyboardInterrupt):
        model.fit(lds.X)
    assert model.n_iter_ == 2 and model.transform(lds.X).shape == (len(lds.X), 3)


def test_callbacks_run_and_can_stop_training(lds):
    from identica.training import AbstractCallback

    class StopAt(AbstractCallback):
        every = 2

        def __init__(self):
            self.seen = []

        def __call__(self, solver, iteration, history):
            self.seen.append(iteration)
            return iteration >= 4

    stop = StopAt()
    model = DynamicsEmbedding(**{**FAST, "max_iterations": 10}).fit(lds.X, callbacks=[stop])
    assert stop.seen == [2, 4] and model.n_iter_ == 4
    with pytest.raises(ConfigurationError, match="'callbacks' of DynamicsEmbedding.fit must be"):
        DynamicsEmbedding(**FAST).fit(lds.X, callbacks=[print])


def test_rollout_controls_of_the_wrong_shape_are_refused(controlled):
    model = DynamicsEmbedding(**FAST).fit(controlled.X, controls=controlled.controls)
    with pytest.raises(DataValidationError, match=r"must have shape \(4000, 3, 2\). Got "
                                                  r"\(4000, 2, 2\)"):
        model.predict(controlled.X, 3, controls=np.zeros((4000, 2, 2)))


def test_the_config_names_an_unknown_parameter():
    from identica.dynamics._config import DynamicsConfig

    params = {**DynamicsEmbedding().get_params(), "lr": 1.0}
    with pytest.raises(ConfigurationError, match="DynamicsEmbedding has no parameter 'lr'"):
        DynamicsConfig.from_params(params)
