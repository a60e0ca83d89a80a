# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Adapters: reset restores the source exactly; statistics limits; no adapter reads labels."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
import torch
from _drift_source import make_drift_setup

from identica.adaptation import (
    AbstractAdapter,
    ContrastiveReadIn,
    InputRefit,
    InputStatistics,
    MomentMatching,
    MonitorReset,
    NoAdaptation,
    Oracle,
    PeriodicReset,
    SelfLearning,
    evaluate_stream,
)
from identica.exceptions import ConfigurationError, DataValidationError
from identica.metrics import moment_distance

SMALL = {"buffer_size": 600, "steps": 2, "batch_size": 32, "learning_rate": 1e-2}

FACTORIES = {
    "none": lambda s: NoAdaptation(s["source"]),
    "stats": lambda s: InputStatistics(s["source"], prior=100.0, momentum=0.5),
    "tune-affine": lambda s: ContrastiveReadIn(s["source"], **SMALL),
    "tune-input": lambda s: ContrastiveReadIn(s["source"], read_in="input", anchor=0.5,
                                              **SMALL),
    "self-learning": lambda s: SelfLearning(s["source"], s["source"].transform(s["X"]),
                                            s["classes"], **SMALL),
    "refit": lambda s: InputRefit(s["source"], refit_every=1000, steps=3, buffer_size=600,
                                  batch_size=32),
    "coral": lambda s: MomentMatching(s["source"], prior=0.0),
    "periodic": lambda s: PeriodicReset(ContrastiveReadIn(s["source"], **SMALL), 1000),
    "monitor": lambda s: MonitorReset(ContrastiveReadIn(s["source"], **SMALL)),
    "oracle": lambda s: Oracle(s["source"]),
}


@pytest.fixture(scope="module")
def drift_setup():
    return make_drift_setup()


def _state(adapter):
    """Every adapted quantity of an adapter, as numpy arrays."""
    inner = getattr(adapter, "adapter", adapter)
    out = {}
    for name in ("mean_", "std_", "mask_", "map_", "buffer"):
        if hasattr(inner, name):
            out[name] = np.array(getattr(inner, name))
    if hasattr(inner, "trainable"):
        out["trainable"] = [p.detach().numpy().copy() for p in inner.trainable]
        out["optimizer"] = len(inner.optimizer.state)
        out["generator"] = inner.generator.get_state().numpy().copy()
    return out


def _assert_same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], list):
            for x, y in zip(a[key], b[key]):
                np.testing.assert_array_equal(x, y)
        else:
            np.testing.assert_array_equal(a[key], b[key])


@pytest.mark.parametrize("name", list(FACTORIES))
def test_reset_restores_the_source_state_exactly(drift_setup, name):
    adapter = FACTORIES[name](drift_setup)
    window = drift_setup["stream"][:500]
    fresh_state, fresh_z = _state(adapter), adapter.transform(window)
    for start in range(0, 1500, 500):
        adapter.update(drift_setup["stream"][start:start + 500])
        if name == "oracle":
            adapter.reveal(drift_setup["stream"][start:start + 500],
                           drift_setup["target"][start:start + 500])
    adapter.reset()
    _assert_same(_state(adapter), fresh_state)
    np.testing.assert_array_equal(adapter.transform(window), fresh_z)
    assert adapter.n_resets >= 1
    if name != "none":  # and the source model itself was never touched
        np.testing.assert_array_equal(NoAdaptation(drift_setup["source"]).transform(window),
                                      drift_setup["source"].transform(window))


def test_tuning_changes_only_the_read_in(drift_setup):
    source = drift_setup["source"]
    before = {k: v.clone() for k, v in source.encoder.state_dict().items()}
    adapter = ContrastiveReadIn(source, read_in="input", **SMALL)
    adapter.update(drift_setup["stream"][:600])
    first = type(adapter.encoder).input_layer_name
    changed = {k for k, v in adapter.encoder.state_dict().items()
               if not torch.equal(v, before[k])}
    assert changed and all(k.startswith(first + ".") for k in changed)
    for k, v in source.encoder.state_dict().items():
        assert torch.equal(v, before[k])


