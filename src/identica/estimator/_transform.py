# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""What ``Embedding.transform`` does: route sessions to their encoders, embed every row."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from identica._checks import check_int
from identica._runtime import choose_threads, encoder_work
from identica._runtime import num_threads as thread_scope
from identica.data._disk import DiskArray
from identica.data._sessions import is_session_list
from identica.data._validate import check_neural
from identica.estimator._state import FittedState
from identica.exceptions import ConfigurationError, DataValidationError
from identica.nn._embed import embed, embed_disk

__all__ = ["transform"]


def transform(state: FittedState, X: Any, session: int | None, *,
              num_threads: int | None) -> Any:
    """Embed one array (with the encoder of ``session``) or a list of arrays (one per session)."""
    n_sessions = len(state.network.session_encoder)
    if is_session_list(X):
        if session is not None:
            raise ConfigurationError(
                "'session' of Embedding.transform must be None when X is a list (the list "
                f"gives one array per session). Got session={session!r}."
            )
        if len(X) != n_sessions:
            raise DataValidationError(
                f"X has {len(X)} sessions, but this Embedding was fitted on "
                f"{n_sessions}. Pass one array per fitted session, or an "
                "array with session=."
            )
        return [_one(state, x, s, num_threads) for s, x in enumerate(X)]
    if session is None:
        if len(state.network.encoders) > 1:
            raise ConfigurationError(
                f"'session' of Embedding.transform must be an int in [0, "
                f"{n_sessions - 1}] for a model fitted on "
                f"{n_sessions} sessions. Got None."
            )
        session = 0
    check_int(session, name="session", owner="Embedding.transform", low=0,
              high=n_sessions - 1)
    return _one(state, X, session, num_threads)


def _one(state: FittedState, X: Any, session: int, num_threads: int | None) -> np.ndarray:
    multi = len(state.network.session_encoder) > 1
    neural = check_neural(X, session=session if multi else None, out_of_core=True)
    expected = state.n_features_per_session[session]
    if neural.shape[1] != expected:
        where = f" for session {session}" if multi else ""
        raise DataValidationError(
            f"X has {neural.shape[1]} features, but Embedding is expecting {expected} "
            f"features as input{where} (the channels seen in fit)."
        )
    encoder = state.network.encoders[state.network.session_encoder[session]]
    threads = choose_threads(num_threads, state.device,
                             lambda: encoder_work(encoder, neural.shape[0]))
    with thread_scope(threads.count):
        if isinstance(neural, DiskArray):  # read from disk a chunk at a time
            return embed_disk(encoder, neural, state.device)
        return embed(encoder, torch.from_numpy(neural), state.device)
