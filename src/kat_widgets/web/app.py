"""``create_app``, ``kat_routes`` and ``kat_router``: assemble the kat-widgets routes.

Only assembly lives here: the services come from :mod:`kat_widgets.services`, the error mapping
from :mod:`.errors`, the routes and middleware from their own modules.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

from litestar import Litestar, Router
from litestar.config.compression import CompressionConfig
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.types import ControllerRouterHandler

from kat_widgets.booking import BookingService
from kat_widgets.directory import Directory
from kat_widgets.fragments import Widgets
from kat_widgets.scheduling.types import BusyProvider
from kat_widgets.services import build_services
from kat_widgets.settings import Settings, load_settings
from kat_widgets.version import __version__
from kat_widgets.web import (
    log_redaction,
    routes_booking,
    routes_core,
    routes_crisis,
    routes_embed,
    routes_fhir,
    routes_locator,
    routes_scheduling,
    routes_staff,
    routes_waitlist,
    staff_pages,
)
from kat_widgets.web.compression import RepeatBrotli
from kat_widgets.web.context import KatContext
from kat_widgets.web.errors import exception_handlers
from kat_widgets.web.gate import BodyLimits, request_gate
from kat_widgets.web.ratelimit import MemoryCounter, RateLimiter, RedisCounter, WindowCounter
from kat_widgets.web.responses import SafeJSONResponse
from kat_widgets.web.root_path import RootPathLitestar
from kat_widgets.web.security import OriginPolicy, SecurityHeaders

__all__ = ["KatRoutes", "cors_config", "create_app", "kat_router", "kat_routes"]

MAX_BODY_BYTES = 64 * 1024
NEVER_COMPRESS = "never_compress"
"""Route ``opt`` key: the answer holds a token or personal data, so it is not compressed."""
BODY_TIMEOUT_SECONDS = 10.0
"""Longest gap between two chunks of a request body."""
BODY_DEADLINE_SECONDS = 30.0
"""Longest time for a whole request body (at most ``MAX_BODY_BYTES``)."""


def _route_handlers(context: KatContext) -> list[ControllerRouterHandler]:
    return [
        *routes_core.ROUTES,
        *routes_crisis.ROUTES,
        *routes_embed.ROUTES,
        *routes_locator.ROUTES,
        *routes_scheduling.ROUTES,
        routes_fhir.fhir_router(),  # its errors are FHIR OperationOutcomes
        # answers that carry a manage token or a visitor's details are never compressed: a
        # compressed secret beside reflected input leaks through the answer's size (BREACH)
        Router(
            path="/",
            route_handlers=[*routes_booking.ROUTES, *routes_waitlist.ROUTES],
            opt={NEVER_COMPRESS: True},
        ),
        Router(
            path="/",
            route_handlers=routes_staff.ROUTES,
            guards=[routes_staff.staff_guard(context)],
            opt={NEVER_COMPRESS: True},  # names, beside reflected input
        ),
        Router(path="/", route_handlers=staff_pages.ROUTES, opt={NEVER_COMPRESS: True}),
    ]


def _origin_policy(settings: Settings) -> OriginPolicy:
    embedding = settings.embedding
    return OriginPolicy(
        allowed_origins=embedding.allowed_origins,
        allowed_hosts=embedding.hosts,
        own_hosts=embedding.own_hosts,
    )


def _rate_limiter(settings: Settings, directory: Directory, prefix: str) -> RateLimiter | None:
    embedding = settings.embedding
    if embedding.rate_limit_store == "off":
        return None
    counter: WindowCounter
    if embedding.rate_limit_store == "memory":
        counter, workers = MemoryCounter(), embedding.workers  # each process counts alone
    else:
        counter, workers = RedisCounter(embedding.rate_limit_store), 1
    return RateLimiter(
        counter,
        prefix=prefix,
        phone=directory.organization.phone_label(directory.organization.phone),
        secret=settings.secret_key,
        workers=workers,
    )


class KatRoutes(NamedTuple):
    """The router plus what its host app must run at startup and shutdown."""

    router: Router
    context: KatContext
    on_startup: list[Callable[[], Any]]
    on_shutdown: list[Callable[[], Any]]


def kat_routes(
    settings: Settings,
    *,
    directory: Directory | None = None,
    path: str = "/",
    with_security: bool = True,
    busy_provider: BusyProvider | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    bookings: BookingService | None = None,
) -> KatRoutes:
    """Every kat-widgets route under ``path``, with its dependency, errors and security.

    ``busy_provider`` says what is taken per clinic besides bookings (default: the staff and
    room calendars imported from ``settings.busy_calendars``); ``clock`` gives "now" (default:
    the system clock); ``bookings`` replaces the booking use cases (tests). ``create_app`` sets the
    security headers app-wide instead (``with_security=False``, a ``before_send`` hook) so its
    404s carry them too; the origin check stays on the router.
    """
    services = build_services(
        settings, directory=directory, busy_provider=busy_provider, clock=clock, bookings=bookings
    )
    widgets = Widgets(
        settings,
        directory=services.directory,
        locator=services.locator,
        busy_provider=services.busy,
        clock=services.clock,
    )
    prefix = "" if path.strip("/") == "" else "/" + path.strip("/")
    context = KatContext(services, widgets, path=prefix)
    log_redaction.install()  # manage tokens never reach access logs
    limiter = _rate_limiter(settings, services.directory, prefix)
    router = Router(
        path=prefix or "/",
        route_handlers=_route_handlers(context),
        dependencies={"kat": Provide(lambda: context, use_cache=True, sync_to_thread=False)},
        exception_handlers=dict(exception_handlers(context)),
        middleware=[
            # the request id and log line, Host and origin checks, rate limit, body deadlines
            # and JSON nesting: one layer, not five (see kat_widgets.web.gate)
            request_gate(
                prepare=context.negotiator(),  # JSON answers too speak the visitor's language
                policy=_origin_policy(settings),
                add_headers=with_security,
                limiter=limiter,
                body=BodyLimits(
                    timeout=BODY_TIMEOUT_SECONDS,
                    total=BODY_DEADLINE_SECONDS,
                    max_bytes=MAX_BODY_BYTES,
                ),
            )
        ],
        request_max_body_size=MAX_BODY_BYTES,
        response_class=SafeJSONResponse,
    )
    _warm_in_background(widgets)
    on_shutdown: list[Callable[[], Any]] = [services.dispose]
    if limiter is not None:
        on_shutdown.append(limiter.close)
    if settings.mode == "demo":
        # now, not at startup: Starlette/FastAPI mounts never pass lifespan events down
        services.prepare_database()
        return KatRoutes(router, context, [services.start], on_shutdown)
    return KatRoutes(router, context, [services.prepare_database, services.start], on_shutdown)


def _warm_in_background(widgets: Widgets) -> None:
    """Build the locator's gazetteer and index off the request path (~2 s of CPU, once).

    Otherwise the first search of every worker process waits for it. At construction, not at
    startup, because Starlette/FastAPI mounts never pass lifespan events down; a search that
    comes in meanwhile waits on the same lock instead of building it twice.
    """
    threading.Thread(
        target=widgets.locator_service.warm, name="kat-widgets-warm", daemon=True
    ).start()


def kat_router(settings: Settings, **options: Any) -> Router:
    """Just the router of :func:`kat_routes`; run ``kat-widgets db upgrade`` yourself."""
    return kat_routes(settings, **options).router


def cors_config(settings: Settings) -> CORSConfig | None:
    """CORS for the allow-listed embedding origins only; no credentials, no wildcard."""
    origins = settings.embedding.allowed_origins
    if not origins:
        return None
    return CORSConfig(
        allow_origins=list(origins),
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
    bookings: BookingService | None = None,
) -> Litestar:
    """Build the complete kat-widgets ASGI app. Mount it under any prefix.

    With no arguments, settings come from ``KAT_*`` variables (see :func:`load_settings`).
    The other arguments are those of :func:`kat_routes`. In demo mode the booking database is
    migrated at startup; in production run ``kat-widgets db upgrade`` first.
    """
    settings = settings if settings is not None else load_settings()
    routes = kat_routes(
        settings,
        directory=directory,
        with_security=False,
        busy_provider=busy_provider,
        clock=clock,
        bookings=bookings,
    )
    return RootPathLitestar(
        route_handlers=[routes.router],
        # a path no route matches never reaches the router's handlers: a person who follows
        # a broken link gets our page too (a program, Litestar's JSON)
        exception_handlers={HTTPException: exception_handlers(routes.context)[HTTPException]},
        on_startup=routes.on_startup,
        on_shutdown=routes.on_shutdown,
        before_send=[SecurityHeaders(settings.embedding.allowed_origins).before_send],
        cors_config=cors_config(settings),
        # HTML, JSON, .ics, CSS and JS over 1 KB: brotli where the client accepts it, else gzip
        # (brotli 5 and gzip 6: most of the saving for a fraction of the top levels' CPU, for
        # answers written per request; brotli 5 is 8-51 % smaller than gzip 6 on our pages,
        # CSS, JS, feeds and JSON, brotli 4 larger on CSS and JS); never NEVER_COMPRESS routes
        # (RepeatBrotli: Litestar's brotli, compressing an answer it keeps sending only once)
        compression_config=CompressionConfig(
            backend="brotli-repeat",
            compression_facade=RepeatBrotli,
            brotli_quality=5,
            gzip_fallback=True,
            minimum_size=1024,
            gzip_compress_level=6,
            exclude_opt_key=NEVER_COMPRESS,
        ),
        openapi_config=OpenAPIConfig(
            title="kat-widgets",
            version=__version__,
            path="/schema",
            use_handler_docstrings=True,
            components=routes_staff.STAFF_COMPONENTS,
        ),
        logging_config=LoggingConfig(
            # the request line is written where it is made, as uvicorn writes its access log:
            # through the queue, its record was formatted twice and handed to a thread, which
            # doubled a cached fragment's CPU (78 -> 162 us in process; now 110 us)
            formatters={"kat_requests": {"()": "kat_widgets.web.observability.LineFormatter"}},
            handlers={
                "kat_requests": {
                    "class": "kat_widgets.web.observability.RequestLineHandler",
                    "formatter": "kat_requests",
                }
            },
            loggers={
                "litestar": {"level": "INFO", "handlers": ["queue_listener"], "propagate": False},
                "kat_widgets": {
                    "level": settings.log_level.upper(),
                    "handlers": ["queue_listener"],
                    "propagate": False,
                },
                "kat_widgets.requests": {
                    "level": settings.log_level.upper(),
                    "handlers": ["kat_requests"],
                    "propagate": False,
                },
            },
            # our handler logs 5xx by route template; Litestar's own line would carry the path
            log_exceptions="never",
        ),
        debug=False,
    )
