# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of the xCEBRA attribution benchmark generator (spec xcebra.md section 6)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score

from identica.data._recording import Recording
from identica.exceptions import ConfigurationError
from identica.synthetic import attribution_benchmark
from identica.synthetic._attribution import _random_mlp, _reflected_walk

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "xcebra_synthetic.npz"


def _r2(inputs: np.ndarray, targets: np.ndarray) -> float:
    """In-sample R² of a linear map (with intercept), uniform average over target columns."""
    inputs, targets = inputs.astype(np.float64), targets.astype(np.float64)
    prediction = LinearRegression().fit(inputs, targets).predict(inputs)
    return float(r2_score(targets, prediction))


def _statistics(neural: np.ndarray, latents: np.ndarray) -> dict[str, float]:
    half = neural.shape[1] // 2
    z1 = latents[:, :3]
    sd = neural.std(axis=0)
    steps = np.diff(latents.astype(np.float64), axis=0).std(axis=0)
    lag1 = [np.corrcoef(z[:-1], z[1:])[0, 1] for z in latents.T.astype(np.float64)]
    return {
        "r2_z1_first": _r2(z1, neural[:, :half]),
        "r2_z1_second": _r2(z1, neural[:, half:]),
        "r2_all_second": _r2(latents, neural[:, half:]),
        "sd_min": float(sd.min()),
        "sd_max": float(sd.max()),
        "step_sd_min": float(steps.min()),
        "step_sd_max": float(steps.max()),
        "latent_lag1_min": float(min(lag1)),
    }


@pytest.fixture(scope="module")
def rec() -> Recording:
    return attribution_benchmark()


@pytest.fixture(scope="module")
def stats(rec: Recording) -> dict[str, float]:
    return _statistics(rec.neural, rec.truth["latents"])


def test_shapes_and_dtypes(rec: Recording) -> None:
    assert isinstance(rec, Recording)
    assert rec.neural.shape == (1000, 50)
    assert rec.neural.dtype == np.float32
    assert rec.continuous.shape == (1000, 3)
    assert rec.continuous.dtype == np.float32
    assert set(rec.truth) == {"latents", "z1", "z2", "attribution"}
    assert rec.truth["latents"].shape == (1000, 6)
    assert rec.truth["latents"].dtype == np.float32
    assert rec.truth["z1"].shape == rec.truth["z2"].shape == (1000, 3)
    assert rec.truth["attribution"].shape == (6, 50)
    assert rec.truth["attribution"].dtype == np.bool_
    assert np.isfinite(rec.neural).all()


def test_truth_structure(rec: Recording) -> None:
    t = rec.truth
    np.testing.assert_array_equal(t["latents"], np.concatenate([t["z1"], t["z2"]], axis=1))
    np.testing.assert_array_equal(rec.continuous, t["z2"])
    attribution = t["attribution"]
    assert attribution[:3].all()
    assert not attribution[3:, :25].any()
    assert attribution[3:, 25:].all()
    assert attribution.sum() == 225


@pytest.mark.parametrize(("n_neurons", "n_first"), [(2, 1), (7, 3), (12, 6)])
def test_other_sizes_split_neurons_in_halves(n_neurons: int, n_first: int) -> None:
    rec = attribution_benchmark(n_samples=40, n_neurons=n_neurons, random_state=1)
    assert rec.neural.shape == (40, n_neurons)
    z2_rows = rec.truth["attribution"][3:]
    assert not z2_rows[:, :n_first].any()
    assert z2_rows[:, n_first:].all()


def test_starts_at_the_origin(rec: Recording) -> None:
    assert (rec.truth["latents"][0] == 0).all()
    assert (rec.neural[0] == 0).all()


def test_two_samples_is_enough() -> None:
    rec = attribution_benchmark(n_samples=2, n_neurons=2)
    assert rec.neural.shape == (2, 2)


def test_reflection_keeps_latents_in_bounds() -> None:
    latents = attribution_benchmark(n_samples=20_000, n_neurons=2).truth["latents"]
    assert np.abs(latents).max() <= 1.0
    assert np.abs(latents).max() > 0.99  # the walls are reached
    assert (latents > 0.9).any(axis=0).all() and (latents < -0.9).any(axis=0).all()


