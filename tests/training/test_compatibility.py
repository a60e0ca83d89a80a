# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Every sampler with every loss through one Solver step (the engine's parts compose)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from identica.data import Dataset, Recording, WindowGatherer
from identica.losses import InfoNCE, MultiObjectiveLoss, cosine, dot, euclidean
from identica.nn import make_encoder
from identica.sampling import (
    DeltaSampler,
    DiscreteSampler,
    MixedSampler,
    MultiObjectiveSampler,
    MultiSessionSampler,
    TimeDeltaSampler,
    TimeSampler,
)
from identica.training import ContrastiveObjective, DrawnNegatives, ReferenceNegatives, Solver

T, N, D = 300, 6, 4


def _data(n_sessions: int):
    rng = np.random.default_rng(0)
    recordings = [Recording(rng.normal(size=(T, N)).astype(np.float32),
                            continuous=rng.normal(size=(T, 2)).astype(np.float32),
                            discrete=np.arange(T) % 3) for _ in range(n_sessions)]
    return Dataset(recordings)


def _samplers(runs, dataset, drawn):
    y, codes = dataset.continuous(), dataset.discrete()
    return {
        "time": lambda: TimeSampler(runs, 2, num_negatives=drawn),
        "time_delta": lambda: TimeDeltaSampler(runs, y, 2, num_negatives=drawn),
        "delta": lambda: DeltaSampler(runs, y, 0.1, num_negatives=drawn),
        "discrete": lambda: DiscreteSampler(runs, codes, num_negatives=drawn),
        "mixed": lambda: MixedSampler(runs, y, codes, 2, num_negatives=drawn),
        "multi-objective": lambda: MultiObjectiveSampler(
            runs, [TimeSampler(runs, 2, num_negatives=0),
                   DiscreteSampler(runs, codes, num_negatives=0)], num_negatives=drawn),
    }


SAMPLERS = [*_samplers(None, _data(1), 0), "multi-session"]
LOSSES = {
    "cosine": lambda: InfoNCE(similarity=cosine),
    "dot": lambda: InfoNCE(similarity=dot, denominator="full"),
    "euclidean-learned": lambda: InfoNCE(similarity=euclidean, learn_temperature=True),
    "multi-objective": lambda: MultiObjectiveLoss([InfoNCE(), InfoNCE(similarity=dot)],
                                                  [(0, 1), (2, 3)], [1.0, 0.5]),
}


# The multi-objective sampler draws one block of positives per objective, which only the
# multi-objective loss reads; every other sampler takes every single-block loss.
PAIRS = [(s, loss) for s in SAMPLERS for loss in LOSSES
         if (s == "multi-objective") == (loss == "multi-objective")]


@pytest.mark.parametrize("negatives", ["references", "drawn"])
@pytest.mark.parametrize(("sampler_name", "loss_name"), PAIRS)
def test_one_step_of_every_sampler_with_every_loss(sampler_name, loss_name, negatives):
    n_sessions = 2 if sampler_name == "multi-session" else 1
    dataset = _data(n_sessions)
    encoder = make_encoder("conv5", N, D)
    runs = dataset.valid_runs(encoder.receptive_field)
    strategy = ReferenceNegatives() if negatives == "references" else DrawnNegatives(16)
    drawn = strategy.num_drawn(16)
    if sampler_name == "multi-session":
        sampler = MultiSessionSampler(runs, 2, conditional="time_delta",
                                      continuous=dataset.continuous(), time_offset=2,
                                      num_negatives=drawn)
    else:
        sampler = _samplers(runs, dataset, drawn)[sampler_name]()
    loss = LOSSES[loss_name]()
    gathers = [WindowGatherer(torch.from_numpy(r.neural), encoder.receptive_field)
               for r in dataset.recordings]
    encoders = [encoder] * n_sessions
    optimizer = torch.optim.Adam([*encoder.parameters(), *loss.parameters()], lr=1e-2)
    solver = Solver(encoders, ContrastiveObjective(loss, negatives=strategy), optimizer, sampler,
                    gathers, batch_size=16, generator=torch.Generator().manual_seed(0),
                    session_starts=dataset.session_starts[:-1].tolist())
    before = [p.detach().clone() for p in encoder.parameters()]
    history = solver.fit(1)
    assert history.shape == (1, 3) and bool(torch.isfinite(history).all())
    assert any(not torch.equal(a, b) for a, b in zip(before, encoder.parameters(), strict=True))
