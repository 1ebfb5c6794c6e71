from __future__ import annotations

import datetime as dt

import pytest

from kat_widgets.errors import ValidationError
from kat_widgets.scheduling import check_pathway
from tests.unit.scheduling_data import directory, local

START = local(2027, 4, 1, 10, 0)


def test_experience_needs_a_completed_connect_assessment() -> None:
    d = directory()
    experience = d.service("experience-im")
    with pytest.raises(ValidationError, match="needs a completed Connect"):
        check_pathway(experience, [], START, directory=d)
    booked_only = [("connect-assessment", START - dt.timedelta(days=3), "booked")]
    with pytest.raises(ValidationError, match="Connect"):
        check_pathway(experience, booked_only, START, directory=d)
    done = [("connect-assessment", START - dt.timedelta(days=3), "completed")]
    check_pathway(experience, done, START, directory=d)


def test_experience_sessions_are_spaced_across_routes() -> None:
    d = directory()
    history = [
        ("connect-assessment", START - dt.timedelta(days=30), "completed"),
        ("experience-iv", START - dt.timedelta(days=3), "completed"),
    ]
    with pytest.raises(ValidationError, match="7 days apart"):
        check_pathway(d.service("experience-im"), history, START, directory=d)
    cancelled = [*history[:1], ("experience-iv", START - dt.timedelta(days=3), "cancelled")]
    check_pathway(d.service("experience-im"), cancelled, START, directory=d)
    week_later = [*history[:1], ("experience-iv", START - dt.timedelta(days=7), "completed")]
    check_pathway(d.service("experience-im"), week_later, START, directory=d)


def test_integrate_is_offered_within_days_after_experience() -> None:
    d = directory()
    integrate = d.service("integrate-session")
    with pytest.raises(ValidationError, match="within 14 days after"):
        check_pathway(integrate, [], START, directory=d)
    recent = [("experience-im", START - dt.timedelta(days=2), "completed")]
    check_pathway(integrate, recent, START, directory=d)
    old = [("experience-im", START - dt.timedelta(days=20), "completed")]
    with pytest.raises(ValidationError):
        check_pathway(integrate, old, START, directory=d)


def test_services_without_rules_always_pass() -> None:
    d = directory()
    check_pathway(d.service("info-call"), [], START)


# -- the measured cases of #18: "after" from the end, days in the clinic's zone ------------------

from tests.unit.scheduling_data import DENVER, UTC  # noqa: E402


def test_integration_after_dosing_counts_from_the_end_of_the_dosing_session() -> None:
    d = directory()
    integrate = d.service("integrate-session")
    dosing = local(2027, 4, 1, 9, 0)  # experience-im lasts 120 minutes: until 11:00
    history = [("experience-im", dosing, "completed")]
    with pytest.raises(ValidationError, match="within 14 days after"):
        check_pathway(integrate, history, dosing + dt.timedelta(minutes=30), directory=d)
    check_pathway(integrate, history, local(2027, 4, 1, 11, 0), directory=d)
    # an end given explicitly (a session that ran long) is the one counted
    long = [("experience-im", dosing, "completed", local(2027, 4, 1, 12, 0))]
    with pytest.raises(ValidationError):
        check_pathway(integrate, long, local(2027, 4, 1, 11, 30), directory=d)


@pytest.mark.parametrize("as_utc", [False, True], ids=["local-history", "utc-history"])
@pytest.mark.parametrize(
    ("first", "second", "allowed"),
    [
        # across the spring change (14 March 2027): 7 calendar days but 6 days 23 hours
        (local(2027, 3, 10, 10, 0), local(2027, 3, 17, 10, 0), True),
        (local(2027, 3, 10, 10, 0), local(2027, 3, 16, 16, 0), False),
        # across the autumn change (7 November 2027): 7 days and 1 hour
        (local(2027, 11, 3, 10, 0), local(2027, 11, 10, 9, 0), True),
        (local(2027, 11, 3, 10, 0), local(2027, 11, 9, 17, 0), False),
        # late evening to early morning: the calendar day counts, not 24-hour periods
        (local(2027, 4, 1, 21, 0), local(2027, 4, 8, 7, 0), True),
    ],
)
def test_days_between_dosing_sessions_are_calendar_days_in_the_clinics_zone(
    first: dt.datetime, second: dt.datetime, allowed: bool, as_utc: bool
) -> None:
    d = directory()
    earlier = first.astimezone(UTC) if as_utc else first
    history = [
        ("connect-assessment", first - dt.timedelta(days=30), "completed"),
        ("experience-iv", earlier, "completed"),
    ]
    check = lambda: check_pathway(  # noqa: E731
        d.service("experience-im"), history, second, directory=d, zone=DENVER
    )
    if allowed:
        check()
    else:
        with pytest.raises(ValidationError, match="7 days apart"):
            check()


def test_the_follow_up_window_is_calendar_days_from_the_day_the_session_ended() -> None:
    d = directory()
    integrate = d.service("integrate-session")
    history = [("experience-im", local(2027, 3, 10, 10, 0).astimezone(UTC), "completed")]
    check_pathway(integrate, history, local(2027, 3, 24, 17, 0), directory=d, zone=DENVER)
    with pytest.raises(ValidationError, match="within 14 days after"):
        check_pathway(integrate, history, local(2027, 3, 25, 8, 0), directory=d, zone=DENVER)
