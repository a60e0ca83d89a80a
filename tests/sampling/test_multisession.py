# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of MultiSessionSampler: session blocks, dealing, nearness, classes, borders, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from identica.data import Dataset, Offset, Recording
from identica.exceptions import ConfigurationError, DataValidationError
from identica.sampling import BatchIndex, MultiSessionSampler

FIELD = Offset(2, 3)
LENGTHS = (120, 90, 150)
TRIALS = ([0, 50], None, [0, 40, 100])
S = len(LENGTHS)


@pytest.fixture
def generator() -> torch.Generator:
    return torch.Generator().manual_seed(1312)


def _recording(length: int, trials: list[int] | None, **labels: np.ndarray) -> Recording:
    return Recording(
        neural=np.zeros((length, 2), dtype=np.float32),
        trial_starts=None if trials is None else np.asarray(trials, dtype=np.int64),
        **labels,
    )


def _ramp(length: int, n_labels: int) -> np.ndarray:
    """Label 0.01 * local time (times 1, 2, ... per column): every change over d is fixed."""
    return (0.01 * np.arange(length)[:, None] * np.arange(1, n_labels + 1)).astype(np.float32)


def _codes(length: int, session: int, absent: int | None) -> np.ndarray:
    codes = np.arange(length) % 3
    if session == 1 and absent is not None:
        codes[codes == absent] = (absent + 1) % 3
    return codes.astype(np.int64)


def _dataset(n_labels: int = 1, absent: int | None = None) -> Dataset:
    return Dataset([
        _recording(t, trials, continuous=_ramp(t, n_labels), discrete=_codes(t, s, absent))
        for s, (t, trials) in enumerate(zip(LENGTHS, TRIALS, strict=True))
    ])


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return _dataset()


CONFIGS = {
    "time": dict(conditional="time", time_offset=4),
    "time_tuple": dict(conditional="time", time_offset=(1, 6)),
    "time_delta": dict(conditional="time_delta", time_offset=3),
    "delta": dict(conditional="delta", delta=0.05),
    "discrete": dict(conditional="discrete"),
    "discrete_uniform": dict(conditional="discrete", prior="uniform"),
    "mixed": dict(conditional="mixed", time_offset=(2, 5)),
}


def build(name: str, dataset: Dataset, num_negatives: int = 7) -> MultiSessionSampler:
    return MultiSessionSampler.from_dataset(dataset, FIELD, num_negatives=num_negatives,
                                            **CONFIGS[name])


def session_of(dataset: Dataset, index: torch.Tensor) -> np.ndarray:
    return np.searchsorted(dataset.session_starts, index.numpy(), side="right") - 1


def segment_of(dataset: Dataset, index: torch.Tensor) -> np.ndarray:
    return np.searchsorted(dataset.segment_starts, index.numpy(), side="right") - 1


def valid_positions(dataset: Dataset, session: int) -> np.ndarray:
    valid = dataset.valid_runs(FIELD).indices()
    return valid[session_of(dataset, torch.from_numpy(valid)) == session]


@pytest.mark.parametrize("name", list(CONFIGS))
def test_shapes_and_session_blocks(name, dataset, generator) -> None:
    sampler = build(name, dataset)
    batch = sampler.sample(11, generator=generator)
    assert isinstance(batch, BatchIndex)
    assert [part.dtype for part in batch[:3]] == [torch.int64] * 3
    assert batch.reference.shape == batch.positive.shape == (S * 11,)
    np.testing.assert_array_equal(session_of(dataset, batch.reference), np.repeat(range(S), 11))
    np.testing.assert_array_equal(session_of(dataset, batch.negative), np.repeat(range(S), 7))
    for part in batch[:3]:  # session_of agrees with the dataset's session borders
        np.testing.assert_array_equal(sampler.session_of(part).numpy(), session_of(dataset, part))


@pytest.mark.parametrize("name", list(CONFIGS))
def test_every_window_stays_inside_one_segment(name, dataset, generator) -> None:
    batch = build(name, dataset).sample(500, generator=generator)
    for part in batch[:3]:
        seg = segment_of(dataset, part)
        start, stop = dataset.segment_starts[seg], dataset.segment_stops[seg]
        index = part.numpy()
        assert ((index - FIELD.left >= start) & (index + FIELD.right <= stop)).all()


@pytest.mark.parametrize("name", list(CONFIGS))
def test_same_seed_same_batch_other_seed_differs(name, dataset) -> None:
    sampler = build(name, dataset)
    torch_state = torch.get_rng_state()
    first = sampler.sample(20, generator=torch.Generator().manual_seed(3))
    again = sampler.sample(20, generator=torch.Generator().manual_seed(3))
    other = sampler.sample(20, generator=torch.Generator().manual_seed(4))
    assert all(torch.equal(a, b) for a, b in zip(first[:3], again[:3], strict=True))
    assert not torch.equal(first.reference, other.reference)
    assert torch.equal(torch.get_rng_state(), torch_state)


