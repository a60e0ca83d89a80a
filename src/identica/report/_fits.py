# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""What the report evaluates: fits of configurations over seeds, fitted models, the anchors."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from identica.exceptions import ConfigurationError

__all__ = ["Candidate", "Fit", "Fitter", "candidates", "gap_for", "pca_fit", "truth_fit"]


@dataclasses.dataclass
class Fit:
    """One fitted embedding: how to embed, the model (if any), its cost."""

    name: str
    seed: int | None
    embed: Callable[[np.ndarray], np.ndarray]
    model: Any = None
    train_seconds: float | None = None
    metric: str = "cosine"
    n_parameters: int | None = None
    fitted_here: bool = True
    embedding: np.ndarray | None = None


@dataclasses.dataclass
class Candidate:
    """A model of the report: a configuration fitted per seed, or models fitted elsewhere."""

    name: str
    config: Any = None
    fitted: list[Any] = dataclasses.field(default_factory=list)


def _is_fitted(model: Any) -> bool:
    try:
        check_is_fitted(model)
    except (NotFittedError, TypeError):
        return False
    return True


def candidates(models_or_configs: Any, names: Sequence[str] | None) -> list[Candidate]:
    """Normalise the models argument: one estimator, a list, or a dict name -> item(s)."""
    if isinstance(models_or_configs, Mapping):
        items = list(models_or_configs.items())
    else:
        values = (list(models_or_configs) if isinstance(models_or_configs, list | tuple)
                  else [models_or_configs])
        if names is not None and len(names) != len(values):
            raise ConfigurationError(
                f"'names' of quality_report must name every model ({len(values)}). Got "
                f"{len(names)} names."
            )
        default = [type(v).__name__ for v in values]
        if len(set(default)) < len(default):
            default = [f"{d} {i}" for i, d in enumerate(default)]
        items = list(zip(names or default, values))
    if not items:
        raise ConfigurationError("quality_report needs at least one model or configuration.")
    out = []
    for name, value in items:
        group = list(value) if isinstance(value, list | tuple) else [value]
        for v in group:
            if not (hasattr(v, "fit") and hasattr(v, "transform")):
                raise ConfigurationError(
                    f"model {name!r} of quality_report must be an estimator with fit and "
                    f"transform (an identica.Embedding, fitted or not). Got {type(v).__name__}."
                )
        fitted = [v for v in group if _is_fitted(v)]
        if fitted and len(fitted) != len(group):
            raise ConfigurationError(
                f"model {name!r} of quality_report mixes fitted and unfitted estimators; give "
                "fitted seeds of one configuration, or one unfitted configuration."
            )
        if fitted:
            out.append(Candidate(str(name), config=clone(fitted[0]), fitted=fitted))
        elif len(group) == 1:
            out.append(Candidate(str(name), config=group[0]))
        else:
            raise ConfigurationError(
                f"model {name!r} of quality_report lists {len(group)} unfitted estimators; pass "
                "one configuration (it is fitted once per seed)."
            )
    return out


def _params(model: Any) -> dict[str, Any]:
    try:
        return dict(model.get_params())
    except AttributeError:
        return {}


def gap_for(model: Any) -> int:
    """Receptive field plus the largest time offset of a model or configuration."""
    field = getattr(model, "receptive_field_", None) if _is_fitted(model) else None
    params = _params(model)
    if field is not None:
        width = len(field)
    else:
        encoder = params.get("encoder", params.get("model_architecture", "conv10"))
        if hasattr(encoder, "receptive_field"):
            width = len(encoder.receptive_field)
        else:
            text = str(encoder)
            digits = re.findall(r"\d+", text)
            width = int(digits[0]) if digits and ("conv" in text or "offset" in text) else 1
    offset = params.get("time_offset", params.get("time_offsets", 1)) or 1
    offsets = offset if isinstance(offset, tuple | list) else (offset,)
    return int(width + max(int(o) for o in offsets))


