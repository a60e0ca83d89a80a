# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Jobs over the public API: the demo (the main job) and TOML config files.

:func:`run_demo` fits the built-in synthetic recording and writes the embedding, plots and a
summary; :func:`read_config` turns a TOML ``[estimator]`` table into ``Embedding`` parameters,
spelled as in Python. Workflows use the estimator and the families; nothing below imports them.
"""

from identica.workflows._demo import run_demo as run_demo
from identica.workflows._toml import read_config as read_config

__all__ = ["read_config", "run_demo"]
