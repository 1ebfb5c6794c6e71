"""Decode a TOML data file into a msgspec Struct, errors naming the file and the path inside."""

from __future__ import annotations

import tomllib
from typing import TypeVar

import msgspec

from kat_widgets.errors import DataFileError, split_validation_error

__all__ = ["decode_toml"]

T = TypeVar("T")


def decode_toml(raw: bytes | str, into: type[T], *, source: str, error: type[DataFileError]) -> T:
    """``raw`` as ``into``; raises ``error`` naming ``source`` and the path (``clinics[2].id``)."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"not valid TOML: {exc}", file=source) from None
    try:
        return msgspec.convert(document, into)
    except msgspec.ValidationError as exc:
        path, reason = split_validation_error(exc)
        raise error(reason, file=source, path=path or None) from None
