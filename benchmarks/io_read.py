# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""How fast identica.io reads a DeepLabCut file and bins a one-hour NWB units table.

Writes the files into a temporary folder, then times each step ``--repeats`` times and prints
one JSON object per run, e.g.::

    python benchmarks/io_read.py --frames 20000 --bodyparts 10 --hours 1 --units 100
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

from identica import io


def _dlc(folder: Path, frames: int, bodyparts: int) -> dict[str, Path]:
    parts = [f"part{i}" for i in range(bodyparts)]
    columns = pd.MultiIndex.from_product([["DLC_resnet50"], parts, ["x", "y", "likelihood"]],
                                         names=["scorer", "bodyparts", "coords"])
    rng = np.random.default_rng(0)
    values = rng.uniform(0, 640, (frames, len(columns)))
    values[:, 2::3] = rng.uniform(0, 1, (frames, bodyparts))
    frame = pd.DataFrame(values, columns=columns)
    paths = {"h5": folder / "videoDLC.h5", "csv": folder / "videoDLC.csv"}
    with pd.HDFStore(paths["h5"], "w") as store:
        store.put("df_with_missing", frame, format="table", track_times=False)
    frame.to_csv(paths["csv"])
    return paths


def _units(folder: Path, hours: float, units: int, rate: float) -> Path:
    rng = np.random.default_rng(1)
    duration = hours * 3600.0
    trains = [np.sort(rng.uniform(0, duration, rng.poisson(rate * duration)))
              for _ in range(units)]
    path = folder / "units.nwb"
    with h5py.File(path, "w") as file:
        file.attrs["nwb_version"] = "2.7.0"
        group = file.create_group("units")
        group.attrs["neurodata_type"] = "Units"
        group["spike_times"] = np.concatenate(trains)
        group["spike_times_index"] = np.cumsum([len(t) for t in trains])
    return path


def _time(step) -> tuple[float, object]:
    start = time.perf_counter()
    out = step()
    return time.perf_counter() - start, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20_000)
    parser.add_argument("--bodyparts", type=int, default=10)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--rate", type=float, default=10.0, help="spikes per second per unit")
    parser.add_argument("--bin", type=float, default=0.025)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        dlc = _dlc(folder, args.frames, args.bodyparts)
        units = _units(folder, args.hours, args.units, args.rate)
        for repeat in range(args.repeats):
            for kind, path in dlc.items():
                seconds, session = _time(lambda p=path: io.read(p, likelihood_threshold=0.9))
                print(json.dumps({"benchmark": f"dlc_{kind}", "repeat": repeat,
                                  "seconds": round(seconds, 4), "frames": args.frames,
                                  "bodyparts": args.bodyparts,
                                  "columns": session.behavior.data.shape[1]}), flush=True)
            seconds, session = _time(lambda: io.read(units))
            bin_seconds, rec = _time(lambda s=session: s.to_recording(bin_size=args.bin))
            print(json.dumps({"benchmark": "nwb_units_bin", "repeat": repeat,
                              "seconds": round(seconds + bin_seconds, 4),
                              "read_seconds": round(seconds, 4),
                              "bin_seconds": round(bin_seconds, 4), "hours": args.hours,
                              "units": args.units, "spikes": session.neural.n_spikes,
                              "bins": rec.n_samples}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
