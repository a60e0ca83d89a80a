# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""CEBRA's parameters and label tuples, translated into :class:`~identica.Embedding` terms."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

from identica.data._sessions import is_session_list
from identica.estimator._cebra_names import (
    CEBRA_DEFAULT_OPTIMIZER_KWARGS,
    CEBRA_PARAMETERS,
    nearest_encoder,
)
from identica.exceptions import ConfigurationError, DataValidationError

__all__ = ["Labels", "embedding_params", "in_cebra_terms", "split_labels"]

OWNER = "CEBRA"
_TO_CEBRA = {p.identica: p.cebra for p in CEBRA_PARAMETERS if p.identica not in (None, p.cebra)}


class Labels:
    """The labels of one call, sorted as CEBRA does: float arrays are continuous (several are
    joined column-wise), one integer array is discrete. Per session for a list ``X``."""

    def __init__(self, continuous: Any, discrete: Any) -> None:
        self.continuous = continuous
        self.discrete = discrete


def _kind(array: Any) -> str:
    """CEBRA's rule: integer labels are discrete, float ones continuous. Beyond CEBRA, text
    (and pandas categoricals) is discrete, and other object arrays go to identica's checks as
    continuous labels, as ``Embedding.fit`` takes them."""
    if torch.is_tensor(array):
        array = array.detach().cpu().numpy()
    if getattr(getattr(array, "dtype", None), "name", None) == "category":
        return "discrete"
    values = np.asarray(array)
    if np.issubdtype(values.dtype, np.integer) or values.dtype == np.bool_:
        return "discrete"
    if values.dtype.kind in "US" or (values.dtype == object and values.size > 0 and all(
            isinstance(v, str | bytes) for v in values.ravel())):
        return "discrete"
    return "continuous"


def _numpy(array: Any) -> Any:
    return array.detach().cpu().numpy() if torch.is_tensor(array) else array


def _join(columns: list[Any]) -> Any:
    if len(columns) == 1:
        return columns[0]
    return np.column_stack([np.asarray(c).reshape(len(c), -1) for c in columns])


def split_labels(X: Any, labels: Sequence[Any]) -> Labels:
    """Sort CEBRA's positional labels ``fit(X, *y)`` into continuous and discrete ones.

    For a list ``X`` (sessions) each label is a list with one array per session, as in CEBRA.
    ``None`` entries are skipped (scikit-learn passes ``y=None``).
    """
    labels = [y for y in labels if y is not None]
    multi = is_session_list(X)
    if multi:
        for y in labels:
            if not isinstance(y, list | tuple) or len(y) != len(X):
                raise DataValidationError(
                    f"X is a list of {len(X)} sessions, so every label passed to fit must be a "
                    f"list with one array per session (as in CEBRA); got "
                    f"{type(y).__name__}{'' if not hasattr(y, '__len__') else f' of {len(y)}'}."
                )
        labels = [[_numpy(s) for s in y] for y in labels]
        kinds = [_kind(y[0]) for y in labels]
    else:
        labels = [_numpy(y) for y in labels]
        kinds = [_kind(y) for y in labels]
    continuous = [y for y, k in zip(labels, kinds) if k == "continuous"]
    discrete = [y for y, k in zip(labels, kinds) if k == "discrete"]
    if len(discrete) > 1:
        raise DataValidationError(
            f"fit got {len(discrete)} integer (discrete) label arrays; CEBRA and identica take "
            "at most one. Pass one set of class codes, and behaviour as float arrays."
        )
    if not continuous:
        joined = None
    elif multi:
        joined = [_join([y[s] for y in continuous]) for s in range(len(X))]
    else:
        joined = _join(continuous)
    return Labels(joined, discrete[0] if discrete else None)


def _n_rows(X: Any) -> int:
    sessions = X if is_session_list(X) else [X]
    return min(len(x) for x in sessions)


def _check_choice(name: str, value: object, options: tuple[object, ...]) -> None:
    if not any(value == option and type(value) is type(option) for option in options):
        raise ConfigurationError(
            f"{name!r} of {OWNER} must be one of {list(options)}. Got {value!r}."
        )


def _optimizer_kwargs(value: object) -> None:
    try:
        given = {k: tuple(v) if isinstance(v, list) else v for k, v in dict(value).items()}
    except (TypeError, ValueError) as error:
        raise ConfigurationError(
            f"'optimizer_kwargs' of {OWNER} must be ((key, value), ...) pairs. Got {value!r}."
        ) from error
    if given != dict(CEBRA_DEFAULT_OPTIMIZER_KWARGS):
        raise ConfigurationError(
            f"'optimizer_kwargs' of {OWNER} must be CEBRA's default "
            f"{CEBRA_DEFAULT_OPTIMIZER_KWARGS}: identica trains with Adam(betas=(0.9, 0.999), "
            f"eps=1e-8), no weight decay, no amsgrad. Got {value!r}."
        )


