# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Recordings larger than memory: read from memory-mapped or chunked storage, a batch at a time."""

from __future__ import annotations

import mmap
import os
from collections.abc import Iterator

import numpy as np
import torch

from identica.data._offset import Offset
from identica.exceptions import DataValidationError

__all__ = ["DiskArray", "DiskWindowGatherer", "is_out_of_core"]

_CHUNK_VALUES = 2**20  # values per read when scanning a whole recording (4 MiB)
_STORAGE_MODULES = ("h5py", "zarr")


def is_out_of_core(X: object) -> bool:
    """Whether ``X`` is read from disk: a NumPy memmap, an h5py or zarr array, a DiskArray.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.data import is_out_of_core
    >>> is_out_of_core(np.zeros((3, 2))), is_out_of_core([[1.0]])
    (False, False)
    """
    if isinstance(X, DiskArray | np.memmap):
        return True
    return type(X).__module__.split(".")[0] in _STORAGE_MODULES and hasattr(X, "shape")


class DiskArray:
    """A ``(n_samples, n_features)`` recording on disk, read as float32 rows on demand.

    Wraps a NumPy memmap (``np.load(path, mmap_mode="r")``), an ``h5py.Dataset`` or a
    ``zarr.Array``; nothing is read when it is made. Rows are read by slices
    (:meth:`rows`): a C-ordered memmap's bytes with ``pread`` from its file (nothing is mapped
    into the process), others through the array's own slicing (pages that another memmap
    brought in are handed back after each read, :meth:`release`), so the process's resident
    memory stays at what one batch needs, whatever the length of the file.
    ``Embedding.fit`` and ``transform`` wrap such arrays themselves: pass the memmap or
    dataset as ``X``.

    Parameters
    ----------
    source : array-like of shape (n_samples, n_features)
        The stored array (real numbers).

    Raises
    ------
    DataValidationError
        If ``source`` is not 2-D, empty, or not numeric.

    Examples
    --------
    >>> import numpy as np, pathlib, tempfile
    >>> from identica.data import DiskArray
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "X.npy"
    >>> np.save(path, np.arange(12.0).reshape(6, 2))
    >>> disk = DiskArray(np.load(path, mmap_mode="r"))
    >>> disk.shape, disk.rows(1, 3).tolist()
    ((6, 2), [[2.0, 3.0], [4.0, 5.0]])
    """

    def __init__(self, source: object, *, name: str = "X") -> None:
        self.source = source
        shape = tuple(int(s) for s in getattr(source, "shape", ()))
        dtype = np.dtype(getattr(source, "dtype", np.float32))
        if len(shape) != 2 or 0 in shape:
            raise DataValidationError(
                f"{name} must be a 2-D array of shape (n_samples, n_features) with at least one "
                f"row and column; got an on-disk array of shape {shape}."
            )
        if not (np.issubdtype(dtype, np.number) or dtype == np.bool_) or np.issubdtype(
                dtype, np.complexfloating):
            raise DataValidationError(
                f"{name} must hold real numbers; got an on-disk array of dtype {dtype}."
            )
        self.shape: tuple[int, int] = (shape[0], shape[1])
        self.dtype = np.dtype(np.float32)
        self.ndim = 2
        self._mmap = getattr(source, "_mmap", None) if isinstance(source, np.memmap) else None
        self._file = _file_rows(source)
        self._fd: int | None = None

    def _advise(self, advice: int | None) -> None:
        if advice is None or self._mmap is None or not hasattr(self._mmap, "madvise"):
            return
        try:
            self._mmap.madvise(advice)
        except (OSError, ValueError):  # a closed map, or a platform without the advice
            self._mmap = None

    def __len__(self) -> int:
        return self.shape[0]

    def __del__(self) -> None:
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)
            self._fd = None

    def __repr__(self) -> str:
        return f"DiskArray({type(self.source).__name__}, shape={self.shape})"

    def rows(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start .. stop - 1`` as a new C-contiguous float32 array."""
        if self._file is not None:  # read the bytes with pread: nothing mapped, nothing kept
            path, offset, row_bytes, dtype = self._file
            if self._fd is None:
                self._fd = os.open(path, os.O_RDONLY)
            out = np.empty((stop - start, self.shape[1]), dtype=dtype)
            view, position = memoryview(out).cast("B"), offset + start * row_bytes
            while len(view):
                n = os.preadv(self._fd, [view], position)
                if n <= 0:
                    raise DataValidationError(f"the file {path!r} ended before row {stop}.")
                view, position = view[n:], position + n
            return out if dtype == np.float32 else out.astype(np.float32)
        return np.array(self.source[start:stop], dtype=np.float32, order="C", copy=True)

    def release(self) -> None:
        """Hand back the memmap's resident pages (they stay in the OS's file cache)."""
        self._advise(getattr(mmap, "MADV_DONTNEED", None))

    def chunks(self, rows: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """``(start, block)`` for consecutive blocks of rows (about 16 MiB each by default)."""
        step = rows or max(1, _CHUNK_VALUES // self.shape[1])
        for start in range(0, self.shape[0], step):
            block = self.rows(start, min(self.shape[0], start + step))
            self.release()
            yield start, block

    def check_finite(self, name: str = "X", session: int | None = None) -> None:
        """Scan the recording in chunks; NaN or inf is an error naming its first index."""
        for start, block in self.chunks():
            bad = ~np.isfinite(block)
            if bad.any():
                row, column = (int(i) for i in np.argwhere(bad)[0])
                kind = "NaN" if np.isnan(block[row, column]) else "inf"
                where = "" if session is None else f" (session {session})"
                raise DataValidationError(
                    f"{name} contains NaN or inf{where}: first bad value ({kind}) at index "
                    f"({start + row}, {column}). Remove or interpolate those rows before "
                    "fitting."
                )


def _file_rows(source: object) -> tuple[str, int, int, np.dtype] | None:
    """Where a C-ordered memmap's rows are in its file: (path, offset, bytes per row, dtype)."""
    if not (isinstance(source, np.memmap) and hasattr(os, "preadv")
            and getattr(source, "filename", None) and source.flags.c_contiguous
            and source.dtype.isnative and getattr(source, "_mmap", None) is not None):
        return None
    try:
        base = np.frombuffer(source._mmap, dtype=np.uint8)
    except (TypeError, ValueError, BufferError):
        return None
    mapped_from = source.offset - source.offset % mmap.ALLOCATIONGRANULARITY
    offset = mapped_from + int(source.ctypes.data - base.ctypes.data)
    del base
    return str(source.filename), offset, int(source.strides[0]), source.dtype


