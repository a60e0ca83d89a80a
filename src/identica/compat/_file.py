# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""compat.CEBRA's files: an identica model file whose metadata also holds CEBRA's parameters."""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

from safetensors import SafetensorError
from safetensors.torch import safe_open, save_file

from identica.estimator import Embedding
from identica.estimator import load as load_embedding
from identica.exceptions import ModelFileError

__all__ = ["METADATA_KEY", "read", "write"]

METADATA_KEY = "identica.compat.CEBRA"


def write(model: Embedding, params: dict[str, Any], num_sessions: int | None,
          filename: str | os.PathLike[str]) -> None:
    """Save ``model`` with :meth:`Embedding.save`, then add CEBRA's ``params`` to its metadata.

    Only the public ``Embedding.save`` writes the model, so the file stays whatever identica's
    format is; the result is staged beside ``filename`` and moved into place in one rename.
    """
    params = dict(params)
    params.pop("random_state")  # the Embedding in the file keeps it, generators included
    params["optimizer_kwargs"] = [list(pair) for pair in params["optimizer_kwargs"]]
    record = {"params": params, "num_sessions": num_sessions}
    target = os.fspath(filename)
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(target))) as scratch:
        inner = os.path.join(scratch, "embedding.safetensors")
        model.save(inner)
        with safe_open(inner, framework="pt", device="cpu") as file:
            metadata = dict(file.metadata() or {})
            tensors = {key: file.get_tensor(key) for key in file.keys()}
        metadata[METADATA_KEY] = json.dumps(record)
        staged = os.path.join(scratch, "cebra.safetensors")
        save_file(tensors, staged, metadata=metadata)
        os.replace(staged, target)


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
