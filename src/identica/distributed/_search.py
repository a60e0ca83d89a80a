# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Grid and random searches of estimator parameters, fitted in parallel processes by joblib."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.model_selection import ParameterGrid, ParameterSampler

from identica._checks import check_int, seed_sequence
from identica.exceptions import ConfigurationError

__all__ = ["SearchResult", "search"]


class SearchResult(NamedTuple):
    """One candidate of :func:`search`: its parameters, score and fit time.

    ``estimator`` is the fitted estimator with ``return_estimators=True``, else ``None``.

    Examples
    --------
    >>> from identica.distributed import SearchResult
    >>> results = [SearchResult({"temperature": 0.5}, 2.1, 3.0),
    ...            SearchResult({"temperature": 1.0}, 2.4, 2.9)]
    >>> max(results, key=lambda r: r.score).params
    {'temperature': 1.0}
    """

    params: dict[str, Any]
    score: float
    seconds: float
    estimator: Any = None


def _fit_and_score(estimator: Any, params: dict[str, Any], X: Any, y: Any,
                   validation: tuple | None, fit_params: dict[str, Any],
                   keep: bool) -> SearchResult:
    start = time.perf_counter()
    model = clone(estimator).set_params(**params)
    model.fit(X, y, **fit_params)
    seconds = time.perf_counter() - start
    score = float(model.score(*(validation if validation is not None else (X, y))))
    return SearchResult(params, score, seconds, model if keep else None)


def search(
    estimator: Any,
    params: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Sequence[Any]]],
    X: Any,
    y: Any = None,
    *,
    n_iter: int | None = None,
    validation: tuple | None = None,
    n_jobs: int | None = None,
    random_state: Any = 0,
    return_estimators: bool = False,
    **fit_params: Any,
) -> list[SearchResult]:
    """Fit ``estimator`` for every candidate parameter set, in parallel, and score each.

    The candidates are the grid of ``params`` (``n_iter=None``) or ``n_iter`` draws from it
    (scikit-learn's ``ParameterGrid`` / ``ParameterSampler``; lists are sampled uniformly,
    scipy distributions by their ``rvs``). Each candidate is a clone with the candidate's
    parameters, fitted on ``(X, y)`` in a joblib worker process and scored with its
    ``score`` method (:meth:`identica.Embedding.score`: goodness of fit in bits) on
    ``validation`` or on the training data. The candidates and their order depend only on
    ``params``, ``n_iter`` and ``random_state``, never on ``n_jobs``; fix the estimator's own
    ``random_state`` and ``num_threads`` for scores that are identical for every ``n_jobs``.
    For cross-validation use scikit-learn's ``GridSearchCV`` directly (``Embedding`` has a
    ``score``).

    Parameters
    ----------
    estimator : estimator
        Unfitted, with ``fit``, ``score`` and ``set_params`` (e.g. :class:`identica.Embedding`).
    params : dict or list of dict
        Parameter names to lists of values (or distributions with ``n_iter``).
    X, y : array-like
        Training data, passed to every fit.
    n_iter : int, optional
        Draw this many candidates instead of the whole grid.
    validation : tuple, optional
        ``(X, y)`` (or ``(X,)``) that every candidate is scored on.
    n_jobs : int, optional
        Worker processes (joblib's ``loky`` backend); ``None`` or 1 fits in this process,
        -1 uses every core.
    random_state : int, numpy Generator or RandomState, default=0
        Draws the candidates when ``n_iter`` is set.
    return_estimators : bool, default=False
        Keep every fitted estimator in its result.
    **fit_params
        Keyword arguments of ``fit`` (e.g. ``discrete=``).

    Returns
    -------
    list of SearchResult
        One per candidate, in candidate order; ``max(results, key=lambda r: r.score)`` is
        the best.

    Examples
    --------
    >>> import identica
    >>> from identica.distributed import search
    >>> data = identica.synthetic.linear_track(n_samples=600, n_neurons=10)
    >>> model = identica.Embedding(encoder="mlp", batch_size=32, max_iterations=10,
    ...                            random_state=0, num_threads=1)
    >>> results = search(model, {"output_dimension": [2, 3]}, data.neural, data.continuous)
    >>> [r.params for r in results]
    [{'output_dimension': 2}, {'output_dimension': 3}]
    """
    if not callable(getattr(estimator, "score", None)):
        raise ConfigurationError(
            f"'estimator' of search must have a score method to rank the candidates. Got "
            f"{type(estimator).__name__}."
        )
    if n_iter is None:
        candidates = list(ParameterGrid(params))
    else:
        n_iter = check_int(n_iter, name="n_iter", owner="search", low=1)
        seed = int(seed_sequence(random_state, owner="search").generate_state(1)[0])
        candidates = list(ParameterSampler(params, n_iter, random_state=seed))
    jobs = 1 if n_jobs is None else n_jobs
    run = delayed(_fit_and_score)
    return list(Parallel(n_jobs=jobs)(
        run(estimator, p, X, y, validation, fit_params, return_estimators) for p in candidates))
