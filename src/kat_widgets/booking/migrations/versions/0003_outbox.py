"""The outbox (messages a booking change owes) and what a booking needs for them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kat_widgets.booking.schema import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the language messages go out in, and whether the visitor asked for text reminders
    op.add_column(
        "bookings", sa.Column("language", sa.String(8), nullable=False, server_default="en")
    )
    op.add_column(
        "bookings",
        sa.Column("sms_reminders", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "booking_id",
            sa.String(32),
            sa.ForeignKey("bookings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.String(300), nullable=True),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("claim", sa.String(32), nullable=True),
        sa.Column("lease_until", UTCDateTime, nullable=True),
        sa.Column("kicked_at", UTCDateTime, nullable=True),
        sa.Column("sealed_token", sa.String(64), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime, nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'parked', 'skipped')", name="outbox_status"
        ),
    )
    op.create_index("outbox_by_status_due", "outbox", ["status", "due_at"])
    op.create_index("outbox_by_booking", "outbox", ["booking_id"])


def downgrade() -> None:
    op.drop_index("outbox_by_booking", table_name="outbox")
    op.drop_index("outbox_by_status_due", table_name="outbox")
    op.drop_table("outbox")
    # in place (SQLite 3.35+): a batch rebuild of ``bookings`` would cascade to its holds
    op.drop_column("bookings", "sms_reminders")
    op.drop_column("bookings", "language")
