# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""What ``Embedding.fit`` does: validate, build the parts from names, train, store the state.

Kept apart from the estimator facade so that the facade reads as its public contract. Every
check runs before any fitted attribute is set: a refused fit leaves the estimator as it was.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from identica import _build
from identica._objectives import Objective, build_objectives, hybrid_objectives
from identica._params import check_params
from identica.data._dataset import Dataset
from identica.data._recording import Recording
from identica.data._sessions import as_sessions, is_session_list
from identica.data._validate import as_recording
from identica.data._windows import WindowGatherer
from identica.exceptions import ConfigurationError, DataValidationError
from identica.losses._jacobian import JacobianRegularizer
from identica.losses._module import InfoNCE
from identica.losses._multiobjective import MultiObjectiveLoss
from identica.losses._similarity import SIMILARITIES
from identica.nn._base import reset_parameters
from identica.nn._registry import make_encoder
from identica.training._callbacks import ProgressBar
from identica.training._solver import Solver

if TYPE_CHECKING:
    from identica.estimator import Embedding



def n_drawn_negatives(p: dict[str, Any]) -> int:
    """Negatives the sampler draws: none when the references serve as negatives."""
    if p["negatives"] == "references":
        return 0
    return p["num_negatives"] or p["batch_size"]


def _check_warm(model: Embedding, sessions: list[Recording]) -> None:
    widths = [s.n_neurons for s in sessions]
    fitted = list(model.n_features_per_session_)
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


def _shared_encoder(conditional: str, sessions: list[Recording], encoder: object) -> bool:
    """One network for all sessions: needed without labels (nothing else aligns sessions)."""
    if len(sessions) == 1:
        return True
    widths = sorted({s.n_neurons for s in sessions})
    if conditional == "time":
        if len(widths) > 1:
            raise DataValidationError(
                "Multi-session training without labels uses one shared encoder, since nothing "
                "else aligns the sessions; that needs the same number of neurons in every "
                f"session. Got {widths}. Pass behaviour labels (y) to align sessions of "
                "different widths."
            )
        return True
    if not isinstance(encoder, str) and len(widths) > 1:
        raise DataValidationError(
            "A custom encoder module is copied for every session, so all sessions need the "
            f"same number of neurons; got {widths}. Use a registry name (e.g. 'conv10') to get "
            "one encoder per session width."
        )
    return False


def _make_loss(p: dict[str, Any], terms: list[tuple[Any, Any, str]] | None) -> nn.Module:
    def info_nce(similarity: str, temperature: float) -> InfoNCE:
        return InfoNCE(
            similarity=SIMILARITIES[similarity], temperature=temperature,
            learn_temperature=p["learn_temperature"], min_temperature=p["min_temperature"],
            denominator=p["denominator"],
        )

    if terms is None:
        return info_nce(p["similarity"], p["temperature"])
    return MultiObjectiveLoss(
        [info_nce(o.similarity, o.temperature or p["temperature"]) for _, o, _ in terms],
        [dims for dims, _, _ in terms],
        [o.weight for _, o, _ in terms],
    )


def loss_for_params(p: dict[str, Any]) -> nn.Module:
    """The (untrained) loss module that parameters ``p`` describe; used to load model files."""
    objectives = _objective_list(p)
    if objectives is None:
        return _make_loss(p, None)
    every = tuple(range(p["output_dimension"]))
    terms = [(every if o.dims is None else tuple(o.dims), o, "") for o in objectives]
    return _make_loss(p, terms)


