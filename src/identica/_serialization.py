# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Model files: one ``.safetensors`` file, tensors plus a JSON config; never a pickle."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import platform
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import safe_open, save_file
from torch import nn

from identica._fitting import loss_for_params
from identica._objectives import Objective
from identica._params import check_params
from identica.data._offset import Offset
from identica.exceptions import ConfigurationError, ModelFileError
from identica.losses._jacobian import LinearRamp
from identica.nn._registry import make_encoder

if TYPE_CHECKING:
    from identica.estimator import Embedding

__all__ = ["FORMAT_VERSION", "load", "save"]

FORMAT = "identica-model"
FORMAT_VERSION = 1
_CUSTOM = "<custom nn.Module>"


def _jsonable_params(model: Embedding) -> dict[str, Any]:
    params = model.get_params()
    if isinstance(params["encoder"], nn.Module):
        params["encoder"] = _CUSTOM
    if isinstance(params["time_offset"], tuple):
        params["time_offset"] = list(params["time_offset"])
    if not (params["random_state"] is None or isinstance(params["random_state"], int)):
        params["random_state"] = None
    if params["objectives"] is not None:
        params["objectives"] = [o.to_dict() for o in params["objectives"]]
    if isinstance(params["jacobian_regularization"], LinearRamp):
        params["jacobian_regularization"] = {
            "LinearRamp": dataclasses.asdict(params["jacobian_regularization"])
        }
    return params


def save(model: Embedding, path: str | os.PathLike[str]) -> None:
    """Write a fitted :class:`~identica.Embedding` to ``path`` (safetensors; no pickle).

    Tensors: ``encoder.*`` and ``loss.*`` state dicts and the loss history. Metadata: the
    format name and version, ``get_params()``, the fitted state and the library versions.
    """
    model._check_fitted()
    from identica import __version__

    tensors = {f"encoders.{k}": v for k, v in model.encoders_.state_dict().items()}
    tensors.update({f"loss.{k}": v for k, v in model.loss_.state_dict().items()})
    tensors["history"] = torch.from_numpy(np.ascontiguousarray(model._history))
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}
    fitted = {
        "n_features_per_session": [int(n) for n in model.n_features_per_session_],
        "session_encoder": [int(i) for i in model.session_encoder_],
        "output_dimension": int(model.encoders_[0].output_dimension),
        "conditional": model.conditional_,
        "receptive_field": [model.receptive_field_.left, model.receptive_field_.right],
    }
    versions = {"identica": __version__, "torch": torch.__version__, "numpy": np.__version__,
                "python": platform.python_version()}
    metadata = {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "params": json.dumps(_jsonable_params(model)),
        "fitted": json.dumps(fitted),
        "versions": json.dumps(versions),
    }
    save_file(tensors, os.fspath(path), metadata=metadata)


def _read(path: str | os.PathLike[str]) -> tuple[dict[str, str], dict[str, torch.Tensor]]:
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No model file at {os.fspath(path)!r}.")
    try:
        with safe_open(os.fspath(path), framework="pt", device="cpu") as f:
            metadata = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except (SafetensorError, OSError, ValueError) as error:
        raise ModelFileError(
            f"{os.fspath(path)!r} is not a readable .safetensors model file: {error}"
        ) from error
    return metadata, tensors


