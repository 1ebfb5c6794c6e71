"""Domain errors as answers, one mapping for the JSON API and the pages people navigate to.

A request a browser navigated to (a link, a plain form, an iframe) or a route marked as a page
gets an HTML page with the message and the clinic's number; a fragment route (fetched by
``embed.js`` or a host) gets the same message as an HTML fragment in the widget's style; every
other request gets Litestar's JSON shape ``{"status_code", "detail"}`` with the field to fix.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from litestar import MediaType, Response
from litestar.exceptions import HTTPException

from kat_widgets.errors import (
    AuthenticationError,
    BookingConflictError,
    IntakeRouteError,
    KatWidgetsError,
    NotFoundError,
    PermissionDeniedError,
    SlotTakenError,
    StorageUnavailableError,
    ValidationError,
)
from kat_widgets.i18n import N_, gettext
from kat_widgets.scheduling.types import Slot
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.responses import SafeJSONResponse, safe_http_error, wants_page

__all__ = ["FRAGMENT", "PAGE", "error_response", "exception_handlers", "json_error"]

log = logging.getLogger(__name__)
PAGE = {"page": True}
"""Route ``opt`` for handlers that always answer a person with a page (the manage page)."""
FRAGMENT = {"fragment": True}
"""Route ``opt`` for HTML fragment routes: an error is a fragment too, never JSON."""
_HEADINGS = {
    400: N_("Please check the request"),
    401: N_("Please sign in again"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    409: N_("That did not go through"),
    422: N_("Please check the details"),
    429: N_("Please wait a moment"),
    503: N_("Not available right now"),
    500: N_("Something went wrong"),
}
_PAGE_WORDS = {
    400: N_("This link or form is not valid. Please go back and try again."),
    404: N_("We could not find this page."),
    405: N_("This page cannot be used that way. Please go back and try again."),
    413: N_("That was more than we can accept. Please shorten it and try again."),
    429: N_("Too many requests came from your connection. Please wait a minute and try again."),
    503: N_("This is not available right now. Please try again later."),
}
Handler = Callable[[AnyRequest, Any], Response[Any]]


def _opt(request: AnyRequest, key: str) -> bool:
    handler = request.scope.get("route_handler")
    return bool(getattr(handler, "opt", {}).get(key)) if handler is not None else False


def _navigated(request: AnyRequest) -> bool:
    """A browser navigated here; without ``Sec-Fetch-Dest`` (older browsers, some privacy
    tools), a request that asks for HTML first."""
    if "sec-fetch-dest" in request.headers:
        return wants_page(request)
    return request.headers.get("accept", "").lstrip().startswith("text/html")


def _is_page(request: AnyRequest) -> bool:
    if _opt(request, "page"):
        return True
    if _opt(request, "fragment"):  # as its answers: a page only when a browser navigates
        return wants_page(request)
    return _navigated(request)


def error_response(
    request: AnyRequest,
    kat: KatContext,
    status: int,
    detail: str,
    *,
    show_phone: bool = False,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response[Any]:
    """``detail`` with ``status``: a page for people, a fragment for fragment routes, JSON for
    programs (see module doc)."""
    page = _is_page(request)
    if page or _opt(request, "fragment"):
        renderer = kat.widgets_for(request).renderer  # in the request's language
        heading = gettext(_HEADINGS.get(status, _HEADINGS[400]))
        organization = kat.directory.organization
        body = renderer.render(
            "errors/problem.html",
            heading=heading,
            message=detail,
            # once: some messages already end with the number
            show_phone=show_phone and organization.phone_label(organization.phone) not in detail,
            heading_level=1 if page else 2,
            field=extra.get("field"),
        )
        if page:
            body = renderer.page(body, widget="problem", title=heading)
        return Response(
            str(body),
            status_code=status,
            media_type=MediaType.HTML,
            headers={**(headers or {}), "Cache-Control": "no-store"},
        )
    answer = json_error(status, detail, **extra)
    answer.headers.update(headers or {})  # Retry-After, WWW-Authenticate
    return answer


def json_error(status: int, detail: str, **extra: object) -> Response[Any]:
    """Litestar's error shape ``{"status_code", "detail", ...}``, never cached."""
    return SafeJSONResponse(
        {"status_code": status, "detail": detail, **extra},
        status_code=status,
        media_type=MediaType.JSON,
        headers={"Cache-Control": "no-store"},
    )


