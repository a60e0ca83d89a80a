# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Training runs of the estimator: each takes a config, a plan and a state, returns a new state.

Nothing here writes to an estimator: ``Embedding`` assigns the returned :class:`FittedState`.
Every check runs before any training, so a refused fit leaves the estimator as it was. An
interrupted run (Ctrl-C, or a callback raising ``KeyboardInterrupt``) raises
:class:`~identica.training.TrainingInterrupted` whose ``result`` is the state of the steps done.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from identica._checks import check_int, seed_sequence
from identica._runtime import choose_threads, num_threads, resolve_device, torch_generator
from identica.data._recording import Recording
from identica.data._validate import as_recording
from identica.estimator._assembly import Network, assemble, fresh_generators, network_spec
from identica.estimator._config import EmbeddingConfig
from identica.estimator._model_file import check_target
from identica.estimator._plan import Plan, has_labels, plan_fit
from identica.estimator._state import FittedState
from identica.exceptions import ConfigurationError, DataValidationError
from identica.nn._adapt import input_layer, with_new_input
from identica.sampling._conditionals import resolve_conditional
from identica.training._callbacks import AbstractCallback
from identica.training._distributed import (
    GatheredNegatives,
    Ranks,
    average,
    join_process_group,
    rank_generator,
    wrap_encoders,
)
from identica.training._objective import ContrastiveObjective
from identica.training._solver import TrainingInterrupted

__all__ = ["adapt", "check_callbacks", "train", "warn_interrupted"]

Save = Callable[[FittedState, str], None]


def check_callbacks(callbacks: Any, owner: str) -> list[AbstractCallback]:
    """The user's callbacks as a list, each an AbstractCallback with a positive ``every``."""
    if callbacks is None:
        return []
    items = list(callbacks) if isinstance(callbacks, Sequence) else [callbacks]
    for item in items:
        if not isinstance(item, AbstractCallback):
            raise ConfigurationError(
                f"'callbacks' of {owner} must be a list of identica.training.AbstractCallback "
                f"instances (implement __call__(solver, iteration, history)). Got {item!r}."
            )
        check_int(item.every, name="every", owner=type(item).__name__, low=1)
    return items


class _StateCheckpoint(AbstractCallback):
    """Writes the model file of the steps done so far (``snapshot`` builds its state)."""

    def __init__(self, path: str, every: int, snapshot: Callable[[torch.Tensor], FittedState],
                 save: Save) -> None:
        self.path, self.every, self.snapshot, self.write = path, every, snapshot, save
        self.written = 0

    def __call__(self, solver: Any, iteration: int, history: torch.Tensor) -> bool:
        self.save(self.snapshot(history[:iteration]), iteration)
        return False

    def save(self, state: FittedState, iteration: int) -> None:
        """Write ``state``; a failed write (disk full, folder gone) warns, training goes on."""
        try:
            self.write(state, self.path)
        except OSError as error:
            warnings.warn(f"could not write the checkpoint {self.path!r} at step {iteration} "
                          f"({error}); training goes on.", UserWarning, stacklevel=2)
        self.written = iteration


def _check_warm(state: FittedState, plan: Plan) -> None:
    widths = [s.n_neurons for s in plan.sessions]
    fitted = list(state.n_features_per_session)
    if len(widths) != len(fitted):
        raise DataValidationError(
            f"X has {len(widths)} session(s), but this Embedding was fitted on {len(fitted)}. "
            "Call fit to start over, or adapt to add a session."
        )
    for s, (got, want) in enumerate(zip(widths, fitted, strict=True)):
        if got != want:
            where = "" if len(widths) == 1 else f" (session {s})"
            raise DataValidationError(
                f"X has {got} features, but Embedding is expecting {want} features as input"
                f"{where} (the channels seen in fit). Call fit to start over on new channels."
            )


