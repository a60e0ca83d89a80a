# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Dynamics models in embedding space: the contract, the frozen identity and a learnable LDS."""

from __future__ import annotations

import abc

import torch
from torch import nn

__all__ = ["AbstractDynamics", "IdentityDynamics", "LinearDynamics"]


class AbstractDynamics(nn.Module, abc.ABC):
    """A model ``x_{t+1} = A_k x_t + B u_t`` of one step in embedding space, with K modes.

    Subclasses provide :attr:`matrices` (the K transition matrices) and :attr:`control_matrix`
    (``B``, or ``None`` without control inputs); the rest is shared. :meth:`forward` is the
    prediction trained by :class:`DynamicsObjective`: it may look at the positive (the
    embedding it predicts) to choose a mode, and may draw from the step's generator.

    Attributes
    ----------
    dimension : int
        Embedding dimension d.
    n_modes : int
        Number of modes K.
    n_controls : int
        Control inputs m per step (0: none).
    """

    dimension: int
    n_modes: int
    n_controls: int

    @property
    @abc.abstractmethod
    def matrices(self) -> torch.Tensor:
        """The transition matrices, shape ``(n_modes, d, d)``."""

    @property
    def control_matrix(self) -> torch.Tensor | None:
        """The control matrix ``B`` of shape ``(d, n_controls)``, or ``None``."""
        return None

    def _check_controls(self, x: torch.Tensor, controls: torch.Tensor | None) -> None:
        if (controls is None) != (self.n_controls == 0):
            raise ValueError(
                f"{type(self).__name__} takes {self.n_controls} control input(s) per step; got "
                f"{'none' if controls is None else f'controls of shape {tuple(controls.shape)}'}."
            )
        if controls is not None and controls.shape != (x.shape[0], self.n_controls):
            raise ValueError(
                f"controls must have shape ({x.shape[0]}, {self.n_controls}) for {x.shape[0]} "
                f"states; got {tuple(controls.shape)}."
            )

    def _drive(self, controls: torch.Tensor | None) -> torch.Tensor | float:
        """``B u`` per row (0 without controls)."""
        if controls is None:
            return 0.0
        return controls @ self.control_matrix.T

    def predict_all(self, x: torch.Tensor, controls: torch.Tensor | None = None) -> torch.Tensor:
        """The next state under every mode: ``A_k x + B u``, shape ``(n, n_modes, d)``."""
        self._check_controls(x, controls)
        drive = self._drive(controls)
        out = torch.einsum("kij,nj->nki", self.matrices, x)
        return out if controls is None else out + drive[:, None, :]

    def errors(self, x: torch.Tensor, following: torch.Tensor,
               controls: torch.Tensor | None = None) -> torch.Tensor:
        """Mean squared prediction error of every mode, ``(n, n_modes)``: ``mean_d (x' - A_k x
        - B u)²``."""
        return ((following[:, None, :] - self.predict_all(x, controls)) ** 2).mean(dim=2)

    def modes(self, x: torch.Tensor, following: torch.Tensor,
              controls: torch.Tensor | None = None) -> torch.Tensor:
        """The mode that predicts ``following`` best from ``x`` (int64, ``(n,)``)."""
        if self.n_modes == 1:
            return torch.zeros(x.shape[0], dtype=torch.int64, device=x.device)
        return self.errors(x, following, controls).argmin(dim=1)

    def step(self, x: torch.Tensor, modes: torch.Tensor | None = None,
             controls: torch.Tensor | None = None) -> torch.Tensor:
        """One step ``A_{k} x + B u`` with the given modes (required when ``n_modes > 1``).

        Parameters
        ----------
        x : Tensor of shape (n, d)
            Current states.
        modes : Tensor of shape (n,), int64, optional
            Mode of every row.
        controls : Tensor of shape (n, n_controls), optional
            Control input of every row (required when ``n_controls > 0``).

        Returns
        -------
        Tensor of shape (n, d)
        """
        self._check_controls(x, controls)
        if modes is None:
            if self.n_modes > 1:
                raise ValueError(
                    f"{type(self).__name__} has {self.n_modes} modes: step needs the mode of "
                    "every row (see modes())."
                )
            out = x @ self.matrices[0].T
        else:
            out = torch.einsum("nij,nj->ni", self.matrices[modes], x)
        return out if controls is None else out + self._drive(controls)

    def forward(self, x: torch.Tensor, following: torch.Tensor | None = None, *,
                controls: torch.Tensor | None = None,
                generator: torch.Generator | None = None) -> torch.Tensor:
        """The prediction of ``following`` from ``x`` (one mode: :meth:`step`).

        Parameters
        ----------
        x : Tensor of shape (n, d)
            Embeddings at time t.
        following : Tensor of shape (n, d), optional
            Embeddings at time t + 1 (switching models choose their mode from them).
        controls : Tensor of shape (n, n_controls), optional
            The inputs acting between t and t + 1.
        generator : torch.Generator, optional
            Source of any random draw (the training step's generator).
        """
        return self.step(x, controls=controls)


def _eye(dimension: int) -> torch.Tensor:
    return torch.eye(dimension, dtype=torch.float32)


class IdentityDynamics(AbstractDynamics):
    """``x_{t+1} = x_t``, frozen: the time-contrastive baseline (no parameters).

    Parameters
    ----------
    dimension : int
        Embedding dimension d.

    Examples
    --------
    >>> import torch
    >>> from identica.dynamics import IdentityDynamics
    >>> model = IdentityDynamics(2)
    >>> model(torch.tensor([[1.0, 2.0]])), list(model.parameters())
    (tensor([[1., 2.]]), [])
    """

    def __init__(self, dimension: int) -> None:
        super().__init__()
        self.dimension, self.n_modes, self.n_controls = int(dimension), 1, 0
        self.register_buffer("identity", _eye(self.dimension)[None])

    @property
    def matrices(self) -> torch.Tensor:
        return self.identity

    def step(self, x: torch.Tensor, modes: torch.Tensor | None = None,
             controls: torch.Tensor | None = None) -> torch.Tensor:
        self._check_controls(x, controls)
        return x


class LinearDynamics(AbstractDynamics):
    """``x_{t+1} = A x_t (+ B u_t)``: one learnable matrix ``A`` (starting at I), no bias.

    With ``n_controls > 0`` a learnable control matrix ``B`` of shape ``(d, n_controls)``,
    starting at 0, adds the effect of the inputs ``u_t`` that act between t and t + 1.

    Parameters
    ----------
    dimension : int
        Embedding dimension d.
    n_controls : int, default=0
        Control inputs per step.

    Examples
    --------
    >>> import torch
    >>> from identica.dynamics import LinearDynamics
    >>> model = LinearDynamics(2, n_controls=1)
    >>> model.matrices.shape, model.control_matrix.shape
    (torch.Size([1, 2, 2]), torch.Size([2, 1]))
    >>> model(torch.ones(3, 2), controls=torch.ones(3, 1)).shape
    torch.Size([3, 2])
    """

    def __init__(self, dimension: int, *, n_controls: int = 0) -> None:
        super().__init__()
        self.dimension, self.n_modes, self.n_controls = int(dimension), 1, int(n_controls)
        self.A = nn.Parameter(_eye(self.dimension))
        self.B = nn.Parameter(torch.zeros(self.dimension, self.n_controls)) \
            if self.n_controls else None

    @property
    def matrices(self) -> torch.Tensor:
        return self.A[None]

    @property
    def control_matrix(self) -> torch.Tensor | None:
        return self.B
