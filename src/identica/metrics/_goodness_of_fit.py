# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Goodness of fit: how far below chance the InfoNCE of a model is, in bits."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from identica.estimator import Embedding

__all__ = ["bits", "goodness_of_fit", "goodness_of_fit_history"]


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
    (``num_negatives``, +1 for the full denominator; summed with the objectives' weights for
    multi-objective models) and InfoNCE the mean over ``n_batches`` batches drawn from
    ``(X, y)`` as in training. 0 bits is chance; values can be slightly negative near chance.
    A pure function of what the model gives: ``model.contrastive_loss(...)`` and
    ``model.chance_loss_``, so any model with these two works.

    Parameters
    ----------
    model : Embedding
        A fitted estimator (single- or multi-session, hybrid or multi-objective).
    X, y, discrete
        Data and labels as for :meth:`Embedding.fit`.
    n_batches : int, default=500
        Batches to average over.
    random_state : int, numpy Generator or RandomState, default=0
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
    loss = model.contrastive_loss(X, y, discrete=discrete, n_batches=n_batches,
                                  random_state=random_state)
    return bits(loss, model.chance_loss_)


def bits(loss: Any, chance: float) -> Any:
    """``(chance - loss) · log2(e)``: how far below chance a loss is, in bits.

    Parameters
    ----------
    loss : float or ndarray
        InfoNCE values.
    chance : float
        The InfoNCE at chance (the log of the denominator terms).

    Examples
    --------
    >>> import math
    >>> from identica.metrics import bits
    >>> round(bits(math.log(512) - math.log(2), math.log(512)), 6)
    1.0
    """
    return (chance - loss) * math.log2(math.e)


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
    return bits(model.loss_history_, model.chance_loss_)
