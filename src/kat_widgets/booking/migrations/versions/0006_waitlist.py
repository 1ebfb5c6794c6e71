"""The waitlist: visitors waiting for a time to open, and the offers made to them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kat_widgets.booking.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # one contact, the days they can come, and the offer made to them (the time itself is held
    # by a booking row in the 'offered' state, which owns the holds, so the database's
    # no-overlap guarantee covers an offered time exactly as a booked one)
    op.create_table(
        "waitlist",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("clinic_id", sa.String(64), nullable=False),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("sms", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("language", sa.String(8), nullable=False, server_default="en"),
        sa.Column("earliest", sa.Date, nullable=True),
        sa.Column("latest", sa.Date, nullable=True),
        sa.Column("days", sa.String(40), nullable=True),
        sa.Column("parts", sa.String(40), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("claim_hash", sa.String(64), nullable=True, unique=True),
        sa.Column("offer_booking_id", sa.String(32), nullable=True),
        sa.Column("offer_until", UTCDateTime, nullable=True),
        sa.Column("passed_start", UTCDateTime, nullable=True),
        # first come, first offered: the order of joining (created_at may tie)
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("waitlist_by_wait", "waitlist", ["clinic_id", "service_id", "status"])


def downgrade() -> None:
    op.drop_index("waitlist_by_wait", table_name="waitlist")
    op.drop_table("waitlist")