def train(
    config: EmbeddingConfig, X: Any, y: Any, discrete: Any, trial_starts: Any,
    state: FittedState | None, *, callbacks: Sequence[AbstractCallback] = (),
    save: Save | None = None,
) -> FittedState:
    """Fit from scratch (``state=None``) or continue ``state`` for ``max_iterations`` steps.

    ``callbacks`` run after the progress bar; ``save(state, path)`` writes the checkpoints of
    ``config.checkpoint`` (every ``checkpoint_every`` steps, at the end, and on an interrupt).
    """
    plan = plan_fit(config, X, y, discrete=discrete, trial_starts=trial_starts)
    device = resolve_device(config.device)
    ranks = Ranks(0, 1, 0)
    if config.distributed:
        ranks, device = join_process_group(device)
    if state is not None:
        _check_warm(state, plan)
    path = config.checkpoint if save is not None else None
    if path is not None and ranks.is_main:
        check_target(path, stacklevel=4)
    if not ranks.is_main:
        save = _write_nothing
    with num_threads(choose_threads(config.num_threads, device).count):  # set-up: 1 if auto
        if state is None:
            init, generator = fresh_generators(config)
            parts = assemble(config, plan, device, init=init)
            spec = network_spec(config, [s.n_neurons for s in plan.sessions],
                                plan.shared_encoder)
            history = np.zeros((0, 3), dtype=np.float32)
        else:
            parts = assemble(config, plan, device, network=state.network)
            generator = torch.Generator()
            generator.set_state(state.generator_state)
            spec, history = state.spec, state.history

        def snapshot(rows: torch.Tensor, *, reduce: bool = True) -> FittedState:
            if ranks.distributed and reduce:  # every rank calls it at the same step
                rows = average(rows)
            return FittedState(
                network=parts.network, spec=spec,
                n_features_per_session=[s.n_neurons for s in plan.sessions],
                generator_state=generator.get_state(),
                history=np.concatenate([history, rows.cpu().numpy()]),
                conditional=plan.conditional,
                objective_conditionals=None if plan.terms is None else [
                    t.conditional for t in plan.terms],
                device=device,
                adapted_conditional=None if state is None else state.adapted_conditional,
            )

        threads = choose_threads(config.num_threads, device, lambda: parts.step_work(config))
        solver = parts.solver(generator=rank_generator(generator, ranks),
                              max_iterations=config.max_iterations,
                              verbose=config.verbose and ranks.is_main, start_step=len(history),
                              batch_size=config.batch_size, threads=threads)
        if ranks.distributed:
            _data_parallel(solver, parts.network, device)
        solver.callbacks.extend(callbacks)
        checkpoint = None
        if path is not None and save is not None:
            checkpoint = _StateCheckpoint(path, config.checkpoint_every, snapshot, save)
            solver.callbacks.append(checkpoint)
        try:
            with num_threads(threads.count):
                new = solver.fit(config.max_iterations)
        except TrainingInterrupted as stop:
            if stop.steps:
                stop.result = snapshot(stop.history, reduce=False)
                if checkpoint is not None and checkpoint.written != stop.steps:
                    checkpoint.save(stop.result, stop.steps)
            raise
        fitted = snapshot(new)
        if checkpoint is not None and checkpoint.written != len(new):  # stopped by a callback
            checkpoint.save(fitted, len(new))
    return fitted


def _write_nothing(state: FittedState, path: str) -> None:
    """The checkpoint writer of ranks other than 0: rank 0 writes the file for the job."""


def _data_parallel(solver: Any, network: Network, device: torch.device) -> None:
    """Make ``solver`` train data-parallel: DDP encoders, negatives gathered from every rank."""
    ids = network.session_encoder
    if len(set(ids)) < len(ids):
        raise ConfigurationError(
            "'distributed' of Embedding must be False for several sessions that share one "
            f"encoder (session_encoder={ids}: no labels, or one width): "
            "DistributedDataParallel runs each encoder once per step. Pass labels so that "
            "every session gets its own encoder, or train in one process."
        )
    solver.embed.encoders = wrap_encoders(solver.embed.encoders, device)
    objective = solver.objective
    if isinstance(objective, ContrastiveObjective) and not isinstance(
            objective.negatives, GatheredNegatives):
        objective.negatives = GatheredNegatives(objective.negatives)


def warn_interrupted(stop: TrainingInterrupted, config: EmbeddingConfig, method: str) -> None:
    """Say that a run was interrupted, what the estimator kept, and how to go on."""
    state = stop.result
    assert isinstance(state, FittedState)
    total = len(state.history)
    kept = f"n_iter_ = {total}" if method == "fit" else f"n_iter_ is now {total}"
    where = "" if config.checkpoint is None else (
        f", and the checkpoint {config.checkpoint!r} holds them: identica.load() it to resume "
        "in another session")
    warnings.warn(
        f"Embedding.{method} was interrupted after {stop.steps} of {config.max_iterations} "
        f"steps. The estimator keeps those steps ({kept}) and can transform and save{where}. "
        "Continue with partial_fit (each call trains max_iterations more steps; "
        "set_params(max_iterations=...) to train only the rest).",
        UserWarning, stacklevel=4,
    )


