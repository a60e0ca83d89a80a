# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Observation pairs related by unlabeled group actions, with their ground truth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from identica._checks import check_int, check_random_state
from identica.exceptions import DataValidationError
from identica.synthetic._groups import random_group_elements
from identica.synthetic._mixing import MixingMLP, mixing_mlp

__all__ = ["GroupActionModel", "GroupPairs", "group_pairs"]

_OWNER = "group_pairs"


@dataclass(frozen=True, eq=False)
class GroupPairs:
    """Pairs ``(y, y') = (f([x; c]), f([ρ(a) x; c]))`` and everything they were drawn from.

    Attributes
    ----------
    observed, observed_acted : ndarray of shape (n_samples, n_observed), float32
        ``y`` and ``y'``.
    action : ndarray of shape (n_samples,), int64
        Which element acted on each pair (an index into ``model.elements``).
    group_latents, group_latents_acted : ndarray of shape (n_samples, n), float64
        ``x`` (uniform on the unit sphere) and ``ρ(a) x``.
    content : ndarray of shape (n_samples, content_dim), float64
        ``c``, the same in both observations of a pair.
    classes : ndarray of shape (n_samples,), int64
        The content class of each pair (a row of ``model.class_vectors``).
    model : GroupActionModel
        The elements, the content vectors and the mixing.
    """

    observed: np.ndarray
    observed_acted: np.ndarray
    action: np.ndarray
    group_latents: np.ndarray
    group_latents_acted: np.ndarray
    content: np.ndarray
    classes: np.ndarray
    model: GroupActionModel

    @property
    def elements(self) -> np.ndarray:
        """The group elements ``ρ(a)``, ``(n_elements, n, n)``."""
        return self.model.elements


