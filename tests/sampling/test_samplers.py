# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Property tests of the samplers: positives, priors, borders and determinism (spec §1-2)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch

from identica.data import Dataset, Offset, Recording, ValidRuns
from identica.exceptions import ConfigurationError
from identica.sampling import (
    AbstractSampler,
    BatchIndex,
    DeltaSampler,
    DiscreteSampler,
    MixedSampler,
    OffsetPairs,
    TimeDeltaSampler,
    TimeSampler,
)

FIELD = Offset(2, 3)


@pytest.fixture
def generator() -> torch.Generator:
    return torch.Generator().manual_seed(20231)


def _recording(n_samples: int, trial_starts: list[int] | None = None) -> Recording:
    return Recording(
        neural=np.zeros((n_samples, 2), dtype=np.float32),
        trial_starts=None if trial_starts is None else np.asarray(trial_starts, dtype=np.int64),
    )


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    """Two sessions, four segments: [0, 37) [37, 90) [90, 120) | [120, 150) [150, 200)."""
    return Dataset([
        _recording(120, [0, 37, 90]),
        _recording(80, [0, 30]),
    ])


@pytest.fixture(scope="module")
def labels(dataset: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """A random-walk continuous label (T, 2) and unbalanced class codes (T,)."""
    rng = np.random.default_rng(5)
    continuous = np.cumsum(rng.normal(size=(dataset.n_samples, 2)), axis=0).astype(np.float32)
    codes = rng.choice(3, size=dataset.n_samples, p=[0.6, 0.3, 0.1]).astype(np.int64)
    return continuous, codes


def segment_of(dataset: Dataset, index: np.ndarray) -> np.ndarray:
    return np.searchsorted(dataset.segment_starts, index, side="right") - 1


def assert_windows_inside_segments(dataset: Dataset, index: torch.Tensor, field: Offset) -> None:
    index = index.numpy()
    seg = segment_of(dataset, index)
    assert (seg >= 0).all()
    start, stop = dataset.segment_starts[seg], dataset.segment_stops[seg]
    bad = (index - field.left < start) | (index + field.right > stop)
    assert not bad.any(), f"windows crossing a border at {index[bad][:10]}"


SamplerFactory = Callable[[ValidRuns, np.ndarray, np.ndarray], AbstractSampler]

FACTORIES: dict[str, SamplerFactory] = {
    "time": lambda runs, y, c: TimeSampler(runs, 4, num_negatives=64),
    "time_tuple": lambda runs, y, c: TimeSampler(runs, (1, 3, 9), num_negatives=64),
    "time_delta": lambda runs, y, c: TimeDeltaSampler(runs, y, 5, num_negatives=64),
    "time_delta_tuple": lambda runs, y, c: TimeDeltaSampler(runs, y, (2, 7), num_negatives=64),
    "delta": lambda runs, y, c: DeltaSampler(runs, y, 0.5, num_negatives=64),
    "discrete": lambda runs, y, c: DiscreteSampler(runs, c, num_negatives=64),
    "discrete_uniform": lambda runs, y, c: DiscreteSampler(runs, c, num_negatives=64,
                                                           prior="uniform"),
    "mixed": lambda runs, y, c: MixedSampler(runs, y, c, 3, num_negatives=64),
    "mixed_empirical": lambda runs, y, c: MixedSampler(runs, y, c, (1, 4), num_negatives=64,
                                                       prior="empirical"),
}


def build(name: str, dataset: Dataset, labels, field: Offset = FIELD) -> AbstractSampler:
    continuous, codes = labels
    return FACTORIES[name](dataset.valid_runs(field), continuous, codes)


# --------------------------------------------------------------------------------------------
# Contract shared by every sampler.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(FACTORIES))
def test_batch_index_types_and_shapes(name, dataset, labels, generator) -> None:
    batch = build(name, dataset, labels).sample(50, generator=generator)
    assert isinstance(batch, BatchIndex)
    assert batch.reference.shape == (50,) and batch.positive.shape == (50,)
    assert batch.negative.shape == (64,)
    for part in batch[:3]:
        assert part.dtype == torch.int64


@pytest.mark.parametrize("field", [Offset(0, 1), FIELD, Offset(5, 5)], ids=str)
@pytest.mark.parametrize("name", list(FACTORIES))
def test_no_window_crosses_a_border(name, field, dataset, labels, generator) -> None:
    sampler = build(name, dataset, labels, field)
    batch = sampler.sample(2000, generator=generator)
    for part in batch[:3]:
        assert_windows_inside_segments(dataset, part, field)


@pytest.mark.parametrize("name", list(FACTORIES))
def test_same_seed_same_batch_other_seed_differs(name, dataset, labels) -> None:
    sampler = build(name, dataset, labels)
    first = sampler.sample(100, generator=torch.Generator().manual_seed(3))
    again = sampler.sample(100, generator=torch.Generator().manual_seed(3))
    other = sampler.sample(100, generator=torch.Generator().manual_seed(4))
    for a, b in zip(first[:3], again[:3], strict=True):
        assert torch.equal(a, b)
    assert not torch.equal(first.reference, other.reference)
    assert not torch.equal(first.negative, other.negative)


@pytest.mark.parametrize("name", list(FACTORIES))
def test_sampling_leaves_global_random_state_alone(name, dataset, labels, generator) -> None:
    sampler = build(name, dataset, labels)
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()
    sampler.sample(100, generator=generator)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], numpy_state)


