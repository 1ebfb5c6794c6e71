"""Calendar links of their own: a read-only key for the visitor's .ics, stored as a keyed hash.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: bookings made before this revision keep using their manage token for the file.
    op.add_column("bookings", sa.Column("calendar_hash", sa.String(64), nullable=True))
    op.create_index("bookings_by_calendar_hash", "bookings", ["calendar_hash"], unique=True)


def downgrade() -> None:
    op.drop_index("bookings_by_calendar_hash", table_name="bookings")
    # Not batch_alter_table: on SQLite it rebuilds ``bookings``, and dropping the old table
    # would cascade to every hold and idempotency key. SQLite 3.35+ drops a column in place.
    op.drop_column("bookings", "calendar_hash")
