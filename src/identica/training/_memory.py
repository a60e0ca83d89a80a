# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Keep freed memory in the process so that every training step does not page-fault afresh.

Each step allocates the same few buffers of several MB (windows, activations, gradients). With
glibc's defaults, blocks that large are mapped fresh from the OS and unmapped when freed, so
every step pays page faults on first touch: on a 2-core CPU machine that was a third of the step
time. Raising the mmap and trim thresholds makes glibc reuse the freed blocks instead. Peak
memory is unchanged (the blocks are the same), only their return to the OS is deferred.
Training tunes the allocator only while a fit runs (:func:`freed_memory_kept`);
:func:`keep_freed_memory` is the lasting, process-wide opt-in.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import sys
from collections.abc import Iterator

__all__ = ["freed_memory_kept", "keep_freed_memory"]

_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD_MAX = 1 << 25  # glibc's upper bound for the mmap threshold on 64-bit
_KEEP = ((_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX), (_M_TRIM_THRESHOLD, 1 << 30),
         (_M_TOP_PAD, 1 << 26))
_DEFAULTS = ((_M_MMAP_THRESHOLD, 128 * 1024), (_M_TRIM_THRESHOLD, 128 * 1024),
             (_M_TOP_PAD, 128 * 1024))
_TUNED = False  # set once by the process-wide opt-in


def _mallopt() -> object | None:
    """glibc's ``mallopt``, or ``None`` off Linux or without glibc."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return None


def _set(mallopt: object, values: tuple[tuple[int, int], ...]) -> bool:
    return all([mallopt(option, value) == 1 for option, value in values])  # type: ignore[operator]


def keep_freed_memory() -> bool:
    """Tell glibc malloc to reuse blocks of up to 32 MB instead of unmapping them, from now on.

    A process-wide, lasting opt-in (training does the same only for the duration of each fit,
    see :func:`freed_memory_kept`). Does nothing (and returns ``False``) off Linux or without
    glibc. Idempotent.

    Returns
    -------
    bool
        Whether the allocator was tuned.

    Examples
    --------
    >>> from identica.training import keep_freed_memory
    >>> isinstance(keep_freed_memory(), bool)
    True
    """
    global _TUNED
    if _TUNED:
        return True
    mallopt = _mallopt()
    _TUNED = mallopt is not None and _set(mallopt, _KEEP)
    return _TUNED


@contextlib.contextmanager
def freed_memory_kept() -> Iterator[bool]:
    """Keep freed blocks of up to 32 MB for the duration of a block (a fit), then give them back.

    On entry the thresholds are raised as by :func:`keep_freed_memory`; on exit they return to
    glibc's documented defaults (128 KiB each; glibc's sliding mmap threshold, which starts
    there, stays fixed afterwards) and the freed memory is trimmed. Inside a process that
    opted in with :func:`keep_freed_memory` nothing changes. Yields whether the allocator is
    tuned inside the block.

    Examples
    --------
    >>> from identica.training import freed_memory_kept
    >>> with freed_memory_kept() as tuned:
    ...     isinstance(tuned, bool)
    True
    """
    mallopt = None if _TUNED else _mallopt()
    if mallopt is None:
        yield _TUNED
        return
    tuned = _set(mallopt, _KEEP)
    try:
        yield tuned
    finally:
        _set(mallopt, _DEFAULTS)
