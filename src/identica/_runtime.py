# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Where and how computations run: device resolution, a thread scope, seeds to torch generators."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

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
