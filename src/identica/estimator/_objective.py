# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Multi-objective training: each objective trains a slice of the output with its conditional.

An :class:`Objective` names the output dimensions it trains, its conditional, the labels it
reads and its similarity and weight. All objectives share one batch of references and negatives;
each draws its own positives, and the loss is the weighted sum of the objectives' InfoNCE on
their slices. ``Embedding(hybrid=True)`` is a behaviour objective on the first
``behavior_dimension`` dimensions plus a time objective.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from identica._checks import check_choice, check_float, check_int
from identica.exceptions import ConfigurationError, DataValidationError
from identica.losses._similarity import SIMILARITIES
from identica.sampling._conditionals import CONDITIONALS

__all__ = ["Objective", "check_objectives", "hybrid_objectives", "labels_of"]

HYBRID_TIME = ("overlapping", "separate")


@dataclasses.dataclass(frozen=True)
class Objective:
    """One contrastive objective on a slice of the embedding.

    Parameters
    ----------
    dims : tuple of int, optional
        Output dimensions this objective trains, e.g. ``(0, 1, 2)``; ``None`` means all.
    conditional : str, default="auto"
        ``"time"``, ``"time_delta"``, ``"delta"``, ``"discrete"``, ``"mixed"`` or ``"auto"``
        (from the objective's labels).
    label : str or tuple of str, optional
        Names of the labels in ``fit(X, y={...})`` this objective reads (float arrays are
        continuous, integer arrays discrete; a tuple combines both for ``mixed``). ``None``
        reads the ``y`` and ``discrete`` given to ``fit`` as they are.
    similarity : {"cosine", "euclidean", "dot"}, default="cosine"
        Compared on the objective's slice (cosine normalises the slice).
    weight : float, default=1.0
        Weight of this objective in the summed loss.
    time_offset : int or tuple of int, optional
        Overrides the estimator's ``time_offset`` for this objective.
    delta : float, optional
        Label noise of a ``delta`` objective.
    temperature : float, optional
        Overrides the estimator's temperature for this objective.

    Examples
    --------
    >>> import identica
    >>> data = identica.synthetic.linear_track(n_samples=1500, n_neurons=30)
    >>> model = identica.Embedding(encoder="mlp", output_dimension=6, batch_size=64,
    ...     max_iterations=10, random_state=0, objectives=[
    ...         identica.Objective(dims=(0, 1, 2), label="position"),
    ...         identica.Objective(dims=(3, 4, 5), conditional="time", time_offset=5)])
    >>> y = {"position": data.continuous[:, :1]}
    >>> model.fit(data.neural, y).transform(data.neural).shape
    (1500, 6)
    """

    dims: tuple[int, ...] | None = None
    conditional: str = "auto"
    label: str | tuple[str, ...] | None = None
    similarity: str = "cosine"
    weight: float = 1.0
    time_offset: int | tuple[int, ...] | None = None
    delta: float | None = None
    temperature: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (tuples as lists)."""
        out = dataclasses.asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Objective:
        """Inverse of :meth:`to_dict`."""
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


def hybrid_objectives(behavior_dimension: int, output_dimension: int, time: str) -> list[Objective]:
    """``hybrid=True``: behaviour on the first dims, time on all (or the remaining) dims."""
    behaviour = tuple(range(behavior_dimension))
    rest = tuple(range(behavior_dimension, output_dimension))
    return [
        Objective(dims=behaviour),
        Objective(dims=None if time == "overlapping" else rest, conditional="time"),
    ]


def labels_of(objective: Objective, y: Any, discrete: Any) -> tuple[Any, Any]:
    """The (continuous, discrete) labels an objective reads from what ``fit`` was given."""
    if objective.conditional == "time" and objective.label is None:
        return None, None  # time needs no labels
    if objective.label is None:
        if isinstance(y, Mapping):
            raise DataValidationError(
                f"y is a dict of named labels {sorted(y)}, so every objective needs label= "
                f"naming the ones it reads; got {objective}."
            )
        return y, discrete
    if not isinstance(y, Mapping):
        raise DataValidationError(
            f"Objective label={objective.label!r} names labels, so y must be a dict of named "
            f"label arrays; got {type(y).__name__}."
        )
    names = (objective.label,) if isinstance(objective.label, str) else objective.label
    missing = [n for n in names if n not in y]
    if missing:
        raise DataValidationError(
            f"Objective label {missing[0]!r} is not in y; y has {sorted(y)}."
        )
    arrays = [np.asarray(y[n]) for n in names]
    floats = [a for a in arrays if np.issubdtype(a.dtype, np.floating)]
    ints = [a for a in arrays if not np.issubdtype(a.dtype, np.floating)]
    if len(floats) > 1 or len(ints) > 1:
        raise DataValidationError(
            f"Objective label={objective.label!r} combines at most one continuous and one "
            "discrete label array."
        )
    return (floats[0] if floats else ints[0] if ints and not floats else None,
            ints[0] if floats and ints else None)


def _check_objective(objective: object, k: int, output_dimension: int) -> None:
    if not isinstance(objective, Objective):
        raise ConfigurationError(
            f"'objectives' of Embedding must hold identica.Objective values; item {k} is "
            f"{type(objective).__name__}."
        )
    owner = f"Objective {k}"
    dims = tuple(range(output_dimension)) if objective.dims is None else tuple(objective.dims)
    if not dims or len(set(dims)) != len(dims) or not all(
        isinstance(d, int) and 0 <= d < output_dimension for d in dims
    ):
        raise ConfigurationError(
            f"'dims' of {owner} must be distinct ints in [0, {output_dimension - 1}] "
            f"(output_dimension={output_dimension}). Got {objective.dims!r}."
        )
    check_choice(objective.conditional, ("auto", *CONDITIONALS), name="conditional",
                 owner=owner)
    check_choice(objective.similarity, list(SIMILARITIES), name="similarity", owner=owner)
    check_float(objective.weight, name="weight", owner=owner, low=0.0)
    check_float(objective.temperature, name="temperature", owner=owner, low=0.0,
                allow_none=True)
    check_float(objective.delta, name="delta", owner=owner, low=0.0, allow_none=True)
    offset = objective.time_offset
    offsets = offset if isinstance(offset, tuple | list) and offset else (offset,)
    if offset is not None:
        for value in offsets:
            check_int(value, name="time_offset", owner=owner, low=1)


def check_objectives(objectives: Sequence[Objective], output_dimension: int) -> None:
    """Check every objective's fields (types, ranges, dims inside the output)."""
    for k, objective in enumerate(objectives):
        _check_objective(objective, k, output_dimension)
