# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""``identica fit --nproc K``: the torchrun command it starts, and the options it checks."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from identica import cli
from identica.distributed import torchrun_command
from identica.exceptions import ConfigurationError


@pytest.fixture
def data(tmp_path):
    np.savez(tmp_path / "data.npz", X=np.random.default_rng(0).poisson(1, (300, 5)))
    return tmp_path / "data.npz"


def test_torchrun_command_runs_the_module_on_this_machine():
    command = torchrun_command(["fit", "x.npz"], 4, max_restarts=2)
    assert command[0] == sys.executable
    assert command[1:] == ["-m", "torch.distributed.run", "--standalone", "--nproc-per-node",
                           "4", "--max-restarts", "2", "-m", "identica", "fit", "x.npz"]
    with pytest.raises(ConfigurationError, match="'nproc' of torchrun_command"):
        torchrun_command([], 0)


def test_fit_nproc_starts_workers_with_the_seed_and_distributed(monkeypatch, data, tmp_path,
                                                              capsys):
    started = {}
    monkeypatch.setattr(cli, "launch", lambda args, nproc, max_restarts: started.update(
        args=args, nproc=nproc, max_restarts=max_restarts) or 0)
    out = str(tmp_path / "m.safetensors")
    code = cli.main(["fit", str(data), "--neural", "X", "--out", out, "--nproc", "2",
                     "--max-restarts=1", "--encoder", "mlp", "--quiet"])
    assert code == 0 and started["nproc"] == 2 and started["max_restarts"] == 1
    args = started["args"]
    assert args[:6] == ["fit", str(data), "--neural", "X", "--out", out]
    assert "--nproc" not in args and "--max-restarts=1" not in args
    assert args[-3:-1] == ["--distributed", "--random-state"] and args[-1].isdigit()
    assert not (tmp_path / "m.safetensors").exists()  # the workers write it


@pytest.mark.parametrize(("extra", "message"), [
    (["--nproc", "0"], "--nproc must be at least 1"),
    (["--resume"], "--resume continues the run of --checkpoint FILE"),
])
def test_fit_launch_options_are_checked(data, tmp_path, capsys, extra, message):
    code = cli.main(["fit", str(data), "--neural", "X", "--out", str(tmp_path / "m.st"),
                     *extra])
    assert code == 2 and message in capsys.readouterr().err


def test_fit_resume_continues_the_checkpoint(data, tmp_path, capsys):
    ck, out = tmp_path / "ck.safetensors", tmp_path / "m.safetensors"
    base = ["fit", str(data), "--neural", "X", "--out", str(out), "--encoder", "mlp",
            "--batch-size", "16", "--random-state", "0", "--checkpoint", str(ck), "--resume"]
    assert cli.main([*base, "--max-iterations", "6"]) == 0
    assert "resuming" not in capsys.readouterr().out
    assert cli.main([*base, "--max-iterations", "10"]) == 0
    text = capsys.readouterr().out
    assert f"resuming the run held by {ck}" in text and "fitted 10 iterations" in text
