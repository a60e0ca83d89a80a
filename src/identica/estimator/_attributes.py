# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The fitted attributes of ``Embedding``, read from its one :class:`FittedState`, and the
fitted model's loss and score on new data."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import nn

from identica.data._offset import Offset
from identica.estimator._state import FittedState
from identica.exceptions import NotFittedError

__all__ = ["FittedAttributes"]


class FittedAttributes:
    """Read-only fitted attributes (``encoders_``, ``loss_``, ...) over ``self._state``, and
    :meth:`contrastive_loss`, the fitted model's loss on new data (next to ``chance_loss_``)."""

    _state: FittedState

    def _fitted(self) -> FittedState:
        state = self.__dict__.get("_state")
        if state is None:
            raise NotFittedError(
                "This Embedding is not fitted yet. Call fit(X, y) before transform, save or "
                "goodness_of_fit."
            )
        return state

    def _check_fitted(self) -> None:
        self._fitted()

    def __sklearn_is_fitted__(self) -> bool:
        return "_state" in self.__dict__

    @property
    def encoders_(self) -> nn.ModuleList:
        """The trained encoders: one, or one per session width."""
        return self._fitted().network.encoders

    @property
    def encoder_(self) -> nn.Module:
        """The trained encoder (of a single-session model, or shared by all sessions)."""
        encoders = self.encoders_
        if len(encoders) > 1:
            raise AttributeError(
                f"This Embedding has one encoder per session ({len(encoders)}); use "
                "encoders_[session]."
            )
        return encoders[0]

    @property
    def session_encoder_(self) -> list[int]:
        """Index into ``encoders_`` for every session."""
        return list(self._fitted().network.session_encoder)

    @property
    def loss_(self) -> nn.Module:
        """The loss module (holds a learned temperature)."""
        return self._fitted().network.loss

    @property
    def optimizer_(self) -> torch.optim.Optimizer:
        """The optimiser (its state continues in ``partial_fit`` and after ``load``)."""
        return self._fitted().network.optimizer

    @property
    def conditional_(self) -> str:
        """The conditional trained (``"multi-objective"`` with objectives)."""
        return self._fitted().conditional

    @property
    def objective_conditionals_(self) -> list[str]:
        """The conditional of every objective (multi-objective and hybrid models)."""
        conditionals = self._fitted().objective_conditionals
        if conditionals is None:
            raise AttributeError("This Embedding was fitted without objectives.")
        return list(conditionals)

    @property
    def adapted_conditional_(self) -> str:
        """The conditional of the last :meth:`adapt`."""
        conditional = self._fitted().adapted_conditional
        if conditional is None:
            raise AttributeError("This Embedding has not been adapted.")
        return conditional

    @property
    def receptive_field_(self) -> Offset:
        """The encoder's receptive field."""
        return self._fitted().receptive_field

    @property
    def device_(self) -> torch.device:
        """Where the encoders live."""
        return self._fitted().device

    @property
    def n_features_per_session_(self) -> list[int]:
        """Input channels of every session."""
        return list(self._fitted().n_features_per_session)

    @property
    def n_sessions_(self) -> int:
        """Number of sessions fitted (and adapted)."""
        return len(self._fitted().n_features_per_session)

    @property
    def n_features_in_(self) -> int:
        """Number of input channels (single-session models)."""
        widths = self._fitted().n_features_per_session
        if len(widths) != 1:
            raise AttributeError(
                f"This Embedding was fitted on {len(widths)} sessions; see "
                "n_features_per_session_."
            )
        return int(widths[0])

    @property
    def n_iter_(self) -> int:
        """Steps trained in total (adaptation steps included)."""
        return len(self._fitted().history)

    @property
    def loss_history_(self) -> np.ndarray:
        """The loss optimised at every step, shape ``(n_iter_,)``: InfoNCE (summed over
        objectives), plus the weighted Jacobian penalty when regularised."""
        return self._fitted().history[:, 0].copy()

    @property
    def alignment_history_(self) -> np.ndarray:
        """Alignment part of the loss of every step, shape ``(n_iter_,)``."""
        return self._fitted().history[:, 1].copy()

    @property
    def uniformity_history_(self) -> np.ndarray:
        """Uniformity part of the loss of every step, shape ``(n_iter_,)``."""
        return self._fitted().history[:, 2].copy()

    @property
    def chance_loss_(self) -> float:
        """The loss at chance: the log of the denominator terms, summed with the weights of
        the objectives (the reference of goodness of fit)."""
        spec = self._fitted().spec
        terms = (spec["loss"]["terms"] or [{"weight": 1.0}])
        config = self._config()  # type: ignore[attr-defined]
        n = config.batch_size - 1 if config.negatives == "references" else (
            config.num_negatives or config.batch_size)
        n += 1 if spec["loss"]["denominator"] == "full" else 0
        return float(sum(t["weight"] for t in terms) * math.log(n))

    @property
    def _n_features_out(self) -> int:
        return int(self._fitted().spec["output_dimension"])

    def contrastive_loss(
        self, X: Any, y: Any = None, *, discrete: Any = None, n_batches: int = 500,
        random_state: Any = 0,
    ) -> float:
        """Mean loss of the fitted model on ``n_batches`` batches drawn from ``(X, y)``.

        Batches are drawn as in training (the fitted conditional or objectives, negatives and
        loss; no Jacobian penalty), the encoders run in eval mode. Compare with
        ``chance_loss_``, or use :func:`identica.metrics.goodness_of_fit` for bits.

        Parameters
        ----------
        X, y, discrete
            Data and labels as for :meth:`fit` (a list of arrays for a multi-session model).
        n_batches : int, default=500
            Batches to average over.
        random_state : int, numpy Generator or RandomState, default=0
            Seed of the batch draws.

        Returns
        -------
        float
        """
        from identica.estimator._evaluate import mean_loss

        config = self._config()  # type: ignore[attr-defined]
        return mean_loss(config, self._fitted(), X, y, discrete, n_batches, random_state)

    def score(self, X: Any, y: Any = None, *, discrete: Any = None) -> float:
        """Goodness of fit on ``(X, y)`` in bits: higher is better (scikit-learn's convention).

        :func:`identica.metrics.goodness_of_fit` over 100 batches drawn with a fixed seed, so
        the same model and data always give the same score. This is what scikit-learn's
        ``GridSearchCV`` and :func:`identica.distributed.search` rank candidates by. Bits are
        measured against the chance loss of the model's own number of negatives: compare
        models that draw as many negatives per step (the same ``batch_size`` and
        ``num_negatives``).

        Parameters
        ----------
        X, y, discrete
            Data and labels as for :meth:`fit`; the model's conditional needs its labels.

        Returns
        -------
        float

        Examples
        --------
        >>> import identica
        >>> data = identica.synthetic.linear_track(n_samples=1000, n_neurons=20)
        >>> model = identica.Embedding(encoder="mlp", batch_size=64, max_iterations=50,
        ...                            random_state=0).fit(data.neural, data.continuous)
        >>> model.score(data.neural, data.continuous) > 0
        True
        """
        from identica.metrics import goodness_of_fit

        return goodness_of_fit(self, X, y, discrete=discrete, n_batches=100, random_state=0)
