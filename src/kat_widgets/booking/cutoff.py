"""The cut-off: until when a visitor may still cancel or move a visit online (then they call),
and the times a visit may move to.

A mixin of :class:`~kat_widgets.booking.service.BookingService`: it reads the service's
directory, its settings and its clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from kat_widgets.booking import wording
from kat_widgets.booking.free import NEXT_FREE_DAYS, FreeTimes
from kat_widgets.booking.models import BookingRecord, MovePage
from kat_widgets.config import BookingConfig
from kat_widgets.directory import Directory
from kat_widgets.errors import BookingConflictError

__all__ = ["MOVE_CHOICES", "MOVE_NOTICE", "CutOff"]

MOVE_CHOICES = 8
"""Times offered per page of the manage page's "Move to another time"."""

MOVE_NOTICE = dt.timedelta(hours=1)
"""A booking is never moved to a time sooner than this (nor inside the cancellation cut-off:
see :meth:`BookingService.earliest_move`)."""


class CutOff:
    """When online changes close for a booking, the soonest it may move to, and the times it
    may move to."""

    directory: Directory
    config: BookingConfig
    clock: Callable[[], dt.datetime]
    free: FreeTimes

    def cutoff_hours(self, service_id: str) -> int:
        """Hours before a visit online changes close: the service's own, else the site's."""
        own = self.directory.service(service_id).policy.cancel_cutoff_hours
        return self.config.cancel_cutoff_hours if own is None else own

    def cancel_by(self, record: BookingRecord) -> dt.datetime:
        """When online cancel/reschedule closes for ``record`` (then visitors call)."""
        return record.start - dt.timedelta(hours=self.cutoff_hours(record.service_id))

    def can_change(self, record: BookingRecord) -> bool:
        """Whether online cancel/reschedule is still open (confirmed or requested, before the
        cut-off)."""
        return record.status != "cancelled" and self.clock() <= self.cancel_by(record)

    def earliest_move(self, record: BookingRecord) -> dt.datetime:
        """The soonest ``record`` may move to online: past its cut-off (a visit moved inside
        it could no longer be changed online), and ``MOVE_NOTICE`` ahead."""
        hours = self.cutoff_hours(record.service_id)
        return self.clock() + max(MOVE_NOTICE, dt.timedelta(hours=hours))

    def _check_cutoff(self, record: BookingRecord, verb: str) -> None:
        if self.clock() > self.cancel_by(record):
            clinic = self.directory.clinic(record.clinic_id)
            hours = self.cutoff_hours(record.service_id)
            raise BookingConflictError(wording.cut_off(verb, hours, clinic.phone))

    def move_choices(self, record: BookingRecord, after: dt.datetime | None = None) -> MovePage:
        """Up to ``MOVE_CHOICES`` times ``record`` may move to, after ``after`` (default: now).

        Never sooner than :meth:`earliest_move` nor past the service's horizon; the next page
        starts after the last time shown, or after the two weeks searched if they ran out.
        """
        if not self.can_change(record):
            return MovePage(slots=(), later=None, paged=after is not None)
        clinic = self.directory.clinic(record.clinic_id)
        service = self.directory.service(record.service_id)
        now = self.clock()
        horizon = now + dt.timedelta(days=service.policy.horizon_days)
        earliest = self.earliest_move(record)
        start = min(max(earliest, after), horizon) if after is not None else earliest
        # one extra to know there are more, and room for the visit's own time and ``after``
        found = self.free.next_free(clinic, service, start, MOVE_CHOICES + 3, moving=record.id)
        found = [s for s in found if s.start != record.start and (after is None or s.start > after)]
        slots = found[:MOVE_CHOICES]
        full = len(found) > MOVE_CHOICES
        onward = slots[-1].start if full else start + dt.timedelta(days=NEXT_FREE_DAYS)
        return MovePage(
            slots=tuple(slots), later=onward if onward < horizon else None, paged=after is not None
        )
