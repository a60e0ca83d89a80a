# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The one assembly step: config + data plan -> sampler, encoders, loss, optimiser, objective.

``fit``, ``partial_fit``, ``adapt``, ``load``, ``goodness_of_fit`` and the benchmarks build
their parts here and nowhere else.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import torch
from torch import nn

from identica._runtime import ThreadChoice, encoder_work, torch_generator
from identica.data._dataset import Dataset
from identica.data._disk import DiskArray, DiskWindowGatherer
from identica.data._offset import Offset
from identica.data._windows import WindowGatherer
from identica.estimator._config import EmbeddingConfig
from identica.estimator._plan import Plan
from identica.exceptions import ConfigurationError, DataValidationError
from identica.losses._base import AbstractContrastiveLoss
from identica.losses._jacobian import JacobianRegularizer
from identica.losses._module import InfoNCE
from identica.losses._multiobjective import MultiObjectiveLoss
from identica.losses._similarity import SIMILARITIES
from identica.nn._base import reset_parameters
from identica.nn._registry import make_encoder
from identica.sampling._base import AbstractSampler
from identica.sampling._conditionals import make_sampler
from identica.sampling._multiobjective import MultiObjectiveSampler
from identica.training._callbacks import AbstractCallback, FollowLoad, ProgressBar
from identica.training._encoders import SessionEncoders
from identica.training._negatives import AbstractNegatives, DrawnNegatives, ReferenceNegatives
from identica.training._objective import AbstractObjective, ContrastiveObjective
from identica.training._solver import Solver

__all__ = ["Assembly", "Network", "assemble", "build_network", "network_spec"]

CUSTOM = "<custom nn.Module>"


@dataclasses.dataclass
class Network:
    """The trainable parts of a model: encoders (one per session width), loss, optimiser."""

    encoders: nn.ModuleList
    session_encoder: list[int]
    loss: AbstractContrastiveLoss
    optimizer: torch.optim.Optimizer

    @property
    def receptive_field(self) -> Offset:
        return self.encoders[0].receptive_field


@dataclasses.dataclass
class Assembly:
    """Everything one training run needs, built from a config and a plan by :func:`assemble`.

    Attributes
    ----------
    network : Network
        Encoders, loss and optimiser (fresh, or the fitted ones when continuing).
    dataset : Dataset
        The sessions on one timeline.
    sampler : AbstractSampler
        Draws the batches (the conditional or objectives of the plan).
    negatives : AbstractNegatives
        Where the negatives come from.
    objective : AbstractObjective
        The step's objective (:func:`assemble` builds a ``ContrastiveObjective``: loss,
        negatives, optional Jacobian penalty; method families put their own here).
    gathers : list of WindowGatherer or DiskWindowGatherer
        One per session, on the training device (a recording on disk is read per batch).
    """

    network: Network
    dataset: Dataset
    sampler: AbstractSampler
    negatives: AbstractNegatives
    objective: AbstractObjective
    gathers: list[WindowGatherer | DiskWindowGatherer]

    def embed(self) -> SessionEncoders:
        """The embed function of these parts: windows at global indices through their
        session's encoder."""
        encoders = [self.network.encoders[i] for i in self.network.session_encoder]
        return SessionEncoders(encoders, self.gathers, self.dataset.session_starts[:-1].tolist())

    def step_work(self, config: EmbeddingConfig) -> float:
        """Multiply-adds of the largest encoder call of one step (for the thread choice)."""
        windows = 2 * config.batch_size
        if config.negatives == "independent":
            windows += config.num_negatives or config.batch_size
        ids = self.network.session_encoder
        return max(encoder_work(self.network.encoders[i], windows * ids.count(i))
                   for i in set(ids))

    def solver(
        self, *, generator: torch.Generator, max_iterations: int, verbose: bool = False,
        start_step: int = 0, optimizer: torch.optim.Optimizer | None = None, batch_size: int,
        threads: ThreadChoice | None = None,
    ) -> Solver:
        """A :class:`~identica.training.Solver` over these parts, with a progress bar that says
        where it runs (``"identica on cpu, 1 thread (auto)"``) and, where the thread count
        follows the load, a :class:`~identica.training._callbacks.FollowLoad`."""
        embed = self.embed()
        desc = "identica" if threads is None else f"identica on {threads.describe()}"
        bar = ProgressBar(max_iterations, disable=not verbose, desc=desc)
        callbacks: list[AbstractCallback] = [bar]
        if threads is not None and threads.follows_load:
            callbacks.append(FollowLoad(threads, bar=bar))
        return Solver(
            embed.encoders, self.objective, optimizer or self.network.optimizer, self.sampler,
            embed.gathers, batch_size=batch_size, generator=generator, callbacks=callbacks,
            session_starts=self.dataset.session_starts[:-1].tolist(), start_step=start_step,
        )


