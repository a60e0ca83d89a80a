# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Positive pairs of mixed observations as a recording of two-row trials."""

from __future__ import annotations

import numpy as np

from identica._checks import check_random_state
from identica.data._recording import Recording
from identica.exceptions import ConfigurationError
from identica.synthetic._latents import PairConfig, latent_pairs
from identica.synthetic._mixing import MixingMLP

__all__ = ["observed_pairs"]


def observed_pairs(
    config: PairConfig,
    n_pairs: int,
    *,
    mixing: MixingMLP,
    random_state: int | np.random.Generator | None = None,
) -> Recording:
    """Draw latent pairs, mix them, and lay them out as a recording of two-row trials.

    Rows ``2i`` and ``2i + 1`` hold the observations ``x = g(z)`` and ``x̃ = g(z̃)`` of pair
    ``i`` (:func:`latent_pairs`, then ``mixing``), and every pair is its own trial
    (``trial_starts = 0, 2, 4, …``). The time-contrastive conditional with ``time_offset=1``
    then draws exactly these pairs — the reference from row ``2i``, its positive from row
    ``2i + 1``, since no window crosses a trial border — and the other references, i.i.d.
    draws of ``z``, are the negatives: the CL-ICA training set through the ordinary
    :class:`~identica.Embedding` interface.

    Parameters
    ----------
    config : PairConfig
        How the latent pairs are drawn.
    n_pairs : int
        Number of pairs, at least 1.
    mixing : MixingMLP
        The map from latents to observations, with ``config.n_latents`` inputs.
    random_state : int, numpy.random.Generator or None, default=None
        All randomness of the latents.

    Returns
    -------
    Recording
        ``neural`` (2 n_pairs, n_latents) float32 observations, ``trial_starts`` (n_pairs,),
        and ``truth["latents"]`` (2 n_pairs, n_latents) float64, row by row.

    Raises
    ------
    ConfigurationError
        If ``mixing`` is not a :class:`MixingMLP` of ``config.n_latents`` dimensions (and as
        :func:`latent_pairs` raises).

    Examples
    --------
    >>> import numpy as np
    >>> from identica.synthetic import PairConfig, mixing_mlp, observed_pairs
    >>> g = mixing_mlp(3, pool=100, random_state=0)
    >>> rec = observed_pairs(PairConfig(n_latents=3), 4, mixing=g, random_state=1)
    >>> rec.neural.shape, rec.trial_starts.tolist()
    ((8, 3), [0, 2, 4, 6])
    >>> bool(np.allclose(g.inverse(rec.neural), rec.truth["latents"], atol=1e-5))
    True
    """
    if not isinstance(mixing, MixingMLP) or (
        isinstance(config, PairConfig) and mixing.n_latents != config.n_latents
    ):
        got = (f"a MixingMLP of {mixing.n_latents} dimensions" if isinstance(mixing, MixingMLP)
               else type(mixing).__name__)
        raise ConfigurationError(
            "'mixing' of observed_pairs must be a MixingMLP with n_latents inputs "
            f"(identica.synthetic.mixing_mlp). Got {got}."
        )
    rng = check_random_state(random_state, owner="observed_pairs")
    z, z_pos = latent_pairs(config, n_pairs, random_state=rng)
    latents = np.stack([z, z_pos], axis=1).reshape(2 * len(z), -1)
    return Recording(
        neural=mixing(latents).astype(np.float32),
        trial_starts=np.arange(0, 2 * len(z), 2, dtype=np.int64),
        truth={"latents": latents},
    )