def load(
    path: str | os.PathLike[str], *, device: str = "cpu", encoder: nn.Module | None = None
) -> Embedding:
    """Load a model written by :meth:`Embedding.save`, on ``device`` (CPU by default).

    Nothing is unpickled: the file holds only tensors and JSON.

    Parameters
    ----------
    path : str or PathLike
        The ``.safetensors`` file.
    device : str, default="cpu"
        Where to put the weights, whatever device trained them; also becomes the ``device``
        parameter of the returned estimator.
    encoder : nn.Module, optional
        Required when the model was trained with a custom encoder module: an instance of the
        same architecture, into which the weights are loaded.

    Returns
    -------
    Embedding
        A fitted estimator.

    Raises
    ------
    ModelFileError
        The file is not an identica model, is malformed, or comes from a newer format version.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np, identica
    >>> X = np.random.default_rng(0).normal(size=(200, 5)).astype(np.float32)
    >>> model = identica.Embedding(encoder="mlp", output_dimension=2, batch_size=16,
    ...                            max_iterations=2, time_offset=1, random_state=0).fit(X)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.safetensors"
    >>> model.save(path)
    >>> np.array_equal(identica.load(path).transform(X), model.transform(X))
    True
    """
    from identica.estimator import Embedding

    metadata, tensors = _read(path)
    name = os.fspath(path)
    if metadata.get("format") != FORMAT:
        raise ModelFileError(
            f"{name!r} is a safetensors file but not an identica model (format "
            f"{metadata.get('format')!r}, expected {FORMAT!r})."
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
    try:
        return _rebuild(Embedding, params, fitted, tensors, device, encoder)
    except (KeyError, TypeError, ValueError, RuntimeError) as error:
        if isinstance(error, ConfigurationError):
            raise
        raise ModelFileError(f"{name!r} does not hold a consistent model: {error}") from error


def _rebuild(
    cls: type[Embedding],
    params: dict[str, Any],
    fitted: dict[str, Any],
    tensors: dict[str, torch.Tensor],
    device: str,
    encoder: nn.Module | None,
) -> Embedding:
    if isinstance(params.get("time_offset"), list):
        params["time_offset"] = tuple(params["time_offset"])
    if params.get("objectives") is not None:
        params["objectives"] = [Objective.from_dict(o) for o in params["objectives"]]
    if isinstance(params.get("jacobian_regularization"), dict):
        params["jacobian_regularization"] = LinearRamp(
            **params["jacobian_regularization"]["LinearRamp"]
        )
    params["device"] = device
    widths = [int(n) for n in fitted["n_features_per_session"]]
    session_encoder = [int(i) for i in fitted["session_encoder"]]
    n_encoders = max(session_encoder) + 1
    if sorted(set(session_encoder)) != list(range(n_encoders)) or len(widths) != len(
        session_encoder
    ):
        raise ValueError(f"inconsistent session layout {session_encoder} for {widths}")
    if params["encoder"] == _CUSTOM:
        if encoder is None:
            raise ConfigurationError(
                "This model was trained with a custom encoder module. Pass an instance of the "
                "same architecture: identica.load(path, encoder=MyEncoder(...))."
            )
        params["encoder"] = encoder
        modules = [copy.deepcopy(encoder) for _ in range(n_encoders)]
    else:
        first_session = [session_encoder.index(i) for i in range(n_encoders)]
        modules = [
            make_encoder(
                params["encoder"], widths[s], fitted["output_dimension"],
                hidden_units=params["hidden_units"],
                normalize=params["similarity"] == "cosine" and params.get("objectives") is None
                and not params.get("hybrid", False),
            )
            for s in first_session
        ]
    module = nn.ModuleList(modules)
    model = cls(**params)
    module.load_state_dict(_prefixed(tensors, "encoders."), strict=True)
    loss = loss_for_params(check_params(model.get_params()))
    loss.load_state_dict(_prefixed(tensors, "loss."), strict=True)
    target = torch.device(device)
    model.encoders_ = module.to(target)
    model.session_encoder_ = session_encoder
    model.n_features_per_session_ = widths
    model.n_sessions_ = len(widths)
    model.loss_ = loss.to(target)
    optim_params = list(model.encoders_.parameters()) + list(model.loss_.parameters())
    model.optimizer_ = torch.optim.Adam(optim_params, lr=params["learning_rate"], fused=True)
    if len(widths) == 1:
        model.n_features_in_ = widths[0]
    model.conditional_ = str(fitted["conditional"])
    model.receptive_field_ = Offset(*(int(v) for v in fitted["receptive_field"]))
    if model.receptive_field_ != module[0].receptive_field:
        raise ValueError("the stored receptive field does not match the encoder's")
    history = tensors["history"].numpy()
    if history.ndim != 2 or history.shape[1] != 3:
        raise ValueError(f"loss history has shape {history.shape}, expected (n, 3)")
    model._history = history.astype(np.float32)
    model.n_iter_ = len(history)
    model.device_ = target
    model._generator_state = torch.Generator().manual_seed(model.n_iter_).get_state()
    return model


def _prefixed(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    return {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
