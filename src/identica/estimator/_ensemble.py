# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Seed ensembles: fit one estimator under several seeds, align the members, average them."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin, clone

from identica._checks import check_choice, check_int, seed_sequence
from identica.data._validate import check_neural
from identica.estimator._embedding import Embedding
from identica.exceptions import ConfigurationError, DataValidationError, NotFittedError
from identica.metrics import INDETERMINACIES, Alignment, fit_alignment
from identica.metrics._alignment import r2

__all__ = ["ConsistencyEnsemble"]

_OWNER = "ConsistencyEnsemble"
_SQUARE = ("identity", "permutation", "orthogonal")  # maps that need equal dimensions


def _pairwise_maps(
    embeddings: list[np.ndarray], indeterminacy: str
) -> tuple[dict[tuple[int, int], Alignment], np.ndarray]:
    """Maps ``i -> j`` for every ordered pair ``i != j`` and the matrix of their R²."""
    n = len(embeddings)
    maps = {
        (i, j): fit_alignment(embeddings[i], embeddings[j], indeterminacy)
        for i in range(n) for j in range(n) if i != j
    }
    return maps, _score_matrix(embeddings, maps)


def _score_matrix(
    embeddings: list[np.ndarray], maps: dict[tuple[int, int], Alignment]
) -> np.ndarray:
    """R² of embedding ``j`` predicted by ``maps[i, j]`` of embedding ``i``; NaN diagonal."""
    matrix = np.full((len(embeddings),) * 2, np.nan)
    for (i, j), alignment in maps.items():
        matrix[i, j] = r2(embeddings[j], alignment.apply(embeddings[i]))
    return matrix


def _off_diagonal_mean(matrix: np.ndarray) -> float:
    return float(matrix[~np.eye(len(matrix), dtype=bool)].mean())


def _fit_member(member: Any, X: Any, y: Any, fit_params: dict[str, Any]) -> Any:
    """Fit one member (in a worker process) and return it."""
    return member.fit(X, y, **fit_params)


def _base_seed(random_state: object) -> int | None:
    """The seed of member 0: the int given, ``None``, or one drawn from a numpy generator."""
    sequence = seed_sequence(random_state, owner=_OWNER)  # THE random_state rule
    if random_state is None:
        return None
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    return int(sequence.generate_state(1)[0] % 2**31)


