# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The receptive field of an encoder: how many rows before and after a time step it reads."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Offset"]


@dataclass(frozen=True)
class Offset:
    """Receptive field ``(left, right)``: the embedding at ``t`` reads ``[t - left, t + right)``.

    Parameters
    ----------
    left : int
        Rows read before ``t``.
    right : int
        Rows read from ``t`` on, ``t`` included; at least 1.

    Examples
    --------
    >>> from identica.data import Offset
    >>> field = Offset(5, 5)
    >>> len(field)
    10
    """

    left: int
    right: int

    def __post_init__(self) -> None:
        if not (isinstance(self.left, int) and isinstance(self.right, int)):
            raise TypeError(f"Offset needs int left and right. Got {self.left!r}, {self.right!r}.")
        if self.left < 0 or self.right < 1:
            raise ValueError(
                f"Offset needs left >= 0 and right >= 1. Got left={self.left}, right={self.right}."
            )

    def __len__(self) -> int:
        return self.left + self.right