# --------------------------------------------------------------------------------------------
# Time-contrastive positives and prior.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("time_offset", [1, 4, 25, (1, 3, 9), (2, 2, 30)])
def test_time_positive_is_reference_plus_offset_in_same_segment(
    time_offset, dataset, generator
) -> None:
    runs = dataset.valid_runs(FIELD)
    batch = TimeSampler(runs, time_offset, num_negatives=8).sample(3000, generator=generator)
    offsets = {time_offset} if isinstance(time_offset, int) else set(time_offset)
    diff = (batch.positive - batch.reference).numpy()
    assert set(np.unique(diff)) == offsets
    ref, pos = batch.reference.numpy(), batch.positive.numpy()
    assert np.array_equal(segment_of(dataset, ref), segment_of(dataset, pos))
    assert_windows_inside_segments(dataset, batch.positive, FIELD)


def test_time_tuple_offsets_are_drawn_uniformly(dataset, generator) -> None:
    runs = dataset.valid_runs(FIELD)
    n = 30_000
    batch = TimeSampler(runs, (1, 3, 30), num_negatives=8).sample(n, generator=generator)
    diff = (batch.positive - batch.reference).numpy()
    freq = np.array([(diff == d).mean() for d in (1, 3, 30)])
    # d uniform over the tuple, even though fewer pairs are 30 steps apart.
    np.testing.assert_allclose(freq, 1 / 3, atol=5 * np.sqrt(2 / 9 / n))


def test_time_references_uniform_over_positions_with_a_partner(generator) -> None:
    """For offset d, references are uniform over t with t and t + d valid in one segment."""
    ds = Dataset([_recording(30, [0, 12])])
    runs = ds.valid_runs(FIELD)  # valid: [2, 9] and [14, 27]
    n = 40_000
    batch = TimeSampler(runs, 3, num_negatives=1).sample(n, generator=generator)
    expected = np.r_[2:7, 14:25]  # t + 3 must stay valid in the same run
    counts = np.bincount(batch.reference.numpy(), minlength=30)
    assert set(np.flatnonzero(counts)) == set(expected)
    p = 1 / len(expected)
    np.testing.assert_allclose(counts[expected] / n, p, atol=5 * np.sqrt(p * (1 - p) / n))


def test_time_offset_longer_than_every_run_is_rejected(dataset) -> None:
    runs = dataset.valid_runs(FIELD)  # longest run: 53 - 5 + 1 = 49 positions
    with pytest.raises(ConfigurationError, match=r"time_offset.*\(49 positions.*Got 60"):
        TimeSampler(runs, (1, 60), num_negatives=4)
    OffsetPairs(runs, 48)  # 49 positions hold exactly one pair 48 apart


