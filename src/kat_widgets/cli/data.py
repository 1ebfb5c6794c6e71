"""``check``, ``crisis-snippet``, ``geocode``, ``export-ics``: the data files and what they give."""

from __future__ import annotations

import argparse
import sys
import tomllib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kat_widgets.booking.models import BookingRecord


def _file_kind(path: str) -> str:
    """``directory``, ``crisis`` or ``settings``: what a TOML file given to ``check`` holds.

    A file that is none of them is an error: checking the bundled files instead and saying
    "ok" would tell an operator their file is fine.
    """
    from kat_widgets.errors import ConfigurationError
    from kat_widgets.settings import Settings

    try:
        with open(path, "rb") as fh:
            document = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return "directory"  # the directory loader says what is wrong, with the file's name
    if "clinics" in document:
        return "directory"
    if "resources" in document:
        return "crisis"
    if "kat_widgets" in document or set(document) & set(Settings.__struct_fields__):
        return "settings"
    raise ConfigurationError(
        f"{path}: not a kat-widgets file"
        + (" (it is empty)" if not document else f" (it has {', '.join(sorted(document))})")
        + ": a clinic directory has [[clinics]], a crisis file [[resources]], a settings file "
        "a [kat_widgets] table"
    )


def _check_crisis(path: str, max_age_days: int) -> None:
    """Check the crisis file; warn (never fail) about entries not re-verified recently."""
    from kat_widgets.crisis import load_crisis_data, stale_resources

    data = load_crisis_data(path)
    hidden = [resource.id for resource in data.resources if resource.unverified]
    note = f" ({len(hidden)} unverified, not shown: {', '.join(hidden)})" if hidden else ""
    print(f"ok: {path}: {len(data.resources)} crisis resources{note}")
    for resource in stale_resources(data, max_age_days=max_age_days):
        print(
            f"warning: {path}: {resource.id!r} was verified on {resource.verified}, more than "
            f"{max_age_days} days ago; re-check it against {resource.source} and update "
            f"`verified` (docs/crisis.md)",
            file=sys.stderr,
        )


def _check(args: argparse.Namespace) -> int:
    from kat_widgets.directory import load_directory
    from kat_widgets.settings import load_settings

    overrides: dict[str, str] = {}
    kind = _file_kind(args.file) if args.file else ""
    if kind == "crisis":
        overrides["crisis_file"] = args.file
    elif kind == "settings":
        overrides["settings_file"] = args.file
    elif args.file:
        overrides["directory_file"] = args.file
    settings = load_settings(None, persist_secret=False, **overrides)
    affected: list[BookingRecord] = []  # bookings the directory's hours no longer hold
    if kind != "crisis":
        directory = load_directory(settings.directory_file)
        print(
            f"ok: {directory.source}: {len(directory.clinics)} clinics, "
            f"{len(directory.services)} services"
        )
        for where in directory.missing_translations:  # English stands in; warn, never fail
            print(
                f"warning: {directory.source}: {where} has no translation (English is shown; give "
                'the field as a table of languages, e.g. name.es = "...": docs/translating.md)',
                file=sys.stderr,
            )
        from kat_widgets.cli.bookings import describe, find_affected

        affected = find_affected(settings, directory) or []
        for record in affected:
            print(
                f"error: outside its clinic's hours: {describe(record, directory)}", file=sys.stderr
            )
        if affected:
            print(
                f"error: {len(affected)} bookings ahead are outside their clinic's hours (a "
                "closure, a holiday, new hours): kat-widgets bookings affected",
                file=sys.stderr,
            )
    if kind != "directory":
        _check_crisis(settings.crisis_file, settings.crisis_max_age_days)
    if kind != "crisis" and settings.busy_calendars:
        from kat_widgets.scheduling.ics_import import CalendarBusySource

        calendars = settings.calendars.busy_calendars
        CalendarBusySource(calendars, directory).check()
        count = sum(len(sources) for sources in calendars.values())
        print(f"ok: {count} busy calendars read (for {len(calendars)} staff members and rooms)")
    return 1 if affected else 0