def negatives_of(config: EmbeddingConfig) -> AbstractNegatives:
    """The negatives strategy the config asks for (the one negatives decision)."""
    if config.negatives == "references":
        return ReferenceNegatives()
    return DrawnNegatives(config.num_negatives)


def network_spec(config: EmbeddingConfig, widths: list[int], shared: bool) -> dict[str, Any]:
    """What :func:`build_network` needs, as JSON: stored in model files as it is."""
    terms = None
    if config.objectives is not None:
        every = list(range(config.output_dimension))
        terms = [{"dims": every if o.dims is None else list(o.dims), "similarity": o.similarity,
                  "temperature": o.temperature or config.temperature, "weight": o.weight}
                 for o in config.objectives]
    return {
        "encoder": config.encoder if isinstance(config.encoder, str) else CUSTOM,
        "hidden_units": config.hidden_units,
        "output_dimension": config.output_dimension,
        "output_constraint": config.encoder_constraint,
        "widths": [int(w) for w in (widths[:1] if shared else widths)],
        "session_encoder": [0] * len(widths) if shared else list(range(len(widths))),
        "loss": {"similarity": config.similarity, "temperature": config.temperature,
                 "learn_temperature": config.learn_temperature,
                 "min_temperature": config.min_temperature,
                 "denominator": config.denominator, "terms": terms},
        "learning_rate": config.learning_rate,
    }


def _loss(spec: dict[str, Any]) -> AbstractContrastiveLoss:
    def info_nce(similarity: str, temperature: float) -> InfoNCE:
        return InfoNCE(similarity=SIMILARITIES[similarity], temperature=temperature,
                       learn_temperature=spec["learn_temperature"],
                       min_temperature=spec["min_temperature"], denominator=spec["denominator"])

    if spec["terms"] is None:
        return info_nce(spec["similarity"], spec["temperature"])
    return MultiObjectiveLoss([info_nce(t["similarity"], t["temperature"]) for t in spec["terms"]],
                              [tuple(t["dims"]) for t in spec["terms"]],
                              [t["weight"] for t in spec["terms"]])


def build_network(
    spec: dict[str, Any], device: torch.device, *, generator: torch.Generator | None,
    custom: nn.Module | None = None,
) -> Network:
    """Encoders, loss and Adam (encoders and loss as two parameter groups) from a spec.

    ``generator`` draws the initial weights of registry encoders (``None`` leaves them as
    constructed, for loading weights into). A custom module is copied for every encoder.
    """
    encoders = nn.ModuleList()
    for width in spec["widths"]:
        if spec["encoder"] == CUSTOM:
            if custom is None:
                raise ConfigurationError(
                    "This model was trained with a custom encoder module. Pass an instance of "
                    "the same architecture: identica.load(path, encoder=MyEncoder(...))."
                )
            encoder = copy.deepcopy(custom)
            if encoder.n_features_in != width:
                raise DataValidationError(
                    f"X has {width} features, but the encoder module expects "
                    f"{encoder.n_features_in} (its n_features_in)."
                )
        else:
            # model files before output_constraint stored a "normalize" flag
            constraint = spec.get("output_constraint") or (
                "sphere" if spec.get("normalize") else "none")
            encoder = make_encoder(spec["encoder"], width, spec["output_dimension"],
                                   hidden_units=spec["hidden_units"],
                                   output_constraint=constraint)
            if generator is not None:
                reset_parameters(encoder, generator=generator)
        encoders.append(encoder)
    encoders = encoders.to(device)
    loss = _loss(spec["loss"]).to(device)
    groups = [{"params": list(encoders.parameters())}]
    if list(loss.parameters()):
        groups.append({"params": list(loss.parameters())})
    optimizer = torch.optim.Adam(groups, lr=spec["learning_rate"], fused=True)
    return Network(encoders, list(spec["session_encoder"]), loss, optimizer)


