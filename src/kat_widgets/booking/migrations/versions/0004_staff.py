"""Staff API keys, the audit log, and what staff marked a visit as.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kat_widgets.booking.schema import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("bookings", sa.Column("outcome", sa.String(16), nullable=True))
    op.create_table(
        "staff_keys",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("clinics", sa.String(1000), nullable=False),
        sa.Column("scopes", sa.String(200), nullable=False),
        sa.Column("label", sa.String(100), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("booking_id", sa.String(32), nullable=True),
        sa.Column("clinic_id", sa.String(64), nullable=True),
    )
    op.create_index("audit_by_time", "audit_log", ["at"])


def downgrade() -> None:
    op.drop_index("audit_by_time", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("staff_keys")
    op.drop_column("bookings", "outcome")  # SQLite 3.35+ drops a column in place
