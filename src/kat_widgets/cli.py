"""The ``kat-widgets`` command: serve the demo, check data files, export availability."""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from kat_widgets.errors import KatWidgetsError

if TYPE_CHECKING:
    from kat_widgets.booking import Storage
    from kat_widgets.settings import Settings

__all__ = ["main"]


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from kat_widgets.settings import load_settings

    settings = load_settings()  # fail here, once, with a readable message
    from kat_widgets.directory import load_directory

    load_directory(settings.directory_file)
    if settings.mode == "demo":
        os.environ.setdefault("KAT_SECRET_KEY", settings.secret_key)
        from kat_widgets.errors import StorageUnavailableError

        try:
            _storage(settings).migrate()  # once, before the workers start
        except StorageUnavailableError:
            print("kat-widgets: booking database unreachable; booking will answer 503")
    print(f"kat-widgets: serving on http://{args.host}:{args.port}/ ({settings.mode} mode)")
    uvicorn.run(
        "kat_widgets.web.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=None if args.reload else args.workers,
        reload=args.reload,
        log_level=args.log_level,
        server_header=False,
    )
    return 0


def _is_settings_file(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            document = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return "clinics" not in document


def _check(args: argparse.Namespace) -> int:
    from kat_widgets.directory import load_directory
    from kat_widgets.settings import load_settings

    overrides: dict[str, str] = {}
    if args.file and _is_settings_file(args.file):
        overrides["settings_file"] = args.file
    elif args.file:
        overrides["directory_file"] = args.file
    settings = load_settings(None, persist_secret=False, **overrides)
    directory = load_directory(settings.directory_file)
    print(
        f"ok: {directory.source}: {len(directory.clinics)} clinics, "
        f"{len(directory.services)} services"
    )
    if settings.busy_calendars:
        from kat_widgets.scheduling.ics_import import CalendarBusySource

        CalendarBusySource(settings.busy_calendars, directory).check()
        print(f"ok: {len(settings.busy_calendars)} staff calendars read")
    return 0


def _export_ics(args: argparse.Namespace) -> int:
    import datetime as dt

    from kat_widgets.directory import load_directory
    from kat_widgets.scheduling import find_slots
    from kat_widgets.scheduling.ics_export import availability_ics
    from kat_widgets.scheduling.ics_import import default_busy_provider
    from kat_widgets.settings import load_settings

    settings = load_settings(None, persist_secret=False)
    directory = load_directory(settings.directory_file)
    clinic = directory.clinic(args.clinic)
    service = directory.service(args.service)
    now = dt.datetime.now(dt.UTC)
    end = now + dt.timedelta(days=min(args.days, service.policy.horizon_days))
    busy = default_busy_provider(settings, directory)(clinic.id, now, end)
    slots = find_slots(directory, clinic.id, service.id, start=now, end=end, busy=busy, now=now)
    data = availability_ics(clinic, service, slots, stamp=now.replace(microsecond=0))
    if args.output in (None, "-"):
        sys.stdout.buffer.write(data)
    else:
        with open(args.output, "wb") as fh:
            fh.write(data)
        print(f"wrote {len(slots)} open slots to {args.output}", file=sys.stderr)
    return 0


def _storage(settings: Settings) -> Storage:
    from kat_widgets.booking import Storage

    return Storage(settings.resolved_database_url)


def _db_upgrade(args: argparse.Namespace) -> int:
    from kat_widgets.settings import load_settings

    settings = load_settings()
    storage = _storage(settings)
    try:
        storage.migrate()
    finally:
        storage.dispose()
    print("ok: booking database schema is up to date")
    return 0


def _db_purge(args: argparse.Namespace) -> int:
    from kat_widgets.booking import BookingService
    from kat_widgets.directory import load_directory
    from kat_widgets.settings import load_settings

    settings = load_settings()
    storage = _storage(settings)
    try:
        service = BookingService(load_directory(settings.directory_file), settings, storage)
        deleted = service.purge(args.older_than)
    finally:
        storage.dispose()
    days = settings.retention_days if args.older_than is None else args.older_than
    print(f"ok: deleted {deleted} cancelled or past bookings older than {days} days")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kat-widgets",
        description="Embeddable clinic locator, booking and crisis-resource widgets.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the demo page and the widgets over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument("--reload", action="store_true", help="restart on code changes (dev)")
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    serve.set_defaults(handler=_serve)

    check = commands.add_parser(
        "check", help="validate a clinic directory or settings file; exit 1 with the error"
    )
    check.add_argument(
        "file", nargs="?", help="clinics.toml or settings TOML (default: the configured files)"
    )
    check.set_defaults(handler=_check)

    db = commands.add_parser("db", help="booking database: migrate the schema, purge old bookings")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser("upgrade", help="create or migrate the booking tables")
    upgrade.set_defaults(handler=_db_upgrade)
    purge = db_commands.add_parser(
        "purge", help="delete cancelled and past bookings (personal data) older than DAYS"
    )
    purge.add_argument(
        "--older-than",
        type=int,
        metavar="DAYS",
        default=None,
        help="age in days (default: the retention_days setting)",
    )
    purge.set_defaults(handler=_db_purge)
    export = commands.add_parser(
        "export-ics", help="write a clinic's open slots for a service as an .ics feed"
    )
    export.add_argument("clinic", help="clinic id, e.g. draper")
    export.add_argument("--service", default="info-call", help="service id (default info-call)")
    export.add_argument("--days", type=int, default=60, help="days ahead (capped by the horizon)")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.set_defaults(handler=_export_ics)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.handler(args)
    except KatWidgetsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return result
