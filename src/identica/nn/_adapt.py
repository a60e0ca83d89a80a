# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""A trained encoder with a fresh input layer, for a recording with other channels."""

from __future__ import annotations

import copy

import torch
from torch import nn

from identica.exceptions import ConfigurationError
from identica.nn._base import AbstractEncoder, reset_parameters
from identica.nn._conv import ConvEncoder
from identica.nn._mlp import MLPEncoder

__all__ = ["input_layer", "with_new_input"]


def input_layer(encoder: nn.Module) -> nn.Module:
    """The layer of ``encoder`` that reads the input channels.

    Raises
    ------
    ConfigurationError
        For encoders other than identica's ConvEncoder and MLPEncoder.
    """
    if isinstance(encoder, ConvEncoder):
        return encoder.first
    if isinstance(encoder, MLPEncoder):
        return encoder.net[0]
    raise ConfigurationError(
        f"Adapting needs to know the input layer of the encoder; {type(encoder).__name__} is "
        "not an identica ConvEncoder or MLPEncoder. Train a new model on the new recording."
    )


def with_new_input(
    encoder: AbstractEncoder, n_features_in: int, *, generator: torch.Generator
) -> AbstractEncoder:
    """A copy of ``encoder`` whose input layer is re-initialised for ``n_features_in`` channels.

    Every other parameter is copied unchanged. The new layer is drawn from ``generator`` with
    PyTorch's default rule (see :func:`reset_parameters`).

    Parameters
    ----------
    encoder : ConvEncoder or MLPEncoder
        A trained encoder.
    n_features_in : int
        Channels of the new recording.
    generator : torch.Generator
        Source of the new layer's initial weights.

    Returns
    -------
    AbstractEncoder

    Examples
    --------
    >>> import torch
    >>> from identica.nn import make_encoder, with_new_input
    >>> old = make_encoder("conv10", 30, 8)
    >>> new = with_new_input(old, 45, generator=torch.Generator().manual_seed(0))
    >>> new.n_features_in, torch.equal(new.last.weight, old.last.weight)
    (45, True)
    """
    old_layer = input_layer(encoder)
    adapted = copy.deepcopy(encoder)
    if isinstance(adapted, ConvEncoder):
        adapted.first = nn.Conv1d(n_features_in, old_layer.out_channels, old_layer.kernel_size[0])
        layer = adapted.first
    else:
        adapted.net[0] = nn.Linear(n_features_in, old_layer.out_features)
        layer = adapted.net[0]
    reset_parameters(layer, generator=generator)
    adapted.n_features_in = n_features_in
    return adapted.to(old_layer.weight.device)
