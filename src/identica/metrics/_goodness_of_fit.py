# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Goodness of fit: how far below chance the InfoNCE of a model is, in bits."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from identica._validation import check_int

if TYPE_CHECKING:
    from identica.estimator import Embedding

__all__ = ["goodness_of_fit", "goodness_of_fit_history"]


def _shares_negatives(model: Embedding) -> bool:
    return model.negatives == "references" or (
        model.negatives == "auto" and model.num_negatives is None
    )


def _chance(model: Embedding) -> float:
    if _shares_negatives(model):
        negatives = model.batch_size - 1
    else:
        negatives = model.num_negatives or model.batch_size
    return math.log(negatives + (1 if model.denominator == "full" else 0))


def goodness_of_fit(
    model: Embedding,
    X: Any,
    y: Any = None,
    *,
    discrete: Any = None,
    n_batches: int = 500,
    random_state: int = 0,
) -> float:
    """Information the embedding carries about positive pairs, in bits.

    ``bits = (log C - InfoNCE) · log2(e)``, with ``C`` the number of denominator terms
    (``num_negatives``, +1 for the full denominator) and InfoNCE the mean over ``n_batches``
    batches drawn from ``(X, y)`` with the model's conditional and a fixed generator. 0 bits is
    chance; values can be slightly negative near chance.

    Parameters
    ----------
    model : Embedding
        A fitted estimator.
    X, y, discrete
        Data and labels as for :meth:`Embedding.fit`.
    n_batches : int, default=500
        Batches to average over.
    random_state : int, default=0
        Seed of the batch draws.

    Returns
    -------
    float

    Examples
    --------
    >>> import identica
    >>> data = identica.synthetic.linear_track(n_samples=2000, n_neurons=30)
    >>> model = identica.Embedding(encoder="mlp", batch_size=64, max_iterations=50,
    ...                            time_offset=1, random_state=0)
    >>> model = model.fit(data.neural, data.continuous)
    >>> identica.metrics.goodness_of_fit(model, data.neural, data.continuous, n_batches=5) > 0
    True
    """
    from identica import _build
    from identica.data._dataset import Dataset
    from identica.data._validate import as_recording
    from identica.data._windows import WindowGatherer

    model._check_fitted()
    n_batches = check_int(n_batches, name="n_batches", owner="goodness_of_fit", low=1)
    recording = as_recording(X, y, discrete=discrete)
    conditional = _build.resolve_conditional(model.conditional_, recording)
    field = model.receptive_field_
    dataset = Dataset([recording])
    runs = dataset.valid_runs(field)
    n = model.batch_size
    shared = _shares_negatives(model)
    sampler = _build.make_sampler(
        conditional, dataset, runs, time_offset=model.time_offset, delta=model.delta,
        prior=model.prior, num_negatives=0 if shared else model.num_negatives or n,
    )
    encoder = model.encoder_
    gather = WindowGatherer(torch.from_numpy(recording.neural).to(model.device_), field)
    generator = torch.Generator().manual_seed(random_state)
    total = torch.zeros((), dtype=torch.float64, device=model.device_)
    was_training = encoder.training
    encoder.eval()
    with torch.no_grad():
        for _ in range(n_batches):
            batch = sampler.sample(n, generator=generator)
            emb = encoder(gather(torch.cat(batch)))
            negative = emb[:n] if shared else emb[2 * n :]
            parts = model.loss_(emb[:n], emb[n : 2 * n], negative, exclude_self=shared)
            total += parts.total.double()
    encoder.train(was_training)
    return float((_chance(model) - float(total) / n_batches) * math.log2(math.e))


def goodness_of_fit_history(model: Embedding) -> np.ndarray:
    """Goodness of fit in bits of every training step, from the training loss.

    Examples
    --------
    >>> import numpy as np, identica
    >>> X = np.random.default_rng(0).normal(size=(300, 5)).astype(np.float32)
    >>> model = identica.Embedding(encoder="mlp", batch_size=32, max_iterations=3,
    ...                            time_offset=1, random_state=0).fit(X)
    >>> identica.metrics.goodness_of_fit_history(model).shape
    (3,)
    """
    return (_chance(model) - model.loss_history_) * math.log2(math.e)
