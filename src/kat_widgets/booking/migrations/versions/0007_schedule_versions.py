"""A version per clinic that every change to what it has booked bumps, in the same transaction.

Slot caches and the availability feed's ETag key on it, so every worker agrees when the open
times changed and a feed that did not change answers 304 after one lookup. Triggers bump it, so
no write path (booking, moving, cancelling, staff, waitlist, purge) can forget to.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# what the slot engine reads: holds, group sessions, and confirmed bookings' starts (day caps)
_WATCHED = {
    "resource_holds": "INSERT OR UPDATE OR DELETE",
    "group_sessions": "INSERT OR UPDATE OR DELETE",
    "bookings": "INSERT OR UPDATE OF status, start_utc, clinic_id, service_id OR DELETE",
}

_SQLITE_BUMP = """
CREATE TRIGGER schedule_version_{table}_{event_name}
AFTER {event} ON {table}
BEGIN
    INSERT OR IGNORE INTO schedule_versions (clinic_id, version) VALUES ({row}.clinic_id, 0);
    UPDATE schedule_versions SET version = version + 1 WHERE clinic_id = {row}.clinic_id;
END
"""

_POSTGRES_BUMP = """
CREATE FUNCTION kat_bump_schedule_version() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO schedule_versions AS v (clinic_id, version) VALUES (OLD.clinic_id, 1)
        ON CONFLICT (clinic_id) DO UPDATE SET version = v.version + 1;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.clinic_id IS DISTINCT FROM OLD.clinic_id) THEN
        INSERT INTO schedule_versions AS v (clinic_id, version) VALUES (NEW.clinic_id, 1)
        ON CONFLICT (clinic_id) DO UPDATE SET version = v.version + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "schedule_versions",
        sa.Column("clinic_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(_POSTGRES_BUMP)
        for table, events in _WATCHED.items():
            # deferred to commit: the version row is the last lock a writer takes, so no
            # writer waiting on it can hold a lock its holder still needs (no deadlock)
            op.execute(
                f"CREATE CONSTRAINT TRIGGER schedule_version_{table} AFTER {events} ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION kat_bump_schedule_version()"
            )
    elif dialect == "sqlite":  # one writer at a time: plain triggers
        for table, events in _WATCHED.items():
            for event in events.split(" OR "):
                name = event.split()[0].lower()
                rows = {"delete": ["OLD"], "insert": ["NEW"]}.get(name, ["OLD", "NEW"])
                for row in rows:
                    op.execute(
                        _SQLITE_BUMP.format(
                            table=table, event=event, event_name=f"{name}_{row.lower()}", row=row
                        )
                    )
    else:
        raise RuntimeError(f"no schedule versions for {dialect}; use SQLite or PostgreSQL")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table, events in _WATCHED.items():
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS schedule_version_{table} ON {table}")
        else:
            for event in events.split(" OR "):
                name = event.split()[0].lower()
                for row in ("old", "new"):
                    op.execute(f"DROP TRIGGER IF EXISTS schedule_version_{table}_{name}_{row}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS kat_bump_schedule_version()")
    op.drop_table("schedule_versions")
