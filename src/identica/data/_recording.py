# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""One recording session: neural activity and the auxiliary variables that go with it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Recording"]


@dataclass(frozen=True, eq=False)
class Recording:
    """One session of neural activity with optional behaviour labels.

    Parameters
    ----------
    neural : ndarray of shape (n_samples, n_neurons), float32
        Neural activity, one row per time bin.
    continuous : ndarray of shape (n_samples, n_labels), float32, optional
        Continuous behaviour labels (position, speed, ...).
    discrete : ndarray of shape (n_samples,), int64, optional
        Discrete labels (trial type, direction, ...).
    trial_starts : ndarray of shape (n_trials,), int64, optional
        Sorted first row of every trial; the first entry is 0. Windows never cross a trial border.
    bin_size : float, optional
        Duration of one time bin in seconds.
    truth : dict of str to ndarray
        Ground truth known for synthetic recordings (latent position, tuning parameters, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from identica.data import Recording
    >>> rec = Recording(neural=np.zeros((100, 5), dtype=np.float32))
    >>> rec.n_samples, rec.n_neurons
    (100, 5)
    """

    neural: np.ndarray
    continuous: np.ndarray | None = None
    discrete: np.ndarray | None = None
    trial_starts: np.ndarray | None = None
    bin_size: float | None = None
    truth: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_samples(self) -> int:
        """Number of time bins."""
        return int(self.neural.shape[0])

    @property
    def n_neurons(self) -> int:
        """Number of recorded channels."""
        return int(self.neural.shape[1])
