# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The frozen source model: input standardisation, encoder, decoder and source statistics."""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any

import numpy as np
import torch

from identica._checks import check_float
from identica.data._validate import check_neural
from identica.estimator._embedding import Embedding
from identica.estimator._file_bytes import read_raw
from identica.estimator._load import load
from identica.exceptions import DataValidationError, ModelFileError
from identica.metrics import window_goodness_of_fit
from identica.nn._embed import embed

__all__ = ["InputStandardization", "SourceModel", "load_source"]

METADATA_KEY = "identica.adaptation.source"


@dataclasses.dataclass(frozen=True, eq=False)
class InputStandardization:
    """Per-channel standardisation ``(x - mean) / std`` with the source statistics.

    Parameters
    ----------
    mean, std : ndarray of shape (n_features,), float64
        Source mean and standard deviation of every channel (``std`` > 0).

    Examples
    --------
    >>> import numpy as np
    >>> from identica.adaptation import InputStandardization
    >>> scale = InputStandardization.fit(np.array([[0.0, 1.0], [2.0, 1.0]]))
    >>> scale.mean.tolist(), scale.std.tolist()
    ([1.0, 1.0], [1.0, 0.001])
    >>> scale(np.array([[3.0, 1.0]])).tolist()
    [[2.0, 0.0]]
    """

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, X: Any, *, min_std: float = 1e-3) -> InputStandardization:
        """Statistics of ``X`` (n_samples, n_features); a constant channel gets ``min_std``."""
        X = np.asarray(check_neural(X), dtype=np.float64)
        min_std = check_float(min_std, name="min_std", owner="InputStandardization.fit",
                              low=0.0)
        return cls(X.mean(axis=0), np.maximum(X.std(axis=0), min_std))

    def __call__(self, X: Any) -> np.ndarray:
        """``(X - mean) / std`` as float32."""
        return ((np.asarray(X, dtype=np.float64) - self.mean) / self.std).astype(np.float32)

    def to_dict(self) -> dict:
        """JSON-ready statistics."""
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}


class SourceModel:
    """A fitted encoder behind an explicit input standardisation, its frozen decoder, its stats.

    Build it with :meth:`fit` (standardise, train, embed, fit the decoder). ``transform``
    standardises with the source statistics and embeds; adapters start from it and never
    change it.

    Parameters
    ----------
    embedding : Embedding
        Fitted on standardised inputs.
    standardization : InputStandardization
        The source input statistics.
    decoder : estimator, optional
        A fitted decoder (``KNNDecoder``, ``LinearDecoder``) of the source embedding; frozen.
    embedding_mean, embedding_cov : ndarray, optional
        Moments of the source embedding (computed on the source data by :meth:`fit`).
    behavior_histogram : list of dict, optional
        Per behaviour column, ``{"edges": [...], "counts": [...]}`` (20 bins) of the source
        labels: what the behaviour looked like when the decoder was fitted.
    goodness_of_fit : float, optional
        Mean time-contrastive goodness of fit of the source embedding in bits, over windows of
        1,000 rows (:func:`~identica.metrics.window_goodness_of_fit`): the reference value of
        the stream monitor of the same name.
    device : str, optional
        Where adapters run the encoder (default: where the fitted encoder's weights are).

    Examples
    --------
    >>> import identica
    >>> from identica.adaptation import SourceModel
    >>> from identica.decoders import KNNDecoder
    >>> data = identica.synthetic.linear_track(n_samples=1_500, n_neurons=30, random_state=0)
    >>> model = identica.Embedding(encoder="conv10", output_dimension=4, batch_size=64,
    ...                            max_iterations=10, random_state=0)
    >>> source = SourceModel.fit(model, data.neural, data.continuous,
    ...                          target=data.continuous[:, 0], decoder=KNNDecoder())
    >>> source.transform(data.neural[:100]).shape
    (100, 4)
    """

    def __init__(self, embedding: Embedding, standardization: InputStandardization,
                 decoder: Any = None, *, embedding_mean: np.ndarray | None = None,
                 embedding_cov: np.ndarray | None = None,
                 behavior_histogram: list[dict] | None = None,
                 goodness_of_fit: float | None = None, device: str | None = None) -> None:
        self.embedding = embedding
        self.standardization = standardization
        self.decoder = decoder
        self.embedding_mean = embedding_mean
        self.embedding_cov = embedding_cov
        self.behavior_histogram = behavior_histogram
        self.goodness_of_fit = goodness_of_fit
        if device is None:
            weights = next(iter(embedding.encoder_.parameters()), None)
            device = "cpu" if weights is None else str(weights.device)
        self.device = device

    @classmethod
    def fit(cls, embedding: Embedding, X: Any, y: Any = None, *, target: Any = None,
            decoder: Any = None, device: str | None = None) -> SourceModel:
        """Standardise ``X``, fit ``embedding`` on it (with labels ``y``), fit ``decoder``.

        Parameters
        ----------
        embedding : Embedding
            Unfitted; fitted here on the standardised source.
        X : array-like of shape (n_samples, n_features)
            The source recording.
        y : array-like, optional
            Labels of the embedding fit.
        target : array-like, optional
            What ``decoder`` reads out (default: ``y``).
        decoder : estimator, optional
            Fitted here on the source embedding and ``target``.
        device : str, optional
            Default: the device the embedding was fitted on.

        Returns
        -------
        SourceModel
        """
        standardization = InputStandardization.fit(X)
        embedding.fit(standardization(X), y)
        source = cls(embedding, standardization, decoder, device=device)
        z = source.transform(X)
        source.embedding_mean = z.mean(axis=0).astype(np.float64)
        source.embedding_cov = np.cov(z, rowvar=False).astype(np.float64)
        source.behavior_histogram = _histogram(y)
        source.goodness_of_fit = _goodness_of_fit(z, embedding)
        if decoder is not None:
            decoder.fit(z, y if target is None else target)
        return source

    @property
    def encoder(self) -> torch.nn.Module:
        """The source encoder (never modified by adapters)."""
        return self.embedding.encoder_

    @property
    def n_features_in(self) -> int:
        """Input channels."""
        return len(self.standardization.mean)

    def check_window(self, window: Any, owner: str) -> np.ndarray:
        """``window`` as a float32 (n, n_features) array; else raise naming ``owner``."""
        window = check_neural(window)
        if window.shape[1] != self.n_features_in:
            raise DataValidationError(
                f"window of {owner} has {window.shape[1]} channels; the source model has "
                f"{self.n_features_in}."
            )
        return window

    def embed_standardized(self, standardized: np.ndarray, encoder: Any = None) -> np.ndarray:
        """Embed already standardised rows with ``encoder`` (default: the source encoder)."""
        module = self.encoder if encoder is None else encoder
        return embed(module, torch.from_numpy(np.ascontiguousarray(standardized,
                                                                   dtype=np.float32)),
                     self.device)

    def transform(self, X: Any) -> np.ndarray:
        """The non-adapted embedding of ``X``: source standardisation, source encoder."""
        X = self.check_window(X, "SourceModel.transform")
        return self.embed_standardized(self.standardization(X))

    def save(self, path: str | os.PathLike[str]) -> None:
        """The embedding's model file with the source statistics in its metadata.

        The decoder is not stored; pass it again to :func:`load_source`.
        """
        stats = {"input": self.standardization.to_dict(),
                 "embedding_mean": None if self.embedding_mean is None
                 else self.embedding_mean.tolist(),
                 "embedding_cov": None if self.embedding_cov is None
                 else self.embedding_cov.tolist(),
                 "behavior_histogram": self.behavior_histogram,
                 "goodness_of_fit": self.goodness_of_fit}
        self.embedding.save(path, metadata={METADATA_KEY: json.dumps(stats)})