def _n_parameters(model: Any) -> int | None:
    modules = getattr(model, "encoders_", None)
    if modules is None:
        return None
    return int(sum(p.numel() for p in modules.parameters()))


def _metric(model: Any) -> str:
    similarity = _params(model).get("similarity", _params(model).get("distance", "cosine"))
    return "cosine" if similarity == "cosine" else "euclidean"


def given_fits(candidate: Candidate) -> list[Fit]:
    """The fits of models fitted outside the report, as given."""
    return [Fit(candidate.name, None, m.transform, m, None, _metric(m), _n_parameters(m),
                fitted_here=False) for m in candidate.fitted]


def _fit_job(config: Any, X: np.ndarray, y: np.ndarray | None, seed: int
             ) -> tuple[Any, float]:
    """Clone ``config``, seed it, fit it and time the fit (run here or in a worker)."""
    model = clone(config)
    if "random_state" in _params(model):
        model.set_params(random_state=seed)
    start = time.perf_counter()
    if y is None:
        model.fit(X)
    else:
        model.fit(X, y)
    return model, time.perf_counter() - start


def _init_worker() -> None:
    import torch

    torch.set_num_threads(1)


class Fitter:
    """Collects the report's fits, runs them in turn or in ``n_jobs`` processes, hands them out.

    Every fit is a clone of a configuration seeded with one seed and fitted on the training
    rows of its data; worker processes (spawned) use one torch thread each.
    """

    def __init__(self, n_jobs: int, say: Callable[[str], None]) -> None:
        self.n_jobs = n_jobs
        self.say = say
        self.jobs: dict[Hashable, tuple[Any, np.ndarray, np.ndarray | None, int, str]] = {}
        self.fits: dict[Hashable, Fit] = {}

    def add(self, key: Hashable, config: Any, X: np.ndarray, y: np.ndarray | None,
            train: np.ndarray, seed: int, name: str) -> None:
        """Queue a fit of ``config`` with ``seed`` on ``X[train]`` (and ``y[train]``)."""
        self.jobs[key] = (config, X[train], None if y is None else y[train], seed, name)

    def run(self) -> None:
        """Run every queued fit."""
        keys = list(self.jobs)
        for key in keys:
            self.say(f"fitting {self.jobs[key][4]}, seed {self.jobs[key][3]} ...")
        args = [self.jobs[k][:4] for k in keys]
        if self.n_jobs == 1 or len(keys) < 2:
            results = [_fit_job(*a) for a in args]
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(min(self.n_jobs, len(keys)), mp_context=context,
                                     initializer=_init_worker) as pool:
                results = [f.result() for f in [pool.submit(_fit_job, *a) for a in args]]
        for key, (model, seconds) in zip(keys, results):
            name, seed = self.jobs[key][4], self.jobs[key][3]
            self.fits[key] = Fit(name, seed, model.transform, model, seconds, _metric(model),
                                 _n_parameters(model))
        self.jobs.clear()

    def get(self, key: Hashable) -> Fit:
        """The fit queued under ``key`` (after :meth:`run`)."""
        return self.fits[key]


def pca_fit(X: np.ndarray, train: np.ndarray, n_components: int) -> Fit:
    """The trivial anchor: PCA to ``n_components`` fitted on the training rows."""
    n_components = min(n_components, X.shape[1], len(train))
    start = time.perf_counter()
    pca = PCA(n_components=n_components, svd_solver="full").fit(X[train])
    seconds = time.perf_counter() - start

    def embed(data: np.ndarray) -> np.ndarray:
        return pca.transform(np.asarray(data, dtype=np.float64)).astype(np.float32)

    return Fit("PCA", None, embed, None, seconds, "euclidean",
               int(pca.components_.size + pca.mean_.size))


def truth_fit(truth: np.ndarray) -> Fit:
    """The reference anchor on synthetic data: the true latents as the embedding."""
    def embed(data: np.ndarray) -> np.ndarray:
        return truth

    return Fit("ground truth", None, embed, None, None, "euclidean", None)
