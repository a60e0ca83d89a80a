# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Read the files neuroscientists have and put their streams on one time base.

:func:`read` recognises a file by its content (npy/npz, HDF5, MATLAB v5 and v7.3, NWB,
DeepLabCut, suite2p and phy/Kilosort folders, video tracking) and returns a :class:`Session`:
a neural stream (:class:`SpikeTrains` or :class:`TimeSeries`), behaviour columns with names,
interval tables and metadata, each on its own clock. :meth:`Session.to_recording` bins spikes
(:func:`bin_spikes`), resamples behaviour onto the neural times (:func:`align`), drops gaps and
slow stretches and returns a :class:`~identica.data.Recording` ready for ``Embedding.fit``.
Nothing is unpickled or executed unless asked for; heavy dependencies are the ``io`` extra.
:func:`from_pynapple` and :func:`to_pynapple` (the ``pynapple`` extra) bring pynapple objects
in as a Session and put embeddings back on their time base as a ``TsdFrame``.
:func:`open_array` opens a ``.npy``, HDF5 or zarr array in place, for recordings larger than
memory. Nothing here is meant to be subclassed: new formats are new ``read_*`` functions.
"""

from identica.io._align import align as align
from identica.io._align import bin_spikes as bin_spikes
from identica.io._align import speed as speed
from identica.io._arrays import read_npz as read_npz
from identica.io._dispatch import combine as combine
from identica.io._dispatch import detect_format as detect_format
from identica.io._dispatch import inspect as inspect
from identica.io._dispatch import read as read
from identica.io._dlc import read_dlc as read_dlc
from identica.io._hdf5 import read_hdf5 as read_hdf5
from identica.io._matlab import load_mat as load_mat
from identica.io._matlab import read_mat as read_mat
from identica.io._nwb import read_nwb as read_nwb
from identica.io._open import open_array as open_array
from identica.io._phy import read_params as read_params
from identica.io._phy import read_phy as read_phy
from identica.io._pynapple import from_pynapple as from_pynapple
from identica.io._pynapple import to_pynapple as to_pynapple
from identica.io._session import AlignmentReport as AlignmentReport
from identica.io._session import Session as Session
from identica.io._session import StreamInfo as StreamInfo
from identica.io._streams import SpikeTrains as SpikeTrains
from identica.io._streams import TimeSeries as TimeSeries
from identica.io._suite2p import read_suite2p as read_suite2p
from identica.io._tracking import read_position_tracking as read_position_tracking

__all__ = [
    "AlignmentReport",
    "Session",
    "SpikeTrains",
    "StreamInfo",
    "TimeSeries",
    "align",
    "bin_spikes",
    "combine",
    "detect_format",
    "from_pynapple",
    "inspect",
    "load_mat",
    "open_array",
    "read",
    "read_dlc",
    "read_hdf5",
    "read_mat",
    "read_npz",
    "read_nwb",
    "read_params",
    "read_phy",
    "read_position_tracking",
    "read_suite2p",
    "speed",
    "to_pynapple",
]
