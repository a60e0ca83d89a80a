# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Model files of ``DynamicsEmbedding``: one ``.safetensors`` file with its JSON config.

The same container as :meth:`identica.Embedding.save` (checksum, atomic write, refusal of
pickles and of newer format versions): tensors of the encoder, the dynamics model, the
optimiser state, the loss history and the sampling generator, and as metadata the parameters,
the fitted shapes and the versions. The metadata names the estimator, so ``identica.load``
refuses the file and names :func:`identica.dynamics.load`.
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

import numpy as np
import torch

from identica.dynamics._config import OWNER, DynamicsConfig
from identica.dynamics._fit import DynamicsState, build_parts
from identica.estimator._file_bytes import (
    FORMAT,
    FORMAT_VERSION,
    check_target,
    checksummed,
    read_raw,
)
from identica.estimator._model_file import _random_state_from_json, _random_state_json
from identica.exceptions import ConfigurationError, ModelFileError
from identica.training._callbacks import atomic_write

__all__ = ["ESTIMATOR", "LOADER", "read", "write"]

ESTIMATOR = "DynamicsEmbedding"
LOADER = "identica.dynamics.load"


def _prefixed(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    return {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}


def write(params: dict[str, Any], state: DynamicsState, path: str | os.PathLike[str],
          extra: dict[str, str] | None = None) -> None:
    """Write the parameters and fitted state to ``path`` atomically."""
    from identica import __version__

    target = check_target(path, stacklevel=3)
    optimizer = state.optimizer.state_dict()
    tensors = {f"encoder.{k}": v for k, v in state.encoder.state_dict().items()}
    tensors.update({f"dynamics.{k}": v for k, v in state.dynamics.state_dict().items()})
    tensors["history"] = torch.from_numpy(np.ascontiguousarray(state.history))
    tensors["generator_state"] = state.generator_state
    for index, values in optimizer["state"].items():
        tensors.update({f"optimizer.{index}.{k}": v for k, v in values.items()})
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}
    fitted = {"n_features_in": state.n_features, "n_controls": state.n_controls,
              "optimizer_groups": optimizer["param_groups"]}
    versions = {"identica": __version__, "torch": torch.__version__, "numpy": np.__version__,
                "python": platform.python_version()}
    metadata = {
        "format": FORMAT, "format_version": str(FORMAT_VERSION), "estimator": ESTIMATOR,
        "loader": LOADER,
        "params": json.dumps({**params, "random_state": _random_state_json(
            params["random_state"])}),
        "fitted": json.dumps(fitted), "versions": json.dumps(versions),
    }
    for key, value in (extra or {}).items():
        if key in metadata or key == "sha256" or not isinstance(value, str):
            raise ConfigurationError(
                f"'metadata' of {OWNER}.save must map new keys to strings; the keys "
                f"{sorted([*metadata, 'sha256'])} are identica's own. Got {key!r}: "
                f"{type(value).__name__}."
            )
        metadata[key] = value
    data = checksummed(tensors, metadata)
    atomic_write(target, lambda tmp: Path(tmp).write_bytes(data))


def read(path: str | os.PathLike[str], *, device: str,
         defaults: dict[str, Any]) -> tuple[dict[str, Any], DynamicsState]:
    """The parameters (``defaults`` filled in) and the fitted state stored in ``path``."""
    from identica._runtime import resolve_device

    metadata, tensors = read_raw(path)
    name = os.fspath(path)
    if metadata.get("format") != FORMAT or metadata.get("estimator") != ESTIMATOR:
        what = metadata.get("estimator", "Embedding") if metadata.get("format") == FORMAT \
            else f"format {metadata.get('format')!r}"
        raise ModelFileError(
            f"{name!r} is not a {ESTIMATOR} model file (it holds {what}). Load an Embedding "
            "with identica.load(path)."
        )
    try:
        version = int(metadata["format_version"])
        params = {**defaults, **json.loads(metadata["params"])}
        fitted = json.loads(metadata["fitted"])
    except (KeyError, ValueError, TypeError) as error:
        raise ModelFileError(f"{name!r} has malformed identica metadata: {error!r}") from error
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{name!r} was written in model format {version}; this identica reads format "
            f"{FORMAT_VERSION} and older. Upgrade identica to load it."
        )
    params["random_state"] = _random_state_from_json(params.get("random_state"))
    params["device"] = device
    target = resolve_device(device, owner=f"{LOADER}")
    try:
        config = DynamicsConfig.from_params(params)
        n_features, n_controls = int(fitted["n_features_in"]), int(fitted["n_controls"])
        encoder, dynamics, loss, optimizer = build_parts(config, n_features, n_controls, target,
                                                         init=None)
        encoder.load_state_dict(_prefixed(tensors, "encoder."), strict=True)
        dynamics.load_state_dict(_prefixed(tensors, "dynamics."), strict=True)
        state: dict[int, dict[str, torch.Tensor]] = {}
        for key, value in _prefixed(tensors, "optimizer.").items():
            index, field = key.split(".", 1)
            state.setdefault(int(index), {})[field] = value
        optimizer.load_state_dict({"state": state, "param_groups": fitted["optimizer_groups"]})
        history = tensors["history"].numpy().astype(np.float32)
        if history.ndim != 2 or history.shape[1] != 3:
            raise ValueError(f"loss history has shape {history.shape}, expected (n, 3)")
    except (KeyError, TypeError, ValueError, RuntimeError) as error:
        if isinstance(error, ConfigurationError):
            raise
        raise ModelFileError(f"{name!r} does not hold a consistent model: {error}") from error
    dynamics.eval()
    return params, DynamicsState(encoder, dynamics, loss, optimizer, history,
                                 tensors["generator_state"], n_features, n_controls, target)
