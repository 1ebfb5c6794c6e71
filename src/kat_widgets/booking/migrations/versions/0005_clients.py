"""Client records (an opaque id that ties one person's bookings together for the care pathway),
referral links, a booking's approval (``requested`` until staff approve it), intake answers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kat_widgets.booking.schema import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # only an id and when it was made: no name, no diagnosis, no notes (the bookings and their
    # outcomes are the record); the row is what a booking locks to check the pathway
    op.create_table(
        "clients",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.add_column("bookings", sa.Column("client_id", sa.String(32), nullable=True))
    op.create_index("bookings_by_client", "bookings", ["client_id"])
    # a column, not a third status: SQLite would rebuild the table to widen its CHECK, and
    # a requested booking holds its time exactly as a confirmed one does (status stays)
    op.add_column("bookings", sa.Column("approval", sa.String(16), nullable=True))
    # while a request waits: its manage token sealed (as the outbox keeps one for a message),
    # so the confirmation staff approve later carries the visitor's links; cleared on decision
    op.add_column("bookings", sa.Column("held_token", sa.String(64), nullable=True))
    # the intake answers, as JSON ({question id: value}); purged with the booking
    op.add_column("bookings", sa.Column("answers", sa.Text, nullable=True))
    op.create_table(
        "referrals",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("client_id", sa.String(32), nullable=False),
        sa.Column("clinic_id", sa.String(64), nullable=False),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("key_id", sa.String(16), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("referrals")
    op.drop_column("bookings", "answers")
    op.drop_column("bookings", "held_token")
    op.drop_column("bookings", "approval")
    op.drop_index("bookings_by_client", table_name="bookings")
    op.drop_column("bookings", "client_id")  # SQLite 3.35+ drops a column in place
    op.drop_table("clients")
