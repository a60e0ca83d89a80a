# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The measures of one fit, and those of a model's seeds together (consistency, updates)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.metrics import r2_score
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

from identica import metrics
from identica._runtime import num_threads
from identica.report._fits import Fit

__all__ = ["Protocol", "fit_measures", "seed_measures"]

_LATENCY_ROWS = 1000


@dataclasses.dataclass
class Protocol:
    """The data, the held-out split and the settings every fit is measured with."""

    X: np.ndarray
    y: np.ndarray | None
    truth: np.ndarray | None
    train: np.ndarray
    test: np.ndarray
    n_neighbors: int
    noise: dict[str, Callable[[np.ndarray], np.ndarray]]
    drift: dict[str, Callable[[np.ndarray], np.ndarray]]
    adaptation: Callable[[Any, np.ndarray], Any] | None
    attribution_truth: np.ndarray | None
    gof_batches: int
    random_state: int

    @property
    def first_label(self) -> np.ndarray | None:
        """The label of calibration and balance: ``y`` itself, or its first column."""
        if self.y is None:
            return None
        return self.y if self.y.ndim == 1 else self.y[:, 0]


def embedding(fit: Fit, X: np.ndarray) -> np.ndarray:
    """The fit's embedding of the whole recording (computed once)."""
    if fit.embedding is None:
        fit.embedding = np.asarray(fit.embed(X), dtype=np.float64)
    return fit.embedding


def fit_measures(fit: Fit, p: Protocol) -> tuple[dict[str, float | None], dict[str, float]]:
    """Measures of one fit, and the fit's own fixed anchors (the goodness-of-fit ceiling)."""
    Z = embedding(fit, p.X)
    Z_train, Z_test = Z[p.train], Z[p.test]
    out: dict[str, float | None] = {}
    extra: dict[str, float] = {}
    if p.y is not None:
        y_train, y_test = p.y[p.train], p.y[p.test]
        for decoder in ("knn", "linear"):
            out[f"decoding_{decoder}"] = metrics.decoding_score(
                Z_train, y_train, Z_test, y_test, decoder=decoder, n_neighbors=p.n_neighbors,
                metric=fit.metric)
        out.update(_calibration(Z_train, Z_test, p, fit.metric))

        def score(data: np.ndarray, embed: Callable[[np.ndarray], np.ndarray] = fit.embed
                  ) -> float:
            return metrics.decoding_score(Z_train, y_train, np.asarray(embed(data))[p.test],
                                          y_test, n_neighbors=p.n_neighbors, metric=fit.metric)

        if p.noise:
            out["noise"] = _kept(metrics.robustness(score, p.X, p.noise).raw)
        if p.drift:
            adapted = None
            if p.adaptation is not None and fit.model is not None:
                def adapted(data: np.ndarray) -> float:
                    return score(data, p.adaptation(fit.model, data).transform)
            elif p.adaptation is not None:
                adapted = score  # anchors have no adaptation: their adapted value is the raw one
            result = metrics.robustness(score, p.X, p.drift, adapted_score=adapted)
            out["drift_raw"] = _kept(result.raw)
            out["drift_adapted"] = None if result.adapted is None else _kept(result.adapted)
    if p.truth is not None:
        mapped = metrics.fit_alignment(Z_train, p.truth[p.train], "affine").apply(Z_test)
        out["identifiability"] = float(r2_score(p.truth[p.test], mapped))
        out["smoothness"] = metrics.smoothness_score(Z_test, p.truth[p.test])
    out["smoothness_ratio"] = metrics.smoothness(Z_test)
    out["compactness"] = metrics.compactness(Z_test)
    out.update(_model_measures(fit, p, extra))
    return out, extra


def _kept(ratio: float) -> float:
    """A robustness ratio, 0 where the clean score is <= 0: nothing to keep, nothing kept."""
    return 0.0 if np.isnan(ratio) else ratio


def _calibration(Z_train: np.ndarray, Z_test: np.ndarray, p: Protocol,
                 metric: str) -> dict[str, float]:
    label = p.first_label
    assert label is not None
    y_train, y_test = label[p.train], label[p.test]
    k = min(p.n_neighbors, len(Z_train))
    if y_train.dtype.kind in "biu":
        knn = KNeighborsClassifier(n_neighbors=k, metric=metric).fit(Z_train, y_train)
        probabilities = knn.predict_proba(Z_test)
        known = np.isin(y_test, knn.classes_)
        index = np.searchsorted(knn.classes_, y_test[known])
        prediction = knn.classes_[probabilities.argmax(axis=1)]
        return {
            "calibration": metrics.calibration_error(index, probabilities[known]),
            "calibration_secondary": metrics.calibration_error(index, probabilities[known],
                                                               adaptive=True),
            "balance": metrics.behavior_balance(y_test, prediction),
        }
    neighbours = NearestNeighbors(n_neighbors=k, metric=metric).fit(Z_train)
    samples = y_train[neighbours.kneighbors(Z_test, return_distance=False)]
    span = float(np.ptp(y_train)) or 1.0
    return {
        "calibration": metrics.coverage_gap(y_test, samples),
        "calibration_secondary": metrics.gaussian_nll(y_test, samples.mean(axis=1),
                                                      samples.var(axis=1),
                                                      min_variance=(1e-2 * span) ** 2),
        "balance": metrics.behavior_balance(y_test, samples.mean(axis=1)),
    }


