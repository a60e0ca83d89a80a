# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Model files: one ``.safetensors`` file, tensors plus a JSON config; never a pickle.

A file stores what a model needs instead of re-deriving it: the parameters, the build spec of
the encoders and loss, the weights, the optimiser state and the sampling generator's state, so
that ``save`` → ``load`` → ``partial_fit`` continues the run bit for bit. The checkpoints that
``Embedding(checkpoint=...)`` writes during a fit are the same files. Files are written
atomically (a temporary file renamed into place) with the permissions the umask gives a new
file, and carry a checksum (see ``_file_bytes``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from identica.data._offset import Offset
from identica.estimator._assembly import CUSTOM, build_network, network_spec
from identica.estimator._config import EmbeddingConfig
from identica.estimator._file_bytes import (
    CHECKSUM,
    FORMAT,
    FORMAT_VERSION,
    check_target,
    checksummed,
    read_raw,
)
from identica.estimator._objective import Objective
from identica.estimator._state import FittedState
from identica.exceptions import ConfigurationError, ModelFileError
from identica.losses._jacobian import LinearRamp
from identica.training._callbacks import atomic_write

__all__ = ["FORMAT_VERSION", "check_target", "encode", "read", "write"]


def _random_state_json(value: object) -> object:
    """``random_state`` as JSON, faithfully: an int, None, or a numpy generator's state."""
    if isinstance(value, np.random.Generator):
        return {"numpy.random.Generator": value.bit_generator.state}
    if isinstance(value, np.random.RandomState):
        state = value.get_state(legacy=False)
        return {"numpy.random.RandomState": {**state, "state": {
            k: v.tolist() if isinstance(v, np.ndarray) else v
            for k, v in state["state"].items()}}}
    if value is None or isinstance(value, int):
        return value
    raise ConfigurationError(
        f"'random_state' of a saved Embedding must be None, an int or a numpy random "
        f"generator. Got {value!r}."
    )


def _random_state_from_json(value: object) -> object:
    if not isinstance(value, dict):
        return value
    if "numpy.random.Generator" in value:
        state = value["numpy.random.Generator"]
        generator = np.random.Generator(getattr(np.random, state["bit_generator"])())
        generator.bit_generator.state = state
        return generator
    state = dict(value["numpy.random.RandomState"])
    bits = getattr(np.random, state["bit_generator"])()
    bits.state = {**state, "state": {k: np.asarray(v, dtype=np.uint32) if isinstance(v, list)
                                     else v for k, v in state["state"].items()}}
    return np.random.RandomState(bits)


def _params_json(params: dict[str, Any]) -> dict[str, Any]:
    params = dict(params)
    if isinstance(params["encoder"], nn.Module):
        params["encoder"] = CUSTOM
    if isinstance(params["time_offset"], tuple):
        params["time_offset"] = list(params["time_offset"])
    params["random_state"] = _random_state_json(params["random_state"])
    if params.get("checkpoint") is not None:
        params["checkpoint"] = os.fspath(params["checkpoint"])
    if params["objectives"] is not None:
        params["objectives"] = [o.to_dict() for o in params["objectives"]]
    if isinstance(params["jacobian_regularization"], LinearRamp):
        params["jacobian_regularization"] = {
            "LinearRamp": dataclasses.asdict(params["jacobian_regularization"])
        }
    return params


def _params_from_json(params: dict[str, Any]) -> dict[str, Any]:
    if isinstance(params.get("time_offset"), list):
        params["time_offset"] = tuple(params["time_offset"])
    if params.get("objectives") is not None:
        params["objectives"] = [Objective.from_dict(o) for o in params["objectives"]]
    if isinstance(params.get("jacobian_regularization"), dict):
        params["jacobian_regularization"] = LinearRamp(
            **params["jacobian_regularization"]["LinearRamp"]
        )
    params["random_state"] = _random_state_from_json(params.get("random_state"))
    return params


def encode(params: dict[str, Any], state: FittedState,
           extra: dict[str, str] | None = None) -> bytes:
    """The bytes of a model file: tensors, JSON metadata (plus ``extra`` entries) and the
    file's checksum."""
    from identica import __version__

    network = state.network
    optimizer = network.optimizer.state_dict()
    tensors = {f"encoders.{k}": v for k, v in network.encoders.state_dict().items()}
    tensors.update({f"loss.{k}": v for k, v in network.loss.state_dict().items()})
    tensors["history"] = torch.from_numpy(np.ascontiguousarray(state.history))
    tensors["generator_state"] = state.generator_state
    for index, values in optimizer["state"].items():
        tensors.update({f"optimizer.{index}.{k}": v for k, v in values.items()})
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}
    fitted = {
        "n_features_per_session": [int(n) for n in state.n_features_per_session],
        "session_encoder": [int(i) for i in network.session_encoder],
        "output_dimension": int(network.encoders[0].output_dimension),
        "conditional": state.conditional,
        "objective_conditionals": state.objective_conditionals,
        "adapted_conditional": state.adapted_conditional,
        "receptive_field": [state.receptive_field.left, state.receptive_field.right],
        "optimizer_groups": optimizer["param_groups"],
    }
    versions = {"identica": __version__, "torch": torch.__version__, "numpy": np.__version__,
                "python": platform.python_version()}
    metadata = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "params": json.dumps(_params_json(params)),
        "spec": json.dumps(state.spec),
        "fitted": json.dumps(fitted),
        "versions": json.dumps(versions),
    }
    for key, value in (extra or {}).items():
        if key in metadata or key == CHECKSUM or not isinstance(value, str):
            raise ConfigurationError(
                f"'metadata' of Embedding.save must map new keys to strings; the keys "
                f"{sorted([*metadata, CHECKSUM])} are identica's own. Got {key!r}: "
                f"{type(value).__name__}."
            )
        metadata[key] = value
    return checksummed(tensors, metadata)


