"""Query Structs as Litestar dependencies: each field becomes a documented request parameter.

The fields and their limits are declared once, on the domain's :class:`~kat_widgets.queries.Query`
(``LocateQuery``, ``SlotsQuery``...). :func:`query_dependency` turns them into parameters that
Litestar validates (400 for a value outside the limits, as for any parameter) and documents in
OpenAPI, then builds the Struct with one :meth:`Query.of`. :func:`text_dependency` documents the
same parameters but hands the widget their text: a malformed value is the widget's message.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin, get_type_hints

import msgspec
from litestar.di import NamedDependency, Provide
from litestar.params import PathParameter, QueryParameter

from kat_widgets.queries import Query

__all__ = ["query_dependency", "text_dependency"]

Q = TypeVar("Q", bound=Query)
_LIMITS = ("gt", "ge", "lt", "le", "min_length", "max_length", "pattern", "description")
NUMBER_TEXT = r"^(-?[0-9]+(\.[0-9]+)?)?$"
"""What HTML forms send for a number field: digits, or nothing when left blank."""


def _split(annotation: Any) -> tuple[Any, msgspec.Meta | None, bool]:
    """``Annotated[int, Meta(...)] | None`` -> (``int``, the Meta, optional?)."""
    optional = False
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [arg for arg in get_args(annotation) if arg is not type(None)]
        optional = len(rest) < len(get_args(annotation))
        (annotation,) = rest
    meta = None
    if get_origin(annotation) is Annotated:
        annotation, *extras = get_args(annotation)
        meta = next((extra for extra in extras if isinstance(extra, msgspec.Meta)), None)
    return annotation, meta, optional


def _parameters(
    query: type[Query], *, path: frozenset[str], as_text: bool
) -> list[inspect.Parameter]:
    hints = get_type_hints(query, include_extras=True)
    parameters = []
    for field in msgspec.structs.fields(query):
        base, meta, _ = _split(hints[field.name])
        limits = {k: getattr(meta, k) for k in _LIMITS if getattr(meta, k, None) is not None}
        if field.name in path:
            annotation: Any = Annotated[base, PathParameter()]
        elif as_text:
            text = {"description": limits["description"]} if "description" in limits else {}
            if base in (int, float):
                text["schema_extra"] = {"pattern": NUMBER_TEXT}
            annotation = Annotated[str | None, QueryParameter(**text)]
        else:
            annotation = Annotated[base | None, QueryParameter(**limits)]
        default = inspect.Parameter.empty if field.name in path else None
        if not as_text and field.default not in (msgspec.NODEFAULT, None):
            annotation, default = Annotated[base, QueryParameter(**limits)], field.default
        parameters.append(
            inspect.Parameter(
                field.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
            )
        )
    return parameters


_AFTER_KAT = inspect.Parameter(
    "kat",
    inspect.Parameter.KEYWORD_ONLY,
    annotation=NamedDependency[Any],  # type: ignore[misc]  # a generic alias, applied at runtime
)
"""Taken and dropped: it makes the query resolve after the router's ``kat`` instead of beside
it. Litestar resolves dependencies that do not depend on each other concurrently, in an anyio
task group with a task each: ~70 us a request in process (240 -> 165 us for /api/locate),
for two dictionary lookups (#14)."""


def _signed(fn: Callable[..., Any], parameters: list[inspect.Parameter], returns: Any) -> Provide:
    parameters = [_AFTER_KAT, *parameters]
    fn.__signature__ = inspect.Signature(parameters, return_annotation=returns)  # type: ignore[attr-defined]
    fn.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": returns}
    return Provide(fn, sync_to_thread=False)


def query_dependency(query: type[Q], *, path: tuple[str, ...] = ()) -> Provide:
    """A dependency giving ``query`` built from the request's parameters.

    ``path`` names the fields that come from the route's path (``clinic_id``). Required fields
    are optional parameters: a missing one is the domain's 422 naming it, as for any rule.
    """

    def build(kat: Any, **values: Any) -> Q:
        return query.of(values)

    return _signed(build, _parameters(query, path=frozenset(path), as_text=False), query)


def text_dependency(query: type[Query]) -> Provide:
    """A dependency giving the text of ``query``'s parameters (blank ones left out)."""

    def build(kat: Any, **values: str | None) -> Mapping[str, str]:
        return {key: value for key, value in values.items() if value}

    return _signed(build, _parameters(query, path=frozenset(), as_text=True), Mapping[str, str])
