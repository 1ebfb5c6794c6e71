"""What every request handler needs, built once per app and injected as ``kat``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from litestar import Request

from kat_widgets.booking import BookingService
from kat_widgets.directory import Directory
from kat_widgets.fragments import Widgets
from kat_widgets.scheduling.types import BusyProvider, no_busy_times
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
    busy_provider: BusyProvider = no_busy_times
    """What is taken at a clinic (bookings, imported staff calendars); see scheduling.types."""
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    """"Now" for notice and horizon; tests pass a fixed clock."""

    def widgets_for(self, request: AnyRequest) -> Widgets:
        """Widgets whose links carry the prefix this request was mounted under."""
        return self.widgets.with_base_path(base_path(request))


def base_path(request: AnyRequest) -> str:
    """The mount prefix (ASGI ``root_path``), without a trailing slash."""
    root = request.scope.get("root_path", "") or ""
    return str(root).rstrip("/")
