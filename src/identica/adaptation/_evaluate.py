# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Run an adapter over a stream window by window: R² of the frozen decoder, monitors, cost."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np

from identica._checks import check_int
from identica.adaptation._base import AbstractAdapter
from identica.adaptation._oracle import Oracle
from identica.exceptions import DataValidationError
from identica.metrics import (
    disagreement,
    moment_distance,
    participation_ratio,
    window_goodness_of_fit,
    window_r2,
)

__all__ = ["StreamRun", "evaluate_stream"]


@dataclasses.dataclass(frozen=True, eq=False)
class StreamRun:
    """Per-window results of one adapter on one stream.

    Attributes
    ----------
    r2 : ndarray of shape (n_windows,)
        Decoding R² of the frozen decoder (the oracle's re-fitted one).
    rank, moment_distance, goodness_of_fit, disagreement : ndarray of shape (n_windows,)
        Label-free monitors of the adapted embedding: effective rank, distance of its moments
        from the source embedding's, time-contrastive goodness of fit in bits, disagreement
        of the decoded values with the non-adapted model's.
    seconds_per_1000 : float
        Wall time of ``update`` + ``transform`` per 1,000 samples.
    n_resets : int

    Examples
    --------
    >>> from identica.adaptation import StreamRun
    >>> [f.name for f in StreamRun.__dataclass_fields__.values()][:2]
    ['r2', 'rank']
    """

    r2: np.ndarray
    rank: np.ndarray
    moment_distance: np.ndarray
    goodness_of_fit: np.ndarray
    disagreement: np.ndarray
    seconds_per_1000: float
    n_resets: int


def evaluate_stream(adapter: AbstractAdapter, X: Any, y: Any, *, window: int = 1000,
                    time_offset: int = 10, frozen: Any = None) -> StreamRun:
    """Feed ``X`` to ``adapter`` in windows (update, then transform), score each window.

    Labels ``y`` are read only to score the decoded window and, after scoring, by an
    :class:`Oracle`'s ``reveal``; no other adapter sees them.

    Parameters
    ----------
    adapter : AbstractAdapter
        Starts from its current state (call ``reset`` first for a fresh run).
    X : ndarray of shape (n_samples, n_features)
        The stream.
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        What the decoder reads out.
    window : int, default=1000
    time_offset : int, default=10
        Of the goodness-of-fit monitor.
    frozen : ndarray, optional
        The non-adapted model's predictions of ``X`` window by window (computed if absent;
        pass them to score several adapters on one stream faster).

    Returns
    -------
    StreamRun

    Examples
    --------
    >>> from identica.adaptation import evaluate_stream
    >>> evaluate_stream.__name__
    'evaluate_stream'
    """
    window = check_int(window, name="window", owner="evaluate_stream", low=2 * time_offset + 2)
    X = np.asarray(X)
    y = np.asarray(y)
    if len(X) != len(y):
        raise DataValidationError(f"X of evaluate_stream has {len(X)} rows but y has {len(y)}.")
    source = adapter.source
    columns: dict[str, list[float]] = {k: [] for k in
                                       ("r2", "rank", "moment", "gof", "disagreement")}
    seconds = 0.0
    for start in range(0, len(X) - window + 1, window):
        x, target = X[start:start + window], y[start:start + window]
        tic = time.perf_counter()
        adapter.update(x)
        z = adapter.transform(x)
        seconds += time.perf_counter() - tic
        decoder = adapter.decoder_ if isinstance(adapter, Oracle) else source.decoder
        prediction = decoder.predict(z)
        columns["r2"].append(float(window_r2(target, prediction, window)[0]))
        columns["rank"].append(participation_ratio(z))
        columns["moment"].append(moment_distance(z, source.embedding_mean, source.embedding_cov))
        columns["gof"].append(window_goodness_of_fit(z, time_offset=time_offset))
        reference = (source.decoder.predict(source.transform(x)) if frozen is None
                     else np.asarray(frozen)[start:start + window])
        columns["disagreement"].append(disagreement(prediction, reference))
        if isinstance(adapter, Oracle):
            adapter.reveal(x, target)
    n = max(len(columns["r2"]) * window, 1)
    return StreamRun(*(np.asarray(columns[k]) for k in
                       ("r2", "rank", "moment", "gof", "disagreement")),
                     seconds_per_1000=1000.0 * seconds / n, n_resets=adapter.n_resets)