# --------------------------------------------------------------------------------------------
# Behaviour-contrastive positives.
# --------------------------------------------------------------------------------------------


def _ramp_runs(n: int, field: Offset = Offset(0, 1)) -> tuple[ValidRuns, np.ndarray]:
    runs = Dataset([_recording(n, None)]).valid_runs(field)
    return runs, (np.arange(n, dtype=np.float32) * 0.01)[:, None]


@pytest.mark.parametrize("time_offset", [5, (2, 7)])
def test_time_delta_on_a_ramp_finds_reference_plus_offset(time_offset, generator) -> None:
    """On y = 0.01 t every label change is 0.01 d, so the nearest label is at t + d."""
    runs, y = _ramp_runs(400, FIELD)
    batch = TimeDeltaSampler(runs, y, time_offset, num_negatives=4).sample(
        3000, generator=generator
    )
    offsets = (time_offset,) if isinstance(time_offset, int) else time_offset
    last_valid = 400 - FIELD.right
    inside = (batch.reference + max(offsets) <= last_valid).numpy()
    diff = (batch.positive - batch.reference).numpy()
    assert set(np.unique(diff[inside])) == set(offsets)
    # Near the end the positive is the last valid position, never outside.
    assert (batch.positive.numpy()[~inside] <= last_valid).all()


def test_delta_positive_spread_matches_delta(generator) -> None:
    runs, y = _ramp_runs(2000)
    delta = 0.1  # 10 steps on the ramp
    batch = DeltaSampler(runs, y, delta, num_negatives=4).sample(6000, generator=generator)
    ref = batch.reference.numpy()
    inside = (ref > 60) & (ref < 1940)
    shift = (batch.positive - batch.reference).numpy()[inside] * 0.01
    assert abs(shift.mean()) < 0.01
    assert shift.std() == pytest.approx(delta, rel=0.06)


# --------------------------------------------------------------------------------------------
# Discrete and mixed.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["discrete", "discrete_uniform", "mixed", "mixed_empirical"])
def test_positive_shares_the_reference_class(name, dataset, labels, generator) -> None:
    codes = labels[1]
    batch = build(name, dataset, labels).sample(3000, generator=generator)
    assert np.array_equal(codes[batch.positive.numpy()], codes[batch.reference.numpy()])
    # Not trivially the reference itself (mixed positives can be, when D is small).
    assert (batch.positive != batch.reference).float().mean() > 0.5


def test_discrete_positive_uniform_within_class(generator) -> None:
    runs = Dataset([_recording(40, None)]).valid_runs(Offset(0, 1))
    codes = (np.arange(40) % 4 == 0).astype(np.int64)  # class 1: positions 0, 4, ..., 36
    sampler = DiscreteSampler(runs, codes, num_negatives=1)
    n = 20_000
    batch = sampler.sample(n, generator=generator)
    pos = batch.positive.numpy()[codes[batch.reference.numpy()] == 1]
    counts = np.bincount(pos, minlength=40)[::4]
    p = 1 / 10
    np.testing.assert_allclose(counts / len(pos), p, atol=5 * np.sqrt(p * (1 - p) / len(pos)))


@pytest.mark.parametrize("cls", [DiscreteSampler, MixedSampler])
@pytest.mark.parametrize("prior", ["empirical", "uniform"])
def test_class_frequencies_follow_the_prior(cls, prior, dataset, labels, generator) -> None:
    continuous, codes = labels
    runs = dataset.valid_runs(FIELD)
    if cls is DiscreteSampler:
        sampler = cls(runs, codes, num_negatives=20_000, prior=prior)
    else:
        sampler = cls(runs, continuous, codes, 2, num_negatives=20_000, prior=prior)
    n = 20_000
    batch = sampler.sample(n, generator=generator)
    valid_classes = codes[runs.indices()]
    if prior == "empirical":
        expected = np.bincount(valid_classes, minlength=3) / len(valid_classes)
    else:
        expected = np.full(3, 1 / 3)
    assert not np.allclose(np.bincount(valid_classes, minlength=3) / len(valid_classes), 1 / 3,
                           atol=0.05)  # the classes are unbalanced, so the priors differ
    tol = 5 * np.sqrt(0.25 / n)
    for part in (batch.reference, batch.negative):
        freq = np.bincount(codes[part.numpy()], minlength=3) / n
        np.testing.assert_allclose(freq, expected, atol=tol)