def exception_handlers(kat: KatContext) -> Mapping[int | type[Exception], Handler]:
    """Every domain error to its status; an outage and a bug say which number to call."""
    organization = kat.directory.organization
    phone = organization.phone_label(organization.phone)

    def not_found(request: AnyRequest, exc: NotFoundError) -> Response[Any]:
        return error_response(request, kat, 404, str(exc), show_phone=True)

    def invalid(request: AnyRequest, exc: ValidationError) -> Response[Any]:
        extra: dict[str, Any] = {"field": exc.field} if exc.field else {}
        if exc.fields:
            extra["fields"] = exc.fields
        if isinstance(exc, IntakeRouteError):  # where the answer sends the visitor instead
            extra["route"] = {"clinic_id": exc.clinic_id, "service": exc.service_id}
        return error_response(request, kat, 422, str(exc), show_phone=True, **extra)

    def slot_taken(request: AnyRequest, exc: SlotTakenError) -> Response[Any]:
        slots = [
            {"start": slot.start.isoformat(), "end": slot.end.isoformat()}
            for slot in exc.next_slots
            if isinstance(slot, Slot)
        ]
        return error_response(request, kat, 409, str(exc), next_slots=slots)

    def conflict(request: AnyRequest, exc: BookingConflictError) -> Response[Any]:
        return error_response(request, kat, 409, str(exc))

    def unavailable(request: AnyRequest, exc: StorageUnavailableError) -> Response[Any]:
        detail = gettext(
            "Online booking is not available right now. Please call us at {phone}."
        ).format(phone=phone)
        return error_response(request, kat, 503, detail)

    def unauthenticated(request: AnyRequest, exc: AuthenticationError) -> Response[Any]:
        headers = {"WWW-Authenticate": 'Bearer realm="kat-widgets staff"'}
        return error_response(request, kat, 401, str(exc), headers=headers)

    def forbidden(request: AnyRequest, exc: PermissionDeniedError) -> Response[Any]:
        return error_response(request, kat, 403, str(exc))

    def domain(request: AnyRequest, exc: KatWidgetsError) -> Response[Any]:
        return error_response(request, kat, 400, str(exc))

    def internal(request: AnyRequest, exc: Exception) -> Response[Any]:
        """Log the bug by route template and request id (never the path: it may hold a token)."""
        request_id = request.scope.get("state", {}).get("request_id", "-")
        route = request.scope.get("path_template", "<unmatched>")
        log.error(
            "unhandled %s on %s (request %s)", type(exc).__name__, route, request_id, exc_info=exc
        )
        detail = gettext(
            "Something went wrong on our side. Please try again, or call us at {phone}."
        ).format(phone=phone)
        return error_response(request, kat, 500, detail, request_id=request_id)

    def http(request: AnyRequest, exc: HTTPException) -> Response[Any]:
        # Litestar's own details may echo the path (a token): pages say it in our words
        if (_is_page(request) or _opt(request, "fragment")) and exc.status_code in _PAGE_WORDS:
            kat.widgets_for(request)  # the request's language, for the words and the page
            words = gettext(_PAGE_WORDS[exc.status_code])
            kept = {k: v for k, v in (exc.headers or {}).items() if k.lower() == "retry-after"}
            return error_response(
                request, kat, exc.status_code, words, show_phone=True, headers=kept
            )
        return safe_http_error(request, exc)

    return {
        NotFoundError: not_found,
        ValidationError: invalid,
        SlotTakenError: slot_taken,
        BookingConflictError: conflict,
        StorageUnavailableError: unavailable,
        AuthenticationError: unauthenticated,
        PermissionDeniedError: forbidden,
        KatWidgetsError: domain,
        HTTPException: http,
        500: internal,
    }
