# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Constraints on an encoder's output: none, the unit sphere, or a learnable box."""

from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F
from torch import nn

from identica._checks import check_choice

__all__ = ["OUTPUT_CONSTRAINTS", "OutputConstraint"]

OUTPUT_CONSTRAINTS = ("none", "sphere", "box")


class OutputConstraint(nn.Module):
    """The last step of an encoder: where its embeddings may lie.

    - ``"none"``: unconstrained, ``R^d`` (for the L^p and euclidean similarities).
    - ``"sphere"``: divided by their L2 norm, on the unit sphere (for cosine, and for dot =
      the von Mises–Fisher loss).
    - ``"box"``: ``scale * sigmoid(h)``, in the box ``[0, scale_k]`` per dimension, with a
      learnable per-dimension ``scale`` starting at 1 (for latents on a bounded box, as in
      CL-ICA's learnable box).

    Parameters
    ----------
    kind : {"none", "sphere", "box"}
        The constraint.
    dimension : int
        Embedding dimension (the number of box scales).

    Raises
    ------
    ConfigurationError
        If ``kind`` is not one of :data:`OUTPUT_CONSTRAINTS`.

    Examples
    --------
    >>> import torch
    >>> from identica.nn import OutputConstraint
    >>> OutputConstraint("sphere", 2)(torch.tensor([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
    >>> OutputConstraint("box", 2)(torch.zeros(1, 2))
    tensor([[0.5000, 0.5000]], grad_fn=<MulBackward0>)
    """

    def __init__(self, kind: str, dimension: int) -> None:
        super().__init__()
        self.kind = check_choice(kind, OUTPUT_CONSTRAINTS, name="output_constraint",
                                 owner="OutputConstraint")
        if self.kind == "box":
            self.scale = nn.Parameter(torch.ones(dimension))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        if self.kind == "sphere":
            return F.normalize(h, dim=1)
        if self.kind == "box":
            return self.scale * torch.sigmoid(h)
        return h

    def extra_repr(self) -> str:
        return repr(self.kind)


def resolve_constraint(output_constraint: str, normalize: bool | None, owner: str) -> str:
    """``output_constraint``, or the deprecated ``normalize`` flag translated (with a warning)."""
    if normalize is None:
        return output_constraint
    replacement = "sphere" if normalize else "none"
    warnings.warn(
        f"'normalize' of {owner} is deprecated and will be removed in the next minor release; "
        f"use output_constraint={replacement!r}.",
        DeprecationWarning,
        stacklevel=3,
    )
    return replacement