class ConsistencyEnsemble(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Fit an embedding under several seeds, align the members to one, and average them.

    Contrastive embeddings are identifiable only up to a class of maps (for CEBRA with cosine
    similarity, an orthogonal transform; in practice one often allows an affine map). This
    ensemble fits ``n_seeds`` clones of ``estimator`` with ``random_state = random_state + k``,
    aligns every member's embedding of the training data to the ``reference`` member with the
    best map of the declared ``indeterminacy`` class, and embeds new data as the mean of the
    aligned members. It also reports how consistent the members are under that class.

    The classes, for a member embedding ``z_i`` mapped onto ``z_j``:

    - ``"identity"``: ``z_j ~ z_i``; nothing is fitted.
    - ``"permutation"``: ``z_j ~ z_i P S`` with ``P`` a permutation of dimensions and ``S`` a
      diagonal of signs ±1. Dimensions are matched by maximising the summed absolute Pearson
      correlation (``scipy.optimize.linear_sum_assignment``); no scaling, no offset.
    - ``"orthogonal"``: ``z_j ~ z_i Q`` with ``Q`` orthogonal (rotations and reflections),
      by orthogonal Procrustes on the **uncentred** embeddings: a cosine-similarity embedding
      lies on the unit sphere, whose symmetries fix the origin, so no translation is allowed.
    - ``"linear"``: ``z_j ~ z_i A``, least squares without intercept.
    - ``"affine"``: ``z_j ~ z_i A + b``, least squares with intercept.

    Parameters
    ----------
    estimator : estimator, optional
        An unfitted transformer with a ``random_state`` parameter; default
        ``identica.Embedding()``. It is cloned, never fitted itself.
    n_seeds : int, default=3
        Number of members, at least 2.
    indeterminacy : {"identity", "permutation", "scaled-permutation", "orthogonal", "linear", \
"affine"}, default="affine"
        Class of maps under which members are aligned and scored.
    random_state : int, numpy Generator or RandomState, optional, default=0
        Member ``k`` gets ``random_state + k``; a numpy generator gives member 0 a seed drawn
        from it. ``None`` gives every member ``None`` (fresh, non-reproducible seeds).
    reference : int, default=0
        Index of the member whose embedding space the others are mapped into.
    n_jobs : int, optional
        Members fitted in parallel in joblib worker processes (``loky``); ``None`` or 1 fits
        them one after another here, -1 uses every core. The members and their seeds do not
        depend on it: with the member's ``num_threads`` fixed, the ensemble is the same for
        every ``n_jobs``.

    Attributes
    ----------
    estimators_ : list of estimators
        The ``n_seeds`` fitted members, member ``k`` with ``random_state + k``.
    alignments_ : list of (matrix, offset)
        Map of member ``k`` into the reference space, ``z @ matrix + offset``, fitted on the
        training data; ``alignments_[reference]`` is the identity.
    consistency_matrix_ : ndarray of shape (n_seeds, n_seeds)
        Entry ``[i, j]``: R² (uniform over dimensions, sklearn conventions) of member ``j``'s
        training embedding predicted by the best map of the class from member ``i``'s, fitted
        on the training data. NaN diagonal. For ``"affine"`` this is
        ``identica.metrics.consistency_matrix`` of the raw member embeddings.
    consistency_ : float
        Mean of the off-diagonal entries of ``consistency_matrix_``. For ``"identity"`` it is
        the plain R² between members; the richer the class, the higher (``"affine"`` is an
        upper bound of all others, ``"linear"`` of the first three).
    n_features_in_ : int
        Number of input features.

    Examples
    --------
    >>> import identica
    >>> data = identica.synthetic.linear_track(n_samples=500, n_neurons=20)
    >>> member = identica.Embedding(encoder="mlp", output_dimension=3, batch_size=32,
    ...                             max_iterations=10, time_offset=1, device="cpu")
    >>> ensemble = identica.ConsistencyEnsemble(member, n_seeds=2, indeterminacy="affine")
    >>> embedding = ensemble.fit(data.neural).transform(data.neural)
    >>> embedding.shape, embedding.dtype, ensemble.consistency_matrix_.shape
    ((500, 3), dtype('float32'), (2, 2))
    >>> bool(0.0 <= ensemble.consistency_ <= 1.0)
    True
    """

    def __init__(
        self,
        estimator: Any = None,
        *,
        n_seeds: int = 3,
        indeterminacy: str = "affine",
        random_state: int | None = 0,
        reference: int = 0,
        n_jobs: int | None = None,
    ) -> None:
        self.estimator = estimator
        self.n_seeds = n_seeds
        self.indeterminacy = indeterminacy
        self.random_state = random_state
        self.reference = reference
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any = None, **fit_params: Any) -> ConsistencyEnsemble:
        """Fit ``n_seeds`` members on ``(X, y)``, then align and score them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, passed to every member's ``fit``.
        y : array-like, optional
            Labels, passed to every member's ``fit``.
        **fit_params
            Keyword arguments of the members' ``fit`` (e.g. ``discrete=`` or
            ``trial_starts=`` of :class:`identica.Embedding`).

        Returns
        -------
        ConsistencyEnsemble
            ``self``, fitted.

        Raises
        ------
        ConfigurationError
            If a parameter is out of range or unknown, or ``estimator`` is not a transformer
            with a ``random_state`` parameter (checked before any training).
        DataValidationError
            If the members cannot fit ``X``, or their embeddings have different dimensions
            under ``"identity"``, ``"permutation"`` or ``"orthogonal"``.
        """
        n_seeds = check_int(self.n_seeds, name="n_seeds", owner=_OWNER, low=2)
        indeterminacy = check_choice(
            self.indeterminacy, INDETERMINACIES, name="indeterminacy", owner=_OWNER
        )
        seed = _base_seed(self.random_state)
        reference = check_int(self.reference, name="reference", owner=_OWNER, low=0,
                              high=n_seeds - 1)
        base = self._base_estimator()

        members = [
            clone(base).set_params(random_state=None if seed is None else seed + k)
            for k in range(n_seeds)
        ]
        n_jobs = check_int(self.n_jobs, name="n_jobs", owner=_OWNER, low=-1, allow_none=True)
        if n_jobs == 0:
            raise ConfigurationError(
                f"'n_jobs' of {_OWNER} must be None, -1 or a positive int. Got 0."
            )
        if n_jobs in (None, 1):
            members = [member.fit(X, y, **fit_params) for member in members]
        else:  # the fitted members come back from the worker processes
            members = list(Parallel(n_jobs=n_jobs)(
                delayed(_fit_member)(member, X, y, fit_params) for member in members))
        embeddings = [np.asarray(m.transform(X), dtype=np.float64) for m in members]
        dims = [z.shape[1] for z in embeddings]
        if indeterminacy in _SQUARE and len(set(dims)) > 1:
            raise DataValidationError(
                f"indeterminacy={indeterminacy!r} of {_OWNER} needs members with the same "
                f"number of embedding dimensions. Got {dims}. Use 'linear' or 'affine', which "
                "map between spaces of different dimensions."
            )
        maps, matrix = _pairwise_maps(embeddings, indeterminacy)
        identity = Alignment(np.eye(dims[reference]), np.zeros(dims[reference]))

        self.estimators_ = members
        self.alignments_ = [
            identity if k == reference else maps[k, reference] for k in range(n_seeds)
        ]
        self.consistency_matrix_ = matrix
        self.consistency_ = _off_diagonal_mean(matrix)
        n_features = getattr(members[0], "n_features_in_", None)
        self.n_features_in_ = int(check_neural(X).shape[1] if n_features is None else n_features)
        self._maps = maps
        self._n_dims = dims[reference]
        return self

    def _base_estimator(self) -> Any:
        if self.estimator is None:
            return Embedding()
        base = self.estimator
        missing = [m for m in ("get_params", "set_params", "fit", "transform")
                   if not callable(getattr(base, m, None))]
        if missing:
            raise ConfigurationError(
                f"'estimator' of {_OWNER} must be an unfitted scikit-learn transformer "
                f"(with fit, transform, get_params and set_params). Got {base!r}, which lacks "
                f"{missing}."
            )
        if "random_state" not in base.get_params(deep=False):
            raise ConfigurationError(
                f"'estimator' of {_OWNER} must have a 'random_state' parameter, which the "
                f"ensemble sets per member. Got {type(base).__name__} with parameters "
                f"{sorted(base.get_params(deep=False))}."
            )
        return base

    # -- fitted state ----------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "estimators_"):
            raise NotFittedError(
                f"This {_OWNER} is not fitted yet. Call fit(X, y) before transform, "
                "transform_members or score."
            )

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "estimators_")

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.non_deterministic = self.random_state is None
        return tags

    @property
    def _n_features_out(self) -> int:
        return self._n_dims

    # -- embedding -------------------------------------------------------------------------

    def _member_embeddings(self, X: Any) -> list[np.ndarray]:
        """Raw float64 embeddings of ``X`` by every member, after checking ``X``."""
        self._check_fitted()
        neural = check_neural(X, out_of_core=True)
        if neural.shape[1] != self.n_features_in_:
            raise DataValidationError(
                f"X has {neural.shape[1]} features, but {_OWNER} is expecting "
                f"{self.n_features_in_} features as input (the features seen in fit)."
            )
        return [np.asarray(m.transform(neural), dtype=np.float64) for m in self.estimators_]

    def transform_members(self, X: Any) -> list[np.ndarray]:
        """Embed ``X`` with every member and map each into the reference space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data with the features seen in ``fit``.

        Returns
        -------
        list of ndarray of shape (n_samples, n_dims), float32
            One aligned embedding per member (``alignments_`` applied); ``n_dims`` is the
            reference member's embedding dimension.

        Raises
        ------
        NotFittedError
            If called before ``fit``.
        DataValidationError
            If ``X`` is malformed or has a different number of features than in ``fit``.

        Examples
        --------
        >>> import identica
        >>> data = identica.synthetic.linear_track(n_samples=300, n_neurons=10)
        >>> member = identica.Embedding(encoder="mlp", output_dimension=2, batch_size=16,
        ...                             max_iterations=5, time_offset=1, device="cpu")
        >>> ensemble = identica.ConsistencyEnsemble(member, n_seeds=2).fit(data.neural)
        >>> [z.shape for z in ensemble.transform_members(data.neural)]
        [(300, 2), (300, 2)]
        """
        embeddings = self._member_embeddings(X)
        return [a.apply(z).astype(np.float32) for a, z in zip(self.alignments_, embeddings)]

    def transform(self, X: Any) -> np.ndarray:
        """Embed ``X`` as the mean of the aligned member embeddings.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data with the features seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_dims), float32
            Mean over members of :meth:`transform_members` (computed in float64).

        Raises
        ------
        NotFittedError
            If called before ``fit``.
        DataValidationError
            If ``X`` is malformed or has a different number of features than in ``fit``.
        """
        embeddings = self._member_embeddings(X)
        aligned = [a.apply(z) for a, z in zip(self.alignments_, embeddings)]
        return np.mean(aligned, axis=0).astype(np.float32)

    def score(self, X: Any, y: Any = None) -> float:
        """Held-out consistency: mean pairwise R² on ``X`` with the maps fitted in ``fit``.

        Every member embeds ``X``; for each ordered pair ``(i, j)`` the map ``i -> j`` fitted
        on the training data (not refitted) predicts member ``j``'s embedding, and its R² is
        taken. On the training data this equals ``consistency_``; on new data it can be
        negative.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data with the features seen in ``fit``.
        y : None
            Ignored; present for the scikit-learn API.

        Returns
        -------
        float
            Mean of the off-diagonal pairwise R².

        Raises
        ------
        NotFittedError
            If called before ``fit``.
        DataValidationError
            If ``X`` is malformed or has a different number of features than in ``fit``.
        """
        return _off_diagonal_mean(_score_matrix(self._member_embeddings(X), self._maps))
