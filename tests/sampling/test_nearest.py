# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of NearestLabelIndex (against brute force, tie-breaking) and EmpiricalChanges."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from identica.data import Dataset, Offset, Recording
from identica.sampling import EmpiricalChanges, NearestLabelIndex


@pytest.fixture
def generator() -> torch.Generator:
    return torch.Generator().manual_seed(77)


def brute_force_check(labels: np.ndarray, positions: np.ndarray, queries: np.ndarray,
                      got: np.ndarray) -> None:
    """The chosen position has the minimum distance; it is the argmin when that is clear."""
    dist = np.linalg.norm(queries[:, None, :].astype(np.float64) - labels[None].astype(np.float64),
                          axis=2)
    order = np.sort(dist, axis=1)
    best = np.argmin(dist, axis=1)
    row_of = {int(p): i for i, p in enumerate(positions)}
    chosen = np.array([row_of[int(p)] for p in got])
    chosen_dist = dist[np.arange(len(queries)), chosen]
    np.testing.assert_allclose(chosen_dist, order[:, 0], rtol=1e-5, atol=1e-6)
    clear = order[:, 1] - order[:, 0] > 1e-4
    assert clear.mean() > 0.9
    assert np.array_equal(chosen[clear], best[clear])


@pytest.mark.parametrize("n_labels", [1, 2, 3, 5])
def test_agrees_with_brute_force_on_random_labels(n_labels, generator) -> None:
    rng = np.random.default_rng(n_labels)
    labels = rng.uniform(size=(300, n_labels)).astype(np.float32)
    positions = rng.permutation(10_000)[:300].astype(np.int64) + 5
    index = NearestLabelIndex(labels, positions)
    assert len(index) == 300
    # Queries inside and outside the label range.
    queries = rng.uniform(-0.3, 1.3, size=(500, n_labels)).astype(np.float32)
    got = index.query(torch.from_numpy(queries), generator=generator)
    assert got.dtype == torch.int64 and got.shape == (500,)
    brute_force_check(labels, positions, queries, got.numpy())


def test_one_dimensional_out_of_range_queries_hit_the_extremes(generator) -> None:
    labels = np.array([[3.0], [-1.0], [7.5], [2.0]], dtype=np.float32)
    index = NearestLabelIndex(labels, np.array([100, 101, 102, 103]))
    got = index.query(torch.tensor([[-50.0], [1e6], [-1.0], [7.5], [2.4]]), generator=generator)
    assert got.tolist() == [101, 102, 101, 102, 103]


@pytest.mark.parametrize("n_labels", [1, 2])
def test_single_candidate_is_always_returned(n_labels, generator) -> None:
    index = NearestLabelIndex(np.ones((1, n_labels)), np.array([42]))
    got = index.query(torch.randn(20, n_labels, generator=generator), generator=generator)
    assert (got == 42).all()


def _frequencies(index: NearestLabelIndex, query: list[float], n: int,
                 generator: torch.Generator) -> dict[int, float]:
    got = index.query(torch.tensor([query] * n, dtype=torch.float32), generator=generator)
    values, counts = np.unique(got.numpy(), return_counts=True)
    return {int(v): c / n for v, c in zip(values, counts, strict=True)}


def test_one_dimensional_equal_labels_are_tied_uniformly(generator) -> None:
    """A run of equal labels (a pause at the track end) spreads over all its positions."""
    labels = np.array([[0.0], [1.0], [1.0], [3.0], [1.0], [1.0], [2.0]], dtype=np.float32)
    index = NearestLabelIndex(labels, np.arange(10, 17))
    n = 8000
    for query in ([1.0], [1.2], [0.8]):
        freq = _frequencies(index, query, n, generator)
        assert set(freq) == {11, 12, 14, 15}
        np.testing.assert_allclose(list(freq.values()), 0.25, atol=5 * np.sqrt(3 / 16 / n))


