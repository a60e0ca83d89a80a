# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The fitted model's loss on new batches, drawn as in training (for goodness of fit)."""

from __future__ import annotations

import numbers
from typing import Any

import torch

from identica._checks import check_int, seed_sequence
from identica._runtime import choose_threads, num_threads, torch_generator
from identica.estimator._assembly import assemble
from identica.estimator._config import EmbeddingConfig
from identica.estimator._fit import _check_warm
from identica.estimator._plan import plan_fit
from identica.estimator._state import FittedState

__all__ = ["mean_loss"]

OWNER = "goodness_of_fit"


def mean_loss(
    config: EmbeddingConfig, state: FittedState, X: Any, y: Any, discrete: Any,
    n_batches: int, random_state: Any,
) -> float:
    """Mean training loss (without penalties) over ``n_batches`` batches drawn from the data.

    The batches come from the model's own sampler, negatives and loss, built by the assembly
    on ``(X, y)``; the encoders run in eval mode without gradients.
    """
    n_batches = check_int(n_batches, name="n_batches", owner=OWNER, low=1)
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool) and (
        random_state >= 0
    ):
        generator = torch.Generator().manual_seed(int(random_state))
    else:
        generator = torch_generator(seed_sequence(random_state, owner=OWNER))
    conditional = None if state.conditional == "multi-objective" else state.conditional
    plan = plan_fit(config, X, y, discrete=discrete, conditional=conditional)
    _check_warm(state, plan)
    parts = assemble(config, plan, state.device, network=state.network, regularize=False)
    embed = parts.embed()
    encoders = parts.network.encoders
    modes = [encoder.training for encoder in encoders]
    total = torch.zeros((), dtype=torch.float64, device=state.device)
    encoders.eval()
    try:
        threads = choose_threads(config.num_threads, state.device,
                                 lambda: parts.step_work(config))
        with num_threads(threads.count), torch.no_grad():
            for _ in range(n_batches):
                batch = parts.sampler.sample(config.batch_size, generator=generator)
                loss = parts.objective(batch, embed, step=0, generator=generator)
                total += loss.total.double()
    finally:
        for encoder, mode in zip(encoders, modes, strict=True):
            encoder.train(mode)
    return float(total) / n_batches
