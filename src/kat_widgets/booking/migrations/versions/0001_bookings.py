"""Bookings, group sessions, resource holds with the no-overlap guarantee, idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kat_widgets.booking.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_SQLITE_OVERLAP = """
CREATE TRIGGER resource_holds_no_overlap_{event}
BEFORE {event} ON resource_holds
WHEN EXISTS (
    SELECT 1 FROM resource_holds AS other
    WHERE other.clinic_id = NEW.clinic_id
      AND other.resource_id = NEW.resource_id
      AND other.start_utc < NEW.end_utc
      AND NEW.start_utc < other.end_utc
      AND other.id IS NOT NEW.id
)
BEGIN
    SELECT RAISE(ABORT, 'resource_hold_overlap');
END
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "group_sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("clinic_id", sa.String(64), nullable=False),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("start_utc", UTCDateTime, nullable=False),
        sa.Column("end_utc", UTCDateTime, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("seats_taken", sa.Integer, nullable=False),
        sa.CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"
        ),
        sa.UniqueConstraint("clinic_id", "service_id", "start_utc", name="one_session_per_start"),
    )
    op.create_table(
        "bookings",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("clinic_id", sa.String(64), nullable=False),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("start_utc", UTCDateTime, nullable=False),
        sa.Column("end_utc", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("group_sessions.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("status IN ('confirmed', 'cancelled')", name="known_status"),
    )
    op.create_index("bookings_by_clinic_start", "bookings", ["clinic_id", "start_utc"])
    op.create_table(
        "resource_holds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("clinic_id", sa.String(64), nullable=False),
        sa.Column("resource_id", sa.String(64), nullable=False),
        sa.Column("start_utc", UTCDateTime, nullable=False),
        sa.Column("end_utc", UTCDateTime, nullable=False),
        sa.Column("booking_id", sa.String(32), sa.ForeignKey("bookings.id", ondelete="CASCADE")),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("group_sessions.id", ondelete="CASCADE")),
        sa.CheckConstraint("start_utc < end_utc", name="hold_not_empty"),
        sa.CheckConstraint(
            "(booking_id IS NULL) <> (session_id IS NULL)", name="hold_has_one_owner"
        ),
    )
    op.create_index(
        "holds_by_resource", "resource_holds", ["clinic_id", "resource_id", "start_utc"]
    )
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE resource_holds ADD CONSTRAINT resource_holds_no_overlap "
            "EXCLUDE USING gist (clinic_id WITH =, resource_id WITH =, "
            "tstzrange(start_utc, end_utc, '[)') WITH &&)"
        )
    elif dialect == "sqlite":
        op.execute(_SQLITE_OVERLAP.format(event="INSERT"))
        op.execute(_SQLITE_OVERLAP.format(event="UPDATE"))
    else:  # pragma: no cover - guarded by storage.create_engine
        raise RuntimeError(f"no overlap guarantee for {dialect}; use SQLite or PostgreSQL")
    op.create_table(
        "idempotency_keys",
        sa.Column("key_hash", sa.String(64), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column(
            "booking_id",
            sa.String(32),
            sa.ForeignKey("bookings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("sealed_token", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("resource_holds")
    op.drop_table("bookings")
    op.drop_table("group_sessions")
