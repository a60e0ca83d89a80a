# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""``identica.load``: an ``Embedding`` from a model file."""

from __future__ import annotations

import os

from torch import nn

from identica.estimator._embedding import Embedding
from identica.estimator._model_file import read

__all__ = ["load"]


def load(
    path: str | os.PathLike[str], *, device: str = "cpu", encoder: nn.Module | None = None
) -> Embedding:
    """Load a model written by :meth:`Embedding.save`, on ``device`` (CPU by default).

    Nothing is unpickled: the file holds only tensors and JSON. The optimiser state and the
    sampling generator come back too, so ``partial_fit`` continues the saved run exactly; a
    checkpoint written during a fit (``Embedding(checkpoint=...)``) loads the same way. The
    file's checksum is verified first (files of format 1 and 2 have none). The parameters are
    the saved ones, ``checkpoint`` included, except ``device``.

    Parameters
    ----------
    path : str or PathLike
        The ``.safetensors`` file.
    device : str, default="cpu"
        Where to put the weights, whatever device trained them; also becomes the ``device``
        parameter of the returned estimator.
    encoder : nn.Module, optional
        Required when the model was trained with a custom encoder module: an instance of the
        same architecture, into which the weights are loaded.

    Returns
    -------
    Embedding
        A fitted estimator.

    Raises
    ------
    ModelFileError
        The file is not an identica model, is damaged (its checksum does not match), is
        malformed, or comes from a newer format version.
    FileNotFoundError
        There is no file at ``path``.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np, identica
    >>> X = np.random.default_rng(0).normal(size=(200, 5)).astype(np.float32)
    >>> model = identica.Embedding(encoder="mlp", output_dimension=2, batch_size=16,
    ...                            max_iterations=2, time_offset=1, random_state=0).fit(X)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.safetensors"
    >>> model.save(path)
    >>> np.array_equal(identica.load(path).transform(X), model.transform(X))
    True
    """
    params, state = read(path, device=device, encoder=encoder,
                         defaults=Embedding().get_params())
    model = Embedding(**params)
    model._state = state
    return model
