# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The command line's data: the sessions that ``identica fit`` reads from files and keys."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from identica.io import detect_format
from identica.io import read as read_data
from identica.io._arrays import load_arrays

__all__ = ["UserError", "check_output", "sessions"]


class UserError(Exception):
    """A mistake in what the user asked for: one line on stderr, exit code 2."""

    def __init__(self, message: str, command: str | None = None) -> None:
        super().__init__(message)
        self.command = command  # set for command-line syntax errors: points to --help

    def __str__(self) -> str:
        return str(self.args[0])


def check_output(path: str) -> None:
    """Fail before any work if ``path`` cannot be written."""
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise FileNotFoundError(f"cannot write {path!r}: folder {str(parent)!r} does not exist")


def load_data(path: str, keys: dict[str, str | None],
               bin_size: float | None) -> dict[str, np.ndarray | None]:
    """Neural data (and labels, trial starts) of one session from any file identica.io reads.

    ``keys`` maps an option (``--neural``, ``--behavior``, ``--discrete``, ``--trial-starts``) to
    its key in the file. An ``.npz`` archive gives the named arrays as they are; other formats
    are read into a session and aligned (``bin_size`` seconds per bin for spike times) into one
    recording, whose trials come from the interval table ``--trial-starts`` names.
    """
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such data file: {path!r}")
    fmt = detect_format(path)
    if fmt == "npz":
        return load_arrays(path, keys)
    neural = keys["--neural"]
    options: dict[str, object] = {}
    if fmt in ("suite2p",):
        options["signal"] = neural
    elif fmt == "phy":
        if neural not in ("spikes", "units"):
            raise UserError(f"a phy/Kilosort folder holds one neural stream, 'spikes'; got "
                             f"--neural {neural!r}")
    elif fmt in ("dlc", "position-tracking"):
        raise UserError(f"{path!r} holds behaviour only ({fmt}); pass it to Python "
                         "(identica.io.combine) together with a neural file")
    elif fmt == "mat" and neural and neural not in load_mat_numeric(path):
        options["spike_times"] = neural
    else:
        options["neural"] = neural
    labels = [k for k in (keys.get("--behavior"), keys.get("--discrete")) if k]
    if labels:
        options["behavior"] = labels if len(labels) > 1 else labels[0]
    recording = read_data(path, **options).to_recording(bin_size=bin_size,
                                                        trials=keys.get("--trial-starts"))
    return {"--neural": recording.neural, "--behavior": recording.continuous,
            "--discrete": recording.discrete, "--trial-starts": recording.trial_starts}


def _keys(text: str | None) -> list[str | None]:
    return [None] if text is None else [k.strip() for k in text.split(",")]


def sessions(args: argparse.Namespace) -> list[dict[str, np.ndarray | None]]:
    """One dict of arrays per session: every file, times every ``--neural`` key."""
    neural = _keys(args.neural)
    labels = {"--behavior": _keys(args.behavior), "--discrete": _keys(args.discrete),
              "--trial-starts": _keys(args.trial_starts)}
    for option, keys in labels.items():
        if len(keys) not in (1, len(neural)):
            raise UserError(f"{option} names {len(keys)} keys and --neural {len(neural)}: give "
                             "one key (used for every session) or one per --neural key")
    return [
        load_data(path, {"--neural": key, **{o: k[i if len(k) > 1 else 0]
                                              for o, k in labels.items()}}, args.bin)
        for path in args.data for i, key in enumerate(neural)
    ]


def load_mat_numeric(path: str) -> set[str]:
    """Names of the numeric arrays of a ``.mat`` file (other variables may hold spike trains)."""
    return {info.name for info in read_data(path).streams}