def test_each_step_is_a_gaussian_step_reflected_once() -> None:
    # Naive check: z[t] = reflect(z[t-1] ± e[t]) with one bounce at ±1, for the drawn steps e.
    walk = _reflected_walk(np.random.default_rng(3), 5_000, 6)
    steps = 0.1 * np.random.default_rng(3).standard_normal((4_999, 6))

    def bounce(x: np.ndarray) -> np.ndarray:
        return np.where(x > 1, 2 - x, np.where(x < -1, -2 - x, x))

    plus = np.abs(bounce(walk[:-1] + steps) - walk[1:]) < 1e-9
    minus = np.abs(bounce(walk[:-1] - steps) - walk[1:]) < 1e-9
    assert (plus | minus).all()
    assert np.abs(walk).max() > 0.99  # reflections did happen


def test_step_and_smoothness_statistics(stats: dict[str, float]) -> None:
    assert 0.09 <= stats["step_sd_min"] <= stats["step_sd_max"] <= 0.105
    assert stats["latent_lag1_min"] > 0.95


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_z1_explains_first_half_linearly_but_not_fully(seed: int) -> None:
    rec = attribution_benchmark(random_state=seed)
    assert 0.8 <= _r2(rec.truth["z1"], rec.neural[:, :25]) <= 0.95


def test_statistics_targets(stats: dict[str, float]) -> None:
    assert 0.8 <= stats["r2_z1_first"] <= 0.95
    assert 0.3 <= stats["r2_z1_second"] <= 0.7
    # Z2 drives the second half: adding it explains much more.
    assert stats["r2_all_second"] > stats["r2_z1_second"] + 0.2
    assert 0.2 <= stats["sd_min"] and stats["sd_max"] <= 2.0


@pytest.mark.skipif(not REFERENCE.exists(), reason=f"reference file {REFERENCE} not found")
def test_statistics_near_the_reference_file(stats: dict[str, float]) -> None:
    with np.load(REFERENCE, allow_pickle=False) as data:
        ref = _statistics(data["neural"], data["latents"])
        ref_truth = data["attribution_truth"]
    np.testing.assert_array_equal(
        attribution_benchmark(n_samples=2).truth["attribution"], ref_truth
    )
    assert abs(stats["r2_z1_first"] - ref["r2_z1_first"]) < 0.05  # 0.87 vs 0.87
    assert abs(stats["r2_z1_second"] - ref["r2_z1_second"]) < 0.15  # 0.43 vs 0.50
    for s in (stats, ref):
        assert 0.2 <= s["sd_min"] and s["sd_max"] <= 2.0
        assert 0.09 <= s["step_sd_min"] <= s["step_sd_max"] <= 0.105
        assert s["latent_lag1_min"] > 0.95


def test_noise_is_added_on_top() -> None:
    clean = attribution_benchmark(n_samples=1000, n_neurons=50, random_state=4)
    noisy = attribution_benchmark(n_samples=1000, n_neurons=50, noise=0.5, random_state=4)
    np.testing.assert_array_equal(clean.truth["latents"], noisy.truth["latents"])
    residual = noisy.neural.astype(np.float64) - clean.neural
    assert 0.48 < residual.std() < 0.52
    assert abs(residual.mean()) < 0.02
    assert noisy.neural.dtype == np.float32


def test_same_seed_gives_identical_arrays() -> None:
    a = attribution_benchmark(n_samples=300, n_neurons=10, random_state=7)
    b = attribution_benchmark(n_samples=300, n_neurons=10, random_state=7)
    np.testing.assert_array_equal(a.neural, b.neural)
    np.testing.assert_array_equal(a.continuous, b.continuous)
    for key in a.truth:
        np.testing.assert_array_equal(a.truth[key], b.truth[key])


def test_different_seed_gives_different_arrays() -> None:
    a = attribution_benchmark(n_samples=300, n_neurons=10, random_state=7)
    b = attribution_benchmark(n_samples=300, n_neurons=10, random_state=8)
    assert not np.array_equal(a.truth["latents"], b.truth["latents"])
    assert not np.array_equal(a.neural, b.neural)


