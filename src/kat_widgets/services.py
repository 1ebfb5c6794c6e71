"""The composition root: settings -> directory, locator, staff calendars, bookings, clock.

The web app and the CLI build their services here, once, the same way; the fragments never
need this module (they take a directory and a busy provider, and import no SQL toolkit).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from kat_widgets.booking import BookingService
from kat_widgets.booking.service import utcnow
from kat_widgets.booking.storage import Storage
from kat_widgets.directory import Directory, load_directory
from kat_widgets.errors import ConfigurationError, StorageUnavailableError
from kat_widgets.locator import Locator, locator_from_settings
from kat_widgets.notifications import Notifications, build_notifications
from kat_widgets.scheduling.cache import SlotCache
from kat_widgets.scheduling.ics_import import default_busy_provider
from kat_widgets.scheduling.types import BusyProvider
from kat_widgets.settings import Settings

__all__ = ["Services", "build_services"]

log = logging.getLogger("kat_widgets.services")


@dataclass(frozen=True, slots=True)
class Services:
    """Everything the delivery layers call, built from one :class:`Settings`."""

    settings: Settings
    directory: Directory
    locator: Locator
    calendars: BusyProvider
    """Imported staff and room calendars (busy time besides bookings)."""
    bookings: BookingService | None
    """Booking use cases; ``None`` when booking is off (no secret key)."""
    clock: Callable[[], dt.datetime]
    notifications: Notifications | None = None
    """Confirmations, reminders, alerts, webhooks; ``None`` when no channel is configured."""
    slot_cache: SlotCache = field(default_factory=SlotCache)
    """Open slots kept per clinic and service until a booking changes them (or time moves on)."""

    @property
    def booking(self) -> BookingService:
        """The booking use cases; :class:`ConfigurationError` when booking is off."""
        if self.bookings is None:
            raise ConfigurationError("booking is off: set secret_key (KAT_SECRET_KEY)")
        return self.bookings

    @property
    def busy(self) -> BusyProvider:
        """What is taken at a clinic: stored bookings and staff calendars (calendars alone when
        booking is off)."""
        return self.bookings.free if self.bookings is not None else self.calendars

    def prepare_database(self) -> None:
        """Demo: create or migrate the booking tables. Production: only warn when they are not
        current (``kat-widgets db upgrade`` is the operator's step). Never raises for an
        unreachable database: booking then answers 503 with the phone number."""
        if self.bookings is None:
            return
        storage = self.bookings.storage
        try:
            if self.settings.mode == "demo":
                storage.migrate()
            elif not storage.schema_is_current():
                log.warning("booking database schema is not current: run `kat-widgets db upgrade`")
        except StorageUnavailableError:
            log.warning("booking database unreachable at startup; booking answers 503")

    def start(self) -> None:
        """At start-up: deliver messages from this process when no queue service is set
        (unless ``deliver_in_process`` is off: ``serve`` runs a delivery process instead)."""
        if self.notifications is not None and self.settings.deliver_in_process:
            self.notifications.start_in_process()

    def dispose(self) -> None:
        if self.notifications is not None:
            self.notifications.stop()
        if self.bookings is not None:
            self.bookings.storage.dispose()


def build_services(
    settings: Settings,
    *,
    directory: Directory | None = None,
    busy_provider: BusyProvider | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    bookings: BookingService | None = None,
    durable_commits: bool = True,
) -> Services:
    """The services for ``settings``; the keyword arguments replace a part (tests, embedding).

    ``busy_provider`` replaces the staff calendars; ``bookings`` the booking use cases, whose
    clock then becomes everyone's unless ``clock`` is given. ``durable_commits=False`` is for
    ``kat-widgets worker`` only (see :attr:`Storage.durable_commits`).
    """
    directory = directory if directory is not None else load_directory(settings.directory_file)
    if clock is None and bookings is not None:
        clock = bookings.clock
    # "now" for the range CalDAV collections are read over: the app's, so a fixed clock holds
    calendars = busy_provider or default_busy_provider(settings, directory, clock=clock)
    notifications: Notifications | None = None
    if bookings is None and settings.booking.enabled:
        storage = Storage(settings.booking.database_url, durable_commits=durable_commits)
        now = clock if clock is not None else utcnow
        config = settings.notifications
        if config.any_channel:
            notifications = build_notifications(
                config,
                storage=storage,
                directory=directory,
                secret_key=settings.booking.secret_key,
                clock=now,
            )
        bookings = BookingService(
            directory,
            settings,
            storage,
            calendars=calendars,
            clock=now,
            notifications=notifications.notifier if notifications is not None else None,
        )
        if notifications is not None:  # the delivery sweep passes on waitlist offers that ran out
            notifications.queue.also_sweep = bookings.waitlist.sweep
    if clock is None:
        clock = bookings.clock if bookings is not None else utcnow
    return Services(
        settings=settings,
        directory=directory,
        locator=locator_from_settings(settings, directory),
        calendars=calendars,
        bookings=bookings,
        clock=clock,
        notifications=notifications,
    )
