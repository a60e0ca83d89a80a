# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""GroupPairSampler: groups share an action, pairs are distinct, negatives are independent."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from identica.exceptions import ConfigurationError, DataValidationError
from identica.sampling import GroupPairSampler


def _actions(n_pairs=600, n_actions=30, seed=0):
    return np.random.default_rng(seed).integers(n_actions, size=n_pairs) * 7 + 3


@pytest.mark.parametrize("samples_per_action", [1, 4, 8])
def test_pairs_of_a_group_share_the_action(samples_per_action):
    action = _actions()
    sampler = GroupPairSampler(action, samples_per_action=samples_per_action, num_negatives=50)
    batch = sampler.sample(16, generator=torch.Generator().manual_seed(0))
    k = samples_per_action + 1
    ref = batch.reference.numpy().reshape(16, k)
    assert (action[ref] == action[ref[:, :1]]).all()
    assert all(len(set(row)) == k for row in ref.tolist())  # distinct pairs
    assert torch.equal(batch.positive, batch.reference + len(action))
    assert batch.context.group.tolist() == np.repeat(np.arange(16), k).tolist()
    assert batch.negative.shape == (50,) and batch.negative.dtype == torch.int64
    assert batch.negative.max() < len(action)


def test_large_actions_are_drawn_without_the_quadratic_cost():
    action = np.zeros(5000, dtype=int)
    batch = GroupPairSampler(action, samples_per_action=3, num_negatives=5).sample(
        4, generator=torch.Generator().manual_seed(0))
    assert batch.reference.shape == (16,) and batch.reference.max() < 5000


def test_negatives_do_not_depend_on_the_anchors():
    """The negatives are uniform over all pairs whichever actions the anchors have."""
    action = np.repeat([0, 1], [100, 900])
    sampler = GroupPairSampler(action, samples_per_action=2, num_negatives=20_000)
    batch = sampler.sample(8, generator=torch.Generator().manual_seed(1))
    share = float((action[batch.negative.numpy()] == 0).mean())
    assert abs(share - 0.1) < 0.01
    anchors = action[batch.reference.numpy()]
    assert abs((anchors == 0).mean() - 0.5) < 0.5  # anchors: uniform over actions


def test_the_same_generator_state_gives_the_same_batch():
    sampler = GroupPairSampler(_actions(), samples_per_action=3, num_negatives=10)
    a = sampler.sample(5, generator=torch.Generator().manual_seed(3))
    b = sampler.sample(5, generator=torch.Generator().manual_seed(3))
    assert all(torch.equal(x, y) for x, y in zip(a[:3], b[:3], strict=True))


def test_bad_inputs_are_refused():
    with pytest.raises(DataValidationError, match="Action 1 has 2"):
        GroupPairSampler([0, 0, 0, 1, 1], samples_per_action=2)
    with pytest.raises(DataValidationError, match="1-D array of integer action ids"):
        GroupPairSampler([0.5, 1.0])
    with pytest.raises(ConfigurationError, match="'samples_per_action' of GroupPairSampler"):
        GroupPairSampler([0, 0], samples_per_action=0)


@pytest.mark.parametrize("negatives", ["observed", "acted", "both"])
def test_negatives_come_from_the_observations_asked_for(negatives):
    action = _actions()
    n = len(action)
    batch = GroupPairSampler(action, samples_per_action=2, num_negatives=40,
                             negatives=negatives).sample(4, generator=torch.Generator())
    acted = (batch.negative >= n).numpy()
    expected = {"observed": [False] * 40, "acted": [True] * 40,
                "both": [False] * 20 + [True] * 20}[negatives]
    assert acted.tolist() == expected and batch.negative.max() < 2 * n
    with pytest.raises(ConfigurationError, match="'negatives' of GroupPairSampler"):
        GroupPairSampler(action, negatives="positives")
