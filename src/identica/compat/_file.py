# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""compat.CEBRA's files: an identica model file whose metadata also holds CEBRA's parameters."""

from __future__ import annotations

import json
import os
import warnings
from typing import Any

from safetensors import SafetensorError
from safetensors.torch import safe_open

from identica.estimator import Embedding
from identica.estimator import load as load_embedding
from identica.exceptions import ModelFileError

__all__ = ["METADATA_KEY", "read", "write"]

METADATA_KEY = "identica.compat.CEBRA"


def write(model: Embedding, params: dict[str, Any], num_sessions: int | None,
          filename: str | os.PathLike[str]) -> None:
    """Save ``model`` with :meth:`Embedding.save`, CEBRA's ``params`` in its metadata.

    Only the public ``Embedding.save`` writes the model (atomically, checksummed), so the file
    stays whatever identica's format is.
    """
    params = dict(params)
    params.pop("random_state")  # the Embedding in the file keeps it, generators included
    params["optimizer_kwargs"] = [list(pair) for pair in params["optimizer_kwargs"]]
    record = {"params": params, "num_sessions": num_sessions}
    with warnings.catch_warnings():  # CEBRA users name their files .pt; that is expected here
        warnings.filterwarnings("ignore", message=".*does not end in .safetensors",
                                category=UserWarning)
        model.save(filename, metadata={METADATA_KEY: json.dumps(record)})


def read(filename: str | os.PathLike[str], device: str) -> tuple[
        Embedding, dict[str, Any], int | None]:
    """The :class:`~identica.Embedding` of a file :func:`write` wrote, CEBRA's parameters
    (without ``random_state``) and the number of sessions."""
    model = load_embedding(filename, device=device)  # refuses pickles and foreign files
    name = os.fspath(filename)
    try:
        with safe_open(name, framework="pt", device="cpu") as file:
            raw = (file.metadata() or {}).get(METADATA_KEY)
    except (SafetensorError, OSError) as error:  # pragma: no cover - load read it already
        raise ModelFileError(f"{name!r} is not readable: {error}") from error
    if raw is None:
        raise ModelFileError(
            f"{name!r} is an identica model saved by Embedding.save, not by "
            "compat.CEBRA.save: load it with identica.load(path)."
        )
    try:
        record = json.loads(raw)
        params = dict(record["params"])
        params["optimizer_kwargs"] = tuple(
            (key, tuple(value) if isinstance(value, list) else value)
            for key, value in params["optimizer_kwargs"]
        )
        if isinstance(params.get("time_offsets"), list):
            params["time_offsets"] = tuple(params["time_offsets"])
        num_sessions = record.get("num_sessions")
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(f"{name!r} has malformed compat.CEBRA metadata: {error!r}") from error
    return model, params, num_sessions
