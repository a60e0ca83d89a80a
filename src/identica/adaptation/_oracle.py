# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The labelled oracle: the decoder re-fitted on recent labelled stream windows (an upper bound)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone

from identica._checks import check_int
from identica.adaptation._base import AbstractAdapter
from identica.adaptation._source import SourceModel

__all__ = ["Oracle"]


class Oracle(AbstractAdapter):
    """Not a method but an upper bound: the only adapter that reads labels.

    The encoder stays frozen; after a window has been scored, :meth:`reveal` gives its labels
    and a clone of the source decoder is re-fitted on the last ``memory`` labelled windows,
    which then decodes the next window.

    Parameters
    ----------
    source : SourceModel
    memory : int, default=2
        Labelled windows the decoder is fitted on.

    Examples
    --------
    >>> from identica.adaptation import Oracle
    >>> Oracle.__init__.__defaults__
    (2,)
    """

    def __init__(self, source: SourceModel, memory: int = 2) -> None:
        super().__init__(source)
        self.memory = check_int(memory, name="memory", owner="Oracle", low=1)
        self._set_source()

    def _set_source(self) -> None:
        self.decoder_ = self.source.decoder
        self._seen: list[tuple[np.ndarray, np.ndarray]] = []

    def reset(self) -> None:
        """The source decoder; labelled windows are forgotten."""
        self._set_source()
        self.n_resets += 1

    def update(self, window: Any) -> None:
        """Nothing to adapt before the labels come."""
        self.source.check_window(window, "Oracle.update")

    def reveal(self, window: Any, y: Any) -> None:
        """Labels of a scored window: re-fit the decoder on the last ``memory`` windows."""
        self._seen = [*self._seen, (self.source.transform(window), np.asarray(y))][
            -self.memory:]
        z = np.concatenate([s[0] for s in self._seen])
        labels = np.concatenate([s[1] for s in self._seen])
        self.decoder_ = clone(self.source.decoder).fit(z, labels)

    def transform(self, window: Any) -> np.ndarray:
        """The source embedding."""
        return self.source.transform(window)

    def predict(self, window: Any) -> np.ndarray:
        """The re-fitted decoder's prediction."""
        return self.decoder_.predict(self.transform(window))