def test_uniform_prior_ignores_classes_without_valid_positions(generator) -> None:
    """A class present only on invalid (border) rows is never drawn."""
    ds = Dataset([_recording(60, None)])
    codes = np.zeros(60, dtype=np.int64)
    codes[::2] = 1
    codes[0] = 2  # row 0 is outside every window position of Offset(2, 3)
    sampler = DiscreteSampler(ds.valid_runs(FIELD), codes, num_negatives=6000, prior="uniform")
    batch = sampler.sample(6000, generator=generator)
    freq = np.bincount(codes[batch.reference.numpy()], minlength=3) / 6000
    np.testing.assert_allclose(freq, [0.5, 0.5, 0.0], atol=0.03)


def test_mixed_positive_nearest_label_inside_class(generator) -> None:
    """Ramp labels, classes t % 2, offset 2: the positive is t + 2, in the same class."""
    runs, y = _ramp_runs(300)
    codes = np.arange(300) % 2
    sampler = MixedSampler(runs, y, codes, 2, num_negatives=4)
    batch = sampler.sample(2000, generator=generator)
    inside = (batch.reference + 2 < 300).numpy()
    diff = (batch.positive - batch.reference).numpy()
    assert (diff[inside] == 2).all()


def test_mixed_nearest_ignores_closer_labels_of_other_classes(generator) -> None:
    """Offset 1 on the ramp: t + 1 has the nearest label but the other class."""
    runs, y = _ramp_runs(300)
    codes = np.arange(300) % 2
    batch = MixedSampler(runs, y, codes, 1, num_negatives=4).sample(2000, generator=generator)
    diff = (batch.positive - batch.reference).numpy()
    inside = ((batch.reference > 0) & (batch.reference < 298)).numpy()
    assert set(np.unique(diff[inside])) <= {0, 2}  # tie between t and t + 2, never t + 1
    assert np.isin([0, 2], diff[inside]).all()


# --------------------------------------------------------------------------------------------
# ValidRuns.draw and scale.
# --------------------------------------------------------------------------------------------


def test_valid_runs_draw_is_uniform_over_valid_positions(generator) -> None:
    runs = ValidRuns(
        starts=np.array([0, 100, 500], dtype=np.int64),
        counts=np.array([3, 5, 2], dtype=np.int64),
        session=np.array([0, 0, 1], dtype=np.int64),
    )
    n = 50_000
    draws = runs.draw(n, generator=generator)
    assert draws.dtype == torch.int64
    counts = np.bincount(draws.numpy(), minlength=510)
    valid = runs.indices()
    assert np.array_equal(np.flatnonzero(counts), valid)
    p = 1 / 10
    np.testing.assert_allclose(counts[valid] / n, p, atol=5 * np.sqrt(p * (1 - p) / n))


def test_large_timeline_and_batch_stay_exact(generator) -> None:
    """T = 400k, batch 4096: a T x batch float matrix would need 6.5 GB; results stay exact."""
    runs, y = _ramp_runs(400_000)
    sampler = TimeDeltaSampler(runs, y, 3, num_negatives=4096)
    batch = sampler.sample(4096, generator=generator)
    inside = (batch.reference + 3 < 400_000).numpy()
    # Labels 0.01 apart in float32 up to 4000: the nearest label is within one step of t + 3.
    diff = (batch.positive - batch.reference).numpy()[inside]
    assert np.abs(diff - 3).max() <= 1
    assert (diff == 3).mean() > 0.9
