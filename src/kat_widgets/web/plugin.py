"""``KatWidgetsPlugin``: add the kat-widgets routes to a partner's own Litestar app."""

from __future__ import annotations

from litestar.config.app import AppConfig
from litestar.plugins import InitPlugin

from kat_widgets.directory import Directory
from kat_widgets.settings import Settings, load_settings
from kat_widgets.web.app import cors_config, kat_routes

__all__ = ["KatWidgetsPlugin"]


class KatWidgetsPlugin(InitPlugin):
    """Adds every kat-widgets route under ``path`` (default ``/widgets``).

    ``Litestar(route_handlers=[...], plugins=[KatWidgetsPlugin(settings)])``. CORS for the
    allowed embedding origins is configured only if the app has no CORS config of its own.
    """

    __slots__ = ("directory", "path", "settings")

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        path: str = "/widgets",
        directory: Directory | None = None,
    ) -> None:
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        self.settings = settings if settings is not None else load_settings()
        self.path = path
        self.directory = directory

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        routes = kat_routes(self.settings, directory=self.directory, path=self.path)
        app_config.route_handlers.append(routes.router)
        app_config.on_startup.extend(routes.on_startup)
        app_config.on_shutdown.extend(routes.on_shutdown)
        if app_config.cors_config is None:
            app_config.cors_config = cors_config(self.settings)
        return app_config