def new_parts(
    p: dict[str, Any],
    widths: list[int],
    shared: bool,
    device: torch.device,
    *,
    normalize: bool,
) -> dict[str, Any]:
    """Fresh encoders and random stream for sessions of ``widths`` neurons (no loss yet)."""
    init_seed, sampler_seed = _build.seed_sequence(p["random_state"]).spawn(2)
    generator = _build.torch_generator(init_seed)
    encoders = nn.ModuleList()
    for width in widths[:1] if shared else widths:
        if isinstance(p["encoder"], str):
            encoder = make_encoder(
                p["encoder"], width, p["output_dimension"],
                hidden_units=p["hidden_units"], normalize=normalize,
            )
            reset_parameters(encoder, generator=generator)
        else:
            encoder = copy.deepcopy(p["encoder"])
            if encoder.n_features_in != width:
                raise DataValidationError(
                    f"X has {width} features, but the encoder module expects "
                    f"{encoder.n_features_in} (its n_features_in)."
                )
        encoders.append(encoder)
    return {
        "encoders_": encoders.to(device),
        "session_encoder_": [0] * len(widths) if shared else list(range(len(widths))),
        "_generator_state": _build.torch_generator(sampler_seed).get_state(),
        "_history": np.zeros((0, 3), dtype=np.float32),
        "n_features_per_session_": list(widths),
    }


def _regularizer(
    p: dict[str, Any], terms: Any, encoders: nn.ModuleList, multi: bool
) -> JacobianRegularizer | None:
    """The Jacobian penalty on every objective's slice (all dims without objectives)."""
    if p["jacobian_regularization"] is None or p["jacobian_regularization"] == 0.0:
        return None
    if multi:
        raise ConfigurationError(
            "'jacobian_regularization' of Embedding applies to one recording; got a list of "
            "sessions. Fit the sessions without it."
        )
    for encoder in encoders:
        if hasattr(encoder, "fused"):
            encoder.fused = False  # the penalty needs a double backward
    every = tuple(range(p["output_dimension"]))
    slices = tuple(dims for dims, _, _ in terms) if terms is not None else (every,)
    return JacobianRegularizer(slices, p["jacobian_regularization"], p["jacobian_projections"])


def _objective_list(p: dict[str, Any]) -> list[Objective] | None:
    if p["objectives"] is not None and p["hybrid"]:
        raise ConfigurationError(
            "'hybrid' of Embedding must be False when 'objectives' is given: hybrid=True is "
            "shorthand for a behaviour and a time objective. Pass one of them."
        )
    if p["hybrid"]:
        if not p["behavior_dimension"] < p["output_dimension"]:
            raise ConfigurationError(
                f"'behavior_dimension' of Embedding must be smaller than output_dimension "
                f"({p['output_dimension']}) with hybrid=True, leaving dimensions for time. "
                f"Got {p['behavior_dimension']}."
            )
        return hybrid_objectives(p["behavior_dimension"], p["output_dimension"],
                                 p["hybrid_time"])
    if p["objectives"] is None:
        return None
    if not isinstance(p["objectives"], list | tuple) or not p["objectives"]:
        raise ConfigurationError(
            "'objectives' of Embedding must be None or a non-empty list of identica.Objective. "
            f"Got {p['objectives']!r}."
        )
    return list(p["objectives"])


