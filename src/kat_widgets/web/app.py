"""``create_app``: assemble the Litestar app from settings; nothing else lives here."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from litestar import Litestar, MediaType, Response
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.static_files import create_static_files_router

from kat_widgets.booking import BookingService, Storage
from kat_widgets.booking.service import utcnow
from kat_widgets.directory import Directory, load_directory
from kat_widgets.errors import (
    KatWidgetsError,
    NotFoundError,
    StorageUnavailableError,
    ValidationError,
)
from kat_widgets.fragments import Widgets
from kat_widgets.scheduling.ics_import import default_busy_provider
from kat_widgets.scheduling.types import BusyProvider
from kat_widgets.settings import Settings, load_settings
from kat_widgets.web import log_redaction, routes_booking, routes_core, routes_scheduling
from kat_widgets.web.context import AnyRequest, KatContext

__all__ = ["create_app"]

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def _error(status: int, detail: str, **extra: object) -> Response[dict[str, object]]:
    return Response(
        {"status_code": status, "detail": detail, **extra},
        status_code=status,
        media_type=MediaType.JSON,
    )


def _not_found(_: AnyRequest, exc: NotFoundError) -> Response[dict[str, object]]:
    return _error(404, str(exc))


def _invalid(_: AnyRequest, exc: ValidationError) -> Response[dict[str, object]]:
    extra: dict[str, object] = {"field": exc.field} if exc.field else {}
    if exc.fields:
        extra["fields"] = exc.fields
    return _error(422, str(exc), **extra)


def _domain(_: AnyRequest, exc: KatWidgetsError) -> Response[dict[str, object]]:
    return _error(400, str(exc))


def _booking_service(
    settings: Settings,
    directory: Directory,
    calendars: BusyProvider,
    clock: Callable[[], dt.datetime] | None,
) -> BookingService | None:
    if not settings.secret_key:
        return None
    return BookingService(
        directory,
        settings,
        Storage(settings.resolved_database_url),
        calendars=calendars,
        clock=clock if clock is not None else utcnow,
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
    ``busy_provider`` says what is taken per clinic besides bookings (default: the staff
    calendars imported from ``settings.busy_calendars``); ``clock`` gives "now" (default: the
    system clock). ``bookings`` replaces the booking use cases (tests). In demo mode the booking
    database is migrated at startup; in production run ``kat-widgets db upgrade`` first.
    """
    settings = settings if settings is not None else load_settings()
    directory = directory if directory is not None else load_directory(settings.directory_file)
    calendars = busy_provider or default_busy_provider(settings, directory)
    if bookings is None:
        bookings = _booking_service(settings, directory, calendars, clock)
    if clock is None and bookings is not None:
        clock = bookings.clock
    context = KatContext(
        settings,
        directory,
        Widgets(settings, directory=directory),
        bookings,
        # slots offered = calendars minus stored bookings (the booking service merges both)
        busy_provider=bookings.busy_provider if bookings is not None else calendars,
        **({"clock": clock} if clock is not None else {}),
    )
    from kat_widgets import __version__

    log_redaction.install()  # manage tokens never reach access logs

    def prepare_database() -> None:
        if bookings is None:
            return
        try:
            if settings.mode == "demo":
                bookings.storage.migrate()
            elif not bookings.storage.schema_is_current():
                log.warning("booking database schema is not current: run `kat-widgets db upgrade`")
        except StorageUnavailableError:
            log.warning("booking database unreachable at startup; booking answers 503")

    def dispose() -> None:
        if bookings is not None:
            bookings.storage.dispose()

    return Litestar(
        route_handlers=[
            *routes_core.ROUTES,
            *routes_scheduling.ROUTES,
            *routes_booking.ROUTES,
            create_static_files_router(
                path="/static", directories=[STATIC_DIR], include_in_schema=False
            ),
        ],
        dependencies={"kat": Provide(lambda: context, use_cache=True, sync_to_thread=False)},
        exception_handlers={
            NotFoundError: _not_found,
            ValidationError: _invalid,
            **routes_booking.EXCEPTION_HANDLERS,
            KatWidgetsError: _domain,
        },
        on_startup=[prepare_database],
        on_shutdown=[dispose],
        state=State({"kat": context}),
        openapi_config=OpenAPIConfig(title="kat-widgets", version=__version__, path="/schema"),
        debug=False,
    )