def _export_ics(args: argparse.Namespace) -> int:
    import datetime as dt

    from kat_widgets.scheduling.ics_export import availability_ics
    from kat_widgets.scheduling.queries import horizon_slots
    from kat_widgets.services import build_services
    from kat_widgets.settings import load_settings

    settings = load_settings(None, persist_secret=False)
    services = build_services(settings)
    try:
        now = dt.datetime.now(dt.UTC)
        feed = horizon_slots(
            services.directory,
            args.clinic,
            args.service,
            busy=services.busy,
            now=now,
            days=args.days,
        )
    finally:
        services.dispose()
    data = availability_ics(
        feed.clinic,
        feed.service,
        feed.slots,
        stamp=now.replace(microsecond=0),
        organizer_email=settings.mail_from,
    )
    if args.output in (None, "-"):
        sys.stdout.buffer.write(data)
    else:
        try:
            with open(args.output, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            print(f"error: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
            return 1
        print(f"wrote {len(feed.slots)} open slots to {args.output}", file=sys.stderr)
    return 0


def _crisis_snippet(args: argparse.Namespace) -> int:
    from kat_widgets.fragments.crisis import crisis_snippet
    from kat_widgets.settings import load_settings

    settings = load_settings(None, persist_secret=False)
    print(crisis_snippet(args.region, args.lang, args.variant, settings=settings), end="")
    return 0


def _geocode(args: argparse.Namespace) -> int:
    from kat_widgets.errors import ConfigurationError
    from kat_widgets.locator.geocoders import geocoder_from_settings
    from kat_widgets.locator.refine import RefineOutcome, refine_directory_file
    from kat_widgets.settings import load_settings

    settings = load_settings(None, persist_secret=False)
    geocoder = geocoder_from_settings(settings)
    if geocoder is None:
        raise ConfigurationError(
            "geocode needs an online geocoder: set KAT_GEOCODER=nominatim and "
            "KAT_GEOCODER_USER_AGENT to something that identifies you"
        )
    print(
        f"geocoding {args.file} with {settings.geocoder} "
        f"(at most one request every {settings.geocoder_min_interval_s:g} s)"
    )

    def progress(done: int, total: int, outcome: RefineOutcome) -> None:
        bar = "#" * round(20 * done / total)
        head = f"[{bar:<20}] {done}/{total} {outcome.clinic_id}:"
        if outcome.new is None:
            print(f"{head} kept {outcome.old.lat}, {outcome.old.lon} ({outcome.message})")
        else:
            print(f"{head} {outcome.new.lat}, {outcome.new.lon} ({outcome.new.precision})")

    outcomes = refine_directory_file(args.file, geocoder, dry_run=args.dry_run, progress=progress)
    updated = sum(1 for outcome in outcomes if outcome.new is not None)
    verb = "would update" if args.dry_run else "updated"
    print(f"{verb} {updated} of {len(outcomes)} clinics in {args.file}")
    return 0 if updated == len(outcomes) else 1


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = commands.add_parser(
        "check",
        help="validate a clinic directory, crisis or settings file; exit 1 with the error",
    )
    check.add_argument(
        "file",
        nargs="?",
        help="clinics.toml, crisis.toml or settings TOML (default: the configured files)",
    )
    check.set_defaults(handler=_check)

    snippet = commands.add_parser(
        "crisis-snippet",
        help="print the crisis banner as a static HTML snippet with its own styles",
    )
    snippet.add_argument("--region", help="US, US-UT, CA or elsewhere (default: settings)")
    snippet.add_argument("--lang", help="en, es or fr (default: settings)")
    snippet.add_argument("--variant", default="bar", choices=["bar", "card", "inline"])
    snippet.set_defaults(handler=_crisis_snippet)
    geocode = commands.add_parser(
        "geocode",
        help="refine clinic coordinates in a directory file with the online geocoder (network)",
    )
    geocode.add_argument("file", help="the clinics.toml to update in place")
    geocode.add_argument("--dry-run", action="store_true", help="show the changes, write nothing")
    geocode.set_defaults(handler=_geocode)
    export = commands.add_parser(
        "export-ics", help="write a clinic's open slots for a service as an .ics feed"
    )
    export.add_argument("clinic", help="clinic id, e.g. draper")
    export.add_argument("--service", default="info-call", help="service id (default info-call)")
    export.add_argument("--days", type=int, default=60, help="days ahead (capped by the horizon)")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.set_defaults(handler=_export_ics)
