# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Resuming from checkpoints: in one process, and a torchrun job that loses a worker."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from _ranks import child_env, require_gloo

import identica
from identica.distributed import fit_or_resume, torchrun_command
from identica.exceptions import ConfigurationError

SMALL = dict(encoder="mlp", output_dimension=3, batch_size=32, num_threads=1, random_state=0)


def test_fit_or_resume_continues_a_checkpoint_to_the_same_model(tmp_path, track):
    path = tmp_path / "run.safetensors"
    whole = identica.Embedding(max_iterations=40, **SMALL).fit(track.neural)
    # a run that stopped after 15 steps left its checkpoint
    identica.Embedding(max_iterations=15, checkpoint=path, **SMALL).fit(track.neural)
    model = identica.Embedding(max_iterations=40, checkpoint=path, checkpoint_every=10, **SMALL)
    resumed = fit_or_resume(model, track.neural)
    assert resumed.n_iter_ == 40 and resumed.get_params() == model.get_params()
    np.testing.assert_array_equal(resumed.loss_history_, whole.loss_history_)
    np.testing.assert_array_equal(resumed.transform(track.neural), whole.transform(track.neural))
    assert identica.load(path).n_iter_ == 40  # the checkpoint follows the resumed run
    # a finished run is returned as it is
    assert fit_or_resume(model, track.neural).n_iter_ == 40


def test_fit_or_resume_without_a_file_fits(tmp_path, track):
    model = identica.Embedding(max_iterations=5, checkpoint=tmp_path / "new.safetensors",
                               **SMALL)
    assert fit_or_resume(model, track.neural) is model and model.n_iter_ == 5


def test_fit_or_resume_refuses_other_parameters_and_no_checkpoint(tmp_path, track):
    path = tmp_path / "run.safetensors"
    identica.Embedding(max_iterations=5, checkpoint=path, **SMALL).fit(track.neural)
    other = identica.Embedding(max_iterations=10, checkpoint=path,
                               **{**SMALL, "output_dimension": 4})
    with pytest.raises(ConfigurationError, match="output_dimension=3"):
        fit_or_resume(other, track.neural)
    with pytest.raises(ConfigurationError, match="'checkpoint' of Embedding"):
        fit_or_resume(identica.Embedding(**SMALL), track.neural)
    with pytest.raises(ConfigurationError, match="'model' of fit_or_resume"):
        fit_or_resume(object(), track.neural)


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux /proc)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                found.append(child)
                todo.append(child)
    return found


def _rank_of(pid: int) -> str | None:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return None
    for item in environ:
        if item.startswith(b"RANK="):
            return item[5:].decode()
    return None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds workers through /proc")
def test_a_killed_worker_is_restarted_and_resumes_from_the_checkpoint(tmp_path, track):
    require_gloo()
    np.savez(tmp_path / "data.npz", X=track.neural, y=track.continuous)
    checkpoint, out = tmp_path / "ck.safetensors", tmp_path / "model.safetensors"
    steps = 300
    args = ["fit", str(tmp_path / "data.npz"), "--neural", "X", "--behavior", "y",
            "--out", str(out), "--encoder", "conv5", "--batch-size", "64",
            "--max-iterations", str(steps), "--checkpoint", str(checkpoint),
            "--checkpoint-every", "25", "--random-state", "0", "--num-threads", "1",
            "--resume", "--distributed"]
    job = subprocess.Popen(torchrun_command(args, 2, max_restarts=1), env=child_env(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while not checkpoint.exists():
            assert job.poll() is None, job.communicate()[0][-3000:]
            assert time.monotonic() < deadline, "no checkpoint appeared"
            time.sleep(0.02)
        first = tmp_path / "first.safetensors"
        shutil.copy(checkpoint, first)
        workers = [p for p in _descendants(job.pid) if _rank_of(p) == "1"]
        assert workers, "found no worker of rank 1"
        os.kill(workers[0], signal.SIGKILL)
        output = job.communicate(timeout=120)[0]
    finally:
        # the whole process group: a worker left behind by a failed restart must not outlive
        # the test
        with contextlib.suppress(ProcessLookupError):
            os.killpg(job.pid, signal.SIGKILL)
        job.wait()
    assert job.returncode == 0, output[-3000:]
    assert "resuming the run held by" in output, output[-3000:]
    early, final = identica.load(first), identica.load(out)
    assert 0 < early.n_iter_ < steps
    assert final.n_iter_ == steps == len(final.loss_history_)
    # the steps before the checkpoint are kept as they were
    np.testing.assert_array_equal(final.loss_history_[:early.n_iter_], early.loss_history_)