def _anchor(anchor: Any, state: FittedState, from_session: int, recording: Recording,
            conditional: str) -> list[Recording]:
    """The fitted session's data, passed to pull the new recording onto it by labels."""
    if anchor is None:
        return []
    if not isinstance(anchor, tuple | list) or not 1 <= len(anchor) <= 3:
        raise ConfigurationError(
            "'anchor' of Embedding.adapt must be a tuple (X, y) or (X, y, discrete) of the "
            f"recording of session {from_session}. Got {type(anchor).__name__}."
        )
    X, y, discrete = (*anchor, None, None)[:3]
    fitted = as_recording(X, y, discrete=discrete)
    expected = state.n_features_per_session[from_session]
    if fitted.n_neurons != expected:
        raise DataValidationError(
            f"anchor X has {fitted.n_neurons} features, but session {from_session} was fitted "
            f"on {expected}. Pass that session's recording as anchor."
        )
    if conditional == "time" or (fitted.continuous is None) != (recording.continuous is None) or (
        fitted.discrete is None
    ) != (recording.discrete is None):
        raise DataValidationError(
            "anchor and the new recording must carry the same kinds of labels, and labels at "
            "all: the anchor aligns the new recording to the fitted one through its labels."
        )
    return [fitted]


def adapt(
    config: EmbeddingConfig, state: FittedState, X: Any, y: Any, discrete: Any,
    trial_starts: Any, from_session: int, anchor: Any,
) -> FittedState:
    """Map a new recording into the fitted space by training a fresh input layer only."""
    n_sessions = len(state.network.session_encoder)
    check_int(from_session, name="from_session", owner="Embedding.adapt", low=0,
              high=n_sessions - 1)
    recording = as_recording(X, y, discrete=discrete, trial_starts=trial_starts)
    labelled = recording.continuous is not None or recording.discrete is not None
    fitted_conditional = state.conditional if state.conditional != "multi-objective" else "auto"
    anchored = _anchor(anchor, state, from_session, recording,
                       fitted_conditional if labelled else "time")
    plan = _adapt_plan(config, [*anchored, recording], fitted_conditional, anchored)
    network = state.network
    source = network.encoders[network.session_encoder[from_session]]
    init_seed, sampler_seed = seed_sequence(config.random_state,
                                            owner="Embedding").spawn(3)[2].spawn(2)
    with num_threads(choose_threads(config.num_threads, state.device).count):
        encoder = with_new_input(source, recording.n_neurons, generator=torch_generator(init_seed))
        adapted = Network(torch.nn.ModuleList([*([source] if anchored else []), encoder]),
                          [0, 1] if anchored else [0], network.loss, network.optimizer)
        parts = assemble(config, plan, state.device, network=adapted, regularize=False)
        trainable = list(input_layer(encoder).parameters())
        frozen = [q for q in [*source.parameters(), *encoder.parameters(),
                              *network.loss.parameters()]
                  if all(q is not t for t in trainable)]
        for q in frozen:
            q.requires_grad_(False)
        threads = choose_threads(config.num_threads, state.device,
                                 lambda: parts.step_work(config))
        try:
            solver = parts.solver(
                generator=torch_generator(sampler_seed),
                max_iterations=config.max_adapt_iterations, verbose=config.verbose,
                optimizer=torch.optim.Adam(trainable, lr=config.learning_rate),
                batch_size=config.batch_size, threads=threads,
            )
            with num_threads(threads.count):
                history = solver.fit(config.max_adapt_iterations).cpu().numpy()
        finally:
            for q in frozen:
                q.requires_grad_(True)
    return _with_adapted(state, encoder, recording.n_neurons, history, plan.conditional)


def _adapt_plan(config: EmbeddingConfig, data: list[Recording], fitted: str,
                anchored: list[Recording]) -> Plan:
    """The plan of an adaptation run: the new recording (after its anchor) on the fitted rule."""
    labels = has_labels(data[-1])
    conditional = resolve_conditional(fitted, **labels) if any(labels.values()) else "time"
    return Plan(tuple(data), conditional, None, not anchored)


def _with_adapted(state: FittedState, encoder: torch.nn.Module, width: int,
                  history: np.ndarray, conditional: str) -> FittedState:
    network = state.network
    spec = copy.deepcopy(state.spec)
    n_sessions = len(network.session_encoder)
    if n_sessions == 1:
        encoders = torch.nn.ModuleList([encoder])
        session_encoder, widths = [0], [width]
        spec["widths"] = [width]
    else:
        encoders = torch.nn.ModuleList([*network.encoders, encoder])
        session_encoder = [*network.session_encoder, len(encoders) - 1]
        widths = [*state.n_features_per_session, width]
        spec["widths"] = [*spec["widths"], width]
    spec["session_encoder"] = session_encoder
    groups = [{"params": list(encoders.parameters())}]
    if list(network.loss.parameters()):
        groups.append({"params": list(network.loss.parameters())})
    optimizer = torch.optim.Adam(groups, lr=spec["learning_rate"], fused=True)
    return state.replace(
        network=Network(encoders, session_encoder, network.loss, optimizer), spec=spec,
        n_features_per_session=widths, history=np.concatenate([state.history, history]),
        adapted_conditional=conditional,
    )