@pytest.mark.parametrize("name", ["time_delta", "delta", "discrete", "mixed"])
def test_each_session_receives_exactly_n_positives(name, dataset, generator) -> None:
    batch = build(name, dataset).sample(200, generator=generator)
    ref, pos = session_of(dataset, batch.reference), session_of(dataset, batch.positive)
    np.testing.assert_array_equal(np.bincount(pos, minlength=S), [200] * S)
    assert (ref != pos).mean() == pytest.approx((S - 1) / S, abs=0.06)  # most pairs cross


@pytest.mark.parametrize("time_offset", [3, (1, 4)])
@pytest.mark.parametrize("n_labels", [1, 2])
def test_time_delta_positive_is_nearest_in_assigned_session(
    n_labels, time_offset, generator
) -> None:
    """On ramps every pooled change is (0.01 d, 0.02 d): a change across a border would not be."""
    dataset = _dataset(n_labels)
    sampler = MultiSessionSampler.from_dataset(dataset, FIELD, conditional="time_delta",
                                               time_offset=time_offset, num_negatives=1)
    batch = sampler.sample(300, generator=generator)
    y = dataset.continuous().astype(np.float64)
    step = 0.01 * np.arange(1, n_labels + 1)
    offsets = np.atleast_1d(time_offset)
    queries = y[batch.reference.numpy()][:, None, :] + offsets[None, :, None] * step
    got = np.linalg.norm(y[batch.positive.numpy()][:, None, :] - queries, axis=2)  # (n, offsets)
    assigned = session_of(dataset, batch.positive)
    best = np.full_like(got, np.inf)
    for s in range(S):
        cand = y[valid_positions(dataset, s)]
        rows = assigned == s
        dist = np.linalg.norm(queries[rows][:, :, None, :] - cand[None, None], axis=3)
        best[rows] = dist.min(axis=2)
    # The positive is the nearest to one of the possible queries y[t] + d * step.
    assert ((got - best) <= 1e-5).any(axis=1).all()


def test_mixed_positive_is_nearest_within_class_in_assigned_session(generator) -> None:
    dataset = _dataset(1)
    sampler = MultiSessionSampler.from_dataset(dataset, FIELD, conditional="mixed",
                                               time_offset=2, num_negatives=1)
    batch = sampler.sample(300, generator=generator)
    y, codes = dataset.continuous()[:, 0].astype(np.float64), dataset.discrete()
    ref, pos = batch.reference.numpy(), batch.positive.numpy()
    np.testing.assert_array_equal(codes[pos], codes[ref])
    query = y[ref] + 0.02
    assigned = session_of(dataset, batch.positive)
    for i in range(len(ref)):  # small brute force: 900 rows against <= 150 candidates
        cand = valid_positions(dataset, assigned[i])
        cand = cand[codes[cand] == codes[ref[i]]]
        assert abs(y[pos[i]] - query[i]) <= np.abs(y[cand] - query[i]).min() + 1e-5


@pytest.mark.parametrize("prior", ["empirical", "uniform"])
def test_discrete_positives_share_class_and_absent_classes_are_redealt(prior, generator) -> None:
    dataset = _dataset(absent=2)  # session 1 has no class 2
    sampler = MultiSessionSampler.from_dataset(dataset, FIELD, conditional="discrete",
                                               prior=prior, num_negatives=300)
    batch = sampler.sample(300, generator=generator)
    codes = dataset.discrete()
    ref, pos = batch.reference.numpy(), batch.positive.numpy()
    np.testing.assert_array_equal(codes[pos], codes[ref])
    assigned = session_of(dataset, batch.positive)
    two = codes[ref] == 2
    assert two.sum() > 100 and not (assigned[two] == 1).any()
    # Re-dealt class-2 queries land in both sessions having the class.
    assert set(assigned[two]) == {0, 2}
    counts = np.bincount(assigned, minlength=S)
    assert counts.sum() == 900 and counts[1] < 300 and (counts[[0, 2]] > 300).all()
    # References and negatives of session 1 never hold the absent class.
    for part in (batch.reference, batch.negative):
        assert not (codes[part.numpy()][300:600] == 2).any()


