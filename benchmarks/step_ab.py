# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Training-step CPU time of two source trees of identica, side by side.

Each run is a fresh process with ``PYTHONPATH=TREE/src`` that fits the default recording
(``linear_track``, 10,000 bins x 120 neurons, first 8,000) with the benchmark configuration
(conv10, output 8, time_delta, offset 10, batch 512, 1 thread) twice, for ``--short`` and
``--long`` iterations, and reports the process CPU time per iteration of the difference (so
set-up cost cancels). Runs of the trees alternate, ``--pairs`` times; the summary is the median
ratio. The load average is recorded before and after. With ``--compare-embeddings`` each tree
also fits the demo's seed-0 model (1000 iterations on the first 8,000 bins) once and the SHA-256
of its embedding of all 10,000 bins is compared (a behaviour-preserving change keeps it equal).
Prints one JSON line per run and one summary line::

    python benchmarks/step_ab.py --tree BEFORE_CHECKOUT --tree . --compare-embeddings
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

WORKER = """
import json, sys, time, torch
torch.set_num_threads(1)
import identica
data = identica.synthetic.linear_track()
X, y = data.neural[:8000], data.continuous[:8000]
def cpu(n):
    model = identica.Embedding(encoder="conv10", output_dimension=8, hidden_units=32,
                               conditional="time_delta", time_offset=10, batch_size=512,
                               max_iterations=n, random_state=0, device="cpu", num_threads=1)
    start = time.process_time()
    model.fit(X, y)
    return time.process_time() - start
short, long = int(sys.argv[1]), int(sys.argv[2])
if short == 0:  # the embedding of the demo's seed-0 model, hashed
    import hashlib
    model = identica.Embedding(encoder="conv10", output_dimension=8, hidden_units=32,
                               conditional="time_delta", time_offset=10, similarity="cosine",
                               temperature=1.0, batch_size=512, learning_rate=3e-4,
                               max_iterations=long, num_threads=1, device="cpu", random_state=0)
    embedding = model.fit(X, y).transform(data.neural)
    print(json.dumps({"sha256": hashlib.sha256(embedding.tobytes()).hexdigest()}))
    sys.exit(0)
cpu(short)  # warm caches and allocator
a, b = cpu(short), cpu(long)
print(json.dumps({"ms_per_step": 1000 * (b - a) / (long - short), "file": identica.__file__}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", action="append", required=True,
                        help="a checkout of identica (give two)")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--short", type=int, default=50)
    parser.add_argument("--long", type=int, default=350)
    parser.add_argument("--compare-embeddings", action="store_true")
    args = parser.parse_args()
    if len(args.tree) != 2:
        parser.error("give exactly two --tree")
    load_before = os.getloadavg()
    hashes = {}
    if args.compare_embeddings:
        for tree in args.tree:
            hashes[tree] = _run(tree, 0, 1000)["sha256"]
            print(json.dumps({"tree": tree, "sha256": hashes[tree]}), flush=True)
    times: dict[str, list[float]] = {tree: [] for tree in args.tree}
    for pair in range(args.pairs):
        for tree in args.tree if pair % 2 == 0 else args.tree[::-1]:
            result = _run(tree, args.short, args.long)
            times[tree].append(result["ms_per_step"])
            print(json.dumps({"tree": tree, "pair": pair, **result}), flush=True)
    a, b = args.tree
    ratios = [x / y for x, y in zip(times[a], times[b], strict=True)]
    print(json.dumps({
        "summary": True, "trees": args.tree,
        "median_ms_per_step": {t: statistics.median(v) for t, v in times.items()},
        "median_ratio_first_over_second": statistics.median(ratios),
        "ratios": ratios,
        "embeddings_equal": (len(set(hashes.values())) == 1) if hashes else None,
        "loadavg_before": load_before, "loadavg_after": os.getloadavg(),
        "cpu": _cpu_model(),
    }), flush=True)


def _run(tree: str, short: int, long: int) -> dict:
    env = {**os.environ, "PYTHONPATH": os.path.join(os.path.abspath(tree), "src"),
           "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", WORKER, str(short), str(long)],
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            return next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        return "unknown"


if __name__ == "__main__":
    main()
