# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""DynamicsPairSampler: one-step pairs inside trials, negatives from every row."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from identica.data import Dataset, Offset, Recording
from identica.exceptions import ConfigurationError
from identica.sampling import AbstractSampler, BatchIndex, DynamicsPairSampler


def _runs(lengths, sessions=1, field=Offset(0, 1)):
    recordings = []
    for _ in range(sessions):
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        recordings.append(Recording(np.zeros((sum(lengths), 2), np.float32),
                                    trial_starts=starts))
    dataset = Dataset(recordings)
    return dataset, dataset.valid_runs(field)


def _trial_of(dataset, index):
    return np.searchsorted(dataset.segment_starts, index, side="right") - 1


@pytest.mark.parametrize("lengths", [[50], [2, 7, 3, 40, 2], [5] * 30])
def test_no_pair_crosses_a_trial_border(lengths):
    dataset, runs = _runs(lengths, sessions=2)
    sampler = DynamicsPairSampler(runs, num_negatives=16)
    batch = sampler.sample(20_000, generator=torch.Generator().manual_seed(0))
    reference, positive = batch.reference.numpy(), batch.positive.numpy()
    assert isinstance(sampler, AbstractSampler) and isinstance(batch, BatchIndex)
    assert np.array_equal(positive, reference + 1)
    assert np.array_equal(_trial_of(dataset, reference), _trial_of(dataset, positive))
    # every row with a successor in its trial is drawn, and no last row of a trial
    last_rows = dataset.segment_stops - 1
    assert not np.isin(reference, last_rows).any()
    assert len(np.unique(reference)) == dataset.n_samples - len(last_rows)
    assert batch.reference.dtype == batch.negative.dtype == torch.int64
    assert torch.equal(batch.context.offset, torch.ones(20_000, dtype=torch.int64))


def test_references_are_uniform_over_rows_with_a_successor():
    _, runs = _runs([3, 11])  # rows 0, 1 and 3..12 have a successor: 12 rows
    batch = DynamicsPairSampler(runs, num_negatives=0).sample(
        120_000, generator=torch.Generator().manual_seed(1))
    counts = np.bincount(batch.reference.numpy(), minlength=14)
    assert counts[2] == counts[13] == 0
    drawn = counts[counts > 0]
    assert len(drawn) == 12 and np.abs(drawn / 10_000 - 1).max() < 0.06


@pytest.mark.parametrize("batch_size", [1, 8, 512])
def test_negatives_are_uniform_over_all_rows_whatever_the_batch_size(batch_size):
    dataset, runs = _runs([4, 6])
    sampler = DynamicsPairSampler(runs, num_negatives=50_000)
    batch = sampler.sample(batch_size, generator=torch.Generator().manual_seed(2))
    assert batch.negative.shape == (50_000,) and batch.reference.shape == (batch_size,)
    counts = np.bincount(batch.negative.numpy(), minlength=10)
    assert len(counts) == 10 and np.abs(counts / 5_000 - 1).max() < 0.08  # last rows too


def test_the_same_generator_gives_the_same_batch():
    _, runs = _runs([30, 30])
    sampler = DynamicsPairSampler(runs, num_negatives=32)
    a = sampler.sample(64, generator=torch.Generator().manual_seed(5))
    b = sampler.sample(64, generator=torch.Generator().manual_seed(5))
    c = sampler.sample(64, generator=torch.Generator().manual_seed(6))
    assert all(torch.equal(x, y) for x, y in zip(a[:3], b[:3]))
    assert not torch.equal(a.reference, c.reference)


def test_global_random_state_is_not_read():
    _, runs = _runs([30, 30])
    sampler = DynamicsPairSampler(runs, num_negatives=8)
    torch.manual_seed(0)
    a = sampler.sample(16, generator=torch.Generator().manual_seed(3))
    torch.manual_seed(1)
    b = sampler.sample(16, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a.windows, b.windows)


def test_windowed_encoders_pair_valid_positions_only():
    dataset, runs = _runs([20, 20], field=Offset(2, 3))
    batch = DynamicsPairSampler(runs, num_negatives=100).sample(
        5000, generator=torch.Generator().manual_seed(4))
    valid = runs.indices()
    assert np.isin(batch.reference.numpy(), valid).all()
    assert np.isin(batch.positive.numpy(), valid).all()
    assert np.isin(batch.negative.numpy(), valid).all()


def test_positive_for_stays_in_the_run():
    _, runs = _runs([3, 4])
    sampler = DynamicsPairSampler(runs, num_negatives=0)
    reference = torch.tensor([0, 1, 2, 3, 6])
    positive = sampler.positive_for(reference, generator=torch.Generator())
    assert positive.tolist() == [1, 2, 1, 4, 5]


def test_trials_of_one_row_only_are_refused():
    _, runs = _runs([1, 1, 1])
    with pytest.raises(ConfigurationError, match="trial of at least two rows.*one row only"):
        DynamicsPairSampler(runs, num_negatives=4)
