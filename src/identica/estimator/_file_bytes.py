# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The bytes of model files: target checks, the SHA-256 checksum, and refusal of foreign files.

Integrity (format 3): the metadata entry ``sha256`` is the SHA-256 of the whole file as written
with that entry's 64 hex digits set to ``"0"``. Reading recomputes it, so a changed byte
anywhere, in the header or in the tensors, is refused. Pickles (a CEBRA ``.pt`` checkpoint) and
zip archives are named as what they are, never opened.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import safetensors.torch
import torch
from safetensors import SafetensorError

from identica.estimator._cebra_names import checkpoint_refusal
from identica.exceptions import ModelFileError
from identica.training._callbacks import check_folder

__all__ = ["CHECKSUM", "FORMAT", "FORMAT_VERSION", "SUFFIX", "check_target", "checksummed",
           "read_raw"]

FORMAT = "identica-model"
# 3: the file's SHA-256 stored; 2: build spec, optimiser and generator state; 1 and 2 still read
FORMAT_VERSION = 3
CHECKSUM = "sha256"
_UNSET = "0" * 64  # the checksum's digits while the file is hashed
SUFFIX = ".safetensors"


def check_target(path: str | os.PathLike[str], *, stacklevel: int = 2) -> Path:
    """Refuse a missing folder (naming it) and warn about a suffix other than ``.safetensors``."""
    path = check_folder(path)
    if path.suffix != SUFFIX:
        warnings.warn(
            f"{os.fspath(path)!r} does not end in {SUFFIX}: identica model files are safetensors "
            f"files, and tools recognise them by that suffix. Writing it anyway; name it "
            f"'{path.stem}{SUFFIX}' to silence this warning.",
            UserWarning, stacklevel=stacklevel + 1,
        )
    return path


def checksummed(tensors: dict[str, torch.Tensor], metadata: dict[str, str]) -> bytes:
    """Serialise with safetensors and write the SHA-256 of the result into its metadata."""
    data = bytearray(safetensors.torch.save(tensors, metadata={**metadata, CHECKSUM: _UNSET}))
    start = _checksum_at(data, _UNSET)
    data[start : start + len(_UNSET)] = hashlib.sha256(data).hexdigest().encode("ascii")
    return bytes(data)


def _checksum_at(data: bytes | bytearray, digest: str) -> int:
    """Offset of the checksum's digits in the header; -1 unless they occur there exactly once."""
    header_end = 8 + int.from_bytes(data[:8], "little")
    entry = f'"{CHECKSUM}":"{digest}"'.encode("ascii")
    first = data.find(entry, 8, header_end)
    if first < 0 or data.find(entry, first + 1, header_end) >= 0:
        return -1
    return first + len(entry) - len(digest) - 1


def _refuse_foreign(raw: bytes, name: str) -> None:
    """Name the files most often mistaken for a model: pickles, PyTorch and NumPy archives."""
    what = None
    if raw[:1] == b"\x80" and raw[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        what = "a pickle (torch.save's legacy format, joblib or pickle.dump)"
    elif raw[:4] == b"PK\x03\x04":
        try:  # torch.save's zip holds <name>/data.pkl; an .npz or other zip is not one
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            names = []
        if any(n == "data.pkl" or n.endswith("/data.pkl") for n in names):
            what = "a PyTorch checkpoint (torch.save: a zip archive of pickled objects)"
        else:
            raise ModelFileError(
                f"{name!r} is not a readable .safetensors model file: it is a zip archive (an "
                ".npz data file?). Model files are the ones Embedding.save writes."
            )
    if what is not None:
        raise ModelFileError(checkpoint_refusal(name, what))


def read_raw(path: str | os.PathLike[str]) -> tuple[dict[str, str], dict[str, torch.Tensor]]:
    """Metadata and tensors of a model file, after checking the file's checksum."""
    name = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No model file at {name!r}.")
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise ModelFileError(f"{name!r} is not a readable .safetensors model file: {error}") \
            from error
    _refuse_foreign(raw, name)
    try:
        size = int.from_bytes(raw[:8], "little")
        if len(raw) < 8 or size > len(raw) - 8:
            raise ValueError(f"a header of {size} bytes in a file of {len(raw)} bytes")
        header = json.loads(raw[8 : 8 + size])
        metadata = header.get("__metadata__") or {}
        if not isinstance(metadata, dict):
            raise ValueError("__metadata__ is not a table")
    except (ValueError, AttributeError) as error:
        raise ModelFileError(f"{name!r} is not a readable .safetensors model file: {error}") \
            from error
    if metadata.get("format") == FORMAT:
        _check_sum(raw, metadata, name)
    try:
        tensors = safetensors.torch.load(raw)
    except (SafetensorError, ValueError, RuntimeError) as error:
        raise ModelFileError(
            f"{name!r} is not a readable .safetensors model file: {error}"
        ) from error
    return metadata, tensors


def _check_sum(raw: bytes, metadata: dict[str, Any], name: str) -> None:
    """Refuse a file whose bytes differ from those its checksum was computed over."""
    digest = metadata.get(CHECKSUM)
    if digest is None:
        version = str(metadata.get("format_version"))
        if not version.isdigit() or not 3 <= int(version) <= FORMAT_VERSION:
            return  # 1 and 2 had no checksum; load refuses other versions with their reason
        raise ModelFileError(
            f"{name!r} has no {CHECKSUM} checksum, which model format {version} requires: it "
            "was altered after it was written. Copy it again from its source, or save the "
            "model again."
        )
    valid = isinstance(digest, str) and re.fullmatch("[0-9a-f]{64}", digest) is not None
    at = _checksum_at(raw, digest) if valid else -1
    hashed = hashlib.sha256()
    if at >= 0:
        view = memoryview(raw)
        hashed.update(view[:at])
        hashed.update(_UNSET.encode("ascii"))
        hashed.update(view[at + len(_UNSET):])
    if at < 0 or hashed.hexdigest() != digest:
        raise ModelFileError(
            f"{name!r} is damaged: its bytes do not match the {CHECKSUM} checksum stored in it "
            "(a changed byte, a truncated copy, or an edit after saving). Copy it again from "
            "its source, or save the model again."
        )
