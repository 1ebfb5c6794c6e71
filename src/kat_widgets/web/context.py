"""What every request handler needs, built once per app and injected as ``kat``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from litestar import Request

from kat_widgets.booking import BookingService
from kat_widgets.directory import Directory
from kat_widgets.fragments import Widgets
from kat_widgets.settings import Settings

__all__ = ["AnyRequest", "KatContext", "base_path"]

AnyRequest: TypeAlias = Request[Any, Any, Any]


@dataclass(frozen=True, slots=True)
class KatContext:
    settings: Settings
    directory: Directory
    widgets: Widgets
    bookings: BookingService | None = None
    """Booking use cases; ``None`` when booking is off (no secret key)."""

    def widgets_for(self, request: AnyRequest) -> Widgets:
        """Widgets whose links carry the prefix this request was mounted under."""
        return self.widgets.with_base_path(base_path(request))


def base_path(request: AnyRequest) -> str:
    """The mount prefix (ASGI ``root_path``), without a trailing slash."""
    root = request.scope.get("root_path", "") or ""
    return str(root).rstrip("/")