@dataclass(frozen=True, eq=False)
class GroupActionModel:
    """The generative model of :func:`group_pairs`: draws fresh pairs on demand.

    A latent is ``[x; c]`` with ``x`` on the unit sphere of ``R^n`` (the group block) and
    ``c`` one of ``class_vectors`` (the content block, never acted on). An observation is
    ``projection @ mixing([x; c])``: the invertible leaky-ReLU :class:`MixingMLP` on the
    latent, then a bias-free linear map to ``n_observed`` dimensions.

    Parameters
    ----------
    elements : ndarray of shape (n_elements, n, n)
        The group elements ``ρ(a)``.
    class_vectors : ndarray of shape (n_classes, content_dim)
        One fixed unit vector per content class.
    mixing : MixingMLP
        Of ``n + content_dim`` dimensions.
    projection : ndarray of shape (n_observed, n + content_dim)
        The final linear map.

    Examples
    --------
    >>> from identica.synthetic import group_pairs
    >>> model = group_pairs(n_samples=10, n_elements=4, random_state=0).model
    >>> fresh = model.draw([0, 1, 1, 3], random_state=1)
    >>> fresh.observed.shape, fresh.action.tolist()
    ((4, 50), [0, 1, 1, 3])
    """

    elements: np.ndarray
    class_vectors: np.ndarray
    mixing: MixingMLP
    projection: np.ndarray

    @property
    def group_dimension(self) -> int:
        return int(self.elements.shape[1])

    def observe(self, group_latents: Any, content: Any) -> np.ndarray:
        """Observations ``(m, n_observed)`` float32 of latents ``[x; c]`` given as two blocks."""
        latents = np.concatenate([np.asarray(group_latents, dtype=np.float64),
                                  np.asarray(content, dtype=np.float64)], axis=1)
        return (self.mixing(latents) @ self.projection.T).astype(np.float32)

    def draw_latents(self, m: int, random_state: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """``m`` group latents (uniform on the sphere) and content classes."""
        rng = check_random_state(random_state, owner="GroupActionModel.draw_latents")
        x = rng.standard_normal((m, self.group_dimension))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        classes = rng.integers(len(self.class_vectors), size=m)
        return x, classes

    def draw(self, action: Any, random_state: Any = None) -> GroupPairs:
        """Fresh pairs, one per entry of ``action`` (element indices).

        Parameters
        ----------
        action : array-like of shape (m,), int
            Element index of every pair, in ``[0, n_elements)``.
        random_state : int, numpy.random.Generator or None
            All randomness of the latents.

        Returns
        -------
        GroupPairs

        Raises
        ------
        DataValidationError
            If ``action`` is not 1-D integers in range.
        """
        action = np.asarray(action)
        k = len(self.elements)
        if action.ndim != 1 or not np.issubdtype(action.dtype, np.integer) or (
            action.size and (action.min() < 0 or action.max() >= k)
        ):
            raise DataValidationError(
                f"'action' of GroupActionModel.draw must be 1-D integers in [0, {k}). Got "
                f"dtype {action.dtype}, shape {action.shape}."
            )
        action = action.astype(np.int64)
        x, classes = self.draw_latents(len(action), random_state)
        x_acted = np.einsum("mij,mj->mi", self.elements[action], x)
        content = self.class_vectors[classes]
        return GroupPairs(
            observed=self.observe(x, content), observed_acted=self.observe(x_acted, content),
            action=action, group_latents=x, group_latents_acted=x_acted, content=content,
            classes=classes.astype(np.int64), model=self,
        )


def group_pairs(
    group: str = "O",
    n: int = 3,
    n_elements: int = 1000,
    n_samples: int = 10_000,
    *,
    n_classes: int = 100,
    content_dim: int = 3,
    n_observed: int = 50,
    n_mixing_layers: int = 3,
    random_state: int | np.random.Generator | None = None,
) -> GroupPairs:
    """Draw a group-action data set: pairs of observations related by unlabeled actions.

    The set-up of Equivariance by Contrast (Schmidt, Schneider & Bethge, NeurIPS 2025): the
    elements ``ρ(a)`` (:func:`random_group_elements`) act on the group block ``x`` of a latent
    ``[x; c]``; the content block ``c`` (one fixed random unit vector per class, the class
    drawn uniformly per pair) is left alone. Both latents are mixed into observations by an
    invertible leaky-ReLU MLP (:func:`mixing_mlp`, ``n_mixing_layers`` layers) followed by a
    frozen bias-free linear map to ``n_observed`` dimensions (entries
    ``U(-1/√d, 1/√d)`` for ``d = n + content_dim`` latents, PyTorch's default ``Linear``
    scale). The pairs are split evenly over the elements (in random order). Only which pairs
    share an action is meant to be seen by a learner; ``model.draw`` gives fresh pairs of the
    same model.

    Parameters
    ----------
    group : {"O", "SO", "GL", "cyclic", "dihedral"}, default="O"
        The group the elements are drawn from.
    n : int, default=3
        Dimension of the group block.
    n_elements : int, default=1000
        Number of elements (actions).
    n_samples : int, default=10_000
        Number of pairs, at least 1.
    n_classes : int, default=100
        Number of content classes.
    content_dim : int, default=3
        Dimension of the content block, at least 0.
    n_observed : int, default=50
        Dimension of the observations.
    n_mixing_layers : int, default=3
        Layers of the mixing MLP.
    random_state : int, numpy.random.Generator or None, default=None
        All randomness; the same seed gives the same data.

    Returns
    -------
    GroupPairs

    Raises
    ------
    ConfigurationError
        If a parameter is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.synthetic import group_pairs
    >>> data = group_pairs("O", n_elements=10, n_samples=200, random_state=0)
    >>> data.observed.shape, data.elements.shape, np.bincount(data.action).tolist()[:3]
    ((200, 50), (10, 3, 3), [20, 20, 20])
    >>> bool(np.allclose(data.group_latents_acted[0],
    ...                  data.elements[data.action[0]] @ data.group_latents[0]))
    True
    """
    n_samples = check_int(n_samples, name="n_samples", owner=_OWNER, low=1)
    n_classes = check_int(n_classes, name="n_classes", owner=_OWNER, low=1)
    content_dim = check_int(content_dim, name="content_dim", owner=_OWNER, low=0)
    n_observed = check_int(n_observed, name="n_observed", owner=_OWNER, low=1)
    n_mixing_layers = check_int(n_mixing_layers, name="n_mixing_layers", owner=_OWNER, low=1)
    rng = check_random_state(random_state, owner=_OWNER)
    elements = random_group_elements(group, n, n_elements, random_state=rng)
    vectors = rng.standard_normal((n_classes, content_dim))
    if content_dim:
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    d = elements.shape[1] + content_dim
    mixing = mixing_mlp(d, n_layers=n_mixing_layers, random_state=rng)
    bound = 1.0 / np.sqrt(d)
    projection = rng.uniform(-bound, bound, size=(n_observed, d))
    projection.flags.writeable = False
    model = GroupActionModel(elements, vectors, mixing, projection)
    action = rng.permutation(np.arange(n_samples) % len(elements))
    return model.draw(action, random_state=rng)
