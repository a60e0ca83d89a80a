# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Plots of embeddings, training curves, consistency and attribution maps, drawn with matplotlib.

Every matplotlib function takes an optional ``ax`` and returns the Axes it drew on (a pair for
the two-panel map-and-truth plot); without one it opens a new pyplot figure (3-D for three
embedding dimensions), and nothing here ever calls ``show`` or changes the matplotlib backend.
:func:`plot_embedding` scatters two or three embedding dimensions coloured by a label, with a
colour bar or legend; :func:`plot_embedding_html` writes the same 3-D scatter as a
self-contained interactive plotly HTML file; :func:`plot_loss` draws the InfoNCE loss per
iteration with its alignment and uniformity parts on a twin axis; :func:`compare_models` draws
several loss histories on one axis; :func:`plot_temperature` draws the InfoNCE temperature;
:func:`plot_consistency` draws a matrix of pairwise R² as a heat map; and
:func:`plot_attribution` draws a latents-by-neurons attribution map, optionally beside its
ground truth; :func:`plot_drift_stream` draws decoding R² over a drifting stream per method with
the walk's severities beneath. For a quality report (:func:`identica.report.quality_report`),
:func:`quality_radar` draws the group scores per model, :func:`quality_table` the normalised
scores as a heat map, :func:`pareto` two measures with their Pareto front and
:func:`rank_correlation` the Spearman matrix between measures. There is no base class to
subclass: a new plot is a new function with the same
``ax=None`` contract, in its own private module, re-exported here. Fitted models are read by
their public attributes only (``loss_history_``, ``loss_``, ...), never imported.

matplotlib and plotly are the ``[plot]`` extra: ``import identica`` imports neither, importing
this package without matplotlib raises an ImportError that says how to install it, and plotly
is imported only when :func:`plot_embedding_html` runs.
"""

try:
    import matplotlib as _matplotlib  # noqa: F401 - checked first so the hint below can help
except ImportError as error:
    raise ImportError(
        "identica.plot needs matplotlib, which is not installed. Install the plot extra: "
        "pip install 'identica[plot]'"
    ) from error

from identica.plot._attribution import plot_attribution as plot_attribution
from identica.plot._compare import compare_models as compare_models
from identica.plot._consistency import plot_consistency as plot_consistency
from identica.plot._drift import plot_drift_stream as plot_drift_stream
from identica.plot._embedding import plot_embedding as plot_embedding
from identica.plot._html import plot_embedding_html as plot_embedding_html
from identica.plot._loss import plot_loss as plot_loss
from identica.plot._quality import pareto as pareto
from identica.plot._quality import quality_radar as quality_radar
from identica.plot._quality import quality_table as quality_table
from identica.plot._quality import rank_correlation as rank_correlation
from identica.plot._temperature import plot_temperature as plot_temperature

__all__ = [
    "compare_models",
    "pareto",
    "plot_attribution",
    "plot_consistency",
    "plot_drift_stream",
    "plot_embedding",
    "plot_embedding_html",
    "plot_loss",
    "plot_temperature",
    "quality_radar",
    "quality_table",
    "rank_correlation",
]
