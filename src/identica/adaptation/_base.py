# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The adapter contract: reset, update on an unlabelled window, transform; the decoder is frozen."""

from __future__ import annotations

import abc
from typing import Any

import numpy as np

from identica.adaptation._source import SourceModel

__all__ = ["AbstractAdapter", "NoAdaptation"]


class AbstractAdapter(abc.ABC):
    """Adapts what it declares to an unlabelled stream; ``reset`` returns to the source exactly.

    Subclass it and implement :meth:`reset`, :meth:`update` and :meth:`transform`. ``update``
    receives windows ``(n, n_features)`` of neural data in stream order and never labels;
    :meth:`predict` reads the embedding with the source model's frozen decoder.

    Attributes
    ----------
    source : SourceModel
        The frozen source model (never modified).
    n_resets : int
        Resets since construction (construction is not one).

    Examples
    --------
    >>> from identica.adaptation import AbstractAdapter
    >>> class Doubled(AbstractAdapter):
    ...     # the source embedding times two; nothing to adapt
    ...     def reset(self):
    ...         self.n_resets += 1
    ...     def update(self, window):
    ...         pass
    ...     def transform(self, window):
    ...         return 2 * self.source.transform(window)
    >>> sorted(AbstractAdapter.__abstractmethods__), len(Doubled.__abstractmethods__)
    (['reset', 'transform', 'update'], 0)
    """

    source: SourceModel
    n_resets: int

    def __init__(self, source: SourceModel) -> None:
        self.source = source
        self.n_resets = 0

    @abc.abstractmethod
    def reset(self) -> None:
        """Return every adapted quantity (parameters, optimiser, statistics) to the source."""

    @abc.abstractmethod
    def update(self, window: Any) -> None:
        """Adapt to an unlabelled window of shape ``(n, n_features)``."""

    @abc.abstractmethod
    def transform(self, window: Any) -> np.ndarray:
        """Embed ``window`` with the adapted model: ``(n, output_dimension)`` float32."""

    def predict(self, window: Any) -> np.ndarray:
        """The frozen decoder's prediction from the adapted embedding of ``window``."""
        return self.source.decoder.predict(self.transform(window))


class NoAdaptation(AbstractAdapter):
    """The frozen source model: ``update`` does nothing.

    Examples
    --------
    >>> from identica.adaptation import NoAdaptation
    >>> NoAdaptation.update.__doc__.split(".")[0]
    'Nothing to adapt'
    """

    def reset(self) -> None:
        """Nothing to restore."""
        self.n_resets += 1

    def update(self, window: Any) -> None:
        """Nothing to adapt."""
        self.source.check_window(window, "NoAdaptation.update")

    def transform(self, window: Any) -> np.ndarray:
        """The source embedding of ``window``."""
        return self.source.transform(window)
