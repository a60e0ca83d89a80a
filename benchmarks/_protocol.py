# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The measurement protocol the timing benchmarks share.

* Machine state: the load average and the CPU model, read before and after every run and fit.
* The quiet-machine rule: a headline table is written only when the 1-minute load average
  before the run is at most ``QUIET_LOAD_PER_CORE`` per core. Otherwise the JSON is still
  written, the table is not, and the script exits with ``EXIT_BUSY``, unless ``--under-load``
  is given, in which case the table says "measured under load (load average X on N cores)".
  Load slows the two tools unequally (a large distance matrix suffers more from cache
  contention than a compute-bound step), so a ratio measured under load is not a headline.
* Spread: the median of per-pair ratios with min, max and quartiles.
* Fresh worker processes with fixed thread counts that answer one JSON line.

The compute floor of a training step is in ``_floor.py``.

The scripts in this folder import it as ``import _protocol``: a script's own folder is first on
``sys.path`` when it runs as ``python benchmarks/X.py``. It does not import torch.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
from pathlib import Path

__all__ = [
    "EXIT_BUSY",
    "QUIET_LOAD_PER_CORE",
    "RESULT_MARK",
    "WorkerFailed",
    "cpu_model",
    "format_load",
    "headline_status",
    "limit_threads",
    "load_average",
    "machine_state",
    "max_rss_mb",
    "run_worker",
    "spread",
    "write_results",
]

QUIET_LOAD_PER_CORE = 0.3
EXIT_BUSY = 3
RESULT_MARK = "@@BENCHMARK_RESULT@@ "
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


