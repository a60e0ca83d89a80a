# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The scikit-learn estimator of Equivariance by Contrast."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin

from identica._checks import check_choice, check_float, check_int, seed_sequence
from identica._runtime import num_threads, resolve_device, torch_generator
from identica.data._offset import Offset
from identica.data._validate import check_neural
from identica.data._windows import WindowGatherer
from identica.equivariance import _model_file
from identica.equivariance._estimate import PROJECTIONS, estimate_action
from identica.equivariance._objective import EquivariantObjective
from identica.exceptions import ConfigurationError, DataValidationError, NotFittedError
from identica.losses._infonce import DENOMINATORS
from identica.nn._base import reset_parameters
from identica.nn._embed import embed
from identica.nn._registry import make_encoder
from identica.sampling._group_pairs import NEGATIVES, GroupPairSampler
from identica.training._callbacks import ProgressBar
from identica.training._solver import Solver

__all__ = ["EquivariantEmbedding"]

_OWNER = "EquivariantEmbedding"
# MLP encoders on single observations (receptive field 1)
_ENCODERS = ("mlp",)


class EquivariantEmbedding(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Learn an embedding in which unlabeled group actions act linearly (Equivariance by Contrast).

    Schmidt, Schneider & Bethge, "Equivariance by Contrast", NeurIPS 2025. The data are pairs
    ``(y_i, y'_i)`` where ``y'_i`` is ``y_i`` acted on by an unknown group element; only
    which pairs share an element (``action``) is known. Every training step draws
    ``batch_size`` anchor actions with ``samples_per_action + 1`` pairs each
    (:class:`~identica.sampling.GroupPairSampler`), estimates each action's matrix ``Q`` from
    the embeddings of ``samples_per_action`` support pairs by least squares
    (:func:`estimate_action`), and trains the encoder ``h`` with InfoNCE (squared euclidean
    similarity, τ = 1) taking ``Q h(y_0)`` as the reference of
    the positive ``h(y'_0)`` against ``num_negatives`` negatives
    (:class:`EquivariantObjective` in the :class:`~identica.training.Solver` loop). With
    ``projection="identity"`` (``Q = I``) this is the invariant baseline.

    Parameters
    ----------
    encoder : {"mlp"}, default="mlp"
        identica's MLP on single observations: ``hidden_units``, ``hidden_units``,
        ``hidden_units / 2`` units with GELU, output left unnormalised.
    output_dimension : int, default=6
        Embedding dimension ``d``.
    hidden_units : int, default=128
        Width of the encoder.
    samples_per_action : int, default=8
        Support pairs per action and step (``S``); the least-squares solve wants ``S >= d``
        (or ``S >= group_dimension``).
    num_negatives : int, default=512
        Negatives per step, drawn uniformly over all pairs.
    batch_size : int, default=64
        Anchor actions per step.
    max_iterations : int, default=1000
        Training steps.
    learning_rate : float, default=1e-3
        Adam's learning rate.
    projection : {"orthogonal", "none", "procrustes", "identity"}, default="orthogonal"
        How ``Q`` is estimated: least squares projected to the nearest orthogonal matrix,
        plain least squares (general linear actions), orthogonal Procrustes, or ``Q = I``
        (the invariant baseline).
    group_dimension : int, optional
        ``Q`` acts on the first ``group_dimension`` embedding dimensions and is the identity
        on the rest (dimensions meant for content that no action changes).
    denominator : {"full", "negatives"}, default="full"
        ``"full"`` puts the positive into the logsumexp too, which bounds the loss below;
        ``"negatives"`` is the reference's loss, unbounded below for this unnormalised
        embedding: its scale keeps growing while it trains.
    negatives : {"both", "observed", "acted"}, default="both"
        Negatives are half observations ``y`` and half acted observations ``y'``, or all of
        one kind. With ``y`` only, actions that move samples off the observations' manifold
        (general linear ones) can be contrasted away without being learned.
    device : str, default="cpu"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"mps"`` or ``"auto"``.
    num_threads : int, optional
        CPU threads while fitting and embedding; ``None`` leaves torch's setting.
    random_state : int, numpy.random.Generator or None, default=None
        Seeds the initial weights and every sampling draw: with an int, two CPU fits give
        bit-identical embeddings (GPU kernels may not be deterministic).
    verbose : bool, default=False
        Show a progress bar.

    Attributes
    ----------
    encoder_ : nn.Module
        The trained encoder.
    loss_history_ : ndarray of shape (n_iter_, 3)
        Total, alignment and uniformity of every step.
    n_iter_ : int
        Steps trained.
    n_features_in_ : int
        Number of input features.

    Examples
    --------
    >>> from identica.equivariance import EquivariantEmbedding
    >>> from identica.synthetic import group_pairs
    >>> data = group_pairs("O", n_elements=20, n_samples=2000, random_state=0)
    >>> model = EquivariantEmbedding(output_dimension=6, batch_size=16, num_negatives=64,
    ...                              max_iterations=5, random_state=0)
    >>> model = model.fit(data.observed, data.observed_acted, data.action)
    >>> model.transform(data.observed[:3]).shape
    (3, 6)
    >>> model.action_matrix(data.observed[:8], data.observed_acted[:8]).shape
    (6, 6)
    """

    def __init__(
        self,
        *,
        encoder: str = "mlp",
        output_dimension: int = 6,
        hidden_units: int = 128,
        samples_per_action: int = 8,
        num_negatives: int = 512,
        batch_size: int = 64,
        max_iterations: int = 1000,
        learning_rate: float = 1e-3,
        projection: str = "orthogonal",
        group_dimension: int | None = None,
        denominator: str = "full",
        negatives: str = "both",
        device: str = "cpu",
        num_threads: int | None = None,
        random_state: int | np.random.Generator | None = None,
        verbose: bool = False,
    ) -> None:
        self.encoder = encoder
        self.output_dimension = output_dimension
        self.hidden_units = hidden_units
        self.samples_per_action = samples_per_action
        self.num_negatives = num_negatives
        self.batch_size = batch_size
        self.max_iterations = max_iterations
        self.learning_rate = learning_rate
        self.projection = projection
        self.group_dimension = group_dimension
        self.denominator = denominator
        self.negatives = negatives
        self.device = device
        self.num_threads = num_threads
        self.random_state = random_state
        self.verbose = verbose

    # -- checks ------------------------------------------------------------------------------

    def _check_params(self) -> None:
        check_choice(self.encoder, _ENCODERS, name="encoder", owner=_OWNER)
        for name in ("output_dimension", "hidden_units", "samples_per_action", "num_negatives",
                     "batch_size", "max_iterations"):
            check_int(getattr(self, name), name=name, owner=_OWNER, low=1)
        check_float(self.learning_rate, name="learning_rate", owner=_OWNER, low=0.0)
        check_choice(self.projection, PROJECTIONS, name="projection", owner=_OWNER)
        check_choice(self.denominator, DENOMINATORS, name="denominator", owner=_OWNER)
        check_choice(self.negatives, NEGATIVES, name="negatives", owner=_OWNER)
        check_int(self.group_dimension, name="group_dimension", owner=_OWNER, low=1,
                  high=self.output_dimension, allow_none=True)
        check_int(self.num_threads, name="num_threads", owner=_OWNER, low=1, allow_none=True)
        if not isinstance(self.verbose, bool | np.bool_):
            raise ConfigurationError(
                f"'verbose' of {_OWNER} must be True or False. Got {self.verbose!r}."
            )
        seed_sequence(self.random_state, owner=_OWNER)

    @staticmethod
    def _check_pairs(X: Any, X_acted: Any, action: Any) -> tuple[np.ndarray, np.ndarray,
                                                                   np.ndarray]:
        X = check_neural(X, name="X")
        if X_acted is None:
            raise DataValidationError(
                f"{_OWNER}.fit needs X_acted: the acted observation of every row of X, an "
                f"array of X's shape {X.shape}. Got None."
            )
        X_acted = check_neural(X_acted, name="X_acted")
        if X_acted.shape != X.shape:
            raise DataValidationError(
                f"X_acted must have X's shape {X.shape} (row i is row i of X acted on). Got "
                f"shape {X_acted.shape}."
            )
        if action is None:
            return X, X_acted, np.zeros(len(X), dtype=np.int64)
        action = np.asarray(action)
        if action.shape != (len(X),) or not (
            np.issubdtype(action.dtype, np.integer) or action.dtype == bool
        ):
            raise DataValidationError(
                f"'action' of {_OWNER}.fit must be a 1-D array of {len(X)} integer action ids "
                f"(one per pair), or None for one shared action. Got dtype {action.dtype}, "
                f"shape {action.shape}."
            )
        return X, X_acted, action.astype(np.int64)

    def _fitted(self) -> None:
        if not hasattr(self, "encoder_"):
            raise NotFittedError(
                f"This {_OWNER} instance is not fitted yet. Call 'fit' with appropriate "
                "arguments before using this estimator."
            )

    def _check_input(self, X: Any, name: str = "X") -> np.ndarray:
        X = check_neural(X, name=name)
        if X.shape[1] != self.n_features_in_:
            raise DataValidationError(
                f"{name} has {X.shape[1]} features, but {_OWNER} is expecting "
                f"{self.n_features_in_} features as input."
            )
        return X

    # -- fitting -----------------------------------------------------------------------------

    def fit(self, X: Any, X_acted: Any = None, action: Any = None) -> EquivariantEmbedding:
        """Train the encoder on pairs ``(X[i], X_acted[i])`` grouped by ``action``.

        Parameters
        ----------
        X : array-like of shape (n_pairs, n_features)
            The observations ``y``.
        X_acted : array-like of shape (n_pairs, n_features)
            The acted observations ``y'``: row ``i`` is row ``i`` of ``X`` after the action
            ``action[i]``. Required.
        action : array-like of shape (n_pairs,), int, optional
            Which pairs share an action (ids need not be contiguous). Every id needs at least
            ``samples_per_action + 1`` pairs. ``None`` means that all pairs share one action
            (ids that differ per pair carry no information: one pair cannot estimate ``Q``).

        Returns
        -------
        self

        Raises
        ------
        ConfigurationError
            If a parameter is out of range.
        DataValidationError
            If ``X_acted`` is missing or of another shape than ``X``, an array holds NaN or
            inf, ``action`` is not one integer per pair, or an action has too few pairs.
        """
        X, X_acted, action = self._check_pairs(X, X_acted, action)
        self._check_params()
        device = resolve_device(self.device, owner=_OWNER)
        sampler = GroupPairSampler(action, samples_per_action=self.samples_per_action,
                                   num_negatives=self.num_negatives,
                                   negatives=self.negatives)
        init_seed, sampler_seed = seed_sequence(self.random_state, owner=_OWNER).spawn(2)
        with num_threads(self.num_threads):
            encoder = make_encoder(self.encoder, X.shape[1], self.output_dimension,
                                   hidden_units=self.hidden_units, output_constraint="none")
            reset_parameters(encoder, generator=torch_generator(init_seed))
            encoder = encoder.to(device)
            pairs = torch.from_numpy(np.concatenate([X, X_acted])).to(device)
            objective = EquivariantObjective(projection=self.projection,
                                             group_dimension=self.group_dimension,
                                             denominator=self.denominator)
            bar = ProgressBar(self.max_iterations, disable=not self.verbose,
                              desc=f"identica on {device.type}")
            solver = Solver(encoder, objective,
                            torch.optim.Adam(encoder.parameters(), lr=self.learning_rate),
                            sampler, WindowGatherer(pairs, Offset(0, 1)),
                            batch_size=self.batch_size,
                            generator=torch_generator(sampler_seed), callbacks=[bar])
            history = solver.fit(self.max_iterations)
        encoder.eval()
        self.encoder_ = encoder
        self.loss_history_ = history.cpu().numpy()
        self.n_iter_ = len(self.loss_history_)
        self.n_features_in_ = int(X.shape[1])
        self._device = device
        return self

    # -- embedding ---------------------------------------------------------------------------

    def transform(self, X: Any) -> np.ndarray:
        """Embed single observations.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, output_dimension), float32

        Raises
        ------
        NotFittedError
            Before ``fit``.
        DataValidationError
            If ``X`` has another number of features than in ``fit``, or holds NaN or inf.
        """
        self._fitted()
        X = self._check_input(X)
        with num_threads(self.num_threads):
            return embed(self.encoder_, torch.from_numpy(X), self._device)

    def action_matrix(self, X: Any, X_acted: Any) -> np.ndarray:
        """The learned representation ``Q`` of the action that maps ``X`` onto ``X_acted``.

        Estimated from the embeddings of the support pairs as in training (least squares
        with this estimator's ``projection`` and ``group_dimension``).

        Parameters
        ----------
        X, X_acted : array-like of shape (n_support, n_features)
            Pairs that share one action.

        Returns
        -------
        ndarray of shape (output_dimension, output_dimension), float64

        Raises
        ------
        NotFittedError
            Before ``fit``.
        DataValidationError
            If the arrays differ in shape or in features from ``fit``.
        """
        self._fitted()
        X, X_acted = self._check_input(X), self._check_input(X_acted, "X_acted")
        if X.shape != X_acted.shape:
            raise DataValidationError(
                f"X_acted must have X's shape {X.shape}. Got shape {X_acted.shape}."
            )
        source = torch.from_numpy(self.transform(X)).double()[None]
        target = torch.from_numpy(self.transform(X_acted)).double()[None]
        q = estimate_action(source, target, projection=self.projection,
                            group_dimension=self.group_dimension)
        return q[0].numpy()

    # -- files and sklearn -------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write parameters and weights to a ``.safetensors`` file (JSON metadata, no pickle).

        Examples
        --------
        >>> import tempfile, pathlib, numpy as np
        >>> from identica.equivariance import EquivariantEmbedding
        >>> X = np.random.default_rng(0).normal(size=(40, 5)).astype(np.float32)
        >>> model = EquivariantEmbedding(output_dimension=2, batch_size=4, num_negatives=8,
        ...                              max_iterations=2, random_state=0).fit(X, X[::-1])
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "ebc.safetensors"
        >>> model.save(path)
        >>> again = EquivariantEmbedding.load(path)
        >>> np.array_equal(again.transform(X), model.transform(X))
        True
        """
        self._fitted()
        _model_file.write(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, device: str = "cpu") -> EquivariantEmbedding:
        """Load a model written by :meth:`save` onto ``device`` (CPU by default)."""
        return _model_file.read(cls, path, device=device)

    @property
    def _n_features_out(self) -> int:
        return int(self.output_dimension)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.non_deterministic = self.random_state is None
        return tags
