# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Alignment without encoder gradients: match the embedding's mean and covariance (CORAL)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from identica._checks import check_float
from identica.adaptation._base import AbstractAdapter
from identica.adaptation._source import SourceModel
from identica.exceptions import ConfigurationError

__all__ = ["MomentMatching"]


def _sqrt(matrix: np.ndarray, power: float) -> np.ndarray:
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.clip(values, 1e-12, None) ** power) @ vectors.T


class MomentMatching(AbstractAdapter):
    """Whiten the window's embedding and colour it with the source moments (CORAL).

    ``z -> C_s^{1/2} C^{-1/2} (z - m) + m_s`` where ``m``, ``C`` blend the window's moments with
    the source ones through the pseudo sample size ``prior`` (as :class:`InputStatistics`)
    and ``shrinkage`` is added to the covariance diagonals. Embeddings on the unit sphere stay
    on it (rows are renormalised). The encoder is untouched.

    Parameters
    ----------
    source : SourceModel
        With ``embedding_mean`` and ``embedding_cov``.
    prior : float, default=1000.0
    shrinkage : float, default=1e-3

    Examples
    --------
    >>> from identica.adaptation import MomentMatching
    >>> MomentMatching.__init__.__defaults__
    (1000.0, 0.001)
    """

    def __init__(self, source: SourceModel, prior: float = 1000.0,
                 shrinkage: float = 1e-3) -> None:
        super().__init__(source)
        if source.embedding_mean is None or source.embedding_cov is None:
            raise ConfigurationError(
                "MomentMatching needs the source embedding moments; the SourceModel has "
                "embedding_mean/embedding_cov None. Build it with SourceModel.fit."
            )
        self.prior = math.inf if prior == math.inf else check_float(
            prior, name="prior", owner="MomentMatching", low=0.0, low_inclusive=True)
        self.shrinkage = check_float(shrinkage, name="shrinkage", owner="MomentMatching",
                                     low=0.0, low_inclusive=True)
        self._set_source()

    def _set_source(self) -> None:
        self.map_ = np.eye(len(self.source.embedding_mean))
        self.mean_ = self.source.embedding_mean.copy()

    def reset(self) -> None:
        """The identity map."""
        self._set_source()
        self.n_resets += 1

    def update(self, window: Any) -> None:
        """Estimate the map from the window's source embedding."""
        z = self.source.transform(window).astype(np.float64)
        lam = 1.0 if self.prior == math.inf else self.prior / (self.prior + len(z))
        if lam == 1.0:
            self._set_source()
            return
        m_s, c_s = self.source.embedding_mean, self.source.embedding_cov
        mean = lam * m_s + (1 - lam) * z.mean(axis=0)
        cov = lam * c_s + (1 - lam) * np.cov(z, rowvar=False)
        eye = self.shrinkage * np.eye(len(mean))
        self.map_ = _sqrt(cov + eye, -0.5) @ _sqrt(c_s + eye, 0.5)
        self.mean_ = mean

    def transform(self, window: Any) -> np.ndarray:
        """The source embedding, mapped."""
        z = self.source.transform(window).astype(np.float64)
        if np.array_equal(self.map_, np.eye(len(self.map_))) and np.array_equal(
                self.mean_, self.source.embedding_mean):
            return z.astype(np.float32)
        out = (z - self.mean_) @ self.map_ + self.source.embedding_mean
        if np.allclose(np.linalg.norm(z, axis=1), 1.0, atol=1e-3):
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out.astype(np.float32)