def test_refit_draws_a_fresh_input_layer_once_per_period(drift_setup):
    source, stream = drift_setup["source"], drift_setup["stream"]
    adapter = InputRefit(source, refit_every=1000, steps=0, buffer_size=600, batch_size=32,
                         random_state=3)
    layer = type(adapter.encoder).input_layer_name
    source_weight = source.encoder.get_submodule(layer).weight.detach().clone()
    adapter.update(stream[:600])  # 600 < 1000 samples: still the source layer
    assert torch.equal(adapter.encoder.get_submodule(layer).weight, source_weight)
    adapter.update(stream[600:1200])  # the period is full: a fresh draw (0 steps: untrained)
    weight = adapter.encoder.get_submodule(layer).weight.detach()
    assert adapter.seen == 0 and not torch.equal(weight, source_weight)
    bound = 1 / math.sqrt(weight[0].numel())  # PyTorch's default rule
    assert float(weight.abs().max()) <= bound
    twin = InputRefit(source, refit_every=1000, steps=0, buffer_size=600, batch_size=32,
                      random_state=3)
    twin.update(stream[:1200])
    assert torch.equal(twin.encoder.get_submodule(layer).weight, weight)  # seeded
    trained = InputRefit(source, refit_every=500, steps=3, buffer_size=600, batch_size=32)
    trained.update(stream[:600])
    changed = {k for k, v in trained.encoder.state_dict().items()
               if not torch.equal(v, source.encoder.state_dict()[k])}
    assert changed and all(k.startswith(layer + ".") for k in changed)


def test_statistics_with_infinite_prior_is_no_adaptation(drift_setup):
    window = drift_setup["stream"][:800]
    adapter = InputStatistics(drift_setup["source"], prior=math.inf)
    adapter.update(window)
    np.testing.assert_array_equal(adapter.transform(window),
                                  NoAdaptation(drift_setup["source"]).transform(window))


def test_statistics_with_zero_prior_is_full_restandardisation(drift_setup):
    source = drift_setup["source"]
    window = 1.7 * drift_setup["X"].astype(np.float64) + 0.3  # gain and baseline changed
    assert (window.std(axis=0) > 0).all()
    adapter = InputStatistics(source, prior=0.0, floor=0.0)
    adapter.update(window)
    expected = source.embed_standardized(
        ((window - window.mean(axis=0)) / window.std(axis=0)).astype(np.float32))
    np.testing.assert_allclose(adapter.transform(window), expected, atol=1e-5)


def test_statistics_blend_and_floor(drift_setup):
    source = drift_setup["source"]
    window = np.array(drift_setup["stream"][:400], dtype=np.float64)
    window[:, 3] = 0.0  # a silenced channel
    adapter = InputStatistics(source, prior=400.0, floor=0.1)
    adapter.update(window)
    s = source.standardization
    np.testing.assert_allclose(adapter.mean_, 0.5 * s.mean + 0.5 * window.mean(axis=0))
    var = 0.5 * s.std ** 2 + 0.5 * window.var(axis=0)
    np.testing.assert_allclose(adapter.std_, np.maximum(np.sqrt(var), 0.1 * s.std))
    assert adapter.mask_[3] and adapter.mask_.sum() >= 1
    # a masked channel does not matter: any value of it gives the same embedding
    other = window.copy()
    other[:, 3] = 5.0
    np.testing.assert_array_equal(adapter.transform(window), adapter.transform(other))


def test_coral_moves_the_embedding_towards_the_source_moments(drift_setup):
    source = drift_setup["source"]
    window = drift_setup["stream"][:1000]
    adapter = MomentMatching(source, prior=0.0)
    adapter.update(window)
    frozen = moment_distance(source.transform(window), source.embedding_mean,
                             source.embedding_cov)
    adapted = moment_distance(adapter.transform(window), source.embedding_mean,
                              source.embedding_cov)
    assert adapted < frozen


def test_periodic_reset_counts_samples_and_monitor_resets(drift_setup):
    periodic = PeriodicReset(NoAdaptation(drift_setup["source"]), every=2500)
    for start in range(0, 2000, 400):  # 5 windows of 400: reset before the 7th..., here 0
        periodic.update(drift_setup["stream"][start:start + 400])
    assert periodic.n_resets == 0 and periodic.seen == 2000
    for start in range(0, 1200, 400):
        periodic.update(drift_setup["stream"][start:start + 400])
    assert periodic.n_resets == 1 and periodic.seen == 800  # reset at the 7th window
    always = MonitorReset(NoAdaptation(drift_setup["source"]), "rank", threshold=10.0)
    never = MonitorReset(NoAdaptation(drift_setup["source"]), "disagreement", threshold=0.5)
    for start in range(0, 1200, 400):
        always.update(drift_setup["stream"][start:start + 400])
        never.update(drift_setup["stream"][start:start + 400])
    assert always.n_resets == 3 and never.n_resets == 0 and never.last_value == 0.0


