# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Plots of embeddings, training curves, consistency and attribution maps, drawn with matplotlib.

Every function takes an optional ``ax`` and returns the Axes it drew on (a pair for the two-panel
map-and-truth plot); without one it opens a new pyplot figure (3-D for three embedding dimensions),
and nothing here ever calls ``show`` or changes the matplotlib backend. :func:`plot_embedding`
scatters two or three embedding dimensions coloured by a label, :func:`plot_loss` draws the InfoNCE
loss and its alignment and uniformity parts per iteration, :func:`plot_consistency` draws a matrix
of pairwise R² as a heat map, and :func:`plot_attribution` draws a latents-by-neurons attribution
map, optionally beside its ground truth. There is no base class to subclass: a new plot is a new
function with the same ``ax=None`` contract, in its own private module, re-exported here.

matplotlib is the ``[plot]`` extra: ``import identica`` does not import this package, and
importing it without matplotlib raises an ImportError that says how to install it.
"""

try:
    import matplotlib as _matplotlib  # noqa: F401 - checked first so the hint below can help
except ImportError as error:
    raise ImportError(
        "identica.plot needs matplotlib, which is not installed. Install the plot extra: "
        "pip install 'identica[plot]'"
    ) from error

from identica.plot._attribution import plot_attribution as plot_attribution
from identica.plot._consistency import plot_consistency as plot_consistency
from identica.plot._embedding import plot_embedding as plot_embedding
from identica.plot._loss import plot_loss as plot_loss

__all__ = ["plot_attribution", "plot_consistency", "plot_embedding", "plot_loss"]