# -- machine state -------------------------------------------------------------------------------


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), else ``platform.processor()``, else "unknown"."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> list[float] | None:
    """The 1-, 5- and 15-minute load averages, or None where the platform has none."""
    try:
        return [round(value, 3) for value in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def machine_state() -> dict:
    """``{"load": [1, 5, 15 min], "cpu_model": ..., "cpu_count": ...}`` right now."""
    return {"load": load_average(), "cpu_model": cpu_model(), "cpu_count": os.cpu_count() or 1}


def format_load(load: list[float] | None) -> str:
    """``"1.2 / 0.8 / 0.5"`` (1, 5, 15 minutes), or "unknown"."""
    return "unknown" if load is None else " / ".join(f"{v:g}" for v in load)


def headline_status(
    load: list[float] | None,
    cores: int,
    under_load: bool,
    per_core: float = QUIET_LOAD_PER_CORE,
) -> dict:
    """Whether a headline table may be written, given the load average before the run.

    Returns ``{"quiet", "headline", "reason", "caption"}``: ``quiet`` is True when the 1-minute
    load is at most ``per_core * cores``; ``headline`` is True when the table may be written
    (quiet, or ``under_load`` accepted); ``reason`` says why the machine counts as busy (None
    when quiet); ``caption`` is the "measured under load" line for a table written anyway.

    Examples
    --------
    >>> headline_status([0.2, 0.3, 0.3], 2, under_load=False)["headline"]
    True
    >>> status = headline_status([1.5, 1.0, 0.9], 2, under_load=True)
    >>> status["quiet"], status["headline"], status["caption"]
    (False, True, 'measured under load (load average 1.5 on 2 cores)')
    """
    limit = per_core * cores
    if load is None:
        reason = "the load average cannot be read on this platform, so quiet is unverified"
        caption = "measured under load (load average unknown)"
    elif load[0] > limit:
        reason = (f"the 1-minute load average before the run is {load[0]:g} on {cores} "
                  f"core(s), above {per_core:g} per core ({limit:g})")
        caption = f"measured under load (load average {load[0]:g} on {cores} cores)"
    else:
        reason = caption = None
    quiet = reason is None
    return {"quiet": quiet, "headline": quiet or under_load, "reason": reason,
            "caption": None if quiet else caption, "limit": limit}


def write_results(out: Path, stem: str, result: dict, table: str, status: dict) -> int:
    """Write ``stem.json`` always and ``stem.md`` when ``status`` allows; return the exit code.

    A refused table removes a stale ``stem.md`` of an earlier run, prints why on stderr and
    returns ``EXIT_BUSY``; otherwise the table is printed on stderr and 0 is returned.
    """
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / f"{stem}.json", out / f"{stem}.md"
    json_path.write_text(json.dumps(result, indent=2) + "\n")
    if not status["headline"]:
        md_path.unlink(missing_ok=True)
        print(
            f"Refusing to write the table {md_path}: {status['reason']}. Timings from a busy "
            f"machine are not headline numbers. The measurements are in {json_path}. Rerun on "
            "a quiet machine, or pass --under-load to write the table marked "
            f"\"{status['caption']}\".",
            file=sys.stderr,
        )
        return EXIT_BUSY
    md_path.write_text(table)
    print(table, file=sys.stderr)
    print(f"Wrote {json_path} and {md_path}", file=sys.stderr)
    return 0


# -- fresh worker processes ---------------------------------------------------------------------


class WorkerFailed(RuntimeError):
    """A worker process ended without a result; ``returncode`` is its exit status."""

    def __init__(self, message: str, returncode: int) -> None:
        super().__init__(message)
        self.returncode = returncode


def limit_threads(threads: int) -> None:
    """Fix the thread count of every math library; must run before torch/numpy are imported."""
    for name in THREAD_VARS:
        os.environ[name] = str(threads)


def max_rss_mb() -> float:
    """Peak resident memory of this process so far (``ru_maxrss``) in MiB."""
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: KiB on Linux, bytes on macOS
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def run_worker(script: Path, config: dict, threads: int, cwd: Path) -> dict:
    """Run ``python SCRIPT --worker CONFIG`` in a fresh process; return the JSON it answers.

    The thread variables are set to ``threads`` in the child's environment, so they hold before
    it imports torch. The worker prints its result as one line ``RESULT_MARK + json``. Raises
    :class:`WorkerFailed` (after writing the tail of the worker's output to stderr) otherwise.
    """
    env = {**os.environ, **{name: str(threads) for name in THREAD_VARS}}
    cmd = [sys.executable, str(script), "--worker", json.dumps(config)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_MARK) and proc.returncode == 0:
            return json.loads(line[len(RESULT_MARK):])
    sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-8000:])
    raise WorkerFailed(f"the worker {Path(script).name} ({config.get('tool', config)}) failed "
                       f"with exit code {proc.returncode}; its output is above.", proc.returncode)


# -- spread over pairs ---------------------------------------------------------------------------


def spread(values: list[float]) -> dict:
    """Median, min, max and quartiles (``q1``, ``q3``; inclusive method) of ``values``.

    Examples
    --------
    >>> spread([3.0, 1.0, 2.0, 4.0])
    {'n': 4, 'median': 2.5, 'min': 1.0, 'max': 4.0, 'q1': 1.75, 'q3': 3.25}
    """
    values = sorted(float(v) for v in values if v is not None)
    if not values:
        return {"n": 0, "median": None, "min": None, "max": None, "q1": None, "q3": None}
    if len(values) == 1:
        q1 = q3 = values[0]
    else:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return {"n": len(values), "median": statistics.median(values), "min": values[0],
            "max": values[-1], "q1": q1, "q3": q3}


def announce_headline(under_load: bool) -> dict:
    """The machine state now and whether its table may be a headline, said on stderr if not."""
    state = machine_state()
    status = headline_status(state["load"], state["cpu_count"], under_load)
    if not status["quiet"]:
        print(f"Warning: {status['reason']}. "
              + ("The table will be marked as measured under load." if under_load else
                 "The JSON will be written but not the table (pass --under-load to write it)."),
              file=sys.stderr, flush=True)
    return {"state": state, "status": status}

