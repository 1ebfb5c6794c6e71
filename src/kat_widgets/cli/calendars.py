"""``kat-widgets calendars staff-feeds``: the address of every staff calendar feed."""

from __future__ import annotations

import argparse


def _staff_feeds(args: argparse.Namespace) -> int:
    from kat_widgets.errors import ConfigurationError
    from kat_widgets.services import build_services
    from kat_widgets.settings import load_settings

    services = build_services(load_settings())
    try:
        feeds = services.booking.feeds
        if not feeds.enabled:
            raise ConfigurationError(
                "staff feeds are off: set staff_feed_token (KAT_STAFF_FEED_TOKEN), "
                "at least 32 characters"
            )
        if args.clinic:
            services.directory.clinic(args.clinic)  # an unknown id is an error, not silence
        links = feeds.links()
        # the site's address (KAT_PUBLIC_URL), else where `kat-widgets serve` listens by default
        base = services.settings.public_url.rstrip("/") or "http://127.0.0.1:8000"
    finally:
        services.dispose()
    print("Staff calendar feeds. Each address works like a password: give it only to whom it")
    print("is for. Changing staff_feed_token changes every address at once.")
    for scope, key in links:
        if args.clinic and scope.clinic_id != args.clinic:
            continue
        where = "/".join(part for part in (scope.clinic_id, scope.resource_id) if part) or "*"
        print(f"{scope.kind} {where}: {scope.name}")
        print(f"  {base}/calendars/staff/{key}.ics")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    calendars = commands.add_parser("calendars", help="staff calendar feeds: their addresses")
    actions = calendars.add_subparsers(dest="calendars_command", required=True, metavar="ACTION")
    feeds = actions.add_parser(
        "staff-feeds",
        help="the address of every staff feed: all bookings, each clinic, staff member, room",
        description=(
            "Print the staff calendar feeds' addresses (from public_url): all bookings (the "
            "staff_feed_token itself), then each clinic's, staff member's and room's, whose key "
            "opens that feed only. Give each person only their own."
        ),
    )
    feeds.add_argument("--clinic", help="only this clinic's feeds (and not the whole one)")
    feeds.set_defaults(handler=_staff_feeds)
