"""``create_app`` and ``kat_router``: assemble the kat-widgets routes; nothing else lives here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from litestar import Litestar, MediaType, Response, Router
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.logging import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from kat_widgets.directory import Directory, load_directory
from kat_widgets.errors import KatWidgetsError, NotFoundError, ValidationError
from kat_widgets.fragments import Widgets
from kat_widgets.scheduling.ics_import import default_busy_provider
from kat_widgets.scheduling.types import BusyProvider
from kat_widgets.settings import Settings, load_settings
from kat_widgets.web import (
    routes_core,
    routes_crisis,
    routes_embed,
    routes_locator,
    routes_scheduling,
)
from kat_widgets.web.context import AnyRequest, KatContext
from kat_widgets.web.observability import RequestLogMiddleware
from kat_widgets.web.ratelimit import (
    MemoryCounter,
    RateLimitMiddleware,
    RedisCounter,
    WindowCounter,
)
from kat_widgets.web.responses import SafeJSONResponse
from kat_widgets.web.security import SecurityHeaders, SecurityMiddleware
from kat_widgets.web.slowclients import BodyTimeoutMiddleware

__all__ = ["cors_config", "create_app", "kat_router"]

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
MAX_BODY_BYTES = 64 * 1024
BODY_TIMEOUT_SECONDS = 10.0


def _error(status: int, detail: str, **extra: object) -> Response[dict[str, object]]:
    return SafeJSONResponse(
        {"status_code": status, "detail": detail, **extra},
        status_code=status,
        media_type=MediaType.JSON,
    )


def _not_found(_: AnyRequest, exc: NotFoundError) -> Response[dict[str, object]]:
    return _error(404, str(exc))


def _invalid(_: AnyRequest, exc: ValidationError) -> Response[dict[str, object]]:
    return _error(422, str(exc), **({"field": exc.field} if exc.field else {}))


def _domain(_: AnyRequest, exc: KatWidgetsError) -> Response[dict[str, object]]:
    return _error(400, str(exc))


def _route_handlers() -> list[ControllerRouterHandler]:
    return [
        *routes_core.ROUTES,
        *routes_crisis.ROUTES,
        *routes_embed.ROUTES,
        *routes_locator.ROUTES,
        *routes_scheduling.ROUTES,
        create_static_files_router(
            path="/static", directories=[STATIC_DIR], include_in_schema=False
        ),
    ]


def _security(settings: Settings, *, add_headers: bool = True) -> DefineMiddleware:
    return DefineMiddleware(
        SecurityMiddleware, allowed_origins=settings.allowed_origins, add_headers=add_headers
    )


def _rate_limits(settings: Settings, directory: Directory, prefix: str) -> list[DefineMiddleware]:
    store = settings.rate_limit_store
    if store == "off":
        return []
    counter: WindowCounter = MemoryCounter() if store == "memory" else RedisCounter(store)
    phone = directory.organization.phone_display or directory.organization.phone
    return [DefineMiddleware(RateLimitMiddleware, counter=counter, prefix=prefix, phone=phone)]


def kat_router(
    settings: Settings,
    *,
    directory: Directory | None = None,
    path: str = "/",
    with_security: bool = True,
    busy_provider: BusyProvider | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> Router:
    """Every kat-widgets route under ``path``, with its dependency, errors and security.

    ``create_app`` sets the security headers app-wide instead (``with_security=False``, a
    ``before_send`` hook) so that its 404s carry them too; the origin check stays here.
    ``busy_provider`` says what is taken per clinic (default: the staff calendars imported
    from ``settings.busy_calendars``); ``clock`` gives "now" (default: the system clock).
    """
    directory = directory if directory is not None else load_directory(settings.directory_file)
    prefix = "" if path.strip("/") == "" else "/" + path.strip("/")
    context = KatContext(
        settings,
        directory,
        Widgets(settings, directory=directory),
        path=prefix,
        busy_provider=busy_provider or default_busy_provider(settings, directory),
        **({"clock": clock} if clock is not None else {}),
    )
    return Router(
        path=prefix or "/",
        route_handlers=_route_handlers(),
        dependencies={"kat": Provide(lambda: context, use_cache=True, sync_to_thread=False)},
        exception_handlers={
            NotFoundError: _not_found,
            ValidationError: _invalid,
            KatWidgetsError: _domain,
        },
        middleware=[
            RequestLogMiddleware,
            DefineMiddleware(BodyTimeoutMiddleware, timeout=BODY_TIMEOUT_SECONDS),
            _security(settings, add_headers=with_security),
            *_rate_limits(settings, directory, prefix),
        ],
        request_max_body_size=MAX_BODY_BYTES,
        response_class=SafeJSONResponse,
    )


def cors_config(settings: Settings) -> CORSConfig | None:
    """CORS for the allow-listed embedding origins only; no credentials, no wildcard."""
    if not settings.allowed_origins:
        return None
    return CORSConfig(
        allow_origins=list(settings.allowed_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Idempotency-Key"],
        allow_credentials=False,
        max_age=600,
    )


def create_app(
    settings: Settings | None = None,
    *,
    directory: Directory | None = None,
    busy_provider: BusyProvider | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> Litestar:
    """Build the complete kat-widgets ASGI app. Mount it under any prefix.

    With no arguments, settings come from ``KAT_*`` variables (see :func:`load_settings`).
    ``busy_provider`` and ``clock`` are passed to :func:`kat_router`.
    """
    settings = settings if settings is not None else load_settings()
    from kat_widgets import __version__

    return Litestar(
        route_handlers=[
            kat_router(
                settings,
                directory=directory,
                with_security=False,
                busy_provider=busy_provider,
                clock=clock,
            )
        ],
        before_send=[SecurityHeaders(settings.allowed_origins).before_send],
        cors_config=cors_config(settings),
        openapi_config=OpenAPIConfig(title="kat-widgets", version=__version__, path="/schema"),
        logging_config=LoggingConfig(
            loggers={
                "litestar": {"level": "INFO", "handlers": ["queue_listener"], "propagate": False},
                "kat_widgets": {
                    "level": "INFO",
                    "handlers": ["queue_listener"],
                    "propagate": False,
                },
            },
            log_exceptions="always",
        ),
        debug=False,
    )