def load_source(path: str | os.PathLike[str], decoder: Any = None, *,
                device: str | None = None) -> SourceModel:
    """Read a :class:`SourceModel` written by :meth:`SourceModel.save`.

    Raises
    ------
    ModelFileError
        The file holds no source statistics (a plain ``Embedding`` file): fit a
        ``SourceModel`` on the source recording instead.

    Examples
    --------
    >>> from identica.adaptation import load_source
    >>> load_source  # doctest: +ELLIPSIS
    <function load_source at ...>
    """
    metadata, _ = read_raw(path)
    if METADATA_KEY not in metadata:
        raise ModelFileError(
            f"{os.fspath(path)!r} holds no source statistics ({METADATA_KEY!r} is missing from "
            "its metadata): it is a plain model file. Fit a SourceModel on the source "
            "recording and save that."
        )
    stats = json.loads(metadata[METADATA_KEY])
    standardization = InputStandardization(np.asarray(stats["input"]["mean"]),
                                           np.asarray(stats["input"]["std"]))
    mean, cov = stats["embedding_mean"], stats["embedding_cov"]
    return SourceModel(load(path), standardization, decoder,
                       embedding_mean=None if mean is None else np.asarray(mean),
                       embedding_cov=None if cov is None else np.asarray(cov),
                       behavior_histogram=stats.get("behavior_histogram"),
                       goodness_of_fit=stats.get("goodness_of_fit"), device=device)


def _histogram(y: Any) -> list[dict] | None:
    """20-bin histogram of every numeric behaviour column; None without labels."""
    if y is None:
        return None
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.number):
        return None
    columns = y.reshape(len(y), -1).astype(np.float64).T
    out = []
    for column in columns:
        counts, edges = np.histogram(column[np.isfinite(column)], bins=20)
        out.append({"edges": edges.tolist(), "counts": counts.tolist()})
    return out


def _goodness_of_fit(z: np.ndarray, embedding: Embedding) -> float | None:
    """Mean window goodness of fit (bits) over windows of 1,000 rows of the source embedding."""
    offset = getattr(embedding, "time_offset", 10)
    offset = offset if isinstance(offset, int) else 10
    size = min(len(z), 1000)
    if size < offset + 3:
        return None
    return float(np.mean([window_goodness_of_fit(z[s:s + size], time_offset=offset)
                          for s in range(0, len(z) - size + 1, size)]))
