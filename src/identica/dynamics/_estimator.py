# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""``DynamicsEmbedding``: an embedding and a dynamics model in it, learnt together."""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin

from identica._checks import check_int
from identica._runtime import choose_threads, encoder_work, num_threads, resolve_device
from identica.data._validate import check_neural
from identica.dynamics import _file
from identica.dynamics._config import OWNER, DynamicsConfig
from identica.dynamics._fit import DynamicsState, train
from identica.dynamics._models import AbstractDynamics
from identica.dynamics._predict import modes_of, rollout, rollout_controls
from identica.dynamics._validate import (
    check_controls,
    check_features,
    check_trial_starts,
    consecutive_pairs,
)
from identica.estimator._fit import check_callbacks
from identica.exceptions import DataValidationError, NotFittedError
from identica.nn._embed import embed
from identica.training._solver import TrainingInterrupted

__all__ = ["DynamicsEmbedding"]


class DynamicsEmbedding(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Learn an embedding of a time series together with linear or switching dynamics in it.

    Dynamics contrastive learning (DCL; González Laiz, Schmidt & Schneider, ICLR 2025): an
    encoder ``h`` and a dynamics model ``f̂`` are trained so that ``f̂(h(y_t))`` predicts
    ``h(y_{t+1})`` against negatives from the whole recording (predictive InfoNCE, squared
    distance, positive in the denominator). With ``f̂`` matched to the data's dynamics the
    embedding recovers the latents up to an affine map and ``f̂`` the dynamics transported by
    it; ``"identity"`` is the time-contrastive baseline. Pairs never cross a trial border.

    Parameters
    ----------
    dynamics : {"identity", "linear", "slds"}, default="linear"
        ``f̂``: frozen identity; one learnable matrix (starting at I); or ∇-SLDS, ``n_modes``
        matrices with the mode of each step chosen by its prediction error (Gumbel-softmax in
        training, the best mode in evaluation).
    n_modes : int, default=1
        Modes of ``"slds"`` (must be 1 for the others).
    encoder : str, default="mlp-scaled"
        An encoder of :func:`identica.nn.make_encoder`, output unconstrained. ``"mlp-scaled"``
        is the DCL network, widths 30d, 30d, 10d from the output dimension d.
    output_dimension : int, default=8
        Embedding dimension d (the latent dimension you look for).
    hidden_units : int, default=32
        Hidden width of the ``"mlp"`` and ``"conv*"`` encoders (the ``"mlp-*"`` networks of
        fixed shape ignore it).
    batch_size : int, default=512
        Pairs ``(t, t + 1)`` per step.
    num_negatives : int, default=4096
        Negatives per step, drawn from all rows, independent of ``batch_size``.
    max_iterations : int, default=5000
        Training steps.
    learning_rate : float, default=1e-3
        Adam learning rate of the encoder.
    dynamics_learning_rate : float, default=1e-2
        Adam learning rate of the dynamics model.
    temperature : float, default=1.0
        InfoNCE temperature.
    detach_logits : bool, default=False
        ``"slds"`` only: no gradient through the mode logits.
    device : str, default="auto"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"mps"`` or ``"auto"``.
    num_threads : int, optional
        CPU threads; ``None`` chooses as :class:`identica.Embedding` does.
    random_state : int, optional
        Seeds initialisation, sampling and the Gumbel noise: bit-identical fits on CPU.
    verbose : bool, default=False
        Show a progress bar with the loss.

    Attributes
    ----------
    encoder_ : nn.Module
        The trained encoder.
    dynamics_ : AbstractDynamics
        The trained dynamics model, in embedding space (``dynamics_.matrices``: ``(K, d, d)``).
    matrices_ : ndarray of shape (n_modes, d, d)
        Its transition matrices; ``control_matrix_`` is ``B`` of shape ``(d, n_controls)``,
        or ``None``.
    loss_history_ : ndarray of shape (n_iter_,)
        The loss of every step (``alignment_history_``, ``uniformity_history_``: its parts).
    n_iter_ : int
        Steps trained.
    n_features_in_ : int
        Input channels.
    n_controls_ : int
        Control inputs per step seen in fit (0: none).

    Examples
    --------
    >>> import numpy as np
    >>> from identica.dynamics import DynamicsEmbedding
    >>> rng = np.random.default_rng(0)
    >>> angle = 0.1
    >>> A = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    >>> x = [rng.normal(size=2)]
    >>> for _ in range(399):
    ...     x.append(A @ x[-1] + 0.01 * rng.normal(size=2))
    >>> X = np.tanh(np.array(x) @ rng.normal(size=(2, 10)))
    >>> model = DynamicsEmbedding(output_dimension=2, batch_size=64, num_negatives=128,
    ...                           max_iterations=20, random_state=0).fit(X)
    >>> model.transform(X).shape, model.matrices_.shape, model.predict(X, 3).shape
    ((400, 2), (1, 2, 2), (400, 3, 2))
    """

    def __init__(
        self,
        *,
        dynamics: str = "linear",
        n_modes: int = 1,
        encoder: str = "mlp-scaled",
        output_dimension: int = 8,
        hidden_units: int = 32,
        batch_size: int = 512,
        num_negatives: int = 4096,
        max_iterations: int = 5000,
        learning_rate: float = 1e-3,
        dynamics_learning_rate: float = 1e-2,
        temperature: float = 1.0,
        detach_logits: bool = False,
        device: str = "auto",
        num_threads: int | None = None,
        random_state: Any = None,
        verbose: bool = False,
    ) -> None:
        self.dynamics = dynamics
        self.n_modes = n_modes
        self.encoder = encoder
        self.output_dimension = output_dimension
        self.hidden_units = hidden_units
        self.batch_size = batch_size
        self.num_negatives = num_negatives
        self.max_iterations = max_iterations
        self.learning_rate = learning_rate
        self.dynamics_learning_rate = dynamics_learning_rate
        self.temperature = temperature
        self.detach_logits = detach_logits
        self.device = device
        self.num_threads = num_threads
        self.random_state = random_state
        self.verbose = verbose

    # -- fitting ---------------------------------------------------------------------------

    def fit(self, X: Any, trial_starts: Any = None, *, controls: Any = None,
            callbacks: Any = None) -> DynamicsEmbedding:
        """Train a fresh encoder and dynamics model on one recording of one or more trials.

        Ctrl-C ends training after the running step; the estimator keeps the steps done
        (``n_iter_``), warns, and the ``KeyboardInterrupt`` propagates.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Observations, one row per time step, trials one after the other.
        trial_starts : array-like of shape (n_trials,), optional
            First row of every trial, strictly increasing (0 is added when missing); no pair
            ``(t, t + 1)`` crosses a trial border. ``None``: one trial.
        controls : array-like of shape (n_samples, n_controls), optional
            Known inputs: ``u_t`` acts between rows t and t + 1, and the dynamics model learns
            a control matrix ``B`` (``"linear"`` and ``"slds"``).
        callbacks : list of identica.training.AbstractCallback, optional
            Called every ``callback.every`` steps as for :meth:`identica.Embedding.fit`
            (a learning-rate schedule, a stop rule); ``True`` stops training.

        Returns
        -------
        DynamicsEmbedding
            ``self``, fitted.

        Raises
        ------
        ConfigurationError
            A parameter is unknown or out of range (checked before any training).
        DataValidationError
            Malformed ``X``, ``trial_starts`` or ``controls``.
        """
        config = DynamicsConfig.from_params(self.get_params())
        callbacks = check_callbacks(callbacks, f"{OWNER}.fit")
        neural = check_neural(X)
        n = neural.shape[0]
        if n < 2:
            raise DataValidationError(
                f"X has {n} sample(s) (time steps); {OWNER}.fit needs at least 2 (a pair of "
                "consecutive rows)."
            )
        starts = check_trial_starts(trial_starts, n, "fit")
        if len(consecutive_pairs(starts, n)) == 0:
            raise DataValidationError(
                f"'trial_starts' of {OWNER}.fit leaves no trial of two rows or more, so there "
                f"is no pair (t, t + 1) to learn from. Got {len(starts)} trials for {n} rows."
            )
        u = check_controls(controls, n, None, "fit")
        if u is not None and config.dynamics == "identity":
            raise DataValidationError(
                f"'controls' of {OWNER}.fit need a dynamics model with a control matrix: "
                "dynamics='linear' or 'slds'. Got dynamics='identity'."
            )
        device = resolve_device(config.device, owner=OWNER)
        try:
            self._state = train(config, neural, starts, u, device, callbacks)
        except TrainingInterrupted as stop:
            if stop.result is not None:
                self._state = stop.result
                warnings.warn(
                    f"{OWNER}.fit was interrupted after {stop.steps} of "
                    f"{config.max_iterations} steps; the estimator keeps those steps.",
                    UserWarning, stacklevel=2,
                )
            raise
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.non_deterministic = self.random_state is None
        return tags

    # -- fitted state ----------------------------------------------------------------------

    def _fitted(self) -> DynamicsState:
        state = self.__dict__.get("_state")
        if state is None:
            raise NotFittedError(
                f"This {OWNER} is not fitted yet. Call fit(X, trial_starts) first."
            )
        return state

    def __sklearn_is_fitted__(self) -> bool:
        return "_state" in self.__dict__

    @property
    def encoder_(self) -> torch.nn.Module:
        """The trained encoder."""
        return self._fitted().encoder

    @property
    def dynamics_(self) -> AbstractDynamics:
        """The trained dynamics model (a torch module, in eval mode)."""
        return self._fitted().dynamics

    @property
    def matrices_(self) -> np.ndarray:
        """The transition matrices of the dynamics model, ``(n_modes, d, d)``."""
        return self.dynamics_.matrices.detach().cpu().numpy().copy()

    @property
    def control_matrix_(self) -> np.ndarray | None:
        """The control matrix ``B`` of shape ``(d, n_controls)``, or ``None``."""
        matrix = self.dynamics_.control_matrix
        return None if matrix is None else matrix.detach().cpu().numpy().copy()

    @property
    def loss_history_(self) -> np.ndarray:
        """The loss of every step, ``(n_iter_,)``."""
        return self._fitted().history[:, 0].copy()

    @property
    def alignment_history_(self) -> np.ndarray:
        """The alignment part (mean squared prediction error) of every step."""
        return self._fitted().history[:, 1].copy()

    @property
    def uniformity_history_(self) -> np.ndarray:
        """The uniformity part (mean log-sum-exp) of every step."""
        return self._fitted().history[:, 2].copy()

    @property
    def n_iter_(self) -> int:
        """Steps trained."""
        return len(self._fitted().history)

    @property
    def n_features_in_(self) -> int:
        """Input channels."""
        return self._fitted().n_features

    @property
    def n_controls_(self) -> int:
        """Control inputs per step (0: none)."""
        return self._fitted().n_controls

    @property
    def _n_features_out(self) -> int:
        return int(self._fitted().dynamics.dimension)

    # -- embedding and dynamics ------------------------------------------------------------

    def _embed(self, X: Any, method: str) -> np.ndarray:
        state = self._fitted()
        neural = check_features(X, state.n_features, method)
        threads = choose_threads(self.num_threads, state.device,
                                 lambda: encoder_work(state.encoder, len(neural)))
        with num_threads(threads.count):
            return embed(state.encoder, torch.from_numpy(neural), state.device)

    def transform(self, X: Any) -> np.ndarray:
        """Embed every row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, output_dimension), float32
        """
        return self._embed(X, "transform")

    def predict_modes(self, X: Any, trial_starts: Any = None, *,
                      controls: Any = None) -> np.ndarray:
        """The mode of every row: the one that best predicts row t + 1 from row t.

        Modes are read from consecutive embeddings (``argmin_k |h_{t+1} - A_k h_t - B u_t|``),
        so the last row of each trial takes the mode of the row before it (a trial of one row:
        mode 0). Models with one mode return zeros.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        trial_starts : array-like of shape (n_trials,), optional
            First row of every trial, as in :meth:`fit`.
        controls : array-like of shape (n_samples, n_controls), optional
            Required when the model was fitted with controls.

        Returns
        -------
        ndarray of shape (n_samples,), int64
        """
        z = self._embed(X, "predict_modes")
        starts = check_trial_starts(trial_starts, len(z), "predict_modes")
        u = check_controls(controls, len(z), self.n_controls_, "predict_modes")
        state = self._fitted()
        return modes_of(state.dynamics, z, starts, u, state.device)

    def predict(self, X: Any, steps: int = 1, *, trial_starts: Any = None,
                controls: Any = None) -> np.ndarray:
        """Roll the learned dynamics forward from the embedding of every row.

        Row ``t``'s rollout is ``z_{t+s} = A_k z_{t+s-1} + B u`` for ``s = 1 .. steps``,
        starting at ``z_t = h(X_t)``; a switching model keeps the mode of row t
        (:meth:`predict_modes`) along the rollout.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        steps : int, default=1
            Steps to roll forward.
        trial_starts : array-like of shape (n_trials,), optional
            Trials, for the modes of a switching model.
        controls : array-like of shape (n_samples, steps, n_controls), optional
            The input of every step of every rollout (required when the model was fitted with
            controls); ``controls[:, 0]`` are also the ``u_t`` the modes are read with. With
            ``steps=1`` an array ``(n_samples, n_controls)`` is accepted.

        Returns
        -------
        ndarray of shape (n_samples, steps, output_dimension), float32
            ``[:, s - 1]`` is the prediction ``s`` steps ahead.
        """
        state = self._fitted()
        check_int(steps, name="steps", owner=f"{OWNER}.predict", low=1)
        z = self._embed(X, "predict")
        u = rollout_controls(controls, len(z), steps, state.n_controls)
        starts = check_trial_starts(trial_starts, len(z), "predict")
        modes = modes_of(state.dynamics, z, starts, None if u is None else u[:, 0], state.device)
        return rollout(state.dynamics, z, modes, u, steps, state.device)

    # -- files -----------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str], *,
             metadata: dict[str, str] | None = None) -> None:
        """Write the fitted model to one ``.safetensors`` file (weights + JSON config; no pickle).

        Load it with :func:`identica.dynamics.load`. ``metadata`` adds string entries of your
        own to the file's metadata.
        """
        _file.write(self.get_params(), self._fitted(), path, extra=metadata)
