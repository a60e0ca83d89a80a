# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Binary ``.videoPositionTracking`` files (Trodes-style video tracker output)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from identica.io._common import as_path, bad_file
from identica.io._session import Session, describe_stream
from identica.io._streams import TimeSeries

__all__ = ["TRACKING_MAGIC", "read_position_tracking"]

TRACKING_MAGIC = b"<Start settings>"
_END = b"<End settings>\n"
_TYPES = {"uint8": "u1", "uint16": "u2", "uint32": "u4", "int16": "i2", "int32": "i4",
          "uint64": "u8", "int64": "i8", "double": "f8", "float": "f4"}


def read_position_tracking(path: str | Path, *, zero_is_missing: bool = True) -> Session:
    """Read a binary ``.videoPositionTracking`` file as behaviour ``x``, ``y`` in pixels.

    The ASCII header (``<Start settings>`` ... ``<End settings>``) gives the clock rate and
    the record layout (``Fields: <time uint32><xloc uint16>...``); records follow, little
    endian. Times are clock ticks divided by the clock rate. Only the first LED is returned
    (a second LED that is all zero is dropped).

    Parameters
    ----------
    path : str or Path
        The tracking file.
    zero_is_missing : bool, default=True
        Treat position (0, 0) as "LED not found" (NaN).

    Returns
    -------
    Session
        ``behavior`` with columns ``x``, ``y`` (and ``x2``, ``y2`` when the second LED was
        tracked); ``metadata["header"]`` holds the header text.

    Raises
    ------
    DataValidationError
        If the header is missing or malformed, or the records are truncated.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from identica.io import read_position_tracking
    >>> head = (b"<Start settings>\\nclockrate: 30000\\nFields: <time uint32><xloc uint16>"
    ...         b"<yloc uint16>\\n<End settings>\\n")
    >>> rec = np.array([(0, 10, 20), (500, 11, 21)], dtype=[("t", "<u4"), ("x", "<u2"),
    ...                                                      ("y", "<u2")])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.videoPositionTracking"
    >>> _ = path.write_bytes(head + rec.tobytes())
    >>> track = read_position_tracking(path).behavior
    >>> track.names, track.timestamps.tolist(), track.data[:, 0].tolist()
    (('x', 'y'), [0.0, 0.016666666666666666], [10.0, 11.0])
    """
    path = as_path(path)
    raw = path.read_bytes()
    end = raw.find(_END)
    if not raw.startswith(TRACKING_MAGIC) or end < 0:
        raise bad_file(path, "a .videoPositionTracking file (<Start settings> ... "
                       "<End settings> header, then records)")
    header = raw[: end + len(_END)].decode("ascii", errors="replace")
    rate = re.search(r"clockrate:\s*([0-9.]+)", header)
    line = re.search(r"Fields:(.*)", header)
    fields = re.findall(r"<(\w+) (\w+)>", line.group(1)) if line else []
    if rate is None or not fields or any(kind not in _TYPES for _, kind in fields):
        raise bad_file(path, "a header with 'clockrate: N' and 'Fields: <name type>...'",
                       f"header {header[:120]!r}")
    clock = float(rate.group(1))
    if clock <= 0:
        raise bad_file(path, "a positive clockrate", clock)
    dtype = np.dtype([(name, "<" + _TYPES[kind]) for name, kind in fields])
    body = raw[end + len(_END):]
    if len(body) % dtype.itemsize:
        raise bad_file(path, f"whole records of {dtype.itemsize} bytes",
                       f"{len(body)} bytes: truncated")
    records = np.frombuffer(body, dtype=dtype)
    if not len(records) or "time" not in dtype.names:
        raise bad_file(path, "at least one record with a time field", f"{len(records)} records")
    coords = [n for n in dtype.names if n != "time"]
    data = np.column_stack([records[n].astype(np.float64) for n in coords])
    names = [n.replace("loc", "") for n in coords]
    pairs = [(i, i + 1) for i in range(0, len(coords) - 1, 2)]
    if zero_is_missing:
        for a, b in pairs:
            lost = (data[:, a] == 0) & (data[:, b] == 0)
            data[lost, a] = data[lost, b] = np.nan
    keep = [i for i in range(data.shape[1]) if i < 2 or not np.all(np.isnan(data[:, i])
                                                                   | (data[:, i] == 0))]
    times = records["time"].astype(np.float64) / clock
    track = TimeSeries(data[:, keep], tuple(names[i] for i in keep), times, unit="pixels")
    return Session(behavior=track, streams=(describe_stream("position", track),),
                   metadata={"header": header, "clockrate": clock}, source=str(path),
                   format="position-tracking")
