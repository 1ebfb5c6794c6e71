"""What every use case's query has in common: one Struct, its limits stated once, read once.

A query (``LocateQuery``, ``SlotsQuery``...) lives in the domain package it belongs to and states
each field's limits with ``Annotated[..., msgspec.Meta(...)]``. Delivery layers build it with
one call: :meth:`Query.of` from typed values, :meth:`Query.from_text` from URL query strings
(HTML forms send every value as text, empty when left blank). Either way a bad value is a
:class:`~kat_widgets.errors.ValidationError` naming the field, with a message derived from the
same limits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any, Self

import msgspec
from msgspec import inspect as mi

from kat_widgets.errors import ValidationError, split_validation_error

__all__ = ["Query", "describe"]

_MISSING = re.compile(r"missing required field `(\w+)`")


class Query(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Base of every query and command: unknown fields are refused, values are immutable."""

    @classmethod
    def of(cls, values: Mapping[str, Any] | None = None, /, **fields: Any) -> Self:
        """The query from typed values (``None`` means "not given": the default applies)."""
        given = {k: v for k, v in {**(values or {}), **fields}.items() if v is not None}
        return cls._convert(given, strict=True)

    @classmethod
    def from_text(cls, params: Mapping[str, str]) -> Self:
        """The query from text (a URL's query string); blank values and other keys are ignored."""
        known = cls.__struct_fields__
        given = {k: v.strip() for k, v in params.items() if k in known and v and v.strip()}
        return cls._convert(given, strict=False)

    @classmethod
    def _convert(cls, values: Mapping[str, Any], *, strict: bool) -> Self:
        try:
            return msgspec.convert(values, cls, strict=strict)
        except msgspec.ValidationError as exc:
            path, reason = split_validation_error(exc)
            missing = _MISSING.search(reason)
            if missing and not path:
                name = missing.group(1)
                raise ValidationError(f"{name} is required", field=name) from None
            field = path.split(".")[0].split("[")[0]
            if field in cls.__struct_fields__:
                raise ValidationError(
                    f"{field} must be {describe(cls, field)}.", field=field
                ) from None
            raise ValidationError(reason) from None


@cache
def _fields(cls: type[msgspec.Struct]) -> dict[str, mi.Type]:
    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)
    return {field.name: field.type for field in info.fields}


def _unwrap(kind: mi.Type) -> mi.Type:
    """``X | None`` -> ``X``."""
    if isinstance(kind, mi.UnionType):
        rest = [t for t in kind.types if not isinstance(t, mi.NoneType)]
        if len(rest) == 1:
            return rest[0]
    return kind


def _bounds(kind: mi.IntType | mi.FloatType) -> str:
    if kind.ge is not None and kind.le is not None:
        return f" from {_number(kind.ge)} to {_number(kind.le)}"
    limits = (("above", kind.gt), ("at least", kind.ge), ("below", kind.lt), ("at most", kind.le))
    parts = [f"{word} {_number(value)}" for word, value in limits if value is not None]
    return " " + " and ".join(parts) if parts else ""


def _number(value: float | None) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe(cls: type[msgspec.Struct], field: str) -> str:
    """What ``field`` of ``cls`` accepts, from its type and limits: ``a whole number from 1 to
    20``, ``a number above 0 and at most 20000``, ``one of bar, card, inline``..."""
    kind = _unwrap(_fields(cls)[field])
    if isinstance(kind, mi.IntType):
        return "a whole number" + _bounds(kind)
    if isinstance(kind, mi.FloatType):
        return "a number" + _bounds(kind)
    if isinstance(kind, mi.BoolType):
        return "true or false"
    if isinstance(kind, mi.LiteralType):
        return "one of " + ", ".join(str(value) for value in kind.values)
    if isinstance(kind, mi.StrType) and kind.max_length is not None:
        return f"text of at most {kind.max_length} characters"
    if isinstance(kind, mi.DateType):
        return "a date such as 2027-03-08"
    if isinstance(kind, mi.DateTimeType):
        return "an ISO 8601 date-time with a UTC offset"
    return "valid"
