# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Encoder names used by the estimator, config files and the CLI."""

from __future__ import annotations

from identica._checks import check_choice
from identica.nn._base import AbstractEncoder
from identica.nn._constraint import resolve_constraint
from identica.nn._conv import ConvEncoder
from identica.nn._mlp import MLPEncoder
from identica.nn._mlp_clip import ClippedMLPEncoder
from identica.nn._mlp_scaled import ScaledMLPEncoder

__all__ = ["ENCODERS", "make_encoder"]

# name -> (residual blocks, last kernel); the number in the name is the receptive field.
_CONV = {
    "conv5": (1, 2),
    "conv10": (3, 3),
    "conv15": (6, 2),
    "conv20": (8, 3),
    "conv36": (16, 3),
    "conv50": (23, 3),
}
ENCODERS: tuple[str, ...] = ("mlp", "mlp-clip", *_CONV, "mlp-scaled")


def make_encoder(
    name: str,
    n_features_in: int,
    output_dimension: int,
    *,
    hidden_units: int = 32,
    output_constraint: str = "sphere",
    normalize: bool | None = None,
) -> AbstractEncoder:
    """Build the encoder registered as ``name``.

    Parameters
    ----------
    name : {"mlp", "mlp-clip", "conv5", "conv10", "conv15", "conv20", "conv36", "conv50", \
            "mlp-scaled"}
        Registry key; the number is the receptive field in time steps. ``"mlp-clip"`` is the
        xCEBRA benchmark network (widths from the output dimension, clipped output);
        ``"mlp-scaled"`` the same widths with an output constraint instead of the clip (the
        DCL encoder, used with ``"none"``).
    n_features_in, output_dimension, hidden_units : int
        Input channels, embedding dimension, hidden width (``"mlp-clip"`` and ``"mlp-scaled"``
        take their widths from the output dimension).
    output_constraint : {"sphere", "none", "box"}, default="sphere"
        Where the output lies (:class:`~identica.nn.OutputConstraint`). ``"mlp-clip"`` has its
        own clipped output and ignores it.
    normalize : bool, optional
        Deprecated: ``True`` is ``output_constraint="sphere"``, ``False`` is ``"none"``.

    Returns
    -------
    AbstractEncoder

    Raises
    ------
    ConfigurationError
        For an unknown name; the message lists the names and suggests the closest.

    Examples
    --------
    >>> from identica.nn import make_encoder
    >>> len(make_encoder("conv36", 30, 3).receptive_field)
    36
    """
    check_choice(name, ENCODERS, name="encoder", owner="make_encoder")
    kind = resolve_constraint(output_constraint, normalize, "make_encoder")
    if name == "mlp-clip":
        return ClippedMLPEncoder(n_features_in, output_dimension)
    if name == "mlp-scaled":
        return ScaledMLPEncoder(n_features_in, output_dimension, output_constraint=kind)
    if name == "mlp":
        return MLPEncoder(
            n_features_in, output_dimension, hidden_units=hidden_units, output_constraint=kind
        )
    n_blocks, last_kernel = _CONV[name]
    return ConvEncoder(
        n_features_in,
        output_dimension,
        hidden_units=hidden_units,
        n_blocks=n_blocks,
        last_kernel=last_kernel,
        output_constraint=kind,
    )
