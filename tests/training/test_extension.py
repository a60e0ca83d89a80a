# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""A method family is an addition: a test-only sampler whose pairs carry a per-pair offset and
a loss that reads it train through the public engine classes, with no edit to identica."""

from __future__ import annotations

import numpy as np
import torch

from identica.data import Dataset, Recording, WindowGatherer
from identica.losses import AbstractContrastiveLoss, LossParts, infonce
from identica.nn import make_encoder, reset_parameters
from identica.sampling import AbstractSampler, BatchIndex, OffsetPairs, PairContext
from identica.training import ContrastiveObjective, ReferenceNegatives, Solver

T, N = 600, 8


class OffsetSampler(AbstractSampler):
    """Positive ``t + d`` with ``d`` drawn from several offsets; ``d`` travels as context."""

    def __init__(self, runs, offsets):
        super().__init__(runs, num_negatives=0)
        self.pairs = OffsetPairs(runs, offsets)

    def positive_for(self, reference, *, generator):
        return self.pairs.partner(reference, generator=generator)

    def sample(self, n, *, generator):
        reference, offset = self.pairs.draw(n, generator=generator)
        return BatchIndex(reference, reference + offset, reference[:0],
                          context=PairContext(offset=offset))


class OffsetScaledLoss(AbstractContrastiveLoss):
    """InfoNCE whose positive similarity is discounted by how far apart the pair is.

    Records every context it sees, so the test can check what reached it.
    """

    def __init__(self):
        super().__init__()
        self.log_decay = torch.nn.Parameter(torch.tensor(0.0))
        self.seen: list[torch.Tensor] = []

    def forward(self, reference, positive, negative, *, exclude_self=False, context=None):
        self.seen.append(context.offset.clone())
        parts = infonce(reference, positive, negative, exclude_self=exclude_self)
        decay = torch.exp(self.log_decay) * context.offset.float().mean() / 10.0
        return LossParts(parts.total + decay, parts.alignment + decay, parts.uniformity)


def _latent_recording() -> np.ndarray:
    rng = np.random.default_rng(0)
    phase = np.cumsum(rng.uniform(0.02, 0.08, size=T))
    latent = np.stack([np.cos(phase), np.sin(phase)], axis=1)
    return (latent @ rng.normal(size=(2, N)) + 0.05 * rng.normal(size=(T, N))).astype(np.float32)


def test_a_family_with_pair_context_trains_through_the_public_engine():
    X = _latent_recording()
    encoder = reset_parameters(make_encoder("conv5", N, 3),
                               generator=torch.Generator().manual_seed(0))
    runs = Dataset([Recording(X)]).valid_runs(encoder.receptive_field)
    sampler = OffsetSampler(runs, (1, 3, 5))
    loss = OffsetScaledLoss()
    optimizer = torch.optim.Adam([*encoder.parameters(), *loss.parameters()], lr=1e-2)
    solver = Solver(encoder, ContrastiveObjective(loss, negatives=ReferenceNegatives()),
                    optimizer, sampler, WindowGatherer(torch.from_numpy(X),
                                                       encoder.receptive_field),
                    batch_size=64, generator=torch.Generator().manual_seed(1))
    history = solver.fit(60)
    # The context the sampler drew reached the loss, step by step, with its values.
    assert len(loss.seen) == 60
    offsets = torch.cat(loss.seen)
    assert set(offsets.unique().tolist()) == {1, 3, 5}
    # The loss's own parameter trained with the encoder, and the contrastive part learned.
    assert float(loss.log_decay.detach()) < 0.0
    assert history[-10:, 1].mean() < history[:10, 1].mean()
