# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""CEBRA-style re-fit of the input layer: a fresh layer trained on the recent stream."""

from __future__ import annotations

from typing import Any

import torch

from identica._checks import check_int
from identica.adaptation._readin import ContrastiveReadIn
from identica.adaptation._source import SourceModel
from identica.exceptions import ConfigurationError
from identica.nn._adapt import input_layer
from identica.nn._base import reset_parameters

__all__ = ["InputRefit"]


class InputRefit(ContrastiveReadIn):
    """Every ``refit_every`` samples, re-initialise the input layer and train it on the buffer.

    The stream counterpart of ``Embedding(adapt=True)`` (CEBRA's ``adapt``): the encoder's input
    layer is drawn afresh (PyTorch's default rule, from this adapter's seeded generator) and
    trained for ``steps`` Adam steps of the time-contrastive InfoNCE on the most recent
    ``buffer_size`` rows; the rest of the encoder and the decoder stay frozen, and no label is
    read. Until the first re-fit the source layer is used. Between re-fits nothing is trained.
    The frozen core and decoder constrain what a fresh layer can do, but the time objective
    does not tie its output to the source's coordinates: whatever the decoder reads from the
    re-fitted embedding is what the core makes of the new layer.

    Parameters
    ----------
    source : SourceModel
    refit_every : int, default=4000
        Stream samples between re-fits (the first one happens once this many have arrived).
    steps : int, default=200
        Adam steps per re-fit.
    learning_rate : float, default=3e-3
    **options
        Of :class:`ContrastiveReadIn` (``time_offset``, ``buffer_size``, ``batch_size``,
        ``random_state``); the read-in is always the input layer.

    Examples
    --------
    >>> from identica.adaptation import InputRefit
    >>> InputRefit.update.__doc__.split(".")[0]
    'Append ``window`` to the buffer; re-fit the input layer when the period is full'
    """

    def __init__(self, source: SourceModel, *, refit_every: int = 4000, steps: int = 200,
                 learning_rate: float = 3e-3, **options: Any) -> None:
        if options.pop("read_in", "input") != "input":
            raise ConfigurationError(
                "'read_in' of InputRefit is always 'input' (the encoder's input layer is what "
                "it re-fits); leave it out."
            )
        super().__init__(source, read_in="input", steps=steps, learning_rate=learning_rate,
                         **options)
        self.refit_every = check_int(refit_every, name="refit_every", owner="InputRefit",
                                     low=1)

    def _restore(self) -> None:  # also run by the constructor
        super()._restore()
        self.seen = 0  # samples since the last re-fit

    def update(self, window: Any) -> None:
        """Append ``window`` to the buffer; re-fit the input layer when the period is full."""
        self._append(window)
        self.seen += len(window)
        if self.seen < self.refit_every:
            return
        self.seen = 0
        reset_parameters(input_layer(self.encoder), generator=self.generator)
        self.optimizer = torch.optim.Adam(self.trainable, lr=self.learning_rate)
        self._train(self.steps)
