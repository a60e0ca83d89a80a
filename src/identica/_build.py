# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Turn the estimator's parameters into parts: conditional, sampler, device, seeds."""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Iterator

import numpy as np
import torch

from identica.data._dataset import Dataset, ValidRuns
from identica.data._recording import Recording
from identica.exceptions import ConfigurationError, DataValidationError, DeviceUnavailableError
from identica.sampling._base import AbstractSampler
from identica.sampling._behavior import DeltaSampler, TimeDeltaSampler
from identica.sampling._discrete import DiscreteSampler, MixedSampler
from identica.sampling._time import TimeSampler

CONDITIONALS = ("auto", "time", "time_delta", "delta", "discrete", "mixed")
PRIORS = ("empirical", "uniform")
NEGATIVES = ("auto", "references", "independent")
DEVICES = ("auto", "cpu", "cuda", "cuda:N", "mps")


def resolve_conditional(conditional: str, recording: Recording) -> str:
    """The conditional to use: ``auto`` picks it from the labels given; others are checked."""
    has_cont = recording.continuous is not None
    has_disc = recording.discrete is not None
    if conditional == "auto":
        if has_cont and has_disc:
            return "mixed"
        if has_cont:
            return "time_delta"
        if has_disc:
            return "discrete"
        return "time"
    needs = {
        "time_delta": ("continuous (float) y", has_cont),
        "delta": ("continuous (float) y", has_cont),
        "discrete": ("discrete (integer) labels, as y or discrete=", has_disc),
        "mixed": ("continuous y and discrete=", has_cont and has_disc),
    }
    if conditional in needs and not needs[conditional][1]:
        raise DataValidationError(
            f"conditional={conditional!r} needs {needs[conditional][0]}. Pass those labels to "
            "fit, or use conditional='auto' to choose from the labels given."
        )
    return conditional


def make_sampler(
    conditional: str,
    dataset: Dataset,
    runs: ValidRuns,
    *,
    time_offset: int | tuple[int, ...],
    delta: float | None,
    prior: str | None,
    num_negatives: int,
) -> AbstractSampler:
    """Build the sampler of a resolved conditional over a dataset's valid positions."""
    if conditional == "delta" and delta is None:
        raise ConfigurationError(
            "'delta' of Embedding must be a positive number for conditional='delta' (the "
            "standard deviation of the label noise, in label units). Got None."
        )
    if dataset.n_sessions > 1:
        from identica.sampling._multisession import MultiSessionSampler

        return MultiSessionSampler(
            runs, dataset.n_sessions, conditional=conditional,
            continuous=dataset.continuous(), discrete=dataset.discrete(),
            time_offset=time_offset, delta=delta, num_negatives=num_negatives, prior=prior,
        )
    recording = dataset.recordings[0]
    if conditional == "time":
        return TimeSampler(runs, time_offset, num_negatives=num_negatives)
    if conditional == "time_delta":
        return TimeDeltaSampler(
            runs, recording.continuous, time_offset, num_negatives=num_negatives
        )
    if conditional == "delta":
        return DeltaSampler(runs, recording.continuous, delta, num_negatives=num_negatives)
    if conditional == "discrete":
        return DiscreteSampler(
            runs, recording.discrete, num_negatives=num_negatives, prior=prior or "empirical"
        )
    return MixedSampler(
        runs,
        recording.continuous,
        recording.discrete,
        time_offset,
        num_negatives=num_negatives,
        prior=prior or "uniform",
    )


def resolve_device(device: object) -> torch.device:
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
            f"'device' of Embedding must be one of {list(DEVICES)}. Got {device!r}."
        ) from error
    if resolved.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0 or (resolved.index or 0) >= count:
            raise DeviceUnavailableError(
                f"'device' of Embedding is {device!r}, but this machine has {count} CUDA "
                "device(s). Use device='cpu' or device='auto'."
            )
    elif resolved.type == "mps" and not torch.backends.mps.is_available():
        raise DeviceUnavailableError(
            f"'device' of Embedding is {device!r}, but MPS is not available here. Use "
            "device='cpu' or device='auto'."
        )
    elif resolved.type not in ("cpu", "cuda", "mps"):
        raise ConfigurationError(
            f"'device' of Embedding must be one of {list(DEVICES)}. Got {device!r}."
        )
    return resolved


def seed_sequence(random_state: object) -> np.random.SeedSequence:
    """A SeedSequence from ``None`` (fresh entropy), an int, or a numpy RandomState/Generator."""
    if random_state is None:
        return np.random.SeedSequence()
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ConfigurationError(
                f"'random_state' of Embedding must be None, a non-negative int or a numpy "
                f"random generator. Got {random_state!r}."
            )
        return np.random.SeedSequence(int(random_state))
    if isinstance(random_state, np.random.RandomState):
        return np.random.SeedSequence(int(random_state.randint(2**31 - 1)))
    if isinstance(random_state, np.random.Generator):
        return np.random.SeedSequence(int(random_state.integers(2**63 - 1)))
    raise ConfigurationError(
        f"'random_state' of Embedding must be None, a non-negative int or a numpy random "
        f"generator. Got {random_state!r}."
    )


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
