# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Recordings, their timeline and the windows read from them.

A :class:`Recording` holds one session: neural activity and optional labels. A :class:`Dataset`
lays recordings end to end on one global timeline cut into segments (trials) that no window
crosses, and reports the valid window positions as :class:`ValidRuns`. A :class:`WindowGatherer`
turns positions into windows by index arithmetic; recordings larger than memory (memmaps, HDF5,
zarr) are read a batch at a time through :class:`DiskArray` and :class:`DiskWindowGatherer`.
Validation of user input lives in
:func:`as_recording` and :func:`as_sessions`. Nothing here is meant to be subclassed.
"""

from identica.data._dataset import Dataset as Dataset
from identica.data._dataset import ValidRuns as ValidRuns
from identica.data._disk import DiskArray as DiskArray
from identica.data._disk import DiskWindowGatherer as DiskWindowGatherer
from identica.data._disk import is_out_of_core as is_out_of_core
from identica.data._offset import Offset as Offset
from identica.data._recording import Recording as Recording
from identica.data._sessions import as_sessions as as_sessions
from identica.data._validate import as_recording as as_recording
from identica.data._windows import WindowGatherer as WindowGatherer

__all__ = [
    "Dataset",
    "DiskArray",
    "DiskWindowGatherer",
    "Offset",
    "Recording",
    "ValidRuns",
    "WindowGatherer",
    "as_recording",
    "as_sessions",
    "is_out_of_core",
]
