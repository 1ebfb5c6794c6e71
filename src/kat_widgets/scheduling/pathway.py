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
from kat_widgets.errors import NotFoundError, ValidationError

__all__ = ["INACTIVE_STATUSES", "HistoryEntry", "check_pathway"]

INACTIVE_STATUSES = frozenset({"cancelled", "canceled", "no-show"})
"""Statuses that do not count as a session for spacing and follow-up rules."""


class HistoryEntry(NamedTuple):
    """One of the client's bookings: service id, aware start, status (``completed``, ...)."""

    service_id: str
    start: dt.datetime
    status: str


def _step_of(service_id: str, directory: Directory | None, service: Service) -> str | None:
    if service_id == service.id:
        return service.step
    if directory is None:
        return None
    try:
        return directory.service(service_id).step
    except NotFoundError:
        return None


def check_pathway(
    service: Service,
    client_history: Iterable[tuple[str, dt.datetime, str]],
    start: dt.datetime,
    *,
    directory: Directory | None = None,
) -> None:
    """Raise :class:`ValidationError` if ``service`` at ``start`` breaks its pathway rules.

    ``client_history`` holds ``(service_id, start, status)`` for the client's other bookings
    (the one being made excluded). Pass ``directory`` so "same step" and ``after_step`` see
    every service of that step; without it only entries of ``service`` itself are matched.
    Messages name services and days, never the client.
    """
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
            raise ValidationError(
                f"{service.name} needs a completed {name} first.", field="service"
            )
    active = [entry for entry in history if entry.status not in INACTIVE_STATUSES]
    if rules.min_days_between_same_step is not None:
        gap = dt.timedelta(days=rules.min_days_between_same_step)
        for entry in active:
            if _step_of(entry.service_id, directory, service) != service.step:
                continue
            if abs(entry.start - start) < gap:
                raise ValidationError(
                    f"{service.name} sessions must be at least "
                    f"{rules.min_days_between_same_step} days apart.",
                    field="start",
                )
    if rules.offered_within_days_after is not None and rules.after_step is not None:
        window = dt.timedelta(days=rules.offered_within_days_after)
        if not any(
            _step_of(entry.service_id, directory, service) == rules.after_step
            and entry.start <= start <= entry.start + window
            for entry in active
        ):
            raise ValidationError(
                f"{service.name} is offered within {rules.offered_within_days_after} days "
                f"after a {rules.after_step} session.",
                field="start",
            )
