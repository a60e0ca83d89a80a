# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Self-learning with hard pseudo-labels from class prototypes of the source embedding."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from identica._checks import check_float
from identica.adaptation._readin import _ReadInTuner
from identica.adaptation._source import SourceModel
from identica.exceptions import DataValidationError

__all__ = ["SelfLearning"]


class SelfLearning(_ReadInTuner):
    """Tune the read-in to make a prototype classifier confident on its own pseudo-labels.

    The classifier is fixed: logits are cosine similarities of the embedding to the class
    means of the source embedding (``classes`` are source labels, known at fit time) divided
    by ``temperature``. Each step labels the batch with the current model's arg-max (hard
    pseudo-labels, teacher updated every step) and minimises the generalised cross-entropy
    ``(1 - p^q) / q`` (robust pseudo-labelling, q = 0.8). Stream labels are never read.

    Parameters
    ----------
    source : SourceModel
    source_embedding : ndarray of shape (n_source, output_dimension)
        The source embedding.
    classes : ndarray of shape (n_source,), int
        A discrete label of every source row (e.g. binned position).
    q : float, default=0.8
    temperature : float, default=0.1
    **options
        Of the shared read-in tuner (``read_in``, ``buffer_size``, ``steps``, ...).

    Examples
    --------
    >>> from identica.adaptation import SelfLearning
    >>> SelfLearning.objective.__doc__.split(".")[0]
    'Generalised cross-entropy to the hard pseudo-labels of a batch of the buffer'
    """

    def __init__(self, source: SourceModel, source_embedding: Any, classes: Any, *,
                 q: float = 0.8, temperature: float = 0.1, **options: Any) -> None:
        super().__init__(source, **options)
        z = np.asarray(source_embedding, dtype=np.float32)
        labels = np.asarray(classes)
        if len(z) != len(labels) or not np.issubdtype(labels.dtype, np.integer):
            raise DataValidationError(
                f"'classes' of SelfLearning must hold one integer label per row of "
                f"source_embedding ({len(z)} rows). Got {len(labels)} labels of dtype "
                f"{labels.dtype}."
            )
        self.q = check_float(q, name="q", owner="SelfLearning", low=0.0, high=1.0)
        self.temperature = check_float(temperature, name="temperature", owner="SelfLearning",
                                       low=0.0)
        prototypes = np.stack([z[labels == c].mean(axis=0) for c in np.unique(labels)])
        self.prototypes = F.normalize(torch.from_numpy(prototypes), dim=1).to(source.device)

    def objective(self, neural: torch.Tensor) -> torch.Tensor:
        """Generalised cross-entropy to the hard pseudo-labels of a batch of the buffer."""
        window = len(self.encoder.receptive_field)
        starts = self._starts(self.batch_size, len(neural) - window + 1)
        z = F.normalize(self._embed_at(neural, starts), dim=1)
        p = torch.softmax(z @ self.prototypes.T / self.temperature, dim=1)
        pseudo = p.detach().argmax(dim=1)
        chosen = p.gather(1, pseudo[:, None])[:, 0]
        return ((1 - chosen.clamp_min(1e-8) ** self.q) / self.q).mean()
