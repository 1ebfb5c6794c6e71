"""``kat-widgets db upgrade | purge``: the booking database."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kat_widgets.booking.storage import Storage
    from kat_widgets.settings import Settings


def _storage(settings: Settings) -> Storage:
    from kat_widgets.booking.storage import Storage

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


def _retention_days(text: str) -> int:
    """``--older-than``: the same 1-3650 days as the ``retention_days`` setting, or refused."""
    import msgspec

    from kat_widgets.settings import RetentionDays

    try:
        return msgspec.convert(int(text), RetentionDays)
    except (ValueError, msgspec.ValidationError):
        raise argparse.ArgumentTypeError(
            f"must be a whole number of days from 1 to 3650 (got {text!r}); "
            "bookings still ahead are never purged"
        ) from None


def _db_purge(args: argparse.Namespace) -> int:
    from kat_widgets.services import build_services
    from kat_widgets.settings import load_settings

    services = build_services(load_settings())
    try:
        count = services.booking.purge(args.older_than, dry_run=args.dry_run)
    finally:
        services.dispose()
    days = services.settings.retention_days if args.older_than is None else args.older_than
    verb = "would delete" if args.dry_run else "deleted"
    print(f"ok: {verb} {count} bookings cancelled or ended more than {days} days ago")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = commands.add_parser("db", help="booking database: migrate the schema, purge old bookings")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser("upgrade", help="create or migrate the booking tables")
    upgrade.set_defaults(handler=_db_upgrade)
    purge = db_commands.add_parser(
        "purge", help="delete cancelled and past bookings (personal data) older than DAYS"
    )
    purge.add_argument(
        "--older-than",
        type=_retention_days,
        metavar="DAYS",
        default=None,
        help="age in days, 1 to 3650 (default: the retention_days setting)",
    )
    purge.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    purge.set_defaults(handler=_db_purge)