def train(model: Embedding, X: Any, y: Any, discrete: Any, trial_starts: Any) -> None:
    """Fit or continue fitting ``model`` on one recording or a list of sessions."""
    p = check_params(model.get_params())
    objectives = _objective_list(p)
    multi = is_session_list(X)
    if objectives is not None:
        if multi:
            raise ConfigurationError(
                "Multi-objective and hybrid training take one recording; got a list of "
                f"{len(X)} sessions. Fit the sessions without objectives, or one at a time."
            )
        sessions = [as_recording(X, trial_starts=trial_starts)]
    else:
        sessions = as_sessions(X, y, discrete=discrete, trial_starts=trial_starts)
    device = _build.resolve_device(p["device"])
    warm = model.__sklearn_is_fitted__()
    if warm:
        _check_warm(model, sessions)
    with _build.num_threads(p["num_threads"]):
        if warm:
            parts: dict[str, Any] = {}
            encoders, session_encoder = model.encoders_, model.session_encoder_
        else:
            conditional = (
                "multi-objective" if objectives is not None
                else _build.resolve_conditional(p["conditional"], sessions[0])
            )
            shared = objectives is not None or _shared_encoder(conditional, sessions,
                                                               p["encoder"])
            normalize = objectives is None and p["similarity"] == "cosine"
            parts = new_parts(p, [s.n_neurons for s in sessions], shared, device,
                              normalize=normalize)
            encoders, session_encoder = parts["encoders_"], parts["session_encoder_"]
        field = encoders[0].receptive_field
        for s, recording in enumerate(sessions):
            if recording.n_samples < max(2, len(field)):
                where = f" (session {s})" if multi else ""
                raise DataValidationError(
                    f"X has {recording.n_samples} sample(s) (time steps){where}; training "
                    f"needs at least {max(2, len(field))}: 2 for a pair, and the encoder's "
                    f"receptive field of {len(field)}. Use a longer recording or a smaller "
                    "encoder (e.g. encoder='mlp')."
                )
        terms = None
        if objectives is not None:
            terms, sampler, dataset = build_objectives(
                objectives, p, sessions[0].neural, y, discrete, trial_starts,
                runs_of=lambda d: d.valid_runs(field),
            )
            conditional = "multi-objective"
        else:
            conditional = _build.resolve_conditional(p["conditional"], sessions[0])
            dataset = Dataset(sessions)
            sampler = _build.make_sampler(
                conditional, dataset, dataset.valid_runs(field), time_offset=p["time_offset"],
                delta=p["delta"], prior=p["prior"], num_negatives=n_drawn_negatives(p),
            )
        regularizer = _regularizer(p, terms, encoders, multi)
        if not warm:
            parts["loss_"] = _make_loss(p, terms).to(device)
            params = list(parts["encoders_"].parameters()) + list(parts["loss_"].parameters())
            parts["optimizer_"] = torch.optim.Adam(params, lr=p["learning_rate"], fused=True)
        model.__dict__.update(parts)
        generator = torch.Generator()
        generator.set_state(model._generator_state)
        gathers = [
            WindowGatherer(torch.from_numpy(r.neural).to(device), field) for r in sessions
        ]
        solver = Solver(
            [encoders[i] for i in session_encoder], model.loss_, model.optimizer_, sampler,
            gathers, batch_size=p["batch_size"], generator=generator,
            callbacks=[ProgressBar(p["max_iterations"], disable=not p["verbose"])],
            share_negatives=p["negatives"] == "references",
            session_starts=dataset.session_starts[:-1].tolist(),
            regularizer=regularizer, start_step=int(model._history.shape[0]),
        )
        history = solver.fit(p["max_iterations"]).cpu().numpy()
    model._generator_state = generator.get_state()
    model._history = np.concatenate([model._history, history])
    model.n_iter_ = len(model._history)
    model.conditional_ = conditional
    if terms is not None:
        model.objective_conditionals_ = [c for _, _, c in terms]
    model.receptive_field_ = field
    model.device_ = device
    model.n_sessions_ = len(sessions)
    if len(sessions) == 1:
        model.n_features_in_ = sessions[0].n_neurons
    else:
        model.__dict__.pop("n_features_in_", None)


def _anchor(
    anchor: Any, model: Embedding, from_session: int, recording: Recording, conditional: str
) -> list[Recording]:
    """The fitted session's data, passed to pull the new recording onto it by labels."""
    from identica.data._validate import as_recording

    if anchor is None:
        return []
    if not isinstance(anchor, tuple | list) or not 1 <= len(anchor) <= 3:
        raise ConfigurationError(
            "'anchor' of Embedding.adapt must be a tuple (X, y) or (X, y, discrete) of the "
            f"recording of session {from_session}. Got {type(anchor).__name__}."
        )
    X, y, discrete = (*anchor, None, None)[:3]
    fitted = as_recording(X, y, discrete=discrete)
    expected = model.n_features_per_session_[from_session]
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


