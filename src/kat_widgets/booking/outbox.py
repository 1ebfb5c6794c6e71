"""The booking service's side of the outbox: what a change owes, and the wake-up after it.

The store writes the owed messages in the change's own transaction; the delivery side lives in
:mod:`kat_widgets.notifications` (whose ``Notifier`` is the real :class:`Notifications`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from kat_widgets.booking.models import BookingRecord, Event, NewBooking, Outgoing

__all__ = ["Due", "NoNotifications", "Notifications"]


class Due(Protocol):
    """A message to wake the queue for: its id and when it is due (``Outgoing``, a row)."""

    @property
    def id(self) -> str: ...
    @property
    def due_at(self) -> dt.datetime: ...


class Notifications(Protocol):
    """What a change owes (written with it, in its transaction) and the wake-up after commit.

    :class:`kat_widgets.notifications.Notifier` is the real one; the default owes nothing.
    """

    def owed(
        self,
        event: Event,
        booking: NewBooking | BookingRecord,
        *,
        token: str | None,
        now: dt.datetime,
    ) -> list[Outgoing]:
        """``token``: the visitor's manage token for their links (``None`` when staff cancel:
        a cancellation carries no link)."""
        ...

    def kick(self, messages: Sequence[Due]) -> None: ...


class NoNotifications:
    """Nothing is sent (no channel configured)."""

    def owed(
        self,
        event: Event,
        booking: NewBooking | BookingRecord,
        *,
        token: str | None,
        now: dt.datetime,
    ) -> list[Outgoing]:
        return []

    def kick(self, messages: Sequence[Due]) -> None:
        return None
