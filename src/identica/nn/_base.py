# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The encoder contract and parameter initialisation from an explicit generator."""

from __future__ import annotations

import abc
import math

import torch
from torch import nn

from identica.data._offset import Offset
from identica.exceptions import ConfigurationError

__all__ = ["AbstractEncoder", "reset_parameters"]


class AbstractEncoder(nn.Module, abc.ABC):
    """A network from windows ``(batch, n_features_in, window)`` to ``(batch, output_dimension)``.

    ``window`` equals ``len(receptive_field)``. Encoders hold no training logic. Any
    ``nn.Module`` with these three attributes can be passed to :class:`identica.Embedding`.

    Two more declarations let the engine use an encoder without knowing its class:
    ``input_layer_name`` names the submodule that reads the input channels (an ``nn.Linear``
    or ``nn.Conv1d``; adaptation to a recording with other channels replaces it), and
    :attr:`supports_double_backward` / :meth:`set_double_backward` tell whether the forward
    can be differentiated twice (the Jacobian penalty needs it).

    An encoder may also define ``forward_at(neural, starts)``: the embeddings of the windows of
    a recording ``(n_samples, n_features_in)`` that start at rows ``starts``. Training calls it
    instead of gathering the windows when it exists, so that overlapping windows can share
    work (:meth:`ConvEncoder.forward_at` computes each distinct row once).

    Attributes
    ----------
    receptive_field : Offset
        Rows read before and from the embedded time step.
    n_features_in : int
        Input channels (neurons).
    output_dimension : int
        Embedding dimension.
    input_layer_name : str
        Dotted path of the layer that reads the input channels (``"net.0"``, ``"first"``).
    """

    receptive_field: Offset
    n_features_in: int
    output_dimension: int
    input_layer_name: str

    @property
    def supports_double_backward(self) -> bool:
        """Whether the forward pass, as configured now, supports a double backward."""
        return True

    def set_double_backward(self, enabled: bool) -> None:
        """Configure the forward pass to support a double backward (or to be fast without one).

        Encoders whose forward always supports it do nothing; those with a fused forward
        switch to plain autograd.
        """
        if enabled and not self.supports_double_backward:
            raise ConfigurationError(
                f"{type(self).__name__} has no forward pass with a double backward, which the "
                "Jacobian penalty needs. Override set_double_backward to switch to one, or "
                "train without jacobian_regularization."
            )

    @abc.abstractmethod
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Embed windows ``(batch, n_features_in, window)`` into ``(batch, output_dimension)``."""


def reset_parameters(module: nn.Module, *, generator: torch.Generator) -> nn.Module:
    """Re-draw every Linear and Conv1d parameter with PyTorch's default rule from ``generator``.

    Weights and biases are uniform in ``±1/sqrt(fan_in)`` (PyTorch's Kaiming-uniform default with
    ``a = sqrt(5)``), drawn in module order so the result depends on the generator alone.

    Parameters
    ----------
    module : nn.Module
        Network whose layers to initialise, in place.
    generator : torch.Generator
        Source of the draws.

    Returns
    -------
    nn.Module
        ``module`` itself.

    Examples
    --------
    >>> import torch
    >>> from identica.nn import reset_parameters
    >>> a = reset_parameters(torch.nn.Linear(3, 2), generator=torch.Generator().manual_seed(0))
    >>> b = reset_parameters(torch.nn.Linear(3, 2), generator=torch.Generator().manual_seed(0))
    >>> torch.equal(a.weight, b.weight)
    True
    """
    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, nn.Linear | nn.Conv1d):
                fan_in = layer.weight[0].numel()
                bound = 1.0 / math.sqrt(fan_in)
                layer.weight.uniform_(-bound, bound, generator=generator)
                if layer.bias is not None:
                    layer.bias.uniform_(-bound, bound, generator=generator)
    return module