def test_generator_is_accepted_and_consumed() -> None:
    rng = np.random.default_rng(3)
    a = attribution_benchmark(n_samples=100, n_neurons=4, random_state=rng)
    b = attribution_benchmark(n_samples=100, n_neurons=4, random_state=rng)
    c = attribution_benchmark(n_samples=100, n_neurons=4, random_state=np.random.default_rng(3))
    np.testing.assert_array_equal(a.neural, c.neural)
    assert not np.array_equal(a.neural, b.neural)


def test_none_seed_runs() -> None:
    assert attribution_benchmark(n_samples=50, n_neurons=4, random_state=None).neural.shape == (
        50,
        4,
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"n_samples": 1},
            r"'n_samples' of attribution_benchmark must be an int in \[2, inf\]\. "
            r"Got 1\.",
        ),
        ({"n_samples": 10.5}, r"'n_samples' .* Got 10\.5\."),
        ({"n_neurons": 1}, r"'n_neurons' of attribution_benchmark must be an int in \[2, inf\]"),
        ({"n_neurons": True}, r"'n_neurons' .* Got True\."),
        (
            {"noise": -0.1},
            r"'noise' of attribution_benchmark must be a finite number in "
            r"\[0\.0, inf\]\. Got -0\.1\.",
        ),
        ({"noise": float("nan")}, r"'noise' .* Got nan\."),
        ({"noise": "0.1"}, r"'noise' .* Got '0\.1'\."),
        ({"random_state": -1},
         r"'random_state' of attribution_benchmark must be None, a non-negative"),
        ({"random_state": "seed"}, r"'random_state' .* Got 'seed'\."),
    ],
)
def test_bad_arguments_raise(kwargs: dict, match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        attribution_benchmark(**kwargs)


def test_bad_arguments_are_value_errors() -> None:
    with pytest.raises(ValueError, match="n_neurons"):
        attribution_benchmark(n_neurons=-3)


def _homogeneity_error(neural: np.ndarray, z: np.ndarray) -> float:
    """Median relative error of predicting x_t as (|z_t| / |z_s|) x_s, over pairs of time steps
    whose latents point the same way (cosine > 0.9995) with norms differing by 1.3x or more."""
    norm = np.linalg.norm(z, axis=1)
    steps = np.flatnonzero(norm > 0.05)
    direction = z[steps] / norm[steps, None]
    errors = []
    for i, j in zip(*np.nonzero(np.triu(direction @ direction.T, 1) > 0.9995)):
        s, t = steps[i], steps[j]
        ratio = norm[t] / norm[s]
        if not 1 / 1.3 < ratio < 1.3:
            errors.append(np.linalg.norm(neural[t] - ratio * neural[s]) / np.linalg.norm(neural[t]))
    assert len(errors) > 50
    return float(np.median(errors))


def test_mixing_is_positively_homogeneous() -> None:
    # Bias-free leaky-ReLU networks: g(a z) = a g(z) for a > 0, exactly (up to float rounding).
    z = np.random.default_rng(0).normal(size=(200, 6))
    for scale in (0.3, 2.5):
        np.testing.assert_allclose(
            _random_mlp(np.random.default_rng(1), scale * z, 25),
            scale * _random_mlp(np.random.default_rng(1), z, 25), rtol=1e-10, atol=1e-12,
        )


@pytest.mark.skipif(not REFERENCE.exists(), reason=f"reference file {REFERENCE} not found")
def test_homogeneous_like_the_reference_file(rec: Recording) -> None:
    # The reason for the leaky-ReLU form: the file's first-half neurons scale with |Z1| (0.015),
    # as ours do; a smooth saturating mixing (tanh) would give about 0.3.
    with np.load(REFERENCE, allow_pickle=False) as data:
        ref = _homogeneity_error(data["neural"][:, :25].astype(np.float64),
                                 data["latents"][:, :3].astype(np.float64))
    ours = _homogeneity_error(rec.neural[:, :25].astype(np.float64),
                              rec.truth["z1"].astype(np.float64))
    assert ref < 0.05 and ours < 0.05
    tanh = np.tanh(rec.truth["z1"].astype(np.float64) @ np.full((3, 25), 1.5))
    assert _homogeneity_error(tanh, rec.truth["z1"].astype(np.float64)) > 0.1
