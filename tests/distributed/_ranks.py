# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Start a few Python processes as the ranks of a gloo job, with timeouts and clean teardown."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest


def require_gloo() -> None:
    """Skip with the reason when this torch cannot run a gloo job."""
    import torch.distributed as dist

    if not dist.is_available():
        pytest.skip("torch was built without torch.distributed")
    if not dist.is_gloo_available():
        pytest.skip("torch.distributed has no gloo backend in this build")


def free_port() -> int:
    """A TCP port that was free a moment ago (bound to port 0, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child: this one, one thread, the sources and these tests importable."""
    env = dict(os.environ)
    here = Path(__file__).resolve().parent
    paths = [str(here.parents[1] / "src"), str(here), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(paths).rstrip(os.pathsep)
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", **extra)
    return env


def run_ranks(script: Path, world: int, *args: str, timeout: float = 60.0) -> None:
    """Run ``script`` as ranks ``0 .. world - 1`` of one job (torchrun's environment variables).

    Fails with every rank's output if a rank fails or the job outlives ``timeout``; every
    process still running is killed on the way out.
    """
    port = str(free_port())
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), *args],
            env=child_env(RANK=str(r), LOCAL_RANK=str(r), WORLD_SIZE=str(world),
                          LOCAL_WORLD_SIZE=str(world), MASTER_ADDR="127.0.0.1",
                          MASTER_PORT=port),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for r in range(world)
    ]
    outputs = [""] * world
    try:
        for r, proc in enumerate(procs):
            outputs[r] = proc.communicate(timeout=timeout)[0]
    except subprocess.TimeoutExpired:
        pytest.fail(f"the {world}-process job did not finish in {timeout} s")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    failed = [r for r, proc in enumerate(procs) if proc.returncode != 0]
    if failed:
        text = "\n".join(f"--- rank {r} ---\n{outputs[r][-3000:]}" for r in failed)
        pytest.fail(f"rank(s) {failed} failed:\n{text}")
