# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Held-out time blocks: a contiguous test block at the end, a leakage gap before it."""

from __future__ import annotations

import numpy as np

from identica._checks import check_float, check_int
from identica.exceptions import DataValidationError

__all__ = ["block_split"]

_OWNER = "block_split"


def block_split(
    n_samples: int, *, gap: int = 0, test_fraction: float = 0.2
) -> tuple[np.ndarray, np.ndarray]:
    """Split a time series into training rows and a held-out test block at its end.

    The last ``ceil(test_fraction * n_samples)`` rows are the test block; the ``gap`` rows
    before it belong to neither part, so no window or positive pair of a training row reaches
    into the test block. Choose ``gap`` at least the encoder's receptive field plus the largest
    ``time_offset`` (what :func:`identica.report.quality_report` does).

    Parameters
    ----------
    n_samples : int
        Length of the series, at least 4.
    gap : int, default=0
        Rows left out between the training rows and the test block, >= 0.
    test_fraction : float, default=0.2
        Fraction of the rows in the test block, in (0, 1).

    Returns
    -------
    train, test : ndarray of int64
        Row indices of the training part and of the test block, both sorted.

    Raises
    ------
    ConfigurationError
        If an argument is out of range.
    DataValidationError
        If fewer than 2 rows are left on either side.

    Examples
    --------
    >>> from identica.metrics import block_split
    >>> train, test = block_split(100, gap=5, test_fraction=0.2)
    >>> int(train[-1]), int(test[0]), len(test)
    (74, 80, 20)
    """
    n_samples = check_int(n_samples, name="n_samples", owner=_OWNER, low=4)
    gap = check_int(gap, name="gap", owner=_OWNER, low=0)
    test_fraction = check_float(test_fraction, name="test_fraction", owner=_OWNER, low=0.0,
                                high=1.0)
    n_test = int(np.ceil(test_fraction * n_samples))
    n_train = n_samples - n_test - gap
    if n_test < 2 or n_train < 2:
        raise DataValidationError(
            f"block_split of {n_samples} rows with gap={gap} and test_fraction={test_fraction} "
            f"leaves {max(n_train, 0)} training and {n_test} test rows; both need at least 2. "
            "Use more data, a smaller gap or another test_fraction."
        )
    return np.arange(n_train, dtype=np.int64), np.arange(n_samples - n_test, n_samples,
                                                         dtype=np.int64)
