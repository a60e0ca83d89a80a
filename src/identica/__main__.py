# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""``python -m identica`` runs the command line."""

from identica.cli import main

raise SystemExit(main())
