# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Model files of EquivariantEmbedding: the identica safetensors container, JSON metadata."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

import numpy as np
import torch

from identica._runtime import resolve_device
from identica.estimator._file_bytes import (
    FORMAT,
    FORMAT_VERSION,
    check_target,
    checksummed,
    read_raw,
)
from identica.estimator._model_file import _random_state_from_json, _random_state_json
from identica.exceptions import ModelFileError
from identica.nn._registry import make_encoder
from identica.training._callbacks import atomic_write

__all__ = ["ESTIMATOR", "read", "write"]

ESTIMATOR = "EquivariantEmbedding"
LOADER = "identica.equivariance.EquivariantEmbedding.load"


def write(model: Any, path: str | os.PathLike[str]) -> None:
    """Write ``model``'s parameters, fitted state and weights to ``path`` atomically."""
    from identica import __version__

    target = check_target(path, stacklevel=3)
    params = model.get_params()
    params["random_state"] = _random_state_json(params["random_state"])
    tensors = {f"encoder.{k}": v.detach().to("cpu").contiguous()
               for k, v in model.encoder_.state_dict().items()}
    tensors["history"] = torch.from_numpy(np.ascontiguousarray(model.loss_history_))
    versions = {"identica": __version__, "torch": torch.__version__, "numpy": np.__version__,
                "python": platform.python_version()}
    metadata = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "estimator": ESTIMATOR,
        "loader": LOADER,
        "params": json.dumps(params),
        "fitted": json.dumps({"n_features_in": int(model.n_features_in_)}),
        "versions": json.dumps(versions),
    }
    data = checksummed(tensors, metadata)
    atomic_write(target, lambda tmp: Path(tmp).write_bytes(data))


def read(cls: type, path: str | os.PathLike[str], *, device: str) -> Any:
    """A fitted ``cls`` from a file written by :func:`write`, with its weights on ``device``."""
    metadata, tensors = read_raw(path)
    name = os.fspath(path)
    if metadata.get("format") != FORMAT or metadata.get("estimator") != ESTIMATOR:
        raise ModelFileError(
            f"{name!r} is not an {ESTIMATOR} model file (format {metadata.get('format')!r}, "
            f"estimator {metadata.get('estimator', 'Embedding')!r}). Load an Embedding with "
            "identica.load."
        )
    try:
        version = int(metadata["format_version"])
        params = json.loads(metadata["params"])
        fitted = json.loads(metadata["fitted"])
    except (KeyError, ValueError, TypeError) as error:
        raise ModelFileError(f"{name!r} has malformed identica metadata: {error!r}") from error
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{name!r} was written in model format {version}; this identica reads format "
            f"{FORMAT_VERSION} and older. Upgrade identica to load it."
        )
    params["random_state"] = _random_state_from_json(params["random_state"])
    params["device"] = device
    model = cls(**params)
    try:
        encoder = make_encoder(params["encoder"], fitted["n_features_in"],
                               params["output_dimension"], hidden_units=params["hidden_units"],
                               output_constraint="none")
        encoder.load_state_dict({k[len("encoder."):]: v for k, v in tensors.items()
                                 if k.startswith("encoder.")})
    except (KeyError, TypeError, ValueError, RuntimeError) as error:
        raise ModelFileError(f"{name!r} does not hold a consistent model: {error}") from error
    model._device = resolve_device(device, owner=ESTIMATOR)
    model.encoder_ = encoder.to(model._device).eval()
    model.loss_history_ = tensors["history"].numpy()
    model.n_iter_ = len(model.loss_history_)
    model.n_features_in_ = int(fitted["n_features_in"])
    return model
