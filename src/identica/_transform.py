# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""What ``Embedding.transform`` does: route sessions to their encoders, embed every row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from identica import _build
from identica._validation import check_int
from identica.data._offset import Offset
from identica.data._sessions import is_session_list
from identica.data._validate import check_neural
from identica.data._windows import WindowGatherer
from identica.exceptions import ConfigurationError, DataValidationError

if TYPE_CHECKING:
    from identica.estimator import Embedding

_TRANSFORM_BUDGET = 2**25  # floats per transform chunk (128 MiB of windows)


def transform(model: Embedding, X: Any, session: int | None) -> Any:
    """Embed one array (with the encoder of ``session``) or a list of arrays (one per session)."""
    model._check_fitted()
    if is_session_list(X):
        if session is not None:
            raise ConfigurationError(
                "'session' of Embedding.transform must be None when X is a list (the list "
                f"gives one array per session). Got session={session!r}."
            )
        if len(X) != len(model.session_encoder_):
            raise DataValidationError(
                f"X has {len(X)} sessions, but this Embedding was fitted on "
                f"{len(model.session_encoder_)}. Pass one array per fitted session, or an "
                "array with session=."
            )
        return [_one(model, x, s) for s, x in enumerate(X)]
    if session is None:
        if len(model.encoders_) > 1:
            raise ConfigurationError(
                f"'session' of Embedding.transform must be an int in [0, "
                f"{len(model.session_encoder_) - 1}] for a model fitted on "
                f"{len(model.session_encoder_)} sessions. Got None."
            )
        session = 0
    check_int(session, name="session", owner="Embedding.transform", low=0,
              high=len(model.session_encoder_) - 1)
    return _one(model, X, session)


def _one(model: Embedding, X: Any, session: int) -> np.ndarray:
    neural = check_neural(X, session=session if len(model.session_encoder_) > 1 else None)
    expected = model.n_features_per_session_[session]
    if neural.shape[1] != expected:
        where = f" for session {session}" if len(model.session_encoder_) > 1 else ""
        raise DataValidationError(
            f"X has {neural.shape[1]} features, but Embedding is expecting {expected} "
            f"features as input{where} (the channels seen in fit)."
        )
    encoder = model.encoders_[model.session_encoder_[session]]
    with _build.num_threads(model.num_threads):
        return embed(encoder, torch.from_numpy(neural), model.receptive_field_, model.device_)


def embed(
    encoder: nn.Module, neural: torch.Tensor, field: Offset, device: torch.device
) -> np.ndarray:
    """Embed every row of ``neural`` with ``encoder``, padding the edges by repetition."""
    n = len(neural)
    padded = torch.cat(
        [neural[:1].expand(field.left, -1), neural, neural[-1:].expand(field.right - 1, -1)]
    )
    gather = WindowGatherer(padded.to(device), field)
    chunk = max(1, _TRANSFORM_BUDGET // (len(field) * neural.shape[1]))
    was_training = encoder.training
    encoder.eval()
    parts = []
    with torch.no_grad():
        for start in range(0, n, chunk):
            index = torch.arange(start, min(n, start + chunk)) + field.left
            parts.append(encoder(gather(index)).float().cpu())
    encoder.train(was_training)
    return torch.cat(parts).numpy()
