# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Synthetic recordings with known ground truth, for demos, tests and benchmarks.

Each generator is a plain function that takes a ``random_state`` and returns a
:class:`~identica.data.Recording` (or a list of them, one per session) whose ``truth`` dict holds
the latent variables and the parameters the data were drawn from. :func:`linear_track` simulates
place cells of a rat running back and forth on a linear track; it is the default demo data.
:func:`attribution_benchmark` mixes two groups of random-walk latents into neurons through random
MLPs, with the true latent-to-neuron attribution map in ``truth``. There
is no base class to subclass: a new generator is a new function with the same contract.
"""

from ._attribution import attribution_benchmark as attribution_benchmark
from ._linear_track import linear_track as linear_track

__all__ = ["attribution_benchmark", "linear_track"]