def _model_measures(fit: Fit, p: Protocol, extra: dict[str, float]) -> dict[str, float | None]:
    out: dict[str, float | None] = {"parameters": fit.n_parameters,
                                    "training_seconds": fit.train_seconds}
    model = fit.model
    if fit.n_parameters is not None:  # a model that computes: time it at one thread
        rows = p.X[: min(_LATENCY_ROWS, len(p.X))]
        times = []
        with num_threads(1):
            for _ in range(3):
                start = time.perf_counter()
                fit.embed(rows)
                times.append(time.perf_counter() - start)
        out["latency"] = 1000.0 * float(np.median(times)) * _LATENCY_ROWS / len(rows)
    if model is not None and hasattr(model, "contrastive_loss") and hasattr(model,
                                                                           "chance_loss_"):
        y_test = None if p.y is None else p.y[p.test]
        try:
            out["goodness_of_fit"] = metrics.goodness_of_fit(
                model, p.X[p.test], y_test, n_batches=p.gof_batches,
                random_state=p.random_state)
            extra["goodness_of_fit_ceiling"] = float(metrics.bits(0.0, model.chance_loss_))
        except ValueError:  # the test block is too short for the model's sampler
            out["goodness_of_fit"] = None
        out["iterations_to_95"] = _iterations_to_95(metrics.goodness_of_fit_history(model))
    if model is not None and p.attribution_truth is not None:
        from identica.attribution import attribute

        summary = attribute(model, p.X[p.test], return_per_sample=False).summary
        out["attribution_auc"] = metrics.attribution_auc(np.abs(summary), p.attribution_truth)
    return out


def _iterations_to_95(history: np.ndarray, window: int = 50) -> float:
    """First step at which the running mean of the training bits reaches 95 % of the final."""
    window = max(1, min(window, len(history)))
    running = np.convolve(history, np.ones(window) / window, mode="valid")
    final = float(running[-1])
    if final <= 0:
        return float(len(history))
    return float(np.argmax(running >= 0.95 * final) + window)


def seed_measures(fits: list[Fit], p: Protocol, previous: Fit | None
                  ) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Measures of a model's seeds together: consistency and update compatibility.

    Returns the per-pair values of every measure and the per-model trivial anchor of update
    compatibility (an independent re-fit).
    """
    Z = [embedding(f, p.X) for f in fits]
    out: dict[str, list[float]] = {}
    anchors: dict[str, float] = {}
    if len(Z) >= 2:
        held_out, in_sample = [], []
        for i, zi in enumerate(Z):
            for j, zj in enumerate(Z):
                if i != j:
                    alignment = metrics.fit_alignment(zi[p.train], zj[p.train], "affine")
                    held_out.append(float(r2_score(zj[p.test], alignment.apply(zi[p.test]))))
        matrix = metrics.consistency_matrix([z[p.train] for z in Z])
        in_sample = matrix[~np.eye(len(Z), dtype=bool)].tolist()
        out["consistency"], out["consistency_in_sample"] = held_out, in_sample
    pairs = [(fits[k - 1], fits[k]) for k in range(1, len(fits))]
    if previous is not None:
        pairs = [(previous, f) for f in fits]
    if pairs and p.y is not None:
        compatible, negative, positive, independent = [], [], [], []
        for old, new in pairs:
            zo, zn = embedding(old, p.X), embedding(new, p.X)
            args = (zo[p.train], zo[p.test], zn[p.train], zn[p.test], p.y[p.train],
                    p.y[p.test])
            kwargs = {"n_neighbors": p.n_neighbors, "metric": old.metric}
            rates = metrics.update_flip_rates(*args, level="compatibility", **kwargs)
            compatible.append(1.0 - rates.negative)
            independent.append(1.0 - rates.old_correct * (1.0 - rates.new_correct))
            rates = metrics.update_flip_rates(*args, level="prediction", **kwargs)
            negative.append(rates.negative)
            positive.append(rates.positive)
        out["update_compatibility"] = compatible
        out["negative_flip_rate"], out["positive_flip_rate"] = negative, positive
        anchors["update_compatibility"] = float(np.mean(independent))
    return out, anchors