@pytest.mark.parametrize(
    ("labels", "query"),
    [
        # 2-D: the four corners of a square around the query, plus a far point.
        ([[0, 0], [2, 0], [0, 2], [2, 2], [5, 5]], [1, 1]),
        # 2-D: three identical labels.
        ([[1, 1], [0, 3], [1, 1], [1, 1], [4, 0]], [1.2, 1.1]),
        # 3-D: the eight corners of a cube around the query, plus a far point.
        ([[x, y, z] for x in (0, 2) for y in (0, 2) for z in (0, 2)] + [[9, 9, 9]], [1, 1, 1]),
    ],
    ids=["square", "duplicates", "cube"],
)
def test_multi_dimensional_ties_are_broken_uniformly(labels, query, generator) -> None:
    labels = np.asarray(labels, dtype=np.float32)
    dist = np.linalg.norm(labels - np.asarray(query, dtype=np.float32), axis=1)
    tied = np.flatnonzero(np.isclose(dist, dist.min())) + 100
    index = NearestLabelIndex(labels, np.arange(100, 100 + len(labels)))
    n = 8000
    freq = _frequencies(index, query, n, generator)
    assert set(freq) == set(tied.tolist())
    p = 1 / len(tied)
    np.testing.assert_allclose(list(freq.values()), p, atol=5 * np.sqrt(p * (1 - p) / n))


def test_one_dimensional_ties_between_two_values_are_uniform_over_positions(generator) -> None:
    labels = np.array([[0.0], [2.0], [2.0], [2.0]], dtype=np.float32)
    index = NearestLabelIndex(labels, np.arange(4))
    n = 8000
    freq = _frequencies(index, [1.0], n, generator)
    assert set(freq) == {0, 1, 2, 3}
    np.testing.assert_allclose(list(freq.values()), 0.25, atol=5 * np.sqrt(3 / 16 / n))


def test_one_dimensional_tie_between_two_single_values_reaches_both(generator) -> None:
    index = NearestLabelIndex(np.array([[0.0], [2.0]], dtype=np.float32), np.array([7, 9]))
    n = 4000
    freq = _frequencies(index, [1.0], n, generator)
    assert set(freq) == {7, 9}
    assert freq[7] == pytest.approx(0.5, abs=5 * np.sqrt(0.25 / n))


def test_query_is_deterministic_given_the_generator() -> None:
    labels = np.repeat(np.arange(5, dtype=np.float32), 4)[:, None]
    index = NearestLabelIndex(labels, np.arange(20))
    query = torch.full((50, 1), 2.0)
    a = index.query(query, generator=torch.Generator().manual_seed(1))
    b = index.query(query, generator=torch.Generator().manual_seed(1))
    c = index.query(query, generator=torch.Generator().manual_seed(2))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_million_labels_large_batch(generator) -> None:
    """T = 1M candidates and 16k queries: exact results without a T x batch matrix (64 GB)."""
    rng = np.random.default_rng(0)
    values = np.sort(rng.uniform(0, 1000, size=1_000_000)).astype(np.float32)
    values = np.unique(values)
    index = NearestLabelIndex(values[:, None], np.arange(len(values)))
    queries = rng.uniform(-1, 1001, size=16_384).astype(np.float32)
    got = index.query(torch.from_numpy(queries)[:, None], generator=generator).numpy()
    right = np.clip(np.searchsorted(values, queries), 0, len(values) - 1)
    left = np.clip(right - 1, 0, len(values) - 1)
    best = np.minimum(np.abs(values[left] - queries), np.abs(values[right] - queries))
    np.testing.assert_array_equal(np.abs(values[got] - queries), best)


@pytest.mark.parametrize(
    ("labels", "positions", "match"),
    [
        (np.zeros(5), np.arange(5), r"labels must be \(n, k\).*got \(5,\)"),
        (np.zeros((5, 1)), np.arange(4), r"got \(5, 1\) and 4 positions"),
        (np.zeros((0, 2)), np.arange(0), r"n = len\(positions\) > 0"),
    ],
)
def test_invalid_inputs_are_rejected(labels, positions, match) -> None:
    with pytest.raises(ValueError, match=match):
        NearestLabelIndex(labels, positions)


