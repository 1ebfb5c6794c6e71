"""``create_app``: assemble the Litestar app from settings; nothing else lives here."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, MediaType, Response
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.static_files import create_static_files_router

from kat_widgets.directory import Directory, load_directory
from kat_widgets.errors import KatWidgetsError, NotFoundError, ValidationError
from kat_widgets.fragments import Widgets
from kat_widgets.settings import Settings, load_settings
from kat_widgets.web import routes_core
from kat_widgets.web.context import AnyRequest, KatContext

__all__ = ["create_app"]

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


def create_app(settings: Settings | None = None, *, directory: Directory | None = None) -> Litestar:
    """Build the complete kat-widgets ASGI app. Mount it under any prefix.

    With no arguments, settings come from ``KAT_*`` variables (see :func:`load_settings`).
    """
    settings = settings if settings is not None else load_settings()
    directory = directory if directory is not None else load_directory(settings.directory_file)
    context = KatContext(settings, directory, Widgets(settings, directory=directory))
    from kat_widgets import __version__

    return Litestar(
        route_handlers=[
            *routes_core.ROUTES,
            create_static_files_router(
                path="/static", directories=[STATIC_DIR], include_in_schema=False
            ),
        ],
        dependencies={"kat": Provide(lambda: context, use_cache=True, sync_to_thread=False)},
        exception_handlers={
            NotFoundError: _not_found,
            ValidationError: _invalid,
            KatWidgetsError: _domain,
        },
        openapi_config=OpenAPIConfig(title="kat-widgets", version=__version__, path="/schema"),
        debug=False,
    )
