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
