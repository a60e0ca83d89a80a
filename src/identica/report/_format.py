# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""How the report prints a number."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["fmt"]


def fmt(value: Any, digits: int = 3) -> str:
    """A number with ``digits`` decimals (thousands grouped), or a dash for a missing one."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, float) and abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)
