"""Which messages a booking change owes, to whom and when (pure: no I/O, no clock of its own).

The booking service asks :meth:`Notifier.owed` before it writes a change and hands the answer to
the store, which writes the rows in the change's own transaction (the outbox); after the commit
:meth:`Notifier.kick` wakes the delivery queue. A booking never exists without its
confirmation queued, and a change that rolls back queues nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Protocol

from kat_widgets.booking.models import Channel, Event, Outgoing
from kat_widgets.booking.outbox import Due
from kat_widgets.booking.tokens import seal
from kat_widgets.config import NotificationsConfig
from kat_widgets.directory import Directory

__all__ = ["Notifier", "plan_messages", "seal_for"]

log = logging.getLogger(__name__)


class Booked(Protocol):
    """What planning needs of a booking (``NewBooking`` and ``BookingRecord`` both have it)."""

    @property
    def clinic_id(self) -> str: ...
    @property
    def start(self) -> dt.datetime: ...
    @property
    def email(self) -> str | None: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def sms_reminders(self) -> bool: ...


def _held(booking: Booked) -> bool:
    """A request waiting for staff: it gets its reminders once approved, not before."""
    return (
        bool(getattr(booking, "requested", False)) or getattr(booking, "status", "") == "requested"
    )


def seal_for(secret_key: str, message_id: str, token: str) -> str:
    """The manage token sealed for one message (unsealed only when it is sent)."""
    return seal(secret_key, f"outbox\x00{message_id}", token)


def plan_messages(
    event: Event,
    booking: Booked,
    *,
    token: str | None,
    now: dt.datetime,
    config: NotificationsConfig,
    directory: Directory,
    secret_key: str,
) -> list[Outgoing]:
    """The messages ``event`` owes for ``booking``.

    - the visitor: an email (when they gave an address) and a text (when they gave a number and
      asked for texts), now; and, for a booking made, moved or approved (not while it is a
      request), a reminder per lead time in ``config.reminders`` whose time is still ahead;
    - the clinic's ``notify_emails``: one alert, now;
    - every webhook URL: one event, now (not for reminders).
    Only channels that are configured owe anything.
    """
    messages: list[Outgoing] = []

    def owe(event: Event, channel: Channel, due: dt.datetime, target: str | None = None) -> None:
        message_id = uuid.uuid4().hex
        personal = channel in ("email", "sms")
        messages.append(
            Outgoing(
                id=message_id,
                event=event,
                channel=channel,
                due_at=due,
                target=target,
                sealed_token=(
                    seal_for(secret_key, message_id, token) if personal and token else None
                ),
            )
        )

    visitor: list[Channel] = []
    if config.smtp is not None and booking.email:
        visitor.append("email")
    if config.sms is not None and booking.phone and booking.sms_reminders:
        visitor.append("sms")
    for channel in visitor:
        owe(event, channel, now)
    if event in ("created", "rescheduled", "approved") and not _held(booking):
        for lead in config.reminders:
            due = booking.start - lead
            if due > now:
                for channel in visitor:
                    owe("reminder", channel, due)
    if event == "offer":  # between the clinic and one visitor waiting: no alert, no webhook
        return messages
    if config.smtp is not None and directory.clinic(booking.clinic_id).notify_emails:
        owe(event, "staff-email", now)
    for url in config.webhook_urls:
        owe(event, "webhook", now, target=url)
    return messages


class Notifier:
    """The booking service's view of notifications: what a change owes, and the wake-up."""

    def __init__(
        self,
        config: NotificationsConfig,
        directory: Directory,
        secret_key: str,
        *,
        wake: Callable[[Sequence[Due]], None] | None = None,
    ) -> None:
        self.config = config
        self.directory = directory
        self.secret_key = secret_key
        self.wake = wake
        """Hands written messages to the delivery queue (``None``: a worker finds them)."""

    def owed(
        self, event: Event, booking: Booked, *, token: str | None, now: dt.datetime
    ) -> list[Outgoing]:
        return plan_messages(
            event,
            booking,
            token=token,
            now=now,
            config=self.config,
            directory=self.directory,
            secret_key=self.secret_key,
        )

    def kick(self, messages: Sequence[Due]) -> None:
        """After the commit: wake the queue. Never fails the change: a message the queue
        missed is found by the next recovery sweep (``reconcile``)."""
        if not messages or self.wake is None:
            return
        try:
            self.wake(messages)
        except Exception as exc:  # the queue is down: the outbox row keeps the message
            log.warning("delivery queue unavailable (%s); the sweep will send", type(exc).__name__)
