"""What every FHIR route shares: media types, absolute URLs, cached files, OperationOutcomes.

URLs in FHIR answers are absolute (the SMART spec requires it of the manifest): built from the
scheme and host the request came with and the mount prefix (:meth:`KatContext.prefix`), so
they resolve whichever host framework mounted us. With ``allowed_hosts`` set, only our own
host names reach here. Answers are JSON made inert like every other (``<``, ``>`` and ``&`` as
``\\u`` escapes: :class:`~kat_widgets.web.responses.SafeJSONResponse`), since a search's
self link and an error's diagnostics repeat what the reader sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from email.utils import format_datetime
from typing import Annotated, Any

from litestar import Response
from litestar.exceptions import HTTPException
from litestar.openapi import ResponseSpec
from litestar.params import QueryParameter
from litestar.types import ExceptionHandlersMap

from kat_widgets.errors import NotFoundError, StorageUnavailableError, ValidationError
from kat_widgets.fhir import encode, operation_outcome
from kat_widgets.fhir.bundle import OperationOutcome
from kat_widgets.fhir.resources import Site
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.responses import SafeJSONResponse

__all__ = [
    "BAD",
    "FHIR_ERRORS",
    "FHIR_JSON",
    "NDJSON",
    "OPEN",
    "UNCHANGED",
    "UNKNOWN",
    "Ids",
    "answer",
    "base_url",
    "booking_site",
    "cached",
    "fhir_response",
    "params",
    "self_url",
]

FHIR_JSON = "application/fhir+json"
NDJSON = "application/fhir+ndjson"
UNCHANGED = {304: ResponseSpec(data_container=None, description="Unchanged since If-None-Match")}
BAD = {400: ResponseSpec(OperationOutcome, media_type=FHIR_JSON, description="A bad parameter")}
UNKNOWN = {404: ResponseSpec(OperationOutcome, media_type=FHIR_JSON, description="No such id")}


OPEN = {"Access-Control-Allow-Origin": "*"}
"""Public data and no credentials: a directory's page may read it from any origin, as the SMART
spec wants (open, publicly accessible endpoints)."""

Ids = Annotated[str | None, QueryParameter(name="_id", description="Ids, comma-separated.")]


def answer(data_container: Any, description: str, media_type: str = FHIR_JSON) -> ResponseSpec:
    return ResponseSpec(data_container, media_type=media_type, description=description)


def base_url(request: AnyRequest, kat: KatContext) -> str:
    """Our absolute URL as this request reached us: scheme, host and the mount prefix."""
    url = request.url
    return f"{url.scheme}://{url.netloc}{kat.prefix(request)}"


def booking_site(request: AnyRequest, kat: KatContext) -> Site:
    """Where booking links point: the public URL when set, else where this request came."""
    return Site(url=kat.settings.visitor_url or base_url(request, kat))


def params(request: AnyRequest) -> dict[str, list[str]]:
    query = request.query_params
    return {name: query.getall(name) for name in query}


def self_url(request: AnyRequest, kat: KatContext, path: str) -> str:
    query = request.url.query
    return f"{base_url(request, kat)}{path}" + (f"?{query}" if query else "")


def fhir_response(value: object) -> Response[bytes]:
    return SafeJSONResponse(encode(value), media_type=FHIR_JSON, headers=OPEN)


def cached(
    request: AnyRequest,
    kat: KatContext,
    name: str,
    key: str,
    write: Callable[[dt.datetime], bytes],
    media_type: str,
) -> Response[bytes]:
    """``write(since)``'s bytes under a weak ETag: 304 when the client has them, written once
    per content, not per poll. ``key`` names the data (``since``: when it last changed); the
    ETag also names the URLs in it, which follow the request's host."""
    data = hashlib.sha256(f"{name}|{key}".encode()).hexdigest()[:32]
    since = kat.feeds.since(name, data, kat.clock())
    where = f"{base_url(request, kat)}|{booking_site(request, kat).url}"
    digest = hashlib.sha256(f"{data}|{where}".encode()).hexdigest()[:32]
    headers = {
        "ETag": f'W/"{digest}"',
        "Last-Modified": format_datetime(since, usegmt=True),
        "Cache-Control": "public, max-age=300",  # the spec's polling hint: five minutes
        **OPEN,
    }
    asked = request.headers.get("if-none-match", "")
    wanted = {tag.strip().removeprefix("W/") for tag in asked.split(",")}
    if f'"{digest}"' in wanted or "*" in wanted:
        return Response(b"", status_code=304, headers=headers)
    body = kat.feeds.body(name, digest, lambda: write(since))
    return SafeJSONResponse(body, media_type=media_type, headers=headers)


def _outcome(status: int, message: str, *, code: str, field: str | None = None) -> Response[bytes]:
    body = operation_outcome(message, code=code, parameter=field)
    return SafeJSONResponse(encode(body), status_code=status, media_type=FHIR_JSON, headers=OPEN)


def _invalid(request: AnyRequest, exc: ValidationError) -> Response[bytes]:
    return _outcome(400, str(exc), code="invalid", field=exc.field)


def _not_found(request: AnyRequest, exc: NotFoundError) -> Response[bytes]:
    return _outcome(404, str(exc), code="not-found")


def _http(request: AnyRequest, exc: HTTPException) -> Response[bytes]:
    code = {404: "not-found", 429: "throttled"}.get(exc.status_code, "invalid")
    if exc.status_code >= 500:
        return _outcome(500, "Something went wrong on our side.", code="exception")
    return _outcome(exc.status_code, str(exc.detail), code=code)


def _unavailable(request: AnyRequest, exc: StorageUnavailableError) -> Response[bytes]:
    return _outcome(503, "Open times are not available right now.", code="transient")


FHIR_ERRORS: ExceptionHandlersMap = {
    ValidationError: _invalid,
    NotFoundError: _not_found,
    StorageUnavailableError: _unavailable,
    HTTPException: _http,
}
"""Errors on FHIR routes as OperationOutcomes: 400 for a bad parameter, 404 for an unknown id."""