class DiskWindowGatherer:
    """Windows ``[t - left, t + right)`` of a :class:`DiskArray`, reading only what they cover.

    The windows of a batch are sorted and merged into runs of consecutive rows; each run is
    read with one slice, so a step reads at most ``batch * window`` rows and memory is
    independent of the recording's length. Same call contract as
    :class:`~identica.data.WindowGatherer`.

    Parameters
    ----------
    disk : DiskArray
        The recording.
    receptive_field : Offset
        The encoder's receptive field.
    device : torch.device or str, default="cpu"
        Where the windows go.

    Examples
    --------
    >>> import numpy as np, pathlib, tempfile, torch
    >>> from identica.data import DiskArray, DiskWindowGatherer, Offset, WindowGatherer
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "X.npy"
    >>> X = np.arange(40.0, dtype=np.float32).reshape(20, 2)
    >>> np.save(path, X)
    >>> gather = DiskWindowGatherer(DiskArray(np.load(path, mmap_mode="r")), Offset(1, 2))
    >>> index = torch.tensor([9, 1, 10, 17])
    >>> torch.equal(gather(index), WindowGatherer(torch.from_numpy(X), Offset(1, 2))(index))
    True
    """

    def __init__(self, disk: DiskArray, receptive_field: Offset,
                 device: torch.device | str = "cpu") -> None:
        self.disk = disk
        self.receptive_field = receptive_field
        self.device = torch.device(device)

    def __call__(self, index: torch.Tensor) -> torch.Tensor:
        width, n_features = len(self.receptive_field), self.disk.shape[1]
        if len(index) == 0:
            return torch.zeros((0, n_features, width), device=self.device)
        starts = index.cpu().numpy().astype(np.int64) - self.receptive_field.left
        order = np.argsort(starts, kind="stable")
        sorted_starts = starts[order]
        ends = np.maximum.accumulate(sorted_starts + width)
        opens = np.ones(len(starts), dtype=bool)
        opens[1:] = sorted_starts[1:] > ends[:-1]
        first = np.flatnonzero(opens)
        last = np.append(first[1:] - 1, len(starts) - 1)
        run_starts, run_stops = sorted_starts[first], ends[last]
        blocks = [self.disk.rows(int(a), int(b)) for a, b in zip(run_starts, run_stops)]
        self.disk.release()
        buffer = torch.from_numpy(np.concatenate(blocks) if len(blocks) != 1 else blocks[0])
        base = np.concatenate([[0], np.cumsum(run_stops - run_starts)[:-1]])
        run = np.cumsum(opens) - 1
        position = np.empty(len(starts), dtype=np.int64)
        position[order] = base[run] + (sorted_starts - run_starts[run])
        windows = buffer.as_strided((len(buffer) - width + 1, width * n_features),
                                    (n_features, 1))
        block = windows.index_select(0, torch.from_numpy(position))
        out = block.view(len(index), width, n_features).transpose(1, 2)
        return out.to(self.device, non_blocking=True)
