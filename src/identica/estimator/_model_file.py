# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Model files: one ``.safetensors`` file, tensors plus a JSON config; never a pickle.

A file stores what a model needs instead of re-deriving it: the parameters, the build spec of
the encoders and loss, the weights, the optimiser state and the sampling generator's state, so
that ``save`` → ``load`` → ``partial_fit`` continues the run bit for bit.
"""

from __future__ import annotations

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

from identica.data._offset import Offset
from identica.estimator._assembly import CUSTOM, build_network, network_spec
from identica.estimator._cebra_names import refuse_cebra_checkpoint
from identica.estimator._config import EmbeddingConfig
from identica.estimator._objective import Objective
from identica.estimator._state import FittedState
from identica.exceptions import ConfigurationError, ModelFileError
from identica.losses._jacobian import LinearRamp

if TYPE_CHECKING:
    from identica.estimator._embedding import Embedding

__all__ = ["FORMAT_VERSION", "load", "save"]

FORMAT = "identica-model"
FORMAT_VERSION = 2  # 2: build spec, optimiser and generator state stored; 1 still reads


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


def _params_json(model: Embedding) -> dict[str, Any]:
    params = model.get_params()
    if isinstance(params["encoder"], nn.Module):
        params["encoder"] = CUSTOM
    if isinstance(params["time_offset"], tuple):
        params["time_offset"] = list(params["time_offset"])
    params["random_state"] = _random_state_json(params["random_state"])
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


def save(model: Embedding, state: FittedState, path: str | os.PathLike[str]) -> None:
    """Write a fitted :class:`~identica.Embedding` to ``path`` (safetensors; no pickle)."""
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
        "params": json.dumps(_params_json(model)),
        "spec": json.dumps(state.spec),
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

    Nothing is unpickled: the file holds only tensors and JSON. The optimiser state and the
    sampling generator come back too, so ``partial_fit`` continues the saved run exactly.

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
    refuse_cebra_checkpoint(path)  # a CEBRA .pt (pickle) file: say what to do instead
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
        spec = json.loads(metadata["spec"]) if version >= 2 else None
    except (KeyError, ValueError, TypeError) as error:
        raise ModelFileError(f"{name!r} has malformed identica metadata: {error!r}") from error
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{name!r} was written in model format {version}; this identica reads format "
            f"{FORMAT_VERSION} and older. Upgrade identica to load it."
        )
    try:
        return _rebuild(params, spec, fitted, tensors, device, encoder)
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
) -> Embedding:
    from identica.estimator._embedding import Embedding

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
    model = Embedding(**params)
    config = EmbeddingConfig.from_params(model.get_params())
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
    model._state = FittedState(
        network=network, spec=spec, n_features_per_session=widths,
        generator_state=generator_state, history=history.astype(np.float32),
        conditional=str(fitted["conditional"]),
        objective_conditionals=fitted.get("objective_conditionals"),
        device=target, adapted_conditional=fitted.get("adapted_conditional"),
    )
    return model


def _prefixed(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    return {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
