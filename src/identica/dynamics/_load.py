# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""``identica.dynamics.load``: a ``DynamicsEmbedding`` from a model file."""

from __future__ import annotations

import os

from identica.dynamics._estimator import DynamicsEmbedding
from identica.dynamics._file import read

__all__ = ["load"]


def load(path: str | os.PathLike[str], *, device: str = "cpu") -> DynamicsEmbedding:
    """Load a model written by :meth:`DynamicsEmbedding.save`, on ``device`` (CPU by default).

    Nothing is unpickled: the file holds only tensors and JSON, and its checksum is verified
    first. The optimiser state and the sampling generator come back too.

    Parameters
    ----------
    path : str or PathLike
        The ``.safetensors`` file.
    device : str, default="cpu"
        Where to put the weights; also becomes the ``device`` parameter.

    Returns
    -------
    DynamicsEmbedding
        A fitted estimator.

    Raises
    ------
    ModelFileError
        The file is not a DynamicsEmbedding model (an ``Embedding`` file names
        ``identica.load``), is damaged, malformed, or from a newer format version.
    FileNotFoundError
        There is no file at ``path``.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np
    >>> from identica import dynamics
    >>> X = np.random.default_rng(0).normal(size=(200, 5)).astype(np.float32)
    >>> model = dynamics.DynamicsEmbedding(output_dimension=2, batch_size=16, num_negatives=32,
    ...                                    max_iterations=2, random_state=0).fit(X)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.safetensors"
    >>> model.save(path)
    >>> np.array_equal(dynamics.load(path).transform(X), model.transform(X))
    True
    """
    params, state = read(path, device=device, defaults=DynamicsEmbedding().get_params())
    model = DynamicsEmbedding(**params)
    model._state = state
    return model
