"""The store on SQLite and PostgreSQL: the database itself refuses overlapping holds."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest
import sqlalchemy as sa

from kat_widgets.booking.models import NewBooking
from kat_widgets.booking.storage import Storage, overlapping
from kat_widgets.errors import HoldConflictError, ValidationError
from kat_widgets.scheduling.types import Interval
from tests.booking.booking_support import NOW, at


def new(
    start: dt.datetime,
    minutes: int = 20,
    *,
    resources: tuple[str, ...] = ("navigator-1",),
    capacity: int = 1,
    token: str = "t",
    service: str = "info-call",
) -> NewBooking:
    end = start + dt.timedelta(minutes=minutes)
    return NewBooking(
        clinic_id="draper",
        service_id=service,
        start=start,
        end=end,
        hold=Interval(start, end),
        resources=resources,
        capacity=capacity,
        token_hash=token * 64 if len(token) == 1 else token,
        name="Test Person",
        email="test@example.com",
        phone=None,
        note=None,
    )


def test_booking_round_trips_with_utc_times(storage: Storage) -> None:
    record = storage.create(new(at(9, 10)), now=NOW)
    assert record.status == "confirmed" and record.sequence == 0
    assert record.start == at(9, 10) and record.start.tzinfo == dt.UTC
    assert storage.by_token_hash("t" * 64) == record


def test_overlapping_hold_on_the_same_resource_is_refused(storage: Storage) -> None:
    storage.create(new(at(9, 10)), now=NOW)
    with pytest.raises(HoldConflictError):
        storage.create(new(at(9, 10, 10), token="u"), now=NOW)
    assert len(storage.all_holds()) == 1


def test_adjacent_holds_and_other_resources_are_fine(storage: Storage) -> None:
    storage.create(new(at(9, 10)), now=NOW)
    storage.create(new(at(9, 10, 20), token="u"), now=NOW)
    storage.create(new(at(9, 10), resources=("navigator-2",), token="v"), now=NOW)
    assert len(storage.all_holds()) == 3
    assert overlapping(storage.all_holds()) == []


def test_a_booking_holds_every_resource_or_none(storage: Storage) -> None:
    storage.create(new(at(9, 10), 60, resources=("room-1",)), now=NOW)
    with pytest.raises(HoldConflictError):
        storage.create(new(at(9, 10), 60, resources=("therapist-1", "room-1"), token="u"), now=NOW)
    assert [hold[1] for hold in storage.all_holds()] == ["room-1"]


def test_trigger_or_constraint_refuses_raw_sql_too(storage: Storage) -> None:
    storage.create(new(at(9, 10)), now=NOW)
    with storage.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE resource_holds SET start_utc = start_utc, resource_id = 'navigator-1'")
        )
    with pytest.raises(sa.exc.IntegrityError), storage.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO resource_holds (clinic_id, resource_id, start_utc, end_utc, "
                "booking_id) SELECT clinic_id, resource_id, start_utc, end_utc, booking_id "
                "FROM resource_holds"
            )
        )


def test_group_session_shares_holds_and_stops_at_capacity(storage: Storage) -> None:
    group = {"resources": ("therapist-1", "group-room"), "capacity": 3, "service": "group"}
    for token in "abc":
        storage.create(new(at(9, 17), 90, token=token, **group), now=NOW)  # type: ignore[arg-type]
    with pytest.raises(HoldConflictError):
        storage.create(new(at(9, 17), 90, token="d", **group), now=NOW)  # type: ignore[arg-type]
    assert len(storage.all_holds()) == 2
    busy = storage.busy("draper", at(9, 0), at(10, 0))
    key = ("group", at(9, 17).astimezone(dt.UTC))
    assert busy.group_seats[key] == 3
    assert busy.group_resources[key] == ("group-room", "therapist-1")


def test_cancel_frees_the_holds_and_bumps_the_sequence(storage: Storage) -> None:
    record = storage.create(new(at(9, 10)), now=NOW)
    cancelled = storage.cancel(record.id, now=NOW)
    assert cancelled is not None
    assert (cancelled.status, cancelled.sequence) == ("cancelled", 1)
    assert storage.all_holds() == []
    assert storage.cancel(record.id, now=NOW) is None
    storage.create(new(at(9, 10), token="u"), now=NOW)


def test_reschedule_is_atomic(storage: Storage) -> None:
    first = storage.create(new(at(9, 10)), now=NOW)
    storage.create(new(at(9, 11), token="u"), now=NOW)
    with pytest.raises(HoldConflictError):
        storage.reschedule(first.id, new(at(9, 11)), now=NOW)
    assert storage.by_id(first.id).start == at(9, 10)  # type: ignore[union-attr]
    moved = storage.reschedule(first.id, new(at(9, 12)), now=NOW)
    assert moved is not None and moved.start == at(9, 12) and moved.sequence == 1
    assert sorted(hold[2] for hold in storage.all_holds()) == [at(9, 11), at(9, 12)]


def test_purge_deletes_old_cancelled_and_past_bookings_only(storage: Storage) -> None:
    past = storage.create(new(at(1, 10)), now=NOW)
    cancelled = storage.create(new(at(20, 10), token="u"), now=NOW)
    storage.cancel(cancelled.id, now=NOW)
    upcoming = storage.create(new(at(21, 10), token="v"), now=NOW)
    later = NOW + dt.timedelta(days=2)
    day = dt.timedelta(days=1)
    assert storage.purge(later - day, now=later, idempotency_before=later) == 2
    assert storage.by_id(past.id) is None and storage.by_id(cancelled.id) is None
    assert storage.by_id(upcoming.id) is not None


def test_purge_drops_client_records_left_with_nothing_and_expired_referrals(
    storage: Storage,
) -> None:
    from kat_widgets.booking.care import Referral

    gone, kept, referred = "a" * 32, "b" * 32, "c" * 32
    storage.create(msgspec.structs.replace(new(at(1, 10)), client_id=gone), now=NOW)
    storage.create(msgspec.structs.replace(new(at(21, 10), token="u"), client_id=kept), now=NOW)
    for client, days in ((referred, 30), (gone, 1)):
        referral = Referral(
            client_id=client,
            clinic_id="draper",
            service_id="prepare-session",
            expires_at=NOW + dt.timedelta(days=days),
            created_at=NOW,
        )
        storage.clients.add_referral(client[0] * 64, referral, now=NOW)
    later = NOW + dt.timedelta(days=3)
    assert storage.purge(later, now=later, idempotency_before=later) == 1
    with storage.engine.connect() as conn:
        clients = {row[0] for row in conn.execute(sa.text("SELECT id FROM clients"))}
        referrals = {row[0] for row in conn.execute(sa.text("SELECT client_id FROM referrals"))}
    # a client keeps its record while it has a booking or a referral still to use
    assert clients == {kept} and referrals == {referred}
    assert [entry.service_id for entry in storage.clients.history(kept)] == ["info-call"]


def test_purge_refuses_a_cut_off_later_than_now(storage: Storage) -> None:
    upcoming = storage.create(new(at(21, 10)), now=NOW)
    ahead = NOW + dt.timedelta(days=30)
    with pytest.raises(ValidationError, match="already past"):
        storage.purge(ahead, now=NOW, idempotency_before=NOW)
    assert storage.by_id(upcoming.id) is not None


def test_migrate_twice_is_a_no_op(storage: Storage) -> None:
    storage.migrate()
    storage.ping()


def test_the_quick_head_check_agrees_with_alembic(storage: Storage) -> None:
    """migrate() skips Alembic when the schema is at the head read from the file names."""
    from alembic.script import ScriptDirectory

    from kat_widgets.booking.storage import migrate

    script = ScriptDirectory.from_config(migrate._config())
    assert migrate.head_revision() == script.get_current_head()
    revisions = [r.revision for r in script.walk_revisions()]
    assert revisions == sorted(revisions, reverse=True)  # NNNN, each revising the one before
    with storage.engine.connect() as conn:
        assert migrate.at_head(conn)
    _alembic(storage, "downgrade", "0006")
    with storage.engine.connect() as conn:
        assert not migrate.at_head(conn)
    storage.migrate()
    assert storage.schema_is_current()


def test_schema_version_is_reported(database_url: str) -> None:
    fresh = Storage(database_url)
    try:
        assert not fresh.schema_is_current()
        fresh.migrate()
        assert fresh.schema_is_current()
    finally:
        fresh.dispose()


def _alembic(storage: Storage, command_name: str, revision: str) -> None:
    from kat_widgets.booking.storage import migrate

    assert command_name == "downgrade"
    with storage.engine.begin() as conn:
        migrate.downgrade(conn, revision)


def test_down_to_0001_and_up_again_keeps_bookings_holds_and_keys(storage: Storage) -> None:
    """Revision 0002 (calendar keys) goes down and up again with rows in every table."""
    from kat_widgets.booking.models import IdempotencyRecord

    key = IdempotencyRecord(key_hash="k" * 64, request_hash="r" * 64, sealed_token="s" * 64)
    first = storage.create(new(at(9, 10)), now=NOW, idempotency=key)
    second = storage.create(
        msgspec.structs.replace(new(at(9, 13), token="u"), calendar_hash="c" * 64), now=NOW
    )
    _alembic(storage, "downgrade", "0001")
    assert not storage.schema_is_current()
    with storage.engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("bookings")}
    assert "calendar_hash" not in columns
    assert len(storage.all_holds()) == 2  # a table rebuild would have cascaded them away
    storage.migrate()
    assert storage.schema_is_current()
    assert storage.by_id(first.id) is not None and storage.by_id(second.id) is not None
    assert storage.by_id(second.id).calendar_hash is None  # type: ignore[union-attr]
    assert storage.idempotent("k" * 64) is not None
    assert len(storage.all_holds()) == 2
    with pytest.raises(HoldConflictError):  # the overlap guarantee survived both ways
        storage.create(new(at(9, 10), token="v"), now=NOW)
    twin = storage.create(new(at(9, 15), token="w"), now=NOW)
    assert twin.calendar_hash is None  # several NULLs do not clash in the unique index


def _commit_setting(store: Storage) -> str:
    query = "PRAGMA synchronous" if store.dialect == "sqlite" else "SHOW synchronous_commit"
    with store.engine.connect() as conn:
        return str(conn.exec_driver_sql(query).scalar())


def test_bookings_wait_for_the_disk_and_only_a_delivery_store_does_not(database_url: str) -> None:
    """Booking stores commit durably (SQLite FULL, PostgreSQL's synchronous commit on); the
    worker's store (``durable_commits=False``) only marks messages and may lose a last mark."""
    durable, relaxed = Storage(database_url), Storage(database_url, durable_commits=False)
    try:
        if durable.dialect == "sqlite":
            assert (_commit_setting(durable), _commit_setting(relaxed)) == (
                "2",
                "1",
            )  # FULL, NORMAL
        else:
            assert _commit_setting(durable) != "off"
            assert _commit_setting(relaxed) == "off"
    finally:
        durable.dispose()
        relaxed.dispose()


def test_purge_drops_waitlist_places_that_ended(storage: Storage) -> None:
    from kat_widgets.booking.waitlist_models import WaitlistEntry

    for number, days in enumerate((1, 60)):
        storage.waitlist.add(
            WaitlistEntry(
                id=f"{number}" * 32,
                token_hash=f"{number}" * 64,
                clinic_id="draper",
                service_id="info-call",
                email="wait@example.com",
                phone=None,
                language="en",
                earliest=None,
                latest=None,
                days=("mon",),
                status="waiting",
                created_at=NOW,
                expires_at=NOW + dt.timedelta(days=days),
            )
        )
    later = NOW + dt.timedelta(days=3)
    storage.purge(later, now=later, idempotency_before=later)
    assert storage.waitlist.by_id("0" * 32) is None
    kept = storage.waitlist.by_id("1" * 32)
    assert kept is not None and kept.days == ("mon",) and kept.status == "waiting"
