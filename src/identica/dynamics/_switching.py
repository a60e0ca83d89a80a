# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""∇-SLDS: K linear modes, chosen per step by how well each predicts the next embedding."""

from __future__ import annotations

import torch
from torch import nn

from identica.dynamics._models import AbstractDynamics

__all__ = ["SwitchingDynamics", "gumbel_noise"]

_ERROR_FLOOR = 1e-16  # the reference's: logits 1 / (error + 1e-16)


def gumbel_noise(shape: tuple[int, ...], *, generator: torch.Generator,
                 dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Standard Gumbel draws ``-log(-log U)``, ``U`` uniform from ``generator`` (on the CPU).

    ``torch.nn.functional.gumbel_softmax`` draws from the global random state; this draw
    depends on the generator alone, so a seeded fit stays reproducible.

    Examples
    --------
    >>> import torch
    >>> from identica.dynamics import gumbel_noise
    >>> a = gumbel_noise((2, 3), generator=torch.Generator().manual_seed(0))
    >>> torch.equal(a, gumbel_noise((2, 3), generator=torch.Generator().manual_seed(0)))
    True
    >>> bool(torch.isfinite(a).all())
    True
    """
    uniform = torch.rand(shape, generator=generator, dtype=dtype)
    tiny = torch.finfo(dtype).tiny
    exponential = -torch.log(uniform.clamp(min=tiny))  # > 0: standard exponential draws
    return -torch.log(exponential.clamp(min=tiny))


class SwitchingDynamics(AbstractDynamics):
    """∇-SLDS: ``x_{t+1} = A_k x_t (+ B u_t)`` with K learnable matrices and a mode per step.

    The mode of a step is read off the prediction errors, as in González Laiz et al. (ICLR
    2025): the logits are ``λ_k = 1 / (mean_d (x_{t+1} - A_k x_t)² + 1e-16)``, computed from
    the positive (the embedding being predicted). In training (``model.train()``) the K
    predictions are mixed with weights ``softmax((λ + g) / τ)``, ``g`` standard Gumbel noise
    drawn from the step's generator (``gumbel_softmax`` with ``hard=False``, τ = 1 as in the
    reference); in evaluation the mode is the hard ``argmin`` of the error, without noise.
    Gradients flow through ``λ`` unless ``detach_logits``.

    Initialisation: every ``A_k`` starts at the identity plus Gaussian noise of standard
    deviation ``init_noise`` drawn from ``generator``. The reference starts all modes at
    exactly I, where only the Gumbel noise can tell them apart; a small seeded perturbation
    gives each mode its own prediction from the first step, so the modes start to separate at
    once (``init_noise=0`` restores the reference's start).

    Parameters
    ----------
    dimension : int
        Embedding dimension d.
    n_modes : int
        Number of modes K.
    n_controls : int, default=0
        Control inputs per step (one control matrix ``B``, starting at 0, shared by the modes).
    detach_logits : bool, default=False
        Stop gradients through the mode logits (the ablation of the reference's choice).
    temperature : float, default=1.0
        Gumbel-softmax temperature τ in training.
    init_noise : float, default=0.01
        Standard deviation of the perturbation of the identity at initialisation.
    generator : torch.Generator, optional
        Source of that perturbation (required when ``init_noise > 0``).

    Examples
    --------
    >>> import torch
    >>> from identica.dynamics import SwitchingDynamics
    >>> model = SwitchingDynamics(2, 3, generator=torch.Generator().manual_seed(0)).eval()
    >>> x = torch.randn(5, 2)
    >>> following = x @ model.matrices[2].detach().T
    >>> model.modes(x, following).tolist()
    [2, 2, 2, 2, 2]
    >>> torch.allclose(model(x, following), following)
    True
    """

    def __init__(self, dimension: int, n_modes: int, *, n_controls: int = 0,
                 detach_logits: bool = False, temperature: float = 1.0,
                 init_noise: float = 0.01, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.dimension, self.n_modes = int(dimension), int(n_modes)
        self.n_controls = int(n_controls)
        self.detach_logits = bool(detach_logits)
        self.temperature = float(temperature)
        start = torch.eye(self.dimension).expand(self.n_modes, -1, -1).clone()
        if init_noise > 0:
            if generator is None:
                raise ValueError(
                    "SwitchingDynamics needs a generator for its initial perturbation "
                    f"(init_noise={init_noise}); pass generator=torch.Generator().manual_seed(...)"
                    " or init_noise=0."
                )
            start += init_noise * torch.randn(start.shape, generator=generator)
        self.A = nn.Parameter(start)
        self.B = nn.Parameter(torch.zeros(self.dimension, self.n_controls)) \
            if self.n_controls else None

    @property
    def matrices(self) -> torch.Tensor:
        return self.A

    @property
    def control_matrix(self) -> torch.Tensor | None:
        return self.B

    def logits(self, x: torch.Tensor, following: torch.Tensor,
               controls: torch.Tensor | None = None) -> torch.Tensor:
        """Mode logits ``λ_k = 1 / (error_k + 1e-16)``, shape ``(n, n_modes)``."""
        return 1.0 / (self.errors(x, following, controls) + _ERROR_FLOOR)

    def forward(self, x: torch.Tensor, following: torch.Tensor | None = None, *,
                controls: torch.Tensor | None = None,
                generator: torch.Generator | None = None) -> torch.Tensor:
        """Gumbel-softmax mix of the modes' predictions in training, the best mode in evaluation.

        Both need ``following`` (the embedding predicted); training also needs ``generator``.
        """
        if following is None:
            raise ValueError(
                "SwitchingDynamics chooses its mode from the embedding it predicts: pass "
                "following (the positive). For a rollout, use step() with given modes."
            )
        predictions = self.predict_all(x, controls)
        if not self.training:
            best = ((following[:, None, :] - predictions) ** 2).mean(dim=2).argmin(dim=1)
            return predictions[torch.arange(x.shape[0], device=x.device), best]
        if generator is None:
            raise ValueError(
                "SwitchingDynamics draws Gumbel noise in training: pass the step's generator "
                "(or call eval() for the deterministic choice)."
            )
        errors = ((following[:, None, :] - predictions) ** 2).mean(dim=2)
        logits = 1.0 / (errors + _ERROR_FLOOR)
        if self.detach_logits:
            logits = logits.detach()
        noise = gumbel_noise(tuple(logits.shape), generator=generator, dtype=logits.dtype)
        weights = torch.softmax((logits + noise.to(logits.device)) / self.temperature, dim=1)
        return (weights[:, :, None] * predictions).sum(dim=1)
