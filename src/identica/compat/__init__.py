# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""CEBRA 0.6.1's scikit-learn interface on top of :class:`~identica.Embedding`.

:class:`CEBRA` takes CEBRA's parameter names and defaults (``model_architecture``,
``distance``, ``time_offsets``, ``temperature_mode``, ...) and its call shapes (``fit(X, y1,
y2)`` with continuous and discrete labels told apart by dtype, ``transform(X,
session_id=...)``, ``save``/``CEBRA.load``), translates them once per fit into an
:class:`~identica.Embedding` and trains that. Settings CEBRA runs differently from identica
raise :class:`~identica.exceptions.CompatibilityWarning` naming the difference. Files are
identica's ``.safetensors`` files: CEBRA's own ``.pt`` checkpoints are pickles and are not
read. Nothing here is meant to be subclassed; new code should use :class:`~identica.Embedding`
(the README's "Coming from CEBRA" table maps every name).
"""

from identica.compat._cebra import CEBRA as CEBRA

__all__ = ["CEBRA"]
