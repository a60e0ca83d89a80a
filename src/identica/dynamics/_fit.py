# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""A fit of ``DynamicsEmbedding``: its parts built from the config, trained by the engine's Solver.

The encoder comes from the encoder registry, the pairs from
:class:`~identica.sampling.DynamicsPairSampler`, the step from :class:`DynamicsObjective`; the
loop, the progress bar and the thread choice are those of ``Embedding`` (through
:class:`identica.estimator.Assembly`). Nothing here writes to an estimator: the estimator
assigns the returned :class:`DynamicsState`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from identica._checks import seed_sequence
from identica._runtime import choose_threads, encoder_work, num_threads, torch_generator
from identica.data._dataset import Dataset
from identica.data._recording import Recording
from identica.data._windows import WindowGatherer
from identica.dynamics._config import OWNER, DynamicsConfig
from identica.dynamics._models import AbstractDynamics
from identica.dynamics._objective import DynamicsObjective
from identica.dynamics._registry import make_dynamics
from identica.estimator._assembly import Assembly, Network
from identica.losses._predictive import PredictiveInfoNCE
from identica.nn._base import reset_parameters
from identica.nn._registry import make_encoder
from identica.sampling._dynamics import DynamicsPairSampler
from identica.training._callbacks import AbstractCallback
from identica.training._negatives import DrawnNegatives
from identica.training._solver import TrainingInterrupted

__all__ = ["DynamicsState", "build_parts", "train"]


@dataclasses.dataclass(frozen=True)
class DynamicsState:
    """What a fit of :class:`DynamicsEmbedding` leaves behind.

    Attributes
    ----------
    encoder : nn.Module
        The trained encoder.
    dynamics : AbstractDynamics
        The trained dynamics model (in eval mode).
    loss : PredictiveInfoNCE
        The loss module.
    optimizer : torch.optim.Optimizer
        Adam over the encoder and the dynamics model (two parameter groups).
    history : ndarray of shape (n_iter, 3)
        Loss, alignment and uniformity of every step.
    generator_state : Tensor
        The sampling generator's state after the last step.
    n_features : int
        Input channels.
    n_controls : int
        Control inputs per step (0: none).
    device : torch.device
        Where the modules live.
    """

    encoder: nn.Module
    dynamics: AbstractDynamics
    loss: PredictiveInfoNCE
    optimizer: torch.optim.Optimizer
    history: np.ndarray
    generator_state: torch.Tensor
    n_features: int
    n_controls: int
    device: torch.device


def build_parts(
    config: DynamicsConfig, n_features: int, n_controls: int, device: torch.device, *,
    init: torch.Generator | None,
) -> tuple[nn.Module, AbstractDynamics, PredictiveInfoNCE, torch.optim.Optimizer]:
    """Encoder, dynamics model, loss and Adam (encoder and dynamics learning rates as two
    parameter groups). ``init`` draws the initial weights (``None``: as constructed, to load
    weights into)."""
    encoder = make_encoder(config.encoder, n_features, config.output_dimension,
                           hidden_units=config.hidden_units, output_constraint="none")
    if init is not None:
        reset_parameters(encoder, generator=init)
    dynamics = make_dynamics(config.dynamics, config.output_dimension, n_modes=config.n_modes,
                             n_controls=n_controls, detach_logits=config.detach_logits,
                             generator=init)
    encoder, dynamics = encoder.to(device), dynamics.to(device)
    loss = PredictiveInfoNCE(temperature=config.temperature).to(device)
    groups = [{"params": list(encoder.parameters()), "lr": config.learning_rate}]
    if list(dynamics.parameters()):
        groups.append({"params": list(dynamics.parameters()),
                       "lr": config.dynamics_learning_rate})
    optimizer = torch.optim.Adam(groups, lr=config.learning_rate, fused=True)
    return encoder, dynamics, loss, optimizer


def train(config: DynamicsConfig, neural: np.ndarray, starts: np.ndarray,
          controls: np.ndarray | None, device: torch.device,
          callbacks: Sequence[AbstractCallback] = ()) -> DynamicsState:
    """Fit fresh parts on checked data; an interrupted run raises ``TrainingInterrupted`` whose
    ``result`` holds the state of the steps done."""
    n_controls = 0 if controls is None else controls.shape[1]
    init_seed, sampler_seed = seed_sequence(config.random_state, owner=OWNER).spawn(2)
    generator = torch_generator(sampler_seed)
    with num_threads(choose_threads(config.num_threads, device).count):
        encoder, dynamics, loss, optimizer = build_parts(
            config, neural.shape[1], n_controls, device, init=torch_generator(init_seed))
        dataset = Dataset([Recording(neural, trial_starts=starts)])
        field = encoder.receptive_field
        sampler = DynamicsPairSampler(dataset.valid_runs(field),
                                      num_negatives=config.num_negatives)
        control_tensor = None if controls is None else torch.from_numpy(controls).to(device)
        objective = DynamicsObjective(dynamics, loss, controls=control_tensor)
        gather = WindowGatherer(torch.from_numpy(neural).to(device), field)
        network = Network(nn.ModuleList([encoder]), [0], loss, optimizer)
        parts = Assembly(network, dataset, sampler, DrawnNegatives(config.num_negatives),
                         objective, [gather])
        windows = 2 * config.batch_size + config.num_negatives
        threads = choose_threads(config.num_threads, device,
                                 lambda: encoder_work(encoder, windows))
        solver = parts.solver(generator=generator, max_iterations=config.max_iterations,
                              verbose=config.verbose, batch_size=config.batch_size,
                              threads=threads)
        solver.callbacks.extend(callbacks)

        def state(history: torch.Tensor) -> DynamicsState:
            dynamics.eval()
            return DynamicsState(encoder, dynamics, loss, optimizer,
                                 history.cpu().numpy().astype(np.float32),
                                 generator.get_state(), neural.shape[1], n_controls, device)

        dynamics.train()
        try:
            with num_threads(threads.count):
                history = solver.fit(config.max_iterations)
        except TrainingInterrupted as stop:
            if stop.steps:
                stop.result = state(stop.history)
            raise
        finally:
            dynamics.eval()
    return state(history)
