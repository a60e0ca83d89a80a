# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Seed ensembles and parameter searches fitted in parallel equal those fitted one by one.

The parallel runs use joblib's threading backend: the same code path as the default worker
processes (``loky``) without their start-up (about 20 s of imports on a busy 2-core machine);
the members' round trip through pickle is covered by the estimator checks.
"""

from __future__ import annotations

import numpy as np
import pytest
from joblib import parallel_backend

import identica
from identica.distributed import search
from identica.exceptions import ConfigurationError

MEMBER = dict(encoder="mlp", output_dimension=3, batch_size=32, max_iterations=15,
              time_offset=1, num_threads=1, device="cpu")


def test_ensemble_in_two_processes_equals_one(track):
    X = track.neural[:800]
    member = identica.Embedding(**MEMBER)
    one = identica.ConsistencyEnsemble(member, n_seeds=2, random_state=4).fit(X)
    with parallel_backend("threading"):
        two = identica.ConsistencyEnsemble(member, n_seeds=2, random_state=4, n_jobs=2).fit(X)
    np.testing.assert_array_equal(two.transform(X), one.transform(X))
    assert [m.random_state for m in two.estimators_] == [4, 5]
    assert two.consistency_ == one.consistency_
    # a different seed is caught by the comparison
    other = identica.ConsistencyEnsemble(member, n_seeds=2, random_state=5).fit(X)
    assert not np.array_equal(other.transform(X), one.transform(X))


def test_ensemble_refuses_zero_jobs(track):
    ensemble = identica.ConsistencyEnsemble(identica.Embedding(**MEMBER), n_jobs=0)
    with pytest.raises(ConfigurationError, match="'n_jobs' of ConsistencyEnsemble"):
        ensemble.fit(track.neural[:300])


def test_search_scores_do_not_depend_on_n_jobs(track):
    X, y = track.neural[:800], track.continuous[:800]
    model = identica.Embedding(**MEMBER, random_state=0)
    grid = {"output_dimension": [2, 4], "learning_rate": [1e-3, 1e-2]}
    here = search(model, grid, X, y)
    assert [(r.params["learning_rate"], r.params["output_dimension"]) for r in here] == [
        (1e-3, 2), (1e-3, 4), (1e-2, 2), (1e-2, 4)]
    # each score is the candidate's own fit scored by hand
    by_hand = identica.Embedding(**{**MEMBER, "output_dimension": 4, "learning_rate": 1e-2},
                                 random_state=0).fit(X, y).score(X, y)
    assert here[3].score == by_hand
    with parallel_backend("threading"):
        drawn = search(model, grid, X, y, n_iter=2, random_state=1, n_jobs=2)
    assert len(drawn) == 2 and all(d.params in [r.params for r in here] for d in drawn)
    for d in drawn:
        assert d.score == next(r.score for r in here if r.params == d.params)


def test_search_needs_a_score_method():
    with pytest.raises(ConfigurationError, match="must have a score method"):
        search(object(), {"a": [1]}, np.zeros((5, 2)))
