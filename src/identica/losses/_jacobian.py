# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Jacobian regularisation (Hoffman, Roberts & Yaida 2019) and its weight schedule.

``R = ½ · mean_b ‖J_b‖_F²`` for the Jacobian ``J_b`` of an output slice with respect to the
input window of sample ``b``. The exact form takes one vector–Jacobian product per output
dimension; the random-projection form takes one per projection: with ``v_b`` uniform on the
unit sphere, ``½ · C · mean_b ‖J_bᵀ v_b‖²`` is unbiased for ``R``. Both keep the graph so the
penalty can be trained through (a double backward).
"""

from __future__ import annotations

import dataclasses

import torch

__all__ = ["JacobianRegularizer", "LinearRamp", "jacobian_penalty"]


@dataclasses.dataclass(frozen=True)
class LinearRamp:
    """A weight that is off before step ``on``, ramps linearly to ``end`` at ``off``, then stays.

    Parameters
    ----------
    on, off : int
        First step with the term, and step where the ramp ends (``off >= on``).
    start, end : float
        Weight at ``on`` and from ``off`` on.

    Examples
    --------
    >>> from identica.losses import LinearRamp
    >>> ramp = LinearRamp(on=100, off=200, start=0.0, end=0.1)
    >>> [ramp.weight(s) for s in (99, 100, 150, 200, 300)]
    [None, 0.0, 0.05, 0.1, 0.1]
    """

    on: int
    off: int
    start: float = 0.0
    end: float = 0.01

    def __post_init__(self) -> None:
        ints = isinstance(self.on, int) and isinstance(self.off, int)
        if not (ints and 0 <= self.on <= self.off):
            raise ValueError(
                f"LinearRamp needs ints 0 <= on <= off. Got on={self.on!r}, off={self.off!r}."
            )

    def weight(self, step: int) -> float | None:
        """The weight at ``step`` (0-based), or ``None`` before ``on`` (the term is skipped)."""
        if step < self.on:
            return None
        if step >= self.off:
            return float(self.end)
        return float(self.start + (self.end - self.start) * (step - self.on) / (self.off - self.on))


def jacobian_penalty(
    inputs: torch.Tensor,
    outputs: torch.Tensor,
    *,
    exact: bool = False,
    n_projections: int = 1,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """``½ · mean_b ‖∂outputs_b / ∂inputs_b‖_F²``, exact or by random projections.

    Parameters
    ----------
    inputs : Tensor of shape (batch, ...)
        Requires grad; ``outputs`` was computed from it, row by row.
    outputs : Tensor of shape (batch, C)
        The output slice to regularise.
    exact : bool
        C vector–Jacobian products instead of random projections.
    n_projections : int
        Projections averaged (random form).
    generator : torch.Generator, optional
        Source of the projection directions (CPU).

    Returns
    -------
    Tensor
        A scalar with the graph kept (``create_graph=True``).

    Examples
    --------
    >>> import torch
    >>> from identica.losses import jacobian_penalty
    >>> x = torch.randn(4, 3, requires_grad=True)
    >>> w = torch.tensor([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0]])
    >>> float(jacobian_penalty(x, x @ w.T, exact=True).detach())  # ½ ‖W‖² = ½ (1 + 4)
    2.5
    """
    batch, width = outputs.shape
    if exact:
        total = outputs.new_zeros(())
        for c in range(width):
            (grad,) = torch.autograd.grad(outputs[:, c].sum(), inputs, create_graph=True)
            total = total + grad.pow(2).sum()
        return 0.5 * total / batch
    total = outputs.new_zeros(())
    for _ in range(n_projections):
        v = torch.randn((batch, width), generator=generator, dtype=outputs.dtype)
        v = (v / v.norm(dim=1, keepdim=True)).to(outputs.device)
        (grad,) = torch.autograd.grad((outputs * v).sum(), inputs, create_graph=True)
        total = total + grad.pow(2).sum()
    return 0.5 * width * total / (batch * n_projections)


@dataclasses.dataclass(frozen=True)
class JacobianRegularizer:
    """One Jacobian penalty per output slice, weighted by a schedule; for the training loop.

    Parameters
    ----------
    slices : tuple of tuple of int
        Output dimensions of every penalised slice (one per objective).
    schedule : float or LinearRamp
        A constant weight, or a ramp (the term is skipped before ``on``).
    n_projections : int
        Random projections per slice; 0 computes the exact penalty.

    Examples
    --------
    >>> import torch
    >>> from identica.losses import JacobianRegularizer
    >>> reg = JacobianRegularizer(slices=((0, 1),), schedule=0.5, n_projections=0)
    >>> x = torch.randn(3, 2, requires_grad=True)
    >>> float(reg.penalty(x, 2 * x, generator=torch.Generator()).detach())  # ½ ‖2 I‖² = 4
    4.0
    """

    slices: tuple[tuple[int, ...], ...]
    schedule: float | LinearRamp
    n_projections: int = 1

    def weight(self, step: int) -> float | None:
        """Weight at ``step``, or ``None`` when the penalty is off."""
        if isinstance(self.schedule, LinearRamp):
            return self.schedule.weight(step)
        return float(self.schedule)

    def penalty(
        self, inputs: torch.Tensor, outputs: torch.Tensor, *, generator: torch.Generator
    ) -> torch.Tensor:
        """Sum over slices of :func:`jacobian_penalty` of ``outputs[:, slice]``."""
        total = outputs.new_zeros(())
        for dims in self.slices:
            total = total + jacobian_penalty(
                inputs, outputs[:, list(dims)], exact=self.n_projections == 0,
                n_projections=max(self.n_projections, 1), generator=generator,
            )
        return total
