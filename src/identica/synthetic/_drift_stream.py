# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""A continually changing stream at constant difficulty (CCC-style), calibrated on a reference."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Sequence

import numpy as np

from identica._checks import check_float, check_int, check_random_state
from identica.exceptions import ConfigurationError
from identica.synthetic._drift import OPERATORS

__all__ = ["DriftCalibration", "DriftStream", "calibrate_drift", "drift_stream", "walk"]

LEVELS = np.arange(6.0)  # calibration grid: severities 0, 1, ..., 5
STEPS = np.linspace(0.0, 5.0, 21)  # the walk's grid: steps of 0.25
REACH_TOLERANCE = 0.05  # a pair is walked if one of its walks averages this close to the target


@dataclasses.dataclass(frozen=True, eq=False)
class DriftCalibration:
    """Reference scores of every operator pair on a 6 x 6 severity grid.

    Parameters
    ----------
    operators : tuple of str
        Operator names, in :data:`OPERATORS` order.
    grids : dict of (str, str) to ndarray of shape (6, 6)
        ``grids[(a, b)][i, j]``: score of the reference model with ``a`` at severity ``i`` and
        ``b`` at ``j`` (``a`` before ``b`` in ``operators``).

    Examples
    --------
    >>> from identica.synthetic import calibrate_drift
    >>> calibration = calibrate_drift(lambda a, la, b, lb: 1 - (la + lb) / 10, ["gain", "noise"])
    >>> calibration.matrix("noise", "gain").shape
    (21, 21)
    """

    operators: tuple[str, ...]
    grids: dict[tuple[str, str], np.ndarray]

    @property
    def clean(self) -> float:
        """Score of the reference model without drift."""
        return float(next(iter(self.grids.values()))[0, 0])

    def grid(self, a: str, b: str) -> np.ndarray:
        """The 6 x 6 grid with ``a``'s severity on the rows."""
        if (a, b) in self.grids:
            return self.grids[(a, b)]
        if (b, a) in self.grids:
            return self.grids[(b, a)].T
        raise ConfigurationError(
            f"DriftCalibration has no pair ({a!r}, {b!r}); operators: {list(self.operators)}."
        )

    def matrix(self, a: str, b: str) -> np.ndarray:
        """The grid interpolated bilinearly to severities 0, 0.25, ..., 5 (21 x 21)."""
        grid = self.grid(a, b)
        rows = np.stack([np.interp(STEPS, LEVELS, grid[:, j]) for j in range(6)], axis=1)
        return np.stack([np.interp(STEPS, LEVELS, rows[i]) for i in range(len(STEPS))])

    def harm(self, operator: str) -> float:
        """Drop of the score with ``operator`` alone at severity 5 (mean over the pairs)."""
        alone = [self.grid(operator, other)[5, 0] for other in self.operators
                 if other != operator]
        return self.clean - float(np.mean(alone))

    def to_dict(self) -> dict:
        """A JSON-ready dict (``DriftCalibration.from_dict`` reads it back)."""
        return {"operators": list(self.operators),
                "grids": {f"{a}|{b}": g.tolist() for (a, b), g in self.grids.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> DriftCalibration:
        """The calibration written by :meth:`to_dict`."""
        grids = {tuple(k.split("|")): np.asarray(v, dtype=np.float64)
                 for k, v in data["grids"].items()}
        return cls(tuple(data["operators"]), grids)


def calibrate_drift(score: Callable[[str, float, str, float], float],
                    operators: Sequence[str] = OPERATORS) -> DriftCalibration:
    """Score every operator pair on the grid of severities 0, 1, ..., 5.

    ``score(a, severity_a, b, severity_b)`` is called once per distinct drift state (the clean
    state once, each operator alone once per severity), so a pair grid costs 25 new calls.

    Parameters
    ----------
    score : callable
        The reference model's score (e.g. decoding R² of the frozen decoder on about 1,000
        samples) under two operators at the given severities.
    operators : sequence of str, default=OPERATORS
        At least two operator names.

    Returns
    -------
    DriftCalibration

    Examples
    --------
    >>> from identica.synthetic import calibrate_drift
    >>> calibration = calibrate_drift(lambda a, la, b, lb: 1 - la / 10, ["gain", "noise"])
    >>> float(calibration.grid("gain", "noise")[5, 0]), calibration.harm("gain")
    (0.5, 0.5)
    """
    names = tuple(o for o in OPERATORS if o in set(operators))
    unknown = sorted(set(operators) - set(OPERATORS))
    if unknown or len(names) < 2:
        raise ConfigurationError(
            f"'operators' of calibrate_drift must be at least two of {list(OPERATORS)}. Got "
            f"{list(operators)!r}."
        )
    cache: dict[tuple, float] = {}

    def cached(a: str, la: float, b: str, lb: float) -> float:
        key = tuple(sorted((o, lv) for o, lv in ((a, la), (b, lb)) if lv > 0))
        if key not in cache:
            cache[key] = float(score(a, la, b, lb))
        return cache[key]

    grids = {}
    for a, b in itertools.combinations(names, 2):
        grids[(a, b)] = np.array([[cached(a, float(i), b, float(j)) for j in LEVELS]
                                  for i in LEVELS])
    return DriftCalibration(names, grids)


def walk(matrix: np.ndarray, start: int, target: float, *, total: float = 0.0,
         count: int = 0) -> list[tuple[int, int]]:
    """One CCC walk on a 21 x 21 score matrix from ``(start, 0)`` to ``(0, j)``.

    Each step lowers the first severity or raises the second by one grid step (0.25); of the
    two, the walk takes the one that brings the running mean score (``total`` / ``count``
    carried over from earlier walks) closer to ``target``. The second severity stops at 5.

    Parameters
    ----------
    matrix : ndarray of shape (21, 21)
        Scores, first severity on the rows.
    start : int
        Row of the first point, in [0, 20].
    target : float
        Target mean score.
    total, count : float, int
        Sum and number of scores before this walk.

    Returns
    -------
    list of (int, int)
        Grid indices of the points, the first ``(start, 0)``, the last in row 0.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.synthetic import walk
    >>> path = walk(np.zeros((21, 21)), 3, 0.0)
    >>> path[0], path[-1][0], len(path) >= 4
    ((3, 0), 0, True)
    """
    i, j = int(start), 0
    total, count = total + float(matrix[i, j]), count + 1
    path = [(i, j)]
    while i > 0:
        options = [(i - 1, j)] + ([(i, j + 1)] if j < matrix.shape[1] - 1 else [])
        i, j = min(options, key=lambda c: abs((total + matrix[c]) / (count + 1) - target))
        total, count = total + float(matrix[i, j]), count + 1
        path.append((i, j))
    return path


def _best_start(matrix: np.ndarray, target: float, total: float, count: int) -> int:
    def miss(start: int) -> float:
        path = walk(matrix, start, target, total=total, count=count)
        s = total + sum(matrix[c] for c in path)
        return abs(s / (count + len(path)) - target)
    return min(range(1, matrix.shape[0]), key=miss)


@dataclasses.dataclass(frozen=True, eq=False)
class DriftStream:
    """Per sample of a stream: the operator pair, both severities, the walk, the expected score.

    Attributes
    ----------
    operators : tuple of str
        Names indexed by ``operator_a`` and ``operator_b``.
    operator_a, operator_b : ndarray of shape (n_samples,), int64
    severity_a, severity_b : ndarray of shape (n_samples,), float64
    walk : ndarray of shape (n_samples,), int64
        Walk number, from 0.
    expected : ndarray of shape (n_samples,), float64
        The reference score the calibration predicts.
    target : float
        The difficulty: the target mean reference score.
    dropped : tuple of str
        Operators left out because they do not harm the reference model.

    Examples
    --------
    >>> from identica.synthetic import calibrate_drift, drift_stream
    >>> calibration = calibrate_drift(lambda a, la, b, lb: 1 - (la + lb) / 10,
    ...                               ["gain", "noise"])
    >>> stream = drift_stream(calibration, difficulty=0.6, speed=5, n_samples=100)
    >>> sorted(stream.severities()), stream.walk[0], stream.dropped
    (['gain', 'noise'], np.int64(0), ())
    """

    operators: tuple[str, ...]
    operator_a: np.ndarray
    operator_b: np.ndarray
    severity_a: np.ndarray
    severity_b: np.ndarray
    walk: np.ndarray
    expected: np.ndarray
    target: float
    dropped: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.walk)

    def severities(self, rows: slice = slice(None)) -> dict[str, np.ndarray]:
        """Severity of every operator per sample (0 where it is off), for ``DriftModel.sample``."""
        a, b = self.operator_a[rows], self.operator_b[rows]
        la, lb = self.severity_a[rows], self.severity_b[rows]
        return {name: np.where(a == k, la, 0.0) + np.where(b == k, lb, 0.0)
                for k, name in enumerate(self.operators)}


def drift_stream(calibration: DriftCalibration, *, difficulty: float, speed: int,
                 n_samples: int, min_harm: float = 0.02, seed: int = 0) -> DriftStream:
    """A CCC-style walk through operator pairs whose reference score stays near ``difficulty``.

    Operators whose severity-5 harm to the reference (:meth:`DriftCalibration.harm`) is below
    ``min_harm`` are dropped. The first walk draws a pair (A, B) and the start whose path mean
    is closest to the target; each walk runs from (A at s, B at 0) to (A at 0, B at s') in
    steps of 0.25 (:func:`walk`); the next walk continues with B as its A at s' and a new B.
    A drawn pair none of whose walks averages within 0.05 of the target (two mild operators) is
    redrawn among the pairs that do, when there are any: otherwise such a pair holds the stream
    above the target whatever the difficulty.
    Every walk point lasts ``speed`` samples. The stream is a pure function of ``seed``.

    Parameters
    ----------
    calibration : DriftCalibration
        Scores of the non-adapted reference model.
    difficulty : float
        Target mean reference score (e.g. R² 0.7 easy, 0.5 medium, 0.2 hard).
    speed : int
        Samples per walk point, at least 1.
    n_samples : int
        Length of the stream.
    min_harm : float, default=0.02
        Operators doing less harm alone at severity 5 are dropped (listed in ``dropped``).
    seed : int, default=0
        Seeds the choice of pairs.

    Returns
    -------
    DriftStream

    Examples
    --------
    >>> from identica.synthetic import calibrate_drift, drift_stream
    >>> calibration = calibrate_drift(lambda a, la, b, lb: 1 - (la + lb) / 10,
    ...                               ["gain", "noise", "dropout"])
    >>> stream = drift_stream(calibration, difficulty=0.6, speed=10, n_samples=5_000, seed=0)
    >>> round(float(stream.expected.mean()), 1), len(stream)
    (0.6, 5000)
    """
    owner = "drift_stream"
    difficulty = check_float(difficulty, name="difficulty", owner=owner)
    speed = check_int(speed, name="speed", owner=owner, low=1)
    n_samples = check_int(n_samples, name="n_samples", owner=owner, low=1)
    rng = check_random_state(check_int(seed, name="seed", owner=owner, low=0), owner=owner)
    kept = [o for o in calibration.operators if calibration.harm(o) >= min_harm]
    dropped = tuple(o for o in calibration.operators if o not in kept)
    if len(kept) < 2:
        raise ConfigurationError(
            f"drift_stream needs two operators that harm the reference model by at least "
            f"min_harm={min_harm}; only {kept} do (harm: "
            f"{ {o: round(calibration.harm(o), 3) for o in calibration.operators} })."
        )
    n_points = -(-n_samples // speed)
    points: list[tuple[int, int, float, float, int, float]] = []
    reach: dict[tuple[str, str], bool] = {}

    def reaches(x: str, y: str) -> bool:  # does a walk of the pair average near the target?
        if (x, y) not in reach:
            matrix = calibration.matrix(x, y)
            path = walk(matrix, _best_start(matrix, difficulty, 0.0, 0), difficulty)
            mean = float(np.mean([matrix[c] for c in path]))
            reach[x, y] = abs(mean - difficulty) <= REACH_TOLERANCE
        return reach[x, y]

    a, b = (str(o) for o in rng.choice(kept, size=2, replace=False))
    if not reaches(a, b):  # redraw among the pairs that can (no draw is spent otherwise)
        pairs = [(x, y) for x in kept for y in kept if x != y and reaches(x, y)]
        if pairs:
            a, b = pairs[int(rng.integers(len(pairs)))]
    total, count, start, walk_id = 0.0, 0, None, 0
    while len(points) < n_points:
        matrix = calibration.matrix(a, b)
        if start is None or start == 0:
            start = _best_start(matrix, difficulty, total, count)
        path = walk(matrix, start, difficulty, total=total, count=count)
        for i, j in path:
            points.append((calibration.operators.index(a), calibration.operators.index(b),
                           STEPS[i], STEPS[j], walk_id, float(matrix[i, j])))
            total, count = total + float(matrix[i, j]), count + 1
        start = path[-1][1]
        others = [o for o in kept if o != b]
        following = str(rng.choice(others))
        if not reaches(b, following):
            able = [o for o in others if reaches(b, o)]
            following = str(rng.choice(able)) if able else following
        a, b = b, following
        walk_id += 1
    table = np.repeat(np.asarray(points[:n_points], dtype=np.float64), speed, axis=0)[:n_samples]
    return DriftStream(calibration.operators, table[:, 0].astype(np.int64),
                       table[:, 1].astype(np.int64), table[:, 2], table[:, 3],
                       table[:, 4].astype(np.int64), table[:, 5], difficulty, dropped)
