# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""positive_for: positives for given references, which multi-objective training shares."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from identica.data import Dataset, Offset, Recording
from identica.sampling import (
    DeltaSampler,
    DiscreteSampler,
    MixedSampler,
    MultiSessionSampler,
    TimeDeltaSampler,
    TimeSampler,
)

FIELD = Offset(2, 3)


@pytest.fixture
def runs():
    rec = Recording(np.zeros((300, 2), np.float32), trial_starts=np.array([0, 40, 200]))
    return Dataset([rec]).valid_runs(FIELD)


def _inside(runs, index):
    starts = runs.starts[np.searchsorted(runs.starts, index, side="right") - 1]
    run = np.searchsorted(runs.starts, index, side="right") - 1
    return (index >= starts) & (index < starts + runs.counts[run])


def test_time_positive_stays_in_the_reference_run(runs):
    sampler = TimeSampler(runs, (3, 7), num_negatives=0)
    g = torch.Generator().manual_seed(0)
    reference = runs.draw(2000, generator=g)
    positive = sampler.positive_for(reference, generator=g).numpy()
    ref = reference.numpy()
    run_of = np.searchsorted(runs.starts, ref, side="right")
    assert np.array_equal(run_of, np.searchsorted(runs.starts, positive, side="right"))
    assert _inside(runs, positive).all()
    assert set(np.abs(positive - ref)) <= {3, 7}


def test_label_positives_for_given_references(runs):
    y = np.linspace(0, 1, 300, dtype=np.float32)[:, None]
    codes = np.arange(300) % 3
    g = torch.Generator().manual_seed(1)
    reference = runs.draw(500, generator=g)
    for sampler in (
        TimeDeltaSampler(runs, y, 2, num_negatives=0),
        DeltaSampler(runs, y, 0.01, num_negatives=0),
        MixedSampler(runs, y, codes, 2, num_negatives=0),
    ):
        positive = sampler.positive_for(reference, generator=g).numpy()
        assert _inside(runs, positive).all()
        assert np.abs(y[positive, 0] - y[reference.numpy(), 0]).max() < 0.1
    positive = DiscreteSampler(runs, codes, num_negatives=0).positive_for(reference, generator=g)
    assert np.array_equal(codes[positive.numpy()], codes[reference.numpy()])


def test_multi_session_positive_for_needs_equal_blocks():
    recs = [Recording(np.zeros((100, 2), np.float32)), Recording(np.zeros((80, 3), np.float32))]
    dataset = Dataset(recs)
    sampler = MultiSessionSampler(dataset.valid_runs(FIELD), 2, conditional="time",
                                  time_offset=4, num_negatives=0)
    g = torch.Generator().manual_seed(0)
    reference = sampler.draw_prior(10, generator=g)
    positive = sampler.positive_for(reference, generator=g)
    assert torch.equal(sampler.session_of(positive), sampler.session_of(reference))
    with pytest.raises(ValueError, match="same number of references from each of the 2"):
        sampler.positive_for(reference[:5], generator=g)