def test_mixed_prior_is_class_balanced_per_session_by_default(generator) -> None:
    codes = [np.where(np.arange(t) < t // 5, 1, 0) for t in LENGTHS]  # 20 % class 1
    dataset = Dataset([
        _recording(t, trials, continuous=_ramp(t, 1), discrete=c)
        for t, trials, c in zip(LENGTHS, TRIALS, codes, strict=True)
    ])
    sampler = MultiSessionSampler.from_dataset(dataset, FIELD, conditional="mixed",
                                               num_negatives=4000)
    batch = sampler.sample(4000, generator=generator)
    labels = dataset.discrete()
    for part in (batch.reference, batch.negative):
        share = labels[part.numpy()].reshape(S, -1).mean(axis=1)
        np.testing.assert_allclose(share, 0.5, atol=0.04)


@pytest.mark.parametrize("time_offset", [4, (1, 6)])
def test_time_positives_within_the_reference_segment_at_offset(
    time_offset, dataset, generator
) -> None:
    sampler = MultiSessionSampler.from_dataset(dataset, FIELD, conditional="time",
                                               time_offset=time_offset, num_negatives=2)
    batch = sampler.sample(400, generator=generator)
    diff = (batch.positive - batch.reference).numpy()
    assert set(np.unique(diff)) == set(np.atleast_1d(time_offset))
    np.testing.assert_array_equal(segment_of(dataset, batch.positive),
                                  segment_of(dataset, batch.reference))


def test_zero_negatives_and_a_single_session(generator) -> None:
    dataset = Dataset([_recording(60, [0, 30], continuous=_ramp(60, 1))])
    sampler = MultiSessionSampler.from_dataset(dataset, FIELD, conditional="time_delta",
                                               time_offset=2, num_negatives=0)
    batch = sampler.sample(9, generator=generator)
    assert batch.negative.shape == (0,) and batch.positive.shape == (9,)
    assert (sampler.session_of(batch.positive) == 0).all()


def _runs_and_labels(dataset: Dataset):
    return dataset.valid_runs(FIELD), dataset.continuous(), dataset.discrete()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(conditional="time-delta"), ConfigurationError,
         r"'conditional'.*one of \['time'.*Got 'time-delta'. Did you mean 'time_delta'"),
        (dict(conditional="time", n_sessions=0), ConfigurationError, r"'n_sessions'.*Got 0"),
        (dict(conditional="time", num_negatives=-1), ConfigurationError,
         r"'num_negatives'.*>= 0. Got -1"),
        (dict(conditional="discrete", discrete=True, prior="balanced"), ConfigurationError,
         r"'prior'.*\['empirical', 'uniform'\]. Got 'balanced'"),
        (dict(conditional="time", n_sessions=2), ConfigurationError,
         r"sessions \[0, 1, 2\], outside 0 \.\. 1"),
        (dict(conditional="time", n_sessions=4), DataValidationError,
         r"Session 3 has no valid window position"),
        (dict(conditional="time_delta"), ConfigurationError,
         r"conditional='time_delta'.*needs 'continuous' labels. Got None"),
        (dict(conditional="time", discrete=True), ConfigurationError,
         r"'discrete'.*not used by conditional='time'.*\['discrete', 'mixed'\]"),
        (dict(conditional="delta", continuous=True), ConfigurationError,
         r"'delta'.*positive number.*Got None"),
        (dict(conditional="delta", continuous="1d", delta=0.1), DataValidationError,
         r"shape \(n_samples, n_labels\).*shape \(360,\)\. Use continuous\[:, None\]"),
        (dict(conditional="discrete", discrete="float"), DataValidationError,
         r"non-negative integer class codes.*Got float64 of shape \(360,\)"),
        (dict(conditional="discrete", discrete="negative"), DataValidationError,
         r"integer class codes.*min -1"),
        (dict(conditional="time", time_offset=60), ConfigurationError,
         r"Session 2: 'time_offset'.*\(56 positions.*Got 60"),
    ],
)
def test_bad_arguments_are_rejected(kwargs, error, match, dataset) -> None:
    runs, y, codes = _runs_and_labels(dataset)
    given = {"continuous": None, "discrete": None, "num_negatives": 3, **kwargs}
    n_sessions = given.pop("n_sessions", S)
    replace = {True: None, "1d": y[:, 0], "float": codes.astype(np.float64),
               "negative": codes - 1}
    if given["continuous"] is not None:
        given["continuous"] = y if given["continuous"] is True else replace[given["continuous"]]
    if given["discrete"] is not None:
        given["discrete"] = codes if given["discrete"] is True else replace[given["discrete"]]
    with pytest.raises(error, match=match):
        MultiSessionSampler(runs, n_sessions, **given)


@pytest.mark.parametrize(
    ("recordings", "conditional", "match"),
    [
        ([_recording(50, None, continuous=_ramp(50, 1)), _recording(60, None)], "time_delta",
         r"needs continuous labels in every session; session 1 has none"),
        ([_recording(50, None, continuous=_ramp(50, 1)),
          _recording(60, None, continuous=_ramp(60, 2))], "mixed",
         r"same continuous label columns: session 0 has shape \(50, 1\), session 1 has \(60, 2\)"),
        ([_recording(50, None, discrete=np.zeros(50, np.int64)),
          _recording(60, None, discrete=np.zeros(58, np.int64))], "discrete",
         r"X has 60 timesteps but discrete labels have 58 \(session 1\)"),
    ],
)
def test_from_dataset_checks_labels_per_session(recordings, conditional, match) -> None:
    with pytest.raises(DataValidationError, match=match):
        MultiSessionSampler.from_dataset(Dataset(recordings), FIELD, conditional=conditional,
                                         num_negatives=1)
