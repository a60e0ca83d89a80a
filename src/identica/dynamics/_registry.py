# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Dynamics model names used by the estimator and its model files."""

from __future__ import annotations

import torch

from identica._checks import check_choice, check_int
from identica.dynamics._models import AbstractDynamics, IdentityDynamics, LinearDynamics
from identica.dynamics._switching import SwitchingDynamics
from identica.exceptions import ConfigurationError

__all__ = ["DYNAMICS", "make_dynamics"]

DYNAMICS: tuple[str, ...] = ("identity", "linear", "slds")


def make_dynamics(
    name: str,
    dimension: int,
    *,
    n_modes: int = 1,
    n_controls: int = 0,
    detach_logits: bool = False,
    generator: torch.Generator | None = None,
) -> AbstractDynamics:
    """Build the dynamics model registered as ``name``.

    Parameters
    ----------
    name : {"identity", "linear", "slds"}
        ``"identity"``: :class:`IdentityDynamics` (frozen I, the time-contrastive baseline);
        ``"linear"``: :class:`LinearDynamics`; ``"slds"``: :class:`SwitchingDynamics` (∇-SLDS).
    dimension : int
        Embedding dimension d.
    n_modes : int, default=1
        Modes of ``"slds"``; the other models have one.
    n_controls : int, default=0
        Control inputs per step (``"linear"`` and ``"slds"``).
    detach_logits : bool, default=False
        ``"slds"`` only: stop gradients through the mode logits.
    generator : torch.Generator, optional
        Draws the initial perturbation of the ``"slds"`` modes (standard deviation 0.01);
        without one they all start at exactly I, as in the reference.

    Returns
    -------
    AbstractDynamics

    Raises
    ------
    ConfigurationError
        For an unknown name (the closest is suggested), or an option the model does not have.

    Examples
    --------
    >>> import torch
    >>> from identica.dynamics import make_dynamics
    >>> model = make_dynamics("slds", 3, n_modes=4, generator=torch.Generator().manual_seed(0))
    >>> type(model).__name__, tuple(model.matrices.shape)
    ('SwitchingDynamics', (4, 3, 3))
    """
    check_choice(name, DYNAMICS, name="dynamics", owner="make_dynamics")
    check_int(n_modes, name="n_modes", owner="make_dynamics", low=1)
    check_int(n_controls, name="n_controls", owner="make_dynamics", low=0)
    if name != "slds" and n_modes != 1:
        raise ConfigurationError(
            f"'n_modes' of make_dynamics must be 1 for dynamics={name!r} (one linear map); "
            f"got {n_modes}. Use dynamics='slds' for several modes."
        )
    if name != "slds" and detach_logits:
        raise ConfigurationError(
            f"'detach_logits' of make_dynamics applies to dynamics='slds' only (the mode "
            f"logits); got True with dynamics={name!r}."
        )
    if name == "identity":
        if n_controls:
            raise ConfigurationError(
                "'n_controls' of make_dynamics must be 0 for dynamics='identity' (a frozen "
                f"identity has no control matrix); got {n_controls}. Use dynamics='linear' or "
                "'slds' with control inputs."
            )
        return IdentityDynamics(dimension)
    if name == "linear":
        return LinearDynamics(dimension, n_controls=n_controls)
    return SwitchingDynamics(dimension, n_modes, n_controls=n_controls,
                             detach_logits=detach_logits, generator=generator,
                             init_noise=0.01 if generator is not None else 0.0)
