# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Encoders: networks from windows of neural data to embedding vectors.

Every encoder declares its ``receptive_field`` (:class:`~identica.data.Offset`),
``n_features_in`` and ``output_dimension`` and maps ``(batch, n_features_in, window)`` to
``(batch, output_dimension)``; none holds training logic. :func:`make_encoder` turns registry
names (``"mlp"``, ``"mlp-clip"``, ``"mlp-scaled"``, ``"conv5"`` … ``"conv50"``, the number
being the receptive field) into modules, their output constrained (:class:`OutputConstraint`:
none, sphere or a learnable box); :func:`embed` runs an encoder over every row of a recording (edges
padded by repetition), as transform and attribution do. Subclass :class:`AbstractEncoder` for a
new architecture.
"""

from identica.data._offset import Offset as Offset
from identica.nn._adapt import input_layer as input_layer
from identica.nn._adapt import with_new_input as with_new_input
from identica.nn._base import AbstractEncoder as AbstractEncoder
from identica.nn._base import reset_parameters as reset_parameters
from identica.nn._constraint import OUTPUT_CONSTRAINTS as OUTPUT_CONSTRAINTS
from identica.nn._constraint import OutputConstraint as OutputConstraint
from identica.nn._conv import ConvEncoder as ConvEncoder
from identica.nn._embed import RowWindows as RowWindows
from identica.nn._embed import embed as embed
from identica.nn._embed import embed_disk as embed_disk
from identica.nn._mlp import MLPEncoder as MLPEncoder
from identica.nn._mlp_clip import ClippedMLPEncoder as ClippedMLPEncoder
from identica.nn._mlp_scaled import ScaledMLPEncoder as ScaledMLPEncoder
from identica.nn._registry import ENCODERS as ENCODERS
from identica.nn._registry import make_encoder as make_encoder

__all__ = [
    "ENCODERS",
    "AbstractEncoder",
    "ClippedMLPEncoder",
    "ConvEncoder",
    "MLPEncoder",
    "OUTPUT_CONSTRAINTS",
    "Offset",
    "OutputConstraint",
    "RowWindows",
    "ScaledMLPEncoder",
    "embed",
    "embed_disk",
    "input_layer",
    "make_encoder",
    "reset_parameters",
    "with_new_input",
]
