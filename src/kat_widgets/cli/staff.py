"""``kat-widgets keys create | list | revoke`` and ``kat-widgets audit``: the staff API's keys."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kat_widgets.booking.staff import StaffService
    from kat_widgets.services import Services


def _staff() -> tuple[Services, StaffService]:
    from kat_widgets.booking.staff import StaffService
    from kat_widgets.errors import ConfigurationError
    from kat_widgets.services import build_services
    from kat_widgets.settings import load_settings

    services = build_services(load_settings())
    if services.bookings is None:
        services.dispose()
        raise ConfigurationError("booking is not enabled here (booking_enabled is off)")
    services.prepare_database()
    return services, StaffService(services.bookings)


def _words(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _create(args: argparse.Namespace) -> int:
    services, staff = _staff()
    try:
        key, text = staff.create_key(_words(args.clinic), _words(args.scope), label=args.label)
    finally:
        services.dispose()
    print(f"key {key.id}: clinics {','.join(key.clinics)}; scopes {','.join(key.scopes)}")
    print("Shown once: store it in the staff tool's secret settings. Revoke it with")
    print(f"  kat-widgets keys revoke {key.id}")
    print(text)  # alone on the last line, for scripts
    return 0


def _list(args: argparse.Namespace) -> int:
    services, staff = _staff()
    try:
        keys = staff.list_keys()
    finally:
        services.dispose()
    if not keys:
        print("no keys yet: kat-widgets keys create --clinic CLINIC --scope SCOPE")
    for key in keys:
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}Z" if key.revoked_at else "active"
        label = f" ({key.label})" if key.label else ""
        print(
            f"{key.id}  {state:<24} clinics {','.join(key.clinics)}  "
            f"scopes {','.join(key.scopes)}  made {key.created_at:%Y-%m-%d}{label}"
        )
    return 0


def _revoke(args: argparse.Namespace) -> int:
    services, staff = _staff()
    try:
        staff.revoke(args.key_id)
    finally:
        services.dispose()
    print(f"ok: key {args.key_id} revoked; calls with it now answer 401")
    return 0


def _staff_link(args: argparse.Namespace) -> int:
    services, staff = _staff()
    try:
        token, key, expires = staff.day_link(args.clinic, hours=args.hours)
        # the site's address (KAT_PUBLIC_URL), else where `kat-widgets serve` listens by default
        base = services.settings.public_url.rstrip("/") or "http://127.0.0.1:8000"
    finally:
        services.dispose()
    print(f"The day sheet of {args.clinic}, until {expires:%Y-%m-%d %H:%M}Z (anyone with it can")
    print("see names and cancel visits: send it only to the clinic's staff). Its id is")
    print(f"{key.id}; stop it at once with: kat-widgets keys revoke {key.id}")
    print(f"{base}/staff/day/{token}")
    return 0


def _whole(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.isdigit() or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high}")
        return int(text)

    return parse


def _audit(args: argparse.Namespace) -> int:
    services, staff = _staff()
    try:
        lines = staff.audit_lines(days=args.days, limit=args.limit)
    finally:
        services.dispose()
    for line in lines:
        print(
            f"{line.at.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}  key {line.key_id}  {line.action}"
            f"  booking {line.booking_id or '-'}  clinic {line.clinic_id or '-'}"
        )
    if not lines:
        print(f"no staff actions in the last {args.days} days")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from kat_widgets.booking.staff_keys import SCOPES

    keys = commands.add_parser("keys", help="staff API keys: create, list, revoke")
    actions = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="a new key, shown once (on the last line)")
    create.add_argument("--clinic", required=True, help="clinic ids, comma-separated, or * for all")
    create.add_argument("--scope", required=True, help=f"comma-separated: {', '.join(SCOPES)}")
    create.add_argument("--label", help="who or what uses it (no personal data)")
    create.set_defaults(handler=_create)
    listing = actions.add_parser("list", help="every key: id, state, clinics, scopes")
    listing.set_defaults(handler=_list)
    revoke = actions.add_parser("revoke", help="stop a key at once")
    revoke.add_argument("key_id", metavar="ID")
    revoke.set_defaults(handler=_revoke)
    link = commands.add_parser("staff-link", help="a short-lived link to a clinic's day sheet")
    link.add_argument("--clinic", required=True, help="the clinic's id")
    link.add_argument(
        "--hours", type=_whole(1, 24 * 7), default=12, help="how long it works (default 12)"
    )
    link.set_defaults(handler=_staff_link)
    audit = commands.add_parser("audit", help="what staff keys did (no personal data)")
    audit.add_argument("--days", type=_whole(1, 3650), default=30, help="days back (default 30)")
    audit.add_argument("--limit", type=_whole(1, 100_000), default=1000, help="at most N lines")
    audit.set_defaults(handler=_audit)
