# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Place cells of a rat running back and forth on a linear track (the default demo recording)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from identica._checks import check_float, check_int, check_random_state
from identica.data._recording import Recording
from identica.exceptions import ConfigurationError

__all__ = ["linear_track"]

_OWNER = "linear_track"

# Behaviour model (spec section 7): an Ornstein-Uhlenbeck-like speed, clipped for the move.
_SPEED_MEAN = 0.5  # m/s
_SPEED_PULL = 0.05  # per bin
_SPEED_NOISE = 0.04  # m/s per bin
_SPEED_MIN = 0.05  # m/s
_SPEED_MAX = 1.2  # m/s
_PAUSE_MIN = 5  # bins, inclusive
_PAUSE_MAX = 39  # bins, inclusive

# Cell model: tuning parameters and direction preference.
_WIDTH_RANGE = (0.06, 0.20)  # m
_PEAK_SHAPE, _PEAK_SCALE, _PEAK_OFFSET = 3.0, 5.0, 2.0  # Hz
_BASELINE_RANGE = (0.1, 1.0)  # Hz
_PREFERENCE_P = (0.4, 0.4, 0.2)  # right-only, left-only, both
_NON_PREFERRED_GAIN = 0.1

_RIGHT_ONLY, _LEFT_ONLY, _BOTH = 0, 1, 2


def linear_track(
    n_samples: int | Sequence[int] = 10_000,
    n_neurons: int | Sequence[int] = 120,
    *,
    bin_size: float = 0.025,
    track_length: float = 1.6,
    rate_scale: float = 1.0,
    n_sessions: int = 1,
    random_state: int | np.random.Generator | None = 1234,
) -> Recording | list[Recording]:
    """Simulate place cells of a rat running back and forth on a linear track.

    The rat starts at a uniform position heading right. Its speed follows
    ``v <- v + 0.05 (0.5 - v) + 0.04 xi`` per bin (``xi`` standard normal, ``v`` starts at 0),
    clipped to [0.05, 1.2] m/s for the move. At either end of the track the position is clamped,
    the direction reverses and the rat pauses for a uniform integer number of 5 to 39 bins; the
    direction label is held during pauses. Every cell has a Gaussian place field (centre
    U(0, track_length) m, width U(0.06, 0.20) m, peak gamma(3, 5) + 2 Hz, baseline U(0.1, 1.0) Hz)
    and fires for one direction only (40 % right-only, 40 % left-only, gain 0.1 in the other
    direction) or for both (20 %). Counts are Poisson with mean ``rate * rate_scale * bin_size``.

    Parameters
    ----------
    n_samples : int or sequence of int, default=10_000
        Number of time bins, at least 2. With ``n_sessions > 1`` a sequence gives one length
        per session.
    n_neurons : int or sequence of int, default=120
        Number of place cells, at least 1. With ``n_sessions > 1`` a sequence gives one count
        per session.
    bin_size : float, default=0.025
        Duration of one time bin in seconds, > 0.
    track_length : float, default=1.6
        Length of the track in metres, > 0.
    rate_scale : float, default=1.0
        Factor applied to every firing rate (0.5 halves the rates), >= 0.
    n_sessions : int, default=1
        Number of independent sessions (new cells and new behaviour each), at least 1.
    random_state : int, numpy.random.Generator or None, default=1234
        Seed of :func:`numpy.random.default_rng`; all randomness comes from it. Sessions use
        independent child generators spawned from it.

    Returns
    -------
    Recording or list of Recording
        One :class:`~identica.data.Recording` when ``n_sessions == 1``, else a list of
        ``n_sessions``. Each has ``neural`` float32 spike counts ``(n_samples, n_neurons)``,
        ``continuous`` float32 ``(n_samples, 3)`` with columns ``[position, is_right, is_left]``,
        ``bin_size``, and ``truth`` with ``"position"`` ``(n_samples,)``, ``"direction"``
        ``(n_samples,)`` int64 (1 = right, 0 = left), and the per-cell ``"centres"``,
        ``"widths"``, ``"peaks"``, ``"baselines"`` (float64) and ``"preference"`` (int64;
        0 = right-only, 1 = left-only, 2 = both) of shape ``(n_neurons,)``.

    Raises
    ------
    ConfigurationError
        If an argument is out of range or of the wrong type.

    Examples
    --------
    >>> from identica.synthetic import linear_track
    >>> rec = linear_track(n_samples=2_000, n_neurons=30, random_state=0)
    >>> rec.neural.shape, rec.continuous.shape, rec.neural.dtype
    ((2000, 30), (2000, 3), dtype('float32'))
    >>> sessions = linear_track(n_samples=500, n_neurons=[10, 20], n_sessions=2)
    >>> [s.n_neurons for s in sessions]
    [10, 20]
    """
    n_sessions = check_int(n_sessions, name="n_sessions", owner=_OWNER, low=1)
    lengths = _per_session(n_samples, n_sessions, name="n_samples", low=2)
    widths = _per_session(n_neurons, n_sessions, name="n_neurons", low=1)
    bin_size = check_float(bin_size, name="bin_size", owner=_OWNER, low=0.0)
    track_length = check_float(track_length, name="track_length", owner=_OWNER, low=0.0)
    rate_scale = check_float(
        rate_scale, name="rate_scale", owner=_OWNER, low=0.0, low_inclusive=True
    )
    rng = check_random_state(random_state, owner=_OWNER)

    if n_sessions == 1:
        return _session(rng, lengths[0], widths[0], bin_size, track_length, rate_scale)
    return [
        _session(child, t, n, bin_size, track_length, rate_scale)
        for child, t, n in zip(rng.spawn(n_sessions), lengths, widths)
    ]