def _adapt_conditional(fitted: str, recording: Recording) -> str:
    if recording.continuous is None and recording.discrete is None:
        return "time"
    return _build.resolve_conditional(fitted, recording)


def adapt(
    model: Embedding,
    X: Any,
    y: Any,
    discrete: Any,
    trial_starts: Any,
    from_session: int,
    anchor: Any = None,
) -> None:
    """Map a new recording into a fitted embedding space by training a new input layer."""
    from identica._validation import check_int
    from identica.data._validate import as_recording
    from identica.nn._adapt import input_layer, with_new_input

    model._check_fitted()
    p = check_params(model.get_params())
    n_sessions = len(model.session_encoder_)
    check_int(from_session, name="from_session", owner="Embedding.adapt", low=0,
              high=n_sessions - 1)
    recording = as_recording(X, y, discrete=discrete, trial_starts=trial_starts)
    conditional = _adapt_conditional(model.conditional_, recording)
    anchored = _anchor(anchor, model, from_session, recording, conditional)
    source = model.encoders_[model.session_encoder_[from_session]]
    init_seed, sampler_seed = _build.seed_sequence(p["random_state"]).spawn(3)[2].spawn(2)
    with _build.num_threads(p["num_threads"]):
        encoder = with_new_input(source, recording.n_neurons,
                                 generator=_build.torch_generator(init_seed))
        field = encoder.receptive_field
        if recording.n_samples < max(2, len(field)):
            raise DataValidationError(
                f"X has {recording.n_samples} sample(s) (time steps); adapting needs at least "
                f"{max(2, len(field))} (the encoder's receptive field)."
            )
        dataset = Dataset([*anchored, recording])
        sampler = _build.make_sampler(
            conditional, dataset, dataset.valid_runs(field), time_offset=p["time_offset"],
            delta=p["delta"], prior=p["prior"], num_negatives=n_drawn_negatives(p),
        )
        encoders = [source, encoder] if anchored else [encoder]
        gathers = [WindowGatherer(torch.from_numpy(r.neural).to(model.device_), field)
                   for r in dataset.recordings]
        trainable = list(input_layer(encoder).parameters())
        frozen = [q for q in [*source.parameters(), *encoder.parameters(),
                              *model.loss_.parameters()]
                  if all(q is not t for t in trainable)]
        for q in frozen:
            q.requires_grad_(False)
        try:
            solver = Solver(
                encoders, model.loss_, torch.optim.Adam(trainable, lr=p["learning_rate"]),
                sampler, gathers, batch_size=p["batch_size"],
                generator=_build.torch_generator(sampler_seed),
                callbacks=[ProgressBar(p["max_adapt_iterations"], disable=not p["verbose"])],
                share_negatives=p["negatives"] == "references",
                session_starts=dataset.session_starts[:-1].tolist(),
            )
            history = solver.fit(p["max_adapt_iterations"]).cpu().numpy()
        finally:
            for q in frozen:
                q.requires_grad_(True)
    if n_sessions == 1:
        model.encoders_[0] = encoder
        model.n_features_per_session_ = [recording.n_neurons]
        model.n_features_in_ = recording.n_neurons
    else:
        model.encoders_.append(encoder)
        model.session_encoder_ = [*model.session_encoder_, len(model.encoders_) - 1]
        model.n_features_per_session_ = [*model.n_features_per_session_, recording.n_neurons]
        model.n_sessions_ = n_sessions + 1
    params = list(model.encoders_.parameters()) + list(model.loss_.parameters())
    model.optimizer_ = torch.optim.Adam(params, lr=p["learning_rate"], fused=True)
    model._history = np.concatenate([model._history, history])
    model.n_iter_ = len(model._history)
    model.adapted_conditional_ = conditional
