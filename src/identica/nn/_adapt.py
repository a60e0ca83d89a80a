# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""A trained encoder with a fresh input layer, for a recording with other channels."""

from __future__ import annotations

import copy

import torch
from torch import nn

from identica.exceptions import ConfigurationError
from identica.nn._base import AbstractEncoder, reset_parameters

__all__ = ["input_layer", "with_new_input"]


def input_layer(encoder: nn.Module) -> nn.Module:
    """The layer of ``encoder`` that reads the input channels (its ``input_layer_name``).

    Raises
    ------
    ConfigurationError
        The encoder does not declare ``input_layer_name``, or the name does not lead to an
        ``nn.Linear`` or ``nn.Conv1d``.

    Examples
    --------
    >>> from identica.nn import input_layer, make_encoder
    >>> input_layer(make_encoder("mlp-clip", 50, 6))
    Linear(in_features=50, out_features=180, bias=True)
    """
    name = getattr(encoder, "input_layer_name", None)
    if not isinstance(name, str):
        raise ConfigurationError(
            f"Adapting needs to know the input layer of the encoder; {type(encoder).__name__} "
            "declares no 'input_layer_name' (the dotted path of the nn.Linear or nn.Conv1d "
            "that reads the input channels). Declare it, or train a new model on the new "
            "recording."
        )
    try:
        layer = encoder.get_submodule(name)
    except AttributeError as error:
        raise ConfigurationError(
            f"'input_layer_name' of {type(encoder).__name__} is {name!r}, which names no "
            "submodule."
        ) from error
    if not isinstance(layer, nn.Linear | nn.Conv1d):
        raise ConfigurationError(
            f"'input_layer_name' of {type(encoder).__name__} must name an nn.Linear or "
            f"nn.Conv1d; {name!r} is {type(layer).__name__}."
        )
    return layer


def _fresh_like(layer: nn.Linear | nn.Conv1d, n_features_in: int) -> nn.Module:
    if isinstance(layer, nn.Linear):
        return nn.Linear(n_features_in, layer.out_features, bias=layer.bias is not None)
    return nn.Conv1d(n_features_in, layer.out_channels, layer.kernel_size[0],
                     stride=layer.stride, padding=layer.padding, dilation=layer.dilation,
                     bias=layer.bias is not None)


def with_new_input(
    encoder: AbstractEncoder, n_features_in: int, *, generator: torch.Generator
) -> AbstractEncoder:
    """A copy of ``encoder`` whose input layer is re-initialised for ``n_features_in`` channels.

    Every other parameter is copied unchanged. The new layer (same type and shape apart from
    its input channels) is drawn from ``generator`` with PyTorch's default rule (see
    :func:`reset_parameters`).

    Parameters
    ----------
    encoder : AbstractEncoder
        A trained encoder declaring ``input_layer_name``.
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
    parent_name, _, child = encoder.input_layer_name.rpartition(".")
    parent = adapted.get_submodule(parent_name) if parent_name else adapted
    layer = _fresh_like(old_layer, n_features_in)
    setattr(parent, child, layer)
    reset_parameters(layer, generator=generator)
    adapted.n_features_in = n_features_in
    return adapted.to(old_layer.weight.device)