ADAPTERS = [NoAdaptation, InputStatistics, ContrastiveReadIn, InputRefit, SelfLearning,
            MomentMatching, PeriodicReset, MonitorReset, Oracle]


@pytest.mark.parametrize("cls", ADAPTERS)
def test_update_and_transform_take_only_the_window(cls):
    for method in ("update", "transform"):
        assert list(inspect.signature(getattr(cls, method)).parameters) == ["self", "window"]
    assert issubclass(cls, AbstractAdapter)


@pytest.mark.parametrize("name", ["stats", "tune-affine", "refit", "self-learning", "coral",
                                  "monitor"])
def test_no_adapter_reads_labels(drift_setup, name):
    """Adapted embeddings are the same whatever labels the evaluation holds."""
    X, y = drift_setup["stream"][:1200], drift_setup["target"][:1200]
    runs = []
    for labels in (y, np.random.default_rng(0).permutation(y)):
        adapter = FACTORIES[name](drift_setup)
        run = evaluate_stream(adapter, X, labels, window=400)
        runs.append((run, adapter.transform(X[:400])))
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    np.testing.assert_array_equal(runs[0][0].rank, runs[1][0].rank)
    np.testing.assert_array_equal(runs[0][0].disagreement, runs[1][0].disagreement)


def test_the_oracle_reads_labels(drift_setup):
    X, y = drift_setup["stream"][:1200], drift_setup["target"][:1200]
    true = evaluate_stream(Oracle(drift_setup["source"]), X, y, window=400)
    shuffled = evaluate_stream(Oracle(drift_setup["source"]), X,
                               np.random.default_rng(0).permutation(y), window=400)
    assert not np.array_equal(true.disagreement, shuffled.disagreement)
    none = evaluate_stream(NoAdaptation(drift_setup["source"]), X, y, window=400)
    assert true.r2[1:].mean() > none.r2[1:].mean()  # the upper bound on a drifted stream


def test_evaluate_stream_scores_windows(drift_setup):
    X, y = drift_setup["stream"][:1000], drift_setup["target"][:1000]
    run = evaluate_stream(NoAdaptation(drift_setup["source"]), X, y, window=250)
    source = drift_setup["source"]
    for k in range(4):
        rows = slice(250 * k, 250 * (k + 1))
        prediction = source.decoder.predict(source.transform(X[rows]))
        residual = ((y[rows] - prediction) ** 2).sum()
        total = ((y[rows] - y[rows].mean()) ** 2).sum()
        assert run.r2[k] == pytest.approx(1 - residual / total, rel=1e-4, abs=1e-6)
    assert run.seconds_per_1000 > 0 and run.n_resets == 0
    with pytest.raises(DataValidationError, match="X of evaluate_stream has 1000 rows"):
        evaluate_stream(NoAdaptation(source), X, y[:10], window=250)


def test_bad_arguments_are_named(drift_setup):
    source = drift_setup["source"]
    with pytest.raises(DataValidationError, match="has 3 channels; the source model has 24"):
        NoAdaptation(source).update(np.zeros((10, 3), dtype=np.float32))
    with pytest.raises(ConfigurationError, match="'read_in' of ContrastiveReadIn"):
        ContrastiveReadIn(source, read_in="everything")
    with pytest.raises(ConfigurationError, match="'read_in' of InputRefit is always 'input'"):
        InputRefit(source, read_in="affine")
    with pytest.raises(ConfigurationError, match="'refit_every' of InputRefit"):
        InputRefit(source, refit_every=0)
    with pytest.raises(ConfigurationError, match="'prior' of InputStatistics"):
        InputStatistics(source, prior=-1.0)
    with pytest.raises(DataValidationError, match="'classes' of SelfLearning"):
        SelfLearning(source, np.zeros((5, 4)), np.zeros(4, dtype=np.int64))
    with pytest.raises(ConfigurationError, match="'every' of PeriodicReset"):
        PeriodicReset(NoAdaptation(source), every=0)
    with pytest.raises(ConfigurationError, match="'monitor' of MonitorReset"):
        MonitorReset(NoAdaptation(source), monitor="loss")
