"""Deliver one outbox message: claim it, build it from the booking as it is now, send, record.

At-least-once with a stable id per message: a worker that dies after the channel accepted a
message but before it recorded it lets another send it again, with the same Message-ID or
``webhook-id``. Failures are retried with exponential backoff and full jitter, then parked
(``kat-widgets outbox list``; ``outbox retry ID`` sends it again). Logs name the message id,
its kind and the error's kind: never an address, a name or content.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable
from email.message import EmailMessage
from typing import Protocol

import msgspec

from kat_widgets.booking.models import BookingRecord, OutboxMessage
from kat_widgets.booking.storage import Storage
from kat_widgets.booking.tokens import calendar_key, unseal
from kat_widgets.config import NotificationsConfig
from kat_widgets.directory import Directory
from kat_widgets.errors import DeliveryError, PermanentDeliveryError
from kat_widgets.notifications.channels import e164
from kat_widgets.notifications.messages import (
    Letter,
    Links,
    email_message,
    sms_text,
    staff_letter,
    visitor_letter,
    webhook_body,
)

__all__ = ["BACKOFF_CAP", "Channels", "Deliverer", "Outcome", "backoff"]

log = logging.getLogger("kat_widgets.notifications")
BACKOFF_CAP = dt.timedelta(hours=1)
RECOVERY_GRACE = dt.timedelta(seconds=30)
"""A due message nobody woke for this long is woken by the recovery sweep."""


class Channels(Protocol):
    """The senders :class:`Deliverer` uses (``notifications.channels`` has the real ones)."""

    def email(self, message: EmailMessage) -> None: ...
    def sms(self, to: str, body: str) -> None: ...
    def webhook(self, url: str, message_id: str, body: bytes, *, timestamp: int) -> None: ...


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """What became of one delivery attempt."""

    status: str
    """``sent``, ``skipped``, ``retry``, ``parked`` or ``not-claimed`` (not due, done, being
    sent by another worker, or behind an earlier message of its booking to the same recipient)."""
    retry_in: float | None = None
    """Seconds until the next attempt, for ``retry``."""
    then: str | None = None
    """The message that waited behind this one and can go now (to wake next)."""


def backoff(attempt: int, *, base: float, rng: random.Random) -> float:
    """Full jitter: uniform in ``[0, min(cap, base * 2^(attempt-1))]`` seconds."""
    ceiling = min(BACKOFF_CAP.total_seconds(), base * 2 ** max(0, attempt - 1))
    return rng.uniform(0, ceiling)


class Deliverer:
    """Sends outbox messages of one store; called by the queue's tasks and by tests."""

    def __init__(
        self,
        storage: Storage,
        directory: Directory,
        config: NotificationsConfig,
        *,
        secret_key: str,
        channels: Channels,
        clock: Callable[[], dt.datetime],
        rng: random.Random | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.storage = storage
        self.directory = directory
        self.config = config
        self.secret_key = secret_key
        self.channels = channels
        self.clock = clock
        self.wall = wall
        """The real time, for what goes on the wire (email ``Date``, ``webhook-timestamp``):
        receivers compare it with their own clocks; ``clock`` decides what is due."""
        self.rng = rng if rng is not None else random.Random()  # noqa: S311 - jitter, not a secret

    def deliver(self, message_id: str) -> Outcome:
        """One attempt at ``message_id`` (a no-op unless this call claims it)."""
        lease = dt.timedelta(seconds=self.config.lease_s)
        claimed = self.storage.outbox.claim(message_id, now=self.clock(), lease=lease)
        if claimed is None:
            return Outcome(status="not-claimed")
        booking = self.storage.by_id(claimed.booking_id)
        reason = self._stale(claimed, booking)
        if reason is not None or booking is None:
            self.storage.outbox.skip(claimed, reason=reason or "booking gone")
            log.info("message %s (%s) skipped: %s", claimed.id, claimed.event, reason)
            return Outcome(status="skipped", then=self._next(claimed))
        try:
            self._send(claimed, booking)
        except DeliveryError as exc:
            return self._failed(claimed, exc)
        self.storage.outbox.sent(claimed, now=self.clock())
        log.info("message %s (%s by %s) sent", claimed.id, claimed.event, claimed.channel)
        return Outcome(status="sent", then=self._next(claimed))

    def _next(self, done: OutboxMessage) -> str | None:
        return self.storage.outbox.next_after(done, now=self.clock())

    def _stale(self, message: OutboxMessage, booking: BookingRecord | None) -> str | None:
        """Why a message is not to be sent any more, if it is not."""
        if booking is None:
            return "booking gone"
        if message.event == "offer" and booking.status != "held":
            return "offer over"  # claimed, passed on or withdrawn before it was sent
        if message.event == "reminder":
            if booking.status != "confirmed":
                return "visit cancelled"
            if booking.start <= self.clock():
                return "visit already started"
        return None

    def _failed(self, message: OutboxMessage, exc: DeliveryError) -> Outcome:
        error = str(exc)
        if isinstance(exc, PermanentDeliveryError) or message.attempts >= self.config.attempts:
            self.storage.outbox.park(message, error=error)
            log.warning(
                "message %s (%s by %s) parked after %d attempts: %s",
                message.id,
                message.event,
                message.channel,
                message.attempts,
                error,
            )
            return Outcome(status="parked", then=self._next(message))
        delay = backoff(message.attempts, base=self.config.backoff_s, rng=self.rng)
        retry_at = self.clock() + dt.timedelta(seconds=delay)
        self.storage.outbox.release(message, retry_at=retry_at, error=error)
        log.info(
            "message %s (%s by %s) attempt %d failed (%s); again in %.0f s",
            message.id,
            message.event,
            message.channel,
            message.attempts,
            error,
            delay,
        )
        return Outcome(status="retry", retry_in=delay)

    def _links(self, message: OutboxMessage) -> Links:
        if message.sealed_token is None:
            if message.event in ("cancelled", "declined"):  # staff did it: no link to show
                return Links(manage_url="", ics_url="")
            raise PermanentDeliveryError("the message has no link to send")
        token = unseal(self.secret_key, f"outbox\x00{message.id}", message.sealed_token)
        base = self.config.public_url
        if message.event == "offer":  # the sealed token is the claim link's
            return Links(manage_url=f"{base}/waitlist/claims/{token}", ics_url="")
        key = calendar_key(self.secret_key, token)
        return Links(
            manage_url=f"{base}/bookings/{token}", ics_url=f"{base}/calendars/bookings/{key}.ics"
        )

    def _send(self, message: OutboxMessage, booking: BookingRecord) -> None:
        now = self.clock()
        directory = self.directory
        if message.channel == "webhook":
            body = webhook_body(message.event, booking, directory, now=now)
            assert message.target is not None
            self.channels.webhook(message.target, message.id, body, timestamp=int(self.wall()))
        elif message.channel == "sms":
            if not booking.phone:
                raise PermanentDeliveryError("sms: the booking has no phone number")
            text = sms_text(message.event, booking, directory, links=self._links(message))
            self.channels.sms(e164(booking.phone), text)
        elif message.channel == "email":
            if not booking.email:
                raise PermanentDeliveryError("email: the booking has no address")
            letter = visitor_letter(
                message.event,
                booking,
                directory,
                links=self._links(message),
                now=now,
                organizer=self.config.mail_from,
            )
            self.channels.email(self._addressed(letter, message, [booking.email]))
        else:  # staff-email
            recipients = list(directory.clinic(booking.clinic_id).notify_emails)
            if not recipients:
                raise PermanentDeliveryError("staff-email: the clinic has no notify_emails")
            note = self.config.staff_alert_notes
            letter = staff_letter(
                message.event,
                booking,
                directory,
                now=now,
                note=note,
                organizer=self.config.mail_from,
            )
            self.channels.email(self._addressed(letter, message, recipients))

    def _addressed(self, letter: Letter, message: OutboxMessage, to: list[str]) -> EmailMessage:
        sent_at = dt.datetime.fromtimestamp(self.wall(), dt.UTC)
        return email_message(
            letter, message_id=message.id, sender=self.config.mail_from, to=to, now=sent_at
        )

    def recover(self) -> list[str]:
        """Messages to wake again: leases of dead workers, and due ones nobody woke."""
        return self.storage.outbox.recover(now=self.clock(), grace=RECOVERY_GRACE)