def write(params: dict[str, Any], state: FittedState, path: str | os.PathLike[str], *,
          check: bool = True, extra: dict[str, str] | None = None) -> None:
    """Write the parameters and fitted state of an Embedding to ``path`` atomically.

    ``check=False`` skips the folder and suffix checks (run once before a fit's checkpoints).
    """
    target = check_target(path, stacklevel=3) if check else Path(path)
    data = encode(params, state, extra)
    atomic_write(target, lambda tmp: Path(tmp).write_bytes(data))




def read(
    path: str | os.PathLike[str], *, device: str, encoder: nn.Module | None,
    defaults: dict[str, Any],
) -> tuple[dict[str, Any], FittedState]:
    """The parameters (``defaults`` filled in) and fitted state stored in a model file.

    Raises
    ------
    ModelFileError
        The file is not an identica model, is damaged (its checksum does not match), is
        malformed, or comes from a newer format version.
    FileNotFoundError
        There is no file at ``path``.
    """
    metadata, tensors = read_raw(path)
    name = os.fspath(path)
    if metadata.get("format") != FORMAT:
        raise ModelFileError(
            f"{name!r} is a safetensors file but not an identica model (format "
            f"{metadata.get('format')!r}, expected {FORMAT!r})."
        )
    if metadata.get("estimator", "Embedding") != "Embedding":
        # another estimator's file in the same container; it names its own loader
        raise ModelFileError(
            f"{name!r} holds a {metadata['estimator']}, not an Embedding. Load it with "
            f"{metadata.get('loader', metadata['estimator'] + '.load')}."
        )
    try:
        version = int(metadata["format_version"])
        params = json.loads(metadata["params"])
        fitted = json.loads(metadata["fitted"])
        spec = json.loads(metadata["spec"]) if version >= 2 else None
    except (KeyError, ValueError, TypeError) as error:
        raise ModelFileError(f"{name!r} has malformed identica metadata: {error!r}") from error
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{name!r} was written in model format {version}; this identica reads format "
            f"{FORMAT_VERSION} and older. Upgrade identica to load it."
        )
    try:
        return _rebuild({**defaults, **params}, spec, fitted, tensors, device, encoder)
    except (KeyError, TypeError, ValueError, RuntimeError) as error:
        if isinstance(error, ConfigurationError):
            raise
        raise ModelFileError(f"{name!r} does not hold a consistent model: {error}") from error


def _rebuild(
    params: dict[str, Any],
    spec: dict[str, Any] | None,
    fitted: dict[str, Any],
    tensors: dict[str, torch.Tensor],
    device: str,
    encoder: nn.Module | None,
) -> tuple[dict[str, Any], FittedState]:
    params = _params_from_json(params)
    params["device"] = device
    widths = [int(n) for n in fitted["n_features_per_session"]]
    session_encoder = [int(i) for i in fitted["session_encoder"]]
    n_encoders = max(session_encoder) + 1
    if sorted(set(session_encoder)) != list(range(n_encoders)) or len(widths) != len(
        session_encoder
    ):
        raise ValueError(f"inconsistent session layout {session_encoder} for {widths}")
    if params["encoder"] == CUSTOM:
        if encoder is None:
            raise ConfigurationError(
                "This model was trained with a custom encoder module. Pass an instance of the "
                "same architecture: identica.load(path, encoder=MyEncoder(...))."
            )
        params["encoder"] = encoder
    config = EmbeddingConfig.from_params(params)
    if spec is None:  # format 1: derive the spec from the parameters
        spec = network_spec(config, widths, n_encoders == 1 and len(widths) > 1)
        spec["widths"] = [widths[session_encoder.index(i)] for i in range(n_encoders)]
        spec["session_encoder"] = session_encoder
    target = torch.device(device)
    network = build_network(spec, target, generator=None, custom=encoder)
    network.encoders.load_state_dict(_prefixed(tensors, "encoders."), strict=True)
    network.loss.load_state_dict(_prefixed(tensors, "loss."), strict=True)
    if "optimizer_groups" in fitted:
        state = {}
        for key, value in _prefixed(tensors, "optimizer.").items():
            index, field = key.split(".", 1)
            state.setdefault(int(index), {})[field] = value
        network.optimizer.load_state_dict({"state": state,
                                           "param_groups": fitted["optimizer_groups"]})
    field = Offset(*(int(v) for v in fitted["receptive_field"]))
    if field != network.receptive_field:
        raise ValueError("the stored receptive field does not match the encoder's")
    history = tensors["history"].numpy()
    if history.ndim != 2 or history.shape[1] != 3:
        raise ValueError(f"loss history has shape {history.shape}, expected (n, 3)")
    generator_state = tensors.get("generator_state")
    if generator_state is None:  # format 1 stored no stream: a fresh one, seeded by n_iter
        generator_state = torch.Generator().manual_seed(len(history)).get_state()
    state = FittedState(
        network=network, spec=spec, n_features_per_session=widths,
        generator_state=generator_state, history=history.astype(np.float32),
        conditional=str(fitted["conditional"]),
        objective_conditionals=fitted.get("objective_conditionals"),
        device=target, adapted_conditional=fitted.get("adapted_conditional"),
    )
    return params, state


def _prefixed(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    return {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
