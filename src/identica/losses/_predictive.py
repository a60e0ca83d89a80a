# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Predictive InfoNCE: a prediction of the positive's embedding against it and the negatives."""

from __future__ import annotations

from typing import Any

import torch

from identica.losses._base import AbstractContrastiveLoss
from identica.losses._infonce import LossParts, infonce
from identica.losses._similarity import euclidean

__all__ = ["PredictiveInfoNCE", "predictive_infonce"]


def predictive_infonce(
    prediction: torch.Tensor,
    positive: torch.Tensor,
    negative: torch.Tensor,
    *,
    temperature: float | torch.Tensor = 1.0,
    exclude_self: bool = False,
) -> LossParts:
    """InfoNCE of predictions against their positives, squared distance, full denominator.

    For ``r_i`` the prediction of the positive ``p_i`` (in dynamics contrastive learning
    ``r_i = f̂(h(y_t))``, ``p_i = h(y_{t+1})``) and negatives ``n_j``, the loss of row ``i`` is::

        |r_i - p_i|² / τ + log( exp(-|r_i - p_i|² / τ) + Σ_j exp(-|r_i - n_j|² / τ) )

    averaged over rows. It is :func:`infonce` with ``similarity=euclidean`` and
    ``denominator="full"``, the prediction in the place of the reference; so with ``f̂`` the
    identity it is exactly the time-contrastive InfoNCE with squared distance. The denominator
    is a log-sum-exp computed in row blocks (stable for any distance, never an
    ``(n, m)`` matrix in memory). Its chance value is ``log(M + 1)`` for ``M`` negatives.

    Parameters
    ----------
    prediction, positive : Tensor of shape (n, d)
        Predictions and the embeddings they predict, row by row.
    negative : Tensor of shape (m, d)
        Negatives shared by all rows.
    temperature : float or Tensor
        τ > 0 (1 in the DCL reference).
    exclude_self : bool
        Drop ``n_i`` from row ``i``'s denominator (when the negatives are the rows' own
        references).

    Returns
    -------
    LossParts
        ``total`` (the mean loss), ``alignment = mean |r - p|² / τ`` and ``uniformity`` (the
        mean log-sum-exp).

    Examples
    --------
    >>> import math, torch
    >>> from identica.losses import predictive_infonce
    >>> r = torch.zeros(1, 2)
    >>> parts = predictive_infonce(r, torch.zeros(1, 2), torch.ones(3, 2))
    >>> round(float(parts.total), 4) == round(math.log(1 + 3 * math.exp(-2)), 4)
    True
    """
    return infonce(prediction, positive, negative, similarity=euclidean,
                   temperature=temperature, denominator="full", exclude_self=exclude_self)


class PredictiveInfoNCE(AbstractContrastiveLoss):
    """:func:`predictive_infonce` as a module: the loss of dynamics contrastive learning.

    Its first argument is the prediction of the positive (made by a dynamics model from the
    reference's embedding; see :class:`identica.dynamics.DynamicsObjective`), not the reference
    itself.

    Parameters
    ----------
    temperature : float, default=1.0
        τ > 0.

    Raises
    ------
    ValueError
        If ``temperature`` is not a positive number.

    Examples
    --------
    >>> import torch
    >>> from identica.losses import PredictiveInfoNCE
    >>> z = torch.randn(8, 3)
    >>> loss = PredictiveInfoNCE()(z, z, torch.randn(16, 3))
    >>> bool(loss.alignment == 0), loss.total.shape
    (True, torch.Size([]))
    """

    def __init__(self, *, temperature: float = 1.0) -> None:
        super().__init__()
        if isinstance(temperature, bool) or not isinstance(temperature, int | float) or not (
            0.0 < float(temperature) < float("inf")
        ):
            raise ValueError(
                f"'temperature' of PredictiveInfoNCE must be a finite number > 0. "
                f"Got {temperature!r}."
            )
        self.register_buffer("temperature", torch.tensor(float(temperature)))

    def forward(
        self,
        prediction: torch.Tensor,
        positive: torch.Tensor,
        negative: torch.Tensor,
        *,
        exclude_self: bool = False,
        context: Any = None,
    ) -> LossParts:
        """Loss of ``(n, d)`` predictions of their positives against ``(m, d)`` negatives."""
        return predictive_infonce(prediction, positive, negative, temperature=self.temperature,
                                  exclude_self=exclude_self)
