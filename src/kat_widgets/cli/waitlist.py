"""``kat-widgets waitlist sweep | offer``: pass on offers that ran out (the delivery sweep does it
every minute too), and offer open times to visitors waiting (after new hours or a lifted
closure). Counts only: never a contact."""

from __future__ import annotations

import argparse


def _run(args: argparse.Namespace) -> int:
    from kat_widgets.errors import ConfigurationError
    from kat_widgets.services import build_services
    from kat_widgets.settings import load_settings

    services = build_services(load_settings())
    try:
        if services.bookings is None:
            raise ConfigurationError("booking is not enabled here (booking_enabled is off)")
        services.prepare_database()
        waitlist = services.bookings.waitlist
        if args.waitlist_command == "sweep":
            print(f"ok: {waitlist.sweep()} offers that ran out passed on")
        else:
            print(f"ok: {waitlist.open_times()} open times offered to visitors waiting")
        if services.notifications is not None:
            services.notifications.queue.flush()
        return 0
    finally:
        services.dispose()


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    waitlist = commands.add_parser("waitlist", help="pass on ended offers, offer open times")
    actions = waitlist.add_subparsers(dest="waitlist_command", required=True, metavar="ACTION")
    actions.add_parser(
        "sweep", help="pass on offers that ran out; end waits that ended"
    ).set_defaults(handler=_run)
    actions.add_parser(
        "offer", help="offer open times that suit visitors waiting (after new hours)"
    ).set_defaults(handler=_run)
