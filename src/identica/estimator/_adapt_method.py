# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""``Embedding.adapt``: map a new recording into a fitted embedding space."""

from __future__ import annotations

from typing import Any

from identica.estimator import _fit
from identica.estimator._state import FittedState

__all__ = ["AdaptMethod"]


class AdaptMethod:
    """:meth:`adapt` of :class:`~identica.Embedding`; uses the estimator's ``_config()`` (its
    checked parameters) and ``_fitted()`` (its fitted state, from ``FittedAttributes``)."""

    _state: FittedState

    def adapt(
        self,
        X: Any,
        y: Any = None,
        *,
        discrete: Any = None,
        trial_starts: Any = None,
        from_session: int = 0,
        anchor: Any = None,
    ) -> Any:
        """Map a new recording (another animal, other neurons) into the fitted embedding space.

        Copies the encoder of ``from_session``, replaces its input layer by a freshly
        initialised one for the new number of channels, freezes every other parameter and the
        temperature, and trains ``max_adapt_iterations`` steps with the fitted conditional
        (``time`` when no labels are given). A single-session model is replaced in place; a
        multi-session model gets the new recording as one more session. The optimiser starts
        afresh afterwards.

        Without ``anchor`` the new recording is aligned only through the frozen layers, which
        leaves symmetries of the behaviour open (a track can come out mirrored). Passing the
        fitted session's recording as ``anchor=(X, y)`` deals positives across the two
        recordings by label similarity, as in multi-session training, so equal labels land at
        equal embeddings.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The new recording; ``n_features`` may differ from the fitted ones.
        y, discrete, trial_starts : optional
            Labels and trials as for :meth:`fit`.
        from_session : int, default=0
            Session whose encoder is copied.
        anchor : tuple, optional
            ``(X, y)`` or ``(X, y, discrete)`` of session ``from_session``'s recording.

        Returns
        -------
        Embedding
            ``self``.

        Examples
        --------
        >>> import identica
        >>> old, new = identica.synthetic.linear_track(n_samples=1500, n_neurons=[30, 45],
        ...                                            n_sessions=2)
        >>> model = identica.Embedding(encoder="mlp", batch_size=64, max_iterations=20,
        ...                            max_adapt_iterations=10, random_state=0)
        >>> model = model.fit(old.neural, old.continuous).adapt(new.neural, new.continuous)
        >>> model.transform(new.neural).shape
        (1500, 8)
        """
        self._state = _fit.adapt(self._config(), self._fitted(), X, y, discrete, trial_starts,
                                 from_session, anchor)
        return self
