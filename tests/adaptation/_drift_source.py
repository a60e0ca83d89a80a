# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""A tiny source model on place cells and drifted windows, for the adaptation tests."""

from __future__ import annotations

import numpy as np

import identica
from identica.adaptation import SourceModel
from identica.decoders import KNNDecoder
from identica.synthetic import DriftModel, place_cell_population


def make_drift_setup() -> dict:
    """Source model (conv10, 30 steps), its data, a drifted stream and source classes."""
    population = place_cell_population(4000, 24, random_state=0)
    drift = DriftModel(24, random_state=0)
    source_rows, stream_rows = population[:2000], population[2000:]
    X = drift.sample(source_rows, {}, random_state=1)
    model = identica.Embedding(encoder="conv10", output_dimension=4, hidden_units=16,
                               batch_size=64, max_iterations=30, random_state=0,
                               num_threads=1)
    source = SourceModel.fit(model, X, source_rows.behavior, target=source_rows.target[:, 0],
                             decoder=KNNDecoder(n_neighbors=10))
    stream = drift.sample(stream_rows, {"gain": 3.0, "dropout": 3.0}, random_state=2)
    classes = np.digitize(source_rows.target[:, 0], [0.4, 0.8, 1.2]).astype(np.int64)
    return {"source": source, "X": X, "stream": stream,
            "target": stream_rows.target[:, 0], "classes": classes}