def _sampler(config: EmbeddingConfig, plan: Plan, field: Offset, drawn: int) -> AbstractSampler:
    dataset = plan.dataset
    if plan.terms is None:
        return make_sampler(plan.conditional, dataset, dataset.valid_runs(field),
                            time_offset=config.time_offset, delta=config.delta,
                            prior=config.prior, num_negatives=drawn)
    samplers = []
    for term in plan.terms:
        single = Dataset([term.recording])
        samplers.append(make_sampler(
            term.conditional, single, single.valid_runs(field),
            time_offset=term.objective.time_offset or config.time_offset,
            delta=term.objective.delta if term.objective.delta is not None else config.delta,
            prior=config.prior, num_negatives=0,
        ))
    return MultiObjectiveSampler(dataset.valid_runs(field), samplers, num_negatives=drawn)


def _regularizer(config: EmbeddingConfig, network: Network) -> JacobianRegularizer | None:
    if not config.regularized:
        return None
    for encoder in network.encoders:  # custom modules without the declaration use autograd
        if hasattr(encoder, "set_double_backward"):
            encoder.set_double_backward(True)
    every = tuple(range(config.output_dimension))
    slices = (every,) if config.objectives is None else tuple(
        every if o.dims is None else tuple(o.dims) for o in config.objectives)
    return JacobianRegularizer(slices, config.jacobian_regularization,
                               config.jacobian_projections)


def assemble(
    config: EmbeddingConfig,
    plan: Plan,
    device: torch.device,
    *,
    network: Network | None = None,
    init: torch.Generator | None = None,
    custom: nn.Module | None = None,
    regularize: bool = True,
) -> Assembly:
    """Build every part of a training run on ``plan``'s data.

    Parameters
    ----------
    config : EmbeddingConfig
        The checked parameters.
    plan : Plan
        The data: sessions, resolved conditional, expanded objectives.
    device : torch.device
        Where encoders and windows live.
    network : Network, optional
        Trained parts to continue from; fresh ones (drawn from ``init``) otherwise.
    init : torch.Generator, optional
        Draws fresh encoder weights.
    custom : nn.Module, optional
        A custom encoder module (copied, not re-initialised).
    regularize : bool, default=True
        Add the config's Jacobian penalty (adaptation trains without it).

    Examples
    --------
    >>> import identica
    >>> from identica.estimator import EmbeddingConfig, assemble, plan_fit
    >>> data = identica.synthetic.linear_track(n_samples=500, n_neurons=10)
    >>> config = EmbeddingConfig.from_params(identica.Embedding(encoder="mlp").get_params())
    >>> plan = plan_fit(config, data.neural, data.continuous)
    >>> parts = assemble(config, plan, "cpu")
    >>> type(parts.sampler).__name__, type(parts.negatives).__name__
    ('TimeDeltaSampler', 'ReferenceNegatives')
    """
    device = torch.device(device)
    if network is None:
        widths = [s.n_neurons for s in plan.sessions]
        spec = network_spec(config, widths, plan.shared_encoder)
        network = build_network(spec, device, generator=init,
                                custom=custom if custom is not None else (
                                    config.encoder if not isinstance(config.encoder, str)
                                    else None))
    field = network.receptive_field
    plan.check_lengths(field)
    negatives = negatives_of(config)
    sampler = _sampler(config, plan, field, negatives.num_drawn(config.batch_size))
    regularizer = _regularizer(config, network) if regularize else None
    objective = ContrastiveObjective(network.loss, negatives=negatives, regularizer=regularizer)
    gathers = [DiskWindowGatherer(r.neural, field, device) if isinstance(r.neural, DiskArray)
               else WindowGatherer(torch.from_numpy(r.neural).to(device), field)
               for r in plan.sessions]
    return Assembly(network, plan.dataset, sampler, negatives, objective, gathers)


def fresh_generators(config: EmbeddingConfig) -> tuple[torch.Generator, torch.Generator]:
    """The initialisation and sampling generators of a fresh fit, from ``random_state``."""
    from identica._checks import seed_sequence

    init_seed, sampler_seed = seed_sequence(config.random_state, owner="Embedding").spawn(2)
    return torch_generator(init_seed), torch_generator(sampler_seed)

