# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""phy / Kilosort output folders: spike times and clusters; ``params.py`` read as data."""

from __future__ import annotations

import ast
import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from identica.exceptions import ConfigurationError
from identica.io._common import as_path, bad_file, load_npy
from identica.io._session import Session, describe_stream
from identica.io._streams import SpikeTrains

__all__ = ["read_params", "read_phy"]

_LABEL_FILES = ("cluster_group.tsv", "cluster_group.csv", "cluster_KSLabel.tsv",
                "cluster_info.tsv")


def read_params(path: str | Path) -> dict[str, object]:
    """Read a phy ``params.py`` as data: each ``name = literal`` line, never executed.

    Parameters
    ----------
    path : str or Path
        The ``params.py`` file.

    Returns
    -------
    dict of str to object
        Every assignment of a literal (number, string, list, tuple, dict, bool, None).

    Raises
    ------
    DataValidationError
        If the file is not valid Python syntax or assigns something other than a literal.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from identica.io import read_params
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "params.py"
    >>> _ = path.write_text("dat_path = 'raw.bin'\\nsample_rate = 30000.\\nn_channels_dat = 385\\n")
    >>> read_params(path)["sample_rate"]
    30000.0
    """
    path = as_path(path)
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError, ValueError) as error:
        raise bad_file(path, "a phy params.py of name = value lines", error) from error
    params: dict[str, object] = {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            raise bad_file(path, "only name = literal assignments (it is read, never run)",
                           f"line {node.lineno}: {ast.unparse(node)[:60]!r}")
        try:
            params[node.targets[0].id] = ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as error:
            raise bad_file(path, "only literal values (it is read, never run)",
                           f"line {node.lineno}: {ast.unparse(node.value)[:60]!r}") from error
    return params


def _labels(folder: Path) -> tuple[dict[int, str], str]:
    for name in _LABEL_FILES:
        file = folder / name
        if not file.is_file():
            continue
        delimiter = "," if name.endswith(".csv") else "\t"
        try:
            with open(file, newline="", encoding="utf-8") as handle:
                rows = list(csv.reader(handle, delimiter=delimiter))
        except (UnicodeDecodeError, csv.Error) as error:
            raise bad_file(file, "a table of cluster_id and group", error) from error
        if not rows:
            continue
        header = [h.strip() for h in rows[0]]
        column = next((c for c in ("group", "KSLabel") if c in header), None)
        if "cluster_id" not in header or column is None:
            raise bad_file(file, "columns cluster_id and group (or KSLabel)", f"header {header}")
        i, j = header.index("cluster_id"), header.index(column)
        labels = {}
        for line, row in enumerate(rows[1:], start=2):
            try:
                labels[int(row[i])] = row[j].strip()
            except (ValueError, IndexError) as error:
                raise bad_file(file, "an integer cluster_id on every row",
                               f"line {line}: {row}") from error
        return labels, name
    return {}, ""


def _npy(folder: Path, name: str) -> np.ndarray:
    return load_npy(folder / name, "a phy/Kilosort folder")


def read_phy(
    path: str | Path,
    *,
    exclude: Sequence[str] = ("noise",),
    sample_rate: float | None = None,
) -> Session:
    """Read a phy / Kilosort output folder as spike trains, one unit per cluster.

    Spike times (in samples) are divided by ``sample_rate`` from ``params.py``, which is parsed
    as data (each ``name = literal``), never executed. Cluster labels come from
    ``cluster_group.tsv`` (or ``.csv``, ``cluster_KSLabel.tsv``, ``cluster_info.tsv``); clusters
    whose label is in ``exclude`` are left out (noise, by default).

    Parameters
    ----------
    path : str or Path
        The folder with ``spike_times.npy`` and ``spike_clusters.npy`` (or
        ``spike_templates.npy``).
    exclude : sequence of str, default=("noise",)
        Cluster labels to leave out; ``()`` keeps every cluster.
    sample_rate : float, optional
        Samples per second; overrides ``params.py``.

    Returns
    -------
    Session
        ``neural`` is a SpikeTrains named by cluster id; ``metadata`` has the labels and params.

    Raises
    ------
    DataValidationError
        If a file is missing or malformed, lengths disagree, or no sample rate is known.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from identica.io import read_phy
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> np.save(folder / "spike_times.npy", np.array([30, 300, 3000, 6000], dtype=np.uint64))
    >>> np.save(folder / "spike_clusters.npy", np.array([0, 1, 0, 2], dtype=np.int32))
    >>> _ = (folder / "params.py").write_text("sample_rate = 30000.0\\n")
    >>> _ = (folder / "cluster_group.tsv").write_text(
    ...     "cluster_id\\tgroup\\n0\\tgood\\n1\\tnoise\\n2\\tmua\\n")
    >>> spikes = read_phy(folder).neural
    >>> spikes.names, spikes.times.tolist()
    (('0', '2'), [0.001, 0.1, 0.2])
    """
    folder = as_path(path, directory=True)
    if isinstance(exclude, str):
        raise ConfigurationError(f"exclude must be a sequence of labels, e.g. ('noise',); got "
                                 f"the string {exclude!r}.")
    params = read_params(folder / "params.py") if (folder / "params.py").is_file() else {}
    rate = sample_rate if sample_rate is not None else params.get("sample_rate")
    if not isinstance(rate, int | float) or isinstance(rate, bool) or not rate > 0:
        raise bad_file(folder, "a sample rate (sample_rate in params.py, or sample_rate=)",
                       f"got {rate!r}")
    samples = _npy(folder, "spike_times.npy").reshape(-1)
    name = ("spike_clusters.npy" if (folder / "spike_clusters.npy").is_file()
            else "spike_templates.npy")
    clusters = _npy(folder, name).reshape(-1)
    if not np.issubdtype(samples.dtype, np.number) or not np.issubdtype(clusters.dtype,
                                                                         np.integer):
        raise bad_file(folder, "numeric spike_times and integer cluster ids",
                       f"dtypes {samples.dtype} and {clusters.dtype}")
    if len(samples) != len(clusters):
        raise bad_file(folder, f"one cluster per spike in {name}",
                       f"{len(samples)} spike times but {len(clusters)} clusters")
    labels, label_file = _labels(folder)
    ids = np.unique(clusters)
    kept = np.array([c for c in ids if labels.get(int(c), "unsorted") not in exclude],
                    dtype=ids.dtype)
    mask = np.isin(clusters, kept)
    codes = np.searchsorted(kept, clusters[mask])
    times = samples[mask].astype(np.float64) / float(rate)
    order = np.argsort(times, kind="stable")
    spikes = SpikeTrains(times[order], codes[order], tuple(str(int(c)) for c in kept))
    metadata = {"sample_rate": float(rate), "params": params, "labels": labels,
                "label_file": label_file, "excluded": sorted(set(ids.tolist())
                                                            - set(kept.tolist()))}
    return Session(neural=spikes, streams=(describe_stream("spikes", spikes),),
                   metadata=metadata, source=str(folder), format="phy")