# --------------------------------------------------------------------------------------------
# EmpiricalChanges.
# --------------------------------------------------------------------------------------------


def _segmented(lengths_per_session: list[list[int]], field: Offset):
    """Sessions cut into trials; label = 1000 * segment number + time inside the segment."""
    recordings, labels, segment = [], [], 0
    for lengths in lengths_per_session:
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        recordings.append(Recording(np.zeros((sum(lengths), 1), np.float32), trial_starts=starts))
        for length in lengths:
            labels.append(1000.0 * segment + np.arange(length))
            segment += 1
    labels = np.concatenate(labels).astype(np.float32)[:, None]
    return Dataset(recordings).valid_runs(field), labels


@pytest.mark.parametrize("field", [Offset(0, 1), Offset(1, 2)], ids=str)
@pytest.mark.parametrize("time_offset", [3, (1, 4)])
def test_empirical_changes_never_span_a_border(field, time_offset, generator) -> None:
    # Short trials: a change spanning a border would be a large fraction of all pairs.
    runs, labels = _segmented([[8, 9, 7], [10, 8]], field)
    changes = EmpiricalChanges(runs, labels, time_offset)
    drawn = changes.draw(4000, generator=generator)
    assert drawn.shape == (4000, 1)
    offsets = {time_offset} if isinstance(time_offset, int) else set(time_offset)
    values = set(np.unique(drawn.numpy()).tolist())
    assert values == {float(d) for d in offsets}  # no border change, no zero padding


def test_empirical_changes_draw_offsets_uniformly(generator) -> None:
    runs, labels = _segmented([[40, 12]], Offset(0, 1))
    changes = EmpiricalChanges(runs, labels, (1, 10))
    n = 20_000
    drawn = changes.draw(n, generator=generator).numpy()[:, 0]
    # 50 pairs one step apart, 32 ten steps apart: d is still drawn with probability 1/2.
    assert (drawn == 10).mean() == pytest.approx(0.5, abs=5 * np.sqrt(0.25 / n))


def test_empirical_changes_uniform_over_pairs_for_one_offset(generator) -> None:
    labels = np.array([0, 1, 3, 6, 10, 15], dtype=np.float32)[:, None]
    runs = Dataset([Recording(np.zeros((6, 1), np.float32))]).valid_runs(Offset(0, 1))
    n = 20_000
    drawn = EmpiricalChanges(runs, labels, 1).draw(n, generator=generator).numpy()[:, 0]
    values, counts = np.unique(drawn, return_counts=True)
    assert values.tolist() == [1, 2, 3, 4, 5]
    np.testing.assert_allclose(counts / n, 0.2, atol=5 * np.sqrt(0.16 / n))


def test_empirical_changes_keep_every_label_column(generator) -> None:
    t = np.arange(50, dtype=np.float32)
    labels = np.stack([t, -2 * t, np.zeros(50, np.float32)], axis=1)
    runs = Dataset([Recording(np.zeros((50, 1), np.float32))]).valid_runs(Offset(0, 1))
    drawn = EmpiricalChanges(runs, labels, 4).draw(10, generator=generator)
    assert drawn.shape == (10, 3)
    assert (drawn == torch.tensor([4.0, -8.0, 0.0])).all()


def test_tied_and_untied_queries_in_one_call(generator) -> None:
    # Square corners around (1, 1): a tie of four; (0.1, 0.1) is nearest to one corner only.
    labels = np.asarray([[0, 0], [2, 0], [0, 2], [2, 2], [5, 5]], dtype=np.float32)
    index = NearestLabelIndex(labels, np.arange(100, 105))
    query = torch.tensor([[1.0, 1.0], [0.1, 0.1]] * 2000)
    found = index.query(query, generator=generator).numpy()
    assert set(found[1::2].tolist()) == {100}
    assert set(found[0::2].tolist()) == {100, 101, 102, 103}
