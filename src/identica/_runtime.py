# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Where and how computations run: device resolution, the thread count and its scope, seeds to
torch generators."""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Callable, Iterator
from typing import NamedTuple

import numpy as np
import torch

from identica.exceptions import ConfigurationError, DeviceUnavailableError

DEVICES = ("auto", "cpu", "cuda", "cuda:N", "mps")


def resolve_device(device: object, *, owner: str = "Embedding") -> torch.device:
    """``"auto"`` → cuda, then mps, then cpu; any other value must name an available device."""
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        resolved = torch.device(device)  # type: ignore[arg-type]
    except (RuntimeError, TypeError) as error:
        raise ConfigurationError(
            f"'device' of {owner} must be one of {list(DEVICES)}. Got {device!r}."
        ) from error
    if resolved.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0 or (resolved.index or 0) >= count:
            raise DeviceUnavailableError(
                f"'device' of {owner} is {device!r}, but this machine has {count} CUDA "
                "device(s). Use device='cpu' or device='auto'."
            )
    elif resolved.type == "mps" and not torch.backends.mps.is_available():
        raise DeviceUnavailableError(
            f"'device' of {owner} is {device!r}, but MPS is not available here. Use "
            "device='cpu' or device='auto'."
        )
    elif resolved.type not in ("cpu", "cuda", "mps"):
        raise ConfigurationError(
            f"'device' of {owner} must be one of {list(DEVICES)}. Got {device!r}."
        )
    return resolved


def torch_generator(seed: np.random.SeedSequence) -> torch.Generator:
    """A CPU torch.Generator seeded from ``seed``."""
    value = int(seed.generate_state(1, dtype=np.uint64)[0]) & (2**63 - 1)
    return torch.Generator().manual_seed(value)


@contextlib.contextmanager
def num_threads(n: int | None) -> Iterator[None]:
    """Set torch's intra-op thread count for the duration of a block (``None``: leave it)."""
    if n is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# --- threads ---------------------------------------------------------------------------------

# Multiply-adds per torch call for each CPU thread of the automatic count (see auto_threads).
WORK_PER_THREAD = 4e8


class ThreadChoice(NamedTuple):
    """The intra-op thread count a run uses, and how it was chosen.

    ``count`` is ``None`` where torch's own setting is left as it is (CUDA and MPS devices under
    the automatic setting); ``auto`` says whether the count was chosen by :func:`auto_threads`,
    for ``work`` multiply-adds per torch call on ``cores`` usable cores.
    """

    count: int | None
    auto: bool
    device_type: str
    work: float = 0.0
    cores: int = 1

    @property
    def follows_load(self) -> bool:
        """Whether the count depends on the load (automatic, on CPU, with work for two threads
        or more, on two cores or more): then long runs :meth:`recheck` it as they go."""
        return (self.auto and self.device_type == "cpu" and self.cores > 1
                and self.work >= 2 * WORK_PER_THREAD)

    def recheck(self) -> ThreadChoice:
        """This choice for the load now (itself where the count does not follow the load)."""
        if not self.follows_load:
            return self
        return self._replace(count=auto_threads("cpu", self.work, cores=self.cores,
                                                busy=busy_cores()))

    def describe(self) -> str:
        """Words for the progress bar: ``"cpu, 1 thread (auto)"``, ``"cuda"``."""
        if self.count is None:
            return self.device_type
        plural = "" if self.count == 1 else "s"
        return f"{self.device_type}, {self.count} thread{plural}" + (" (auto)" if self.auto else "")


def encoder_work(encoder: torch.nn.Module, n_windows: int) -> float:
    """Multiply-adds of ``n_windows`` windows through ``encoder``, bounded from above.

    Each weight is counted once per step of the window (``len(encoder.receptive_field)``): exact
    for an MLP, at most 1.7x over for the conv encoders. Cheap: no forward pass.
    """
    field = getattr(encoder, "receptive_field", None)
    length = len(field) if field is not None else 1
    return float(sum(p.numel() for p in encoder.parameters())) * length * n_windows


