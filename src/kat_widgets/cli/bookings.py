"""``kat-widgets bookings affected [--cancel]``: bookings a closure or new hours left outside the
clinic's hours; ``kat-widgets check`` reports them too. Ids, clinics, services and times only."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kat_widgets.booking.models import BookingRecord
    from kat_widgets.directory import Directory
    from kat_widgets.settings import Settings


def find_affected(settings: Settings, directory: Directory) -> list[BookingRecord] | None:
    """The affected bookings, or ``None`` (and why, on stderr) when there is no database to
    read: none made yet, unreachable, or its schema behind (``kat-widgets db upgrade``)."""
    import datetime as dt
    from pathlib import Path

    from kat_widgets.booking.affected import affected_bookings
    from kat_widgets.booking.storage import Storage
    from kat_widgets.errors import StorageUnavailableError

    url = settings.resolved_database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None  # no booking yet: nothing to be affected
    storage = Storage(url)
    try:
        if not storage.schema_is_current():
            print("warning: bookings not checked: run kat-widgets db upgrade", file=sys.stderr)
            return None
        return affected_bookings(storage, directory, now=dt.datetime.now(dt.UTC))
    except StorageUnavailableError:
        print("warning: bookings not checked: the database is not reachable", file=sys.stderr)
        return None
    finally:
        storage.dispose()


def describe(record: BookingRecord, directory: Directory) -> str:
    from kat_widgets.errors import NotFoundError

    try:
        zone = directory.clinic(record.clinic_id).zone
    except NotFoundError:  # a clinic the directory no longer lists: say it in UTC
        import datetime as dt

        zone = dt.UTC  # type: ignore[assignment]
    when = record.start.astimezone(zone)
    return f"{record.id}  {record.clinic_id}  {record.service_id}  {when:%Y-%m-%d %H:%M %Z}"


def _affected(args: argparse.Namespace) -> int:
    from kat_widgets.booking.staff import StaffService
    from kat_widgets.booking.staff_keys import StaffKey
    from kat_widgets.errors import ConfigurationError
    from kat_widgets.services import build_services
    from kat_widgets.settings import load_settings

    services = build_services(load_settings())
    try:
        if services.bookings is None:
            raise ConfigurationError("booking is not enabled here (booking_enabled is off)")
        services.prepare_database()
        directory = services.directory
        found = find_affected(services.settings, directory) or []
        for record in found:
            print(describe(record, directory))
        if not found:
            print("ok: every booking ahead is inside its clinic's hours")
            return 0
        if not args.cancel:
            print(
                f"{len(found)} bookings are outside their clinic's hours: call the visitors, or "
                "cancel them and tell them with --cancel"
            )
            return 1
        from kat_widgets.errors import KatWidgetsError

        staff = StaffService(services.bookings)
        desk = StaffKey(
            id="cli", clinics=("*",), scopes=("bookings:write",), created_at=staff.clock()
        )
        failed = 0
        for record in found:
            try:
                staff.cancel(desk, record.id)  # the visitor is told; the audit says "cli"
            except KatWidgetsError as exc:  # started meanwhile, a clinic gone: say which
                failed += 1
                print(f"error: not cancelled: {record.id}: {exc}", file=sys.stderr)
        print(f"ok: cancelled {len(found) - failed} bookings; their visitors are being told")
        return 1 if failed else 0
    finally:
        services.dispose()


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bookings = commands.add_parser("bookings", help="bookings a closure or new hours affect")
    actions = bookings.add_subparsers(dest="bookings_command", required=True, metavar="ACTION")
    affected = actions.add_parser(
        "affected", help="list bookings outside their clinic's hours (exit 1 if any)"
    )
    affected.add_argument(
        "--cancel", action="store_true", help="cancel them and tell the visitors (email, text)"
    )
    affected.set_defaults(handler=_affected)
