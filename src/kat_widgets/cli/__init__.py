"""The ``kat-widgets`` command: serve, check data, crisis snippet, geocode, export .ics."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kat_widgets.cli import bookings, calendars, data, db, delivery, serve, staff, waitlist
from kat_widgets.errors import KatWidgetsError

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kat-widgets",
        description="Embeddable clinic locator, booking and crisis-resource widgets.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (serve, data, db, delivery, staff, calendars, bookings, waitlist):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.handler(args)
    except KatWidgetsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return result