def auto_threads(device_type: str, work: float, *, cores: int, busy: float) -> int | None:
    """The automatic intra-op thread count (``num_threads=None``): pure, for given inputs.

    On CPU: one thread per ``WORK_PER_THREAD`` (4e8) multiply-adds per torch call, at most
    the cores not ``busy`` (rounded to the nearest core), at least one. A thread that has to
    wait for a core another process holds stalls every step of the others: beside one busy
    process on two cores (even one at nice 19) two threads ran conv10 steps 6-42x slower than
    one (batch 512: 490 against 21 ms). So small steps, where a second thread could gain
    little even on a free machine, take one thread without looking at the load: the default
    model (conv10, 120 neurons, batch 512: 1.8e8 multiply-adds per call) runs exactly as
    with ``num_threads=1``. Elsewhere (CUDA, MPS): ``None``, torch's own setting is left alone.

    Parameters
    ----------
    device_type : str
        ``torch.device(...).type``: ``"cpu"``, ``"cuda"`` or ``"mps"``.
    work : float
        Multiply-adds per torch call, e.g. from :func:`encoder_work`.
    cores : int
        Cores this process may use.
    busy : float
        Cores taken by other processes now (runnable threads, or a load average).

    Returns
    -------
    int or None

    Examples
    --------
    >>> auto_threads("cpu", 2.5e8, cores=2, busy=0.0)
    1
    >>> auto_threads("cpu", 5e9, cores=2, busy=0.0), auto_threads("cpu", 5e9, cores=2, busy=1.0)
    (2, 1)
    >>> auto_threads("cuda", 5e9, cores=2, busy=0.0) is None
    True
    """
    if device_type != "cpu":
        return None
    wanted = max(1, int(work // WORK_PER_THREAD))
    free = cores - math.floor(busy + 0.5)
    return max(1, min(wanted, free))


def usable_cores() -> int:
    """Cores this process may run on: its CPU affinity, capped by torch's thread setting (which
    follows ``OMP_NUM_THREADS`` and ``torch.set_num_threads``)."""
    try:
        allowed = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        allowed = os.cpu_count() or 1
    return max(1, min(allowed, torch.get_num_threads()))


def busy_cores(readings: int = 5, interval: float = 0.005) -> float:
    """Cores other processes hold now.

    On Linux: the machine's runnable threads less this process's own, averaged over
    ``readings`` reads ``interval`` seconds apart (so a busy process that started a second ago
    counts, and this process's earlier work does not, as it would in a load average). The count
    is machine-wide: a process held to some cores also counts busy ones elsewhere. Elsewhere:
    the 1-minute load average, or 0 where there is none.
    """
    if not os.path.exists("/proc/loadavg"):
        return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    total = 0
    for i in range(readings):
        if i:
            time.sleep(interval)
        total += max(0, _machine_running() - _own_running())
    return total / readings


def _machine_running() -> int:
    with open("/proc/loadavg", encoding="ascii") as file:
        return int(file.read().split()[3].split("/")[0])


def _own_running() -> int:
    running = 0
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/stat", encoding="ascii", errors="replace") as file:
                running += file.read().rpartition(")")[2].split()[0] == "R"
        except OSError:  # the thread ended meanwhile
            continue
    return running


def choose_threads(
    setting: int | None, device: torch.device, work: Callable[[], float] | None = None
) -> ThreadChoice:
    """The thread count of a run on ``device``: ``setting`` when it is an int, else
    :func:`auto_threads` for ``work()`` multiply-adds per torch call on this machine now.

    ``work`` is only called on CPU under the automatic setting; without it (set-up code with
    little arithmetic) the automatic count on CPU is one thread. The machine's load is read
    (about 20 ms) only when the work could use two threads or more.

    Examples
    --------
    >>> import torch
    >>> choose_threads(None, torch.device("cpu")).describe()
    'cpu, 1 thread (auto)'
    >>> choose_threads(3, torch.device("cpu")).describe()
    'cpu, 3 threads'
    """
    if setting is not None:
        return ThreadChoice(setting, False, device.type)
    if device.type != "cpu":
        return ThreadChoice(None, True, device.type)
    choice = ThreadChoice(1, True, "cpu", 0.0 if work is None else work(), usable_cores())
    return choice.recheck()  # reads the load only where it matters
