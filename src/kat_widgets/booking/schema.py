"""The booking tables as SQLAlchemy Core metadata (queries use it; migrations are written out).

The no-double-booking guarantee lives in the database, not here: ``resource_holds`` has an
exclusion constraint on PostgreSQL and overlap triggers on SQLite (see the first migration).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.types import TypeDecorator

__all__ = [
    "UTCDateTime",
    "audit_log",
    "bookings",
    "clients",
    "group_sessions",
    "idempotency_keys",
    "metadata",
    "outbox",
    "referrals",
    "resource_holds",
    "schedule_versions",
    "staff_keys",
    "waitlist",
]


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out; naive UTC text on SQLite.

    SQLite keeps fixed-width ``YYYY-MM-DD HH:MM:SS.ffffff`` text, so the overlap triggers can
    compare values as strings.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the booking store; pass an aware one")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


metadata = MetaData()

group_sessions = Table(
    "group_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("clinic_id", String(64), nullable=False),
    Column("service_id", String(64), nullable=False),
    Column("start_utc", UTCDateTime, nullable=False),
    Column("end_utc", UTCDateTime, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("seats_taken", Integer, nullable=False),
    CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"),
    UniqueConstraint("clinic_id", "service_id", "start_utc", name="one_session_per_start"),
)

bookings = Table(
    "bookings",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("clinic_id", String(64), nullable=False),
    Column("service_id", String(64), nullable=False),
    Column("start_utc", UTCDateTime, nullable=False),
    Column("end_utc", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("calendar_hash", String(64), nullable=True),
    Column("name", String(200), nullable=True),
    Column("email", String(254), nullable=True),
    Column("phone", String(32), nullable=True),
    Column("note", String(500), nullable=True),
    Column("language", String(8), nullable=False, server_default="en"),
    Column("sms_reminders", Boolean, nullable=False, server_default=false()),
    Column("outcome", String(16), nullable=True),
    Column("client_id", String(32), nullable=True),
    Column("approval", String(16), nullable=True),
    Column("held_token", String(64), nullable=True),
    Column("answers", Text, nullable=True),
    Column(
        "session_id", Integer, ForeignKey("group_sessions.id", ondelete="SET NULL"), nullable=True
    ),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("status IN ('confirmed', 'cancelled')", name="known_status"),
    Index("bookings_by_clinic_start", "clinic_id", "start_utc"),
    Index("bookings_by_calendar_hash", "calendar_hash", unique=True),
    Index("bookings_by_client", "client_id"),
)

clients = Table(
    "clients",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
)
"""A client record: an opaque id, nothing else; its bookings and their outcomes are the rest.
No foreign key from ``bookings``: purging a booking never waits on its client, and a purge
drops clients left with no bookings."""

referrals = Table(
    "referrals",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("client_id", String(32), nullable=False),
    Column("clinic_id", String(64), nullable=False),
    Column("service_id", String(64), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("key_id", String(16), nullable=True),
)
"""Referral links: a later step of care booked online by one client. The link's token is
random and only its keyed hash is kept (as for manage tokens), so the address says nothing
about the person or the service; ``key_id``: the staff key that issued it (``None``: the
client's own manage page)."""

resource_holds = Table(
    "resource_holds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("clinic_id", String(64), nullable=False),
    Column("resource_id", String(64), nullable=False),
    Column("start_utc", UTCDateTime, nullable=False),
    Column("end_utc", UTCDateTime, nullable=False),
    Column("booking_id", String(32), ForeignKey("bookings.id", ondelete="CASCADE")),
    Column("session_id", Integer, ForeignKey("group_sessions.id", ondelete="CASCADE")),
    CheckConstraint("start_utc < end_utc", name="hold_not_empty"),
    CheckConstraint("(booking_id IS NULL) <> (session_id IS NULL)", name="hold_has_one_owner"),
    Index("holds_by_resource", "clinic_id", "resource_id", "start_utc"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("booking_id", String(32), ForeignKey("bookings.id", ondelete="CASCADE"), nullable=False),
    Column("sealed_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("booking_id", String(32), ForeignKey("bookings.id", ondelete="CASCADE"), nullable=False),
    Column("event", String(16), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("target", String(300), nullable=True),
    Column("due_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("claim", String(32), nullable=True),
    Column("lease_until", UTCDateTime, nullable=True),
    Column("kicked_at", UTCDateTime, nullable=True),
    Column("sealed_token", String(64), nullable=True),
    Column("last_error", String(200), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    CheckConstraint(
        "status IN ('pending', 'sending', 'sent', 'parked', 'skipped')", name="outbox_status"
    ),
    Index("outbox_by_status_due", "status", "due_at"),
    Index("outbox_by_booking", "booking_id"),
)
"""What a booking change owes: one row per message, written in the change's own transaction."""

staff_keys = Table(
    "staff_keys",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("secret_hash", String(64), nullable=False),
    Column("clinics", String(1000), nullable=False),
    Column("scopes", String(200), nullable=False),
    Column("label", String(100), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)
"""Staff API keys: the public id, and only a keyed hash of the secret (shown once)."""

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("action", String(32), nullable=False),
    Column("booking_id", String(32), nullable=True),
    Column("clinic_id", String(64), nullable=True),
    Index("audit_by_time", "at"),
)
"""One line per staff action: who (the key's id), what, which booking, when; nothing personal.
No foreign key: the line outlives the booking's purge."""

waitlist = Table(
    "waitlist",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("clinic_id", String(64), nullable=False),
    Column("service_id", String(64), nullable=False),
    Column("email", String(254), nullable=True),
    Column("phone", String(32), nullable=True),
    Column("sms", Boolean, nullable=False, server_default=false()),
    Column("language", String(8), nullable=False, server_default="en"),
    Column("earliest", Date, nullable=True),
    Column("latest", Date, nullable=True),
    Column("days", String(40), nullable=True),
    Column("parts", String(40), nullable=True),
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("claim_hash", String(64), nullable=True, unique=True),
    Column("offer_booking_id", String(32), nullable=True),
    Column("offer_until", UTCDateTime, nullable=True),
    Column("passed_start", UTCDateTime, nullable=True),
    Column("position", Integer, nullable=False, server_default="0"),
    Index("waitlist_by_wait", "clinic_id", "service_id", "status"),
)
"""Visitors waiting for a time: ``waiting``, ``offered`` (a time held for them until
``offer_until``, by the booking row ``offer_booking_id``), ``booked``, ``cancelled``,
``expired``. ``passed_start``: the last time offered and not taken (not offered again)."""

schedule_versions = Table(
    "schedule_versions",
    metadata,
    Column("clinic_id", String(64), primary_key=True),
    Column("version", BigInteger, nullable=False),
)
"""One number per clinic, bumped by triggers (migration 0007) in every transaction that changes
its holds, group sessions or bookings: what slot caches and feed ETags key on."""