def _per_session(value: object, n_sessions: int, *, name: str, low: int) -> list[int]:
    """Return one validated int per session from an int or a sequence of ints."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != n_sessions:
            raise ConfigurationError(
                f"{name!r} of {_OWNER} must be an int or a sequence of one int per session "
                f"(n_sessions={n_sessions}). Got a sequence of length {len(value)}: {value!r}."
            )
        return [
            check_int(v, name=f"{name}[{i}]", owner=_OWNER, low=low) for i, v in enumerate(value)
        ]
    return [check_int(value, name=name, owner=_OWNER, low=low)] * n_sessions


def place_cells(rng: np.random.Generator, n_neurons: int, track_length: float) -> dict:
    """Draw the parameters of ``n_neurons`` place cells (centres, widths, peaks, baselines and
    direction preferences, in that order from ``rng``)."""
    return {
        "centres": rng.uniform(0.0, track_length, size=n_neurons),
        "widths": rng.uniform(*_WIDTH_RANGE, size=n_neurons),
        "peaks": rng.gamma(_PEAK_SHAPE, _PEAK_SCALE, size=n_neurons) + _PEAK_OFFSET,
        "baselines": rng.uniform(*_BASELINE_RANGE, size=n_neurons),
        "preference": rng.choice(3, size=n_neurons, p=_PREFERENCE_P).astype(np.int64),
    }


def place_cell_rates(cells: dict, position: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Rates (Hz) of the ``cells`` along a trajectory, shape (T, n_neurons).

    Gaussian fields; gain 1 in a cell's preferred direction (or both), ``_NON_PREFERRED_GAIN``
    against it.
    """
    preference = cells["preference"]
    moving_right = (direction == 1)[:, None]
    gain = np.where(
        (preference == _BOTH)
        | ((preference == _RIGHT_ONLY) & moving_right)
        | ((preference == _LEFT_ONLY) & ~moving_right),
        1.0,
        _NON_PREFERRED_GAIN,
    )
    field = np.exp(-0.5 * ((position[:, None] - cells["centres"]) / cells["widths"]) ** 2)
    return cells["baselines"] + cells["peaks"] * field * gain


def _session(
    rng: np.random.Generator,
    n_samples: int,
    n_neurons: int,
    bin_size: float,
    track_length: float,
    rate_scale: float,
) -> Recording:
    """Draw behaviour, then cells, then counts for one session."""
    position, direction = _behaviour(rng, n_samples, bin_size, track_length)
    cells = place_cells(rng, n_neurons, track_length)
    rate = place_cell_rates(cells, position, direction) * rate_scale
    counts = rng.poisson(rate * bin_size).astype(np.float32)

    is_right = (direction == 1).astype(np.float64)
    continuous = np.stack([position, is_right, 1.0 - is_right], axis=1).astype(np.float32)
    truth = {
        "position": position,
        "direction": direction,
        **cells,
    }
    return Recording(neural=counts, continuous=continuous, bin_size=bin_size, truth=truth)


def _behaviour(
    rng: np.random.Generator, n_samples: int, bin_size: float, track_length: float
) -> tuple[np.ndarray, np.ndarray]:
    """Return position (float64) and direction (int64, 1 = right) of the running rat."""
    start = float(rng.uniform(0.0, track_length))
    # All noise is drawn up front; the loop below only does scalar arithmetic on Python floats.
    noise = (_SPEED_NOISE * rng.standard_normal(n_samples)).tolist()
    # A reversal needs at least one moving bin, so n_samples pause lengths always suffice.
    pauses = rng.integers(_PAUSE_MIN, _PAUSE_MAX + 1, size=n_samples).tolist()

    position = [0.0] * n_samples
    direction = [1] * n_samples
    x, heading, label, v = start, 1, 1, 0.0
    pause, n_reversals = 0, 0
    position[0] = x
    for t in range(1, n_samples):
        v += _SPEED_PULL * (_SPEED_MEAN - v) + noise[t]
        if pause > 0:
            pause -= 1
        else:
            label = heading
            x += heading * min(max(v, _SPEED_MIN), _SPEED_MAX) * bin_size
            if x >= track_length or x <= 0.0:
                x = track_length if x >= track_length else 0.0
                heading = -heading
                pause = pauses[n_reversals]
                n_reversals += 1
        position[t] = x
        direction[t] = label
    pos = np.asarray(position, dtype=np.float64)
    dirs = (np.asarray(direction, dtype=np.int64) + 1) // 2  # +1 -> 1 (right), -1 -> 0 (left)
    return pos, dirs
