"""Care-pathway rules: may this known client book this service at this time? (pure)

Rules live on each service (``Service.pathway``, see :class:`PathwayRules`), e.g. an Experience
session needs a completed Connect assessment and at least 7 days between Experience sessions;
an Integrate session is offered within 14 days after an Experience session.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from kat_widgets.directory.loader import Directory
from kat_widgets.directory.models import Service
from kat_widgets.errors import NotFoundError, PathwayError

__all__ = ["INACTIVE_STATUSES", "HistoryEntry", "check_pathway"]

INACTIVE_STATUSES = frozenset({"cancelled", "canceled", "no-show"})
"""Statuses that do not count as a session for spacing and follow-up rules."""


class HistoryEntry(NamedTuple):
    """One of the client's bookings: service id, aware start, status (``completed``, ...), and
    its aware end (``None``: its start plus the service's length)."""

    service_id: str
    start: dt.datetime
    status: str
    end: dt.datetime | None = None


def _step_of(service_id: str, directory: Directory | None, service: Service) -> str | None:
    if service_id == service.id:
        return service.step
    if directory is None:
        return None
    try:
        return directory.service(service_id).step
    except NotFoundError:
        return None


def _end_of(entry: HistoryEntry, directory: Directory | None, service: Service) -> dt.datetime:
    if entry.end is not None:
        return entry.end
    minutes = service.duration_minutes
    if entry.service_id != service.id and directory is not None:
        with contextlib.suppress(NotFoundError):
            minutes = directory.service(entry.service_id).duration_minutes
    return entry.start + dt.timedelta(minutes=minutes)


def _day(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    """The calendar day of an instant in the clinic's zone, whatever zone it is written in."""
    if moment.tzinfo is None:
        raise ValueError("pathway history needs aware times")
    return moment.astimezone(zone).date()


def check_pathway(
    service: Service,
    client_history: Iterable[
        HistoryEntry | tuple[str, dt.datetime, str] | tuple[str, dt.datetime, str, dt.datetime]
    ],
    start: dt.datetime,
    *,
    directory: Directory | None = None,
    zone: dt.tzinfo | None = None,
) -> None:
    """Raise :class:`PathwayError` (a ``ValidationError``) if ``service`` at ``start`` breaks
    its pathway rules.

    ``client_history`` holds ``(service_id, start, status[, end])`` for the client's other
    bookings (the one being made excluded); times in any zone, as UTC from the database or in
    local time. Pass ``directory`` so "same step" and ``after_step`` see every service of that
    step; without it only entries of ``service`` itself are matched. ``zone``: the clinic's
    (default: ``start``'s own), in which days are counted.

    - ``requires_completed``: each of those services has a session staff marked completed.
    - ``min_days_between_same_step``: the calendar days between two sessions of the step, in
      the clinic's zone (a DST change in between changes nothing).
    - ``offered_within_days_after``: from the *end* of a session of ``after_step`` (never
      during it), within that many calendar days of the day it ended.

    Messages name services and days, never the client.
    """
    zone = zone or start.tzinfo or dt.UTC
    rules = service.pathway
    history = [HistoryEntry(*entry) for entry in client_history]
    completed = {
        entry.service_id for entry in history if entry.status == "completed" and entry.start < start
    }
    for required in rules.requires_completed:
        if required not in completed:
            name = required
            if directory is not None:
                with contextlib.suppress(NotFoundError):
                    name = directory.service(required).name
            raise PathwayError(
                f"{service.name} needs a completed {name} first.",
                rule="requires",
                field="service",
                required=required,
            )
    active = [entry for entry in history if entry.status not in INACTIVE_STATUSES]
    today = _day(start, zone)
    if rules.min_days_between_same_step is not None:
        for entry in active:
            if _step_of(entry.service_id, directory, service) != service.step:
                continue
            if abs((today - _day(entry.start, zone)).days) < rules.min_days_between_same_step:
                raise PathwayError(
                    f"{service.name} sessions must be at least "
                    f"{rules.min_days_between_same_step} days apart.",
                    rule="spacing",
                    field="start",
                    days=rules.min_days_between_same_step,
                )
    if rules.offered_within_days_after is not None and rules.after_step is not None:
        within = rules.offered_within_days_after
        if not any(
            _step_of(entry.service_id, directory, service) == rules.after_step
            and _end_of(entry, directory, service) <= start
            and (today - _day(_end_of(entry, directory, service), zone)).days <= within
            for entry in active
        ):
            raise PathwayError(
                f"{service.name} is offered within {rules.offered_within_days_after} days "
                f"after a {rules.after_step} session.",
                rule="after",
                field="start",
                days=within,
                after_step=rules.after_step,
            )
