"""Decode a TOML data file into a msgspec Struct, errors naming the file, line and field.

msgspec says ``Invalid enum value 'funday' - at `$.clinics[0].hours[0].days[0]```; an operator
reads ``clinics.toml, line 31: clinics #1 (id "draper") > hours #1 > days #1: 'funday' is not
one of mon, tue, wed, thu, fri, sat, sun``: entries counted from 1 as people count them, named by
their ``id``, the line found in the text, and the values that would have been right.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from kat_widgets.errors import DataFileError, split_validation_error
from kat_widgets.structs import PATTERN_WORDS

__all__ = ["decode_toml", "describe_path", "read_data_file"]

T = TypeVar("T")
_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def read_data_file(path: str | os.PathLike[str], *, error: type[DataFileError]) -> bytes:
    """The bytes of a data file; ``error`` naming the file when it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise error(f"cannot read file ({exc.strerror})", file=str(path)) from None


def decode_toml(
    raw: bytes | str,
    into: type[T],
    *,
    source: str,
    error: type[DataFileError],
    prepare: Callable[[dict[str, Any]], None] | None = None,
) -> T:
    """``raw`` as ``into``; raises ``error`` naming ``source``, the line and the field.

    ``prepare`` may rewrite the parsed document in place before it is decoded.
    """
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"not valid TOML: {exc}", file=source) from None
    if prepare is not None:
        prepare(document)
    try:
        return msgspec.convert(document, into)
    except msgspec.ValidationError as exc:
        path, reason = split_validation_error(exc)
        segments = _segments(path)
        raise error(
            _explain(reason, into, segments),
            file=source,
            path=path or None,
            line=_line_of(text, segments),
            shown_path=describe_path(document, segments) or None,
        ) from None


def _segments(path: str) -> list[str | int]:
    return [key if key else int(index) for key, index in _SEGMENT.findall(path)]


def describe_path(document: Any, segments: list[str | int]) -> str:
    """``clinics #1 (id "draper") > hours #2``: indexes from 1, entries named by their id."""
    parts: list[str] = []
    node = document
    for segment in segments:
        if isinstance(segment, int):
            label = f"#{segment + 1}"
            node = node[segment] if isinstance(node, list) and segment < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                label += f' (id "{node["id"]}")'
            parts[-1] = f"{parts[-1]} {label}" if parts else label
        else:
            parts.append(segment)
            node = node.get(segment) if isinstance(node, dict) else None
    return " > ".join(parts)


def _line_of(text: str, segments: list[str | int]) -> int | None:
    """The line of the failing key: follows ``[[table]]`` headers to the Nth entry, then the key.

    A best effort for the files we document (tables and arrays of tables, ``key = value``
    lines); None when the layout is something else (inline tables, dotted keys).
    """
    lines = text.splitlines()
    start, table = 0, ""
    i = 0
    while i < len(segments):
        key = segments[i]
        if not isinstance(key, str):
            return None
        name = f"{table}.{key}" if table else key
        index = segments[i + 1] if i + 1 < len(segments) else None
        if isinstance(index, int):
            header = re.compile(rf"^\s*\[\[\s*{re.escape(name)}\s*\]\]")
            found = [n for n in range(start, len(lines)) if header.match(lines[n])]
            if index < len(found):
                start, table, i = found[index], name, i + 2
                continue
        else:
            header = re.compile(rf"^\s*\[\s*{re.escape(name)}\s*\]")
            found = [n for n in range(start, len(lines)) if header.match(lines[n])]
            if found and (index is not None or _assignment(lines, start, key) is None):
                start, table, i = found[0], name, i + 1
                continue
        line = _assignment(lines, start, key)
        if line is not None:
            return line
        return start + 1 if table else None
    return start + 1 if table else None


def _assignment(lines: list[str], start: int, key: str) -> int | None:
    """The line of ``key = ...`` in the table that starts at ``start``, if it is written there."""
    assignment = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for n in range(start, len(lines)):
        if n > start and lines[n].lstrip().startswith("["):
            return None  # the next table: the key is not written here
        if assignment.match(lines[n]):
            return n + 1
    return None


def _explain(reason: str, into: type[Any], segments: list[str | int]) -> str:
    """msgspec's reason in an operator's words, with the allowed values where there are some."""
    enum = re.match(r"Invalid enum value (.+)$", reason)
    if enum:
        values = _allowed_values(into, segments)
        if values:
            return f"{enum.group(1)} is not one of {', '.join(map(str, values))}"
    pattern = re.match(r"Expected `str` matching regex '(.+)'$", reason)
    if pattern:
        words = PATTERN_WORDS.get(pattern.group(1).encode().decode("unicode_escape"))
        if words:
            return words
    return reason


def _allowed_values(into: type[Any], segments: list[str | int]) -> tuple[Any, ...]:
    info: Any = msgspec.inspect.type_info(into)
    for segment in segments:
        info = _unwrap(info)
        if isinstance(segment, int):
            info = getattr(info, "item_type", None)
        elif isinstance(info, msgspec.inspect.StructType):
            info = next((f.type for f in info.fields if f.encode_name == segment), None)
        else:
            info = None
        if info is None:
            return ()
    info = _unwrap(info)
    if isinstance(info, msgspec.inspect.LiteralType):
        return tuple(info.values)
    if isinstance(info, msgspec.inspect.EnumType):
        return tuple(member.value for member in info.cls)
    return ()


def _unwrap(info: Any) -> Any:
    while True:
        if isinstance(info, msgspec.inspect.Metadata):
            info = info.type
        elif isinstance(info, msgspec.inspect.UnionType):
            kept = [t for t in info.types if not isinstance(t, msgspec.inspect.NoneType)]
            if len(kept) != 1:
                return info
            info = kept[0]
        else:
            return info