def _similarity(distance: str, normalized: bool, notes: list[str], architecture: str) -> str:
    if distance == "cosine":
        # CEBRA's "cosine" is the dot product of the encoder's output: a cosine for the
        # normalising architectures, a plain dot product for the -mse ones.
        return "cosine" if normalized else "dot"
    if normalized:
        notes.append(
            f"CEBRA's {architecture!r} normalises its output before the euclidean distance; "
            "identica normalises only with a cosine similarity, so the embedding is not on the "
            "sphere here. For CEBRA's geometry use distance='cosine', or an -mse architecture "
            "for an unnormalised euclidean embedding."
        )
    return "euclidean"


def embedding_params(params: Mapping[str, Any], X: Any, labels: Labels) -> tuple[
        dict[str, Any], list[str]]:
    """The :class:`~identica.Embedding` parameters for CEBRA's ``params`` and this data.

    Returns the parameters and notes on what CEBRA would run differently (for a
    :class:`~identica.exceptions.CompatibilityWarning`). Raises
    :class:`~identica.exceptions.ConfigurationError` for CEBRA settings identica cannot run.
    """
    notes: list[str] = []
    _check_choice("criterion", params["criterion"], ("infonce",))
    _check_choice("optimizer", params["optimizer"], ("adam",))
    _check_choice("distance", params["distance"], ("cosine", "euclidean"))
    _check_choice("temperature_mode", params["temperature_mode"], ("constant", "auto"))
    _check_choice("pad_before_transform", params["pad_before_transform"], (True, False))
    _optimizer_kwargs(params["optimizer_kwargs"])
    if params["masking_kwargs"]:
        raise ConfigurationError(
            f"'masking_kwargs' of {OWNER} must be None: identica has no input masking. Got "
            f"{params['masking_kwargs']!r}."
        )
    architecture = params["model_architecture"]
    match = nearest_encoder(architecture)
    if match is None:
        raise ConfigurationError(
            f"'model_architecture' of {OWNER} must be one of CEBRA's model names "
            "('offset1-model', 'offset5-model', 'offset10-model', ..., 'offset50-model', their "
            f"-mse variants, 'offset1-model-mse-clip-5-5'). Got {architecture!r}."
        )
    if not match.exact:
        notes.append(f"model_architecture={architecture!r} trains identica's "
                     f"{match.encoder!r}: {match.note}.")
    learn = params["temperature_mode"] == "auto"
    min_temperature = params["min_temperature"]
    if min_temperature is None:
        if learn:
            raise ConfigurationError(
                f"'min_temperature' of {OWNER} must be a positive number with "
                "temperature_mode='auto': identica floors a learned temperature. Got None."
            )
        min_temperature = 0.1  # unused with a constant temperature, as in CEBRA
    device = params["device"]
    if device == "cuda_if_available":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if params["hybrid"]:
        notes.append(
            "hybrid=True: identica normalises the behaviour dimensions and the whole embedding "
            "each for its own objective; CEBRA normalises the whole output once and trains the "
            "behaviour slice unnormalised."
        )
    if labels.continuous is None and labels.discrete is None:
        conditional = "time"  # as CEBRA: no labels, time-contrastive whatever conditional says
    elif labels.continuous is None:
        conditional = "discrete"  # CEBRA's discrete loader ignores conditional
    elif labels.discrete is not None:
        conditional = "mixed"  # CEBRA's mixed loader ignores conditional
    else:
        conditional = params["conditional"] or "time_delta"
    batch_size = params["batch_size"]
    embedding = {
        "encoder": match.encoder,
        "output_dimension": params["output_dimension"],
        "hidden_units": params["num_hidden_units"],
        "conditional": conditional,
        "time_offset": params["time_offsets"],
        "delta": params["delta"],
        "similarity": _similarity(params["distance"], match.normalized, notes, architecture),
        "temperature": params["temperature"],
        "learn_temperature": learn,
        "min_temperature": min_temperature,
        # CEBRA draws batch_size independent negatives; batch_size=None is the whole recording.
        "batch_size": _n_rows(X) if batch_size is None else batch_size,
        "negatives": "independent",
        "max_iterations": params["max_iterations"],
        "max_adapt_iterations": params["max_adapt_iterations"],
        "learning_rate": params["learning_rate"],
        "device": device,
        "random_state": params["random_state"],
        "verbose": params["verbose"],
        "hybrid": params["hybrid"],
    }
    return embedding, notes


def in_cebra_terms(error: ConfigurationError) -> ConfigurationError:
    """The same error with identica's parameter names replaced by CEBRA's."""
    def rename(match: re.Match[str]) -> str:
        return f"'{_TO_CEBRA.get(match.group(1), match.group(1))}' of {OWNER}"

    return type(error)(re.sub(r"'(\w+)' of Embedding\b", rename, str(error)))
