# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""``identica.compat.CEBRA``: CEBRA 0.6.1's scikit-learn names and call shapes over Embedding."""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin

from identica._checks import check_int
from identica.compat._file import read, write
from identica.compat._translate import Labels, embedding_params, in_cebra_terms, split_labels
from identica.data._sessions import is_session_list
from identica.estimator import Embedding
from identica.estimator._cebra_names import CEBRA_DEFAULT_OPTIMIZER_KWARGS
from identica.exceptions import (
    CompatibilityWarning,
    ConfigurationError,
    ModelFileError,
    NotFittedError,
)

__all__ = ["CEBRA"]

class CEBRA(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """CEBRA 0.6.1's ``cebra.CEBRA`` parameters and calls, trained by :class:`~identica.Embedding`.

    Each parameter has CEBRA's name and default; the README section "Coming from CEBRA" gives
    the identica parameter of each and what differs. A fit translates them into an
    :class:`~identica.Embedding` (``embedding_``) as CEBRA would configure itself for the
    labels given: no labels train time-contrastive, one integer array trains ``discrete``,
    float and integer arrays together train ``mixed`` (``conditional`` applies to continuous
    labels only, as in CEBRA). Negatives are ``batch_size`` independent draws, as in CEBRA.

    Parameters
    ----------
    model_architecture : str, default="offset1-model"
        A CEBRA model name: ``"offset1-model"`` is identica's ``"mlp"``, ``"offsetN-model"``
        its ``"convN"`` (N in 5, 10, 15, 20, 36, 50), ``-mse`` variants are the same networks
        without output normalisation, ``"offset1-model-mse-clip-5-5"`` is ``"mlp-clip"``.
        Other CEBRA names train the nearest encoder with a
        :class:`~identica.exceptions.CompatibilityWarning`.
    device : str, default="cuda_if_available"
        ``"cuda_if_available"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.
    criterion : {"infonce"}, default="infonce"
        The loss (InfoNCE only, as in CEBRA).
    distance : {"cosine", "euclidean"}, default="cosine"
        CEBRA's ``"cosine"`` is the dot product of the encoder's output (a cosine for
        normalised architectures); ``"euclidean"`` is the negative squared distance.
    conditional : {"time", "time_delta", "delta"}, optional
        Positive pairs for continuous labels; ``None`` is ``"time_delta"``.
    temperature : float, default=1.0
        InfoNCE temperature (the start value with ``temperature_mode="auto"``).
    temperature_mode : {"constant", "auto"}, default="constant"
        ``"auto"`` learns the temperature, floored at ``min_temperature``.
    min_temperature : float, default=0.1
        Floor of a learned temperature (``None`` only with a constant temperature).
    time_offsets : int or tuple of int, default=1
        Steps between a reference and its positive; a tuple draws one per sample.
    delta : float, optional
        Label noise scale of the ``"delta"`` conditional.
    max_iterations : int, default=10000
        Training steps of ``fit``.
    max_adapt_iterations : int, default=500
        Training steps of ``fit(..., adapt=True)``.
    batch_size : int, optional
        Positive pairs per step (per session); ``None`` takes as many as the (shortest)
        recording has rows, CEBRA's full-batch training.
    learning_rate : float, default=3e-4
        Adam learning rate.
    optimizer : {"adam"}, default="adam"
        The optimiser (Adam only, as in CEBRA).
    output_dimension : int, default=8
        Embedding dimension.
    verbose : bool, default=False
        Show a progress bar.
    num_hidden_units : int, default=32
        Width of the hidden layers.
    pad_before_transform : bool, default=True
        ``False`` drops the edge rows whose window leaves the recording:
        ``transform`` then returns ``n_samples - receptive field + 1`` rows.
    hybrid : bool, default=False
        Train behaviour on the first 3 dimensions and time on all of them.
    optimizer_kwargs : tuple of (str, value) pairs
        Must be CEBRA's default (Adam's defaults, no weight decay).
    masking_kwargs : None
        Input masking is not supported; must be ``None``.
    random_state : int, optional
        identica's addition: seeds initialisation and sampling (bit-identical on CPU).

    Attributes
    ----------
    embedding_ : Embedding
        The fitted identica estimator (``loss_history_``, ``receptive_field_``, ...).
    n_features_in_ : int
        Input channels (single-session fits).
    num_sessions_ : int or None
        Number of sessions, ``None`` for a single-session fit (as in CEBRA).

    Examples
    --------
    >>> import numpy as np
    >>> from identica.compat import CEBRA
    >>> X = np.random.default_rng(0).normal(size=(500, 20)).astype(np.float32)
    >>> position = np.linspace(0, 1, 500).astype(np.float32)
    >>> model = CEBRA(model_architecture="offset10-model", batch_size=64, max_iterations=5,
    ...               time_offsets=10, device="cpu", random_state=0)
    >>> model.fit(X, position).transform(X).shape
    (500, 8)
    """

    def __init__(
        self,
        model_architecture: str = "offset1-model",
        device: str = "cuda_if_available",
        criterion: str = "infonce",
        distance: str = "cosine",
        conditional: str | None = None,
        temperature: float = 1.0,
        temperature_mode: str = "constant",
        min_temperature: float | None = 0.1,
        time_offsets: int | tuple[int, ...] = 1,
        delta: float | None = None,
        max_iterations: int = 10000,
        max_adapt_iterations: int = 500,
        batch_size: int | None = None,
        learning_rate: float = 3e-4,
        optimizer: str = "adam",
        output_dimension: int = 8,
        verbose: bool = False,
        num_hidden_units: int = 32,
        pad_before_transform: bool = True,
        hybrid: bool = False,
        optimizer_kwargs: tuple[tuple[str, Any], ...] = CEBRA_DEFAULT_OPTIMIZER_KWARGS,
        masking_kwargs: tuple[tuple[str, Any], ...] | None = None,
        *,
        random_state: Any = None,
    ) -> None:
        self.model_architecture = model_architecture
        self.device = device
        self.criterion = criterion
        self.distance = distance
        self.conditional = conditional
        self.temperature = temperature
        self.temperature_mode = temperature_mode
        self.min_temperature = min_temperature
        self.time_offsets = time_offsets
        self.delta = delta
        self.max_iterations = max_iterations
        self.max_adapt_iterations = max_adapt_iterations
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.output_dimension = output_dimension
        self.verbose = verbose
        self.num_hidden_units = num_hidden_units
        self.pad_before_transform = pad_before_transform
        self.hybrid = hybrid
        self.optimizer_kwargs = optimizer_kwargs
        self.masking_kwargs = masking_kwargs
        self.random_state = random_state

    # -- fitting ---------------------------------------------------------------------------

    def fit(self, X: Any, y: Any = None, *more: Any, adapt: bool = False, callback: Any = None,
            callback_frequency: Any = None) -> CEBRA:
        """Train on ``X`` with CEBRA's labels ``fit(X, y1, y2)`` (or adapt a fitted model to X).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or list of such arrays
            Neural data; a list holds one array per session.
        y, *more : array-like of shape (n_samples,) or (n_samples, n_labels)
            Labels, sorted by dtype as in CEBRA (``fit(X, y1, y2)`` in any order): float arrays
            are continuous behaviour (several are joined column-wise), one integer array holds
            discrete classes. With a list ``X`` each label is a list with one array per
            session.
        adapt : bool, default=False
            On a fitted model, map the new recording into the fitted embedding instead
            (``max_adapt_iterations`` steps of a fresh input layer; see
            :meth:`identica.Embedding.adapt`).
        callback, callback_frequency : None
            Not supported: must be None (use ``verbose=True``, or :meth:`partial_fit` in a
            loop).

        Returns
        -------
        CEBRA
            ``self``, fitted.

        Raises
        ------
        ConfigurationError
            A parameter is out of range or a CEBRA setting identica does not run.
        DataValidationError
            Malformed data or labels.
        """
        self._check_no_callback(callback, callback_frequency)
        labels = split_labels(X, (y, *more))
        if adapt and "embedding_" in self.__dict__:
            model = self.embedding_
            model.set_params(max_adapt_iterations=self.max_adapt_iterations)
            self._train(model.adapt, X, labels)
            return self._fitted_on(model, X)
        return self._fit_new(X, labels, partial=False)

    def partial_fit(self, X: Any, y: Any = None, *more: Any) -> CEBRA:
        """Train ``max_iterations`` more steps on ``X`` (from scratch if not fitted yet).

        Labels are as for :meth:`fit`; the encoder, optimiser state and random stream continue
        from the previous call.

        Returns
        -------
        CEBRA
            ``self``.
        """
        labels = split_labels(X, (y, *more))
        if "embedding_" not in self.__dict__:
            return self._fit_new(X, labels, partial=True)
        model = self.embedding_
        self._train(model.partial_fit, X, labels)
        return self._fitted_on(model, X)

    def fit_transform(self, X: Any, y: Any = None, *more: Any, adapt: bool = False,
                      callback: Any = None, callback_frequency: Any = None) -> np.ndarray:
        """:meth:`fit`, then :meth:`transform` of ``X``.

        Returns
        -------
        ndarray of shape (n_samples, output_dimension), float32
        """
        return self.fit(X, y, *more, adapt=adapt, callback=callback,
                        callback_frequency=callback_frequency).transform(X)

    def _fit_new(self, X: Any, labels: Labels, *, partial: bool) -> CEBRA:
        params, notes = embedding_params(self.get_params(), X, labels)
        for note in notes:
            warnings.warn(note, CompatibilityWarning, stacklevel=3)
        model = Embedding(**params)
        self._train(model.partial_fit if partial else model.fit, X, labels)
        return self._fitted_on(model, X)

    @staticmethod
    def _train(method: Any, X: Any, labels: Labels) -> None:
        try:
            method(X, labels.continuous, discrete=labels.discrete)
        except ConfigurationError as error:
            raise in_cebra_terms(error) from error

    def _fitted_on(self, model: Embedding, X: Any) -> CEBRA:
        self.embedding_ = model
        widths = model.n_features_per_session_
        multi = is_session_list(X) or len(widths) > 1
        self.num_sessions_ = len(widths) if multi else None
        if len(widths) == 1:
            self.n_features_in_ = int(widths[0])
        else:
            self.__dict__.pop("n_features_in_", None)
        return self

    @staticmethod
    def _check_no_callback(callback: Any, callback_frequency: Any) -> None:
        if callback is not None or callback_frequency is not None:
            raise ConfigurationError(
                "'callback' of CEBRA.fit must be None: identica's fit takes no per-step "
                "callback. Use verbose=True for a progress bar, or partial_fit in a loop to act "
                f"between steps. Got callback={callback!r}, "
                f"callback_frequency={callback_frequency!r}."
            )

    # -- embedding -------------------------------------------------------------------------

    def _fitted(self) -> Embedding:
        model = self.__dict__.get("embedding_")
        if model is None:
            raise NotFittedError(
                "This CEBRA is not fitted yet. Call fit(X, *y) before transform or save."
            )
        return model

    def __sklearn_is_fitted__(self) -> bool:
        return "embedding_" in self.__dict__

    def transform(self, X: Any, batch_size: int | None = None,
                  session_id: int | None = None) -> Any:
        """Embed ``X``: one row per input row (fewer with ``pad_before_transform=False``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Neural data with the features seen in ``fit``.
        batch_size : int, optional
            CEBRA's chunk size; identica embeds in chunks of its own, and the result does not
            depend on it.
        session_id : int, optional
            The session whose encoder embeds ``X`` (multi-session models).

        Returns
        -------
        ndarray of shape (n_samples, output_dimension), float32
        """
        model = self._fitted()
        check_int(batch_size, name="batch_size", owner="CEBRA.transform", low=1,
                  allow_none=True)
        try:
            embedding = model.transform(X, session=session_id)
        except ConfigurationError as error:
            raise in_cebra_terms(error) from error
        if self.pad_before_transform:
            return embedding
        field = model.receptive_field_
        crop = slice(field.left, None if field.right == 1 else 1 - field.right)
        return [z[crop] for z in embedding] if isinstance(embedding, list) else embedding[crop]

    @property
    def _n_features_out(self) -> int:
        return int(self._fitted().output_dimension)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.non_deterministic = self.random_state is None
        return tags

    # -- files -----------------------------------------------------------------------------

    def save(self, filename: str | os.PathLike[str]) -> None:
        """Write the fitted model to one ``.safetensors`` file (no pickle).

        The file is an identica model file (:func:`identica.load` reads its
        :class:`~identica.Embedding`) that also records CEBRA's parameters, so
        :meth:`CEBRA.load` gives this estimator back. CEBRA itself cannot read it.

        Parameters
        ----------
        filename : str or PathLike
            Where to write (any suffix; ``.safetensors`` is the convention).
        """
        write(self._fitted(), self.get_params(), self.num_sessions_, filename)

    @classmethod
    def load(cls, filename: str | os.PathLike[str], *, device: str = "cpu") -> CEBRA:
        """Load a model written by :meth:`save`, on ``device`` (CPU by default).

        Parameters
        ----------
        filename : str or PathLike
            A file written by :meth:`CEBRA.save`. CEBRA's own ``.pt`` checkpoints are pickles
            and are refused with a note on what to do instead.
        device : str, default="cpu"
            Where to put the weights.

        Returns
        -------
        CEBRA
            A fitted estimator.

        Raises
        ------
        ModelFileError
            The file is not one that :meth:`save` wrote (a plain :class:`~identica.Embedding`
            file loads with :func:`identica.load`).
        """
        model, params, num_sessions = read(filename, device)
        try:
            estimator = cls(**params, random_state=model.random_state)
        except TypeError as error:
            raise ModelFileError(
                f"{os.fspath(filename)!r} has malformed compat.CEBRA metadata: {error}"
            ) from error
        estimator.embedding_ = model
        estimator.num_sessions_ = num_sessions
        if len(model.n_features_per_session_) == 1:
            estimator.n_features_in_ = int(model.n_features_per_session_[0])
        return estimator
