"""The cut-off: until when a visitor may still cancel or move a visit online (then they call).

A mixin of :class:`~kat_widgets.booking.service.BookingService`: it reads the service's
directory, its settings and its clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from kat_widgets.booking import wording
from kat_widgets.booking.models import BookingRecord
from kat_widgets.config import BookingConfig
from kat_widgets.directory import Directory
from kat_widgets.errors import BookingConflictError

__all__ = ["MOVE_NOTICE", "CutOff"]

MOVE_NOTICE = dt.timedelta(hours=1)
"""A booking is never moved to a time sooner than this (nor inside the cancellation cut-off:
see :meth:`BookingService.earliest_move`)."""


class CutOff:
    """When online changes close for a booking, and the soonest it may move to."""

    directory: Directory
    config: BookingConfig
    clock: Callable[[], dt.datetime]

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
