"""The booking store's shared SQL (SQLAlchemy Core) and its contract with each database.

:class:`Storage` holds every query; a backend per dialect (``sqlite``, ``postgresql``) adds how
that database makes an engine, takes locks and names its refusals (SQLSTATE codes, SQLite
extended result codes; never message text). ``Storage(url)`` opens the backend the URL names, as
Radicale picks its storage plugin by configuration. Overlapping holds are refused by the
database itself (exclusion constraint / trigger); the store only turns that refusal into
:class:`~kat_widgets.errors.HoldConflictError`, and outages into
:class:`~kat_widgets.errors.StorageUnavailableError`.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from kat_widgets.booking.care import PathwayCheck
from kat_widgets.booking.models import BookingRecord, IdempotencyRecord, NewBooking, Outgoing
from kat_widgets.booking.schema import bookings, idempotency_keys, resource_holds
from kat_widgets.booking.storage.clients import ClientStore, check_client
from kat_widgets.booking.storage.migrate import at_head, is_current, upgrade
from kat_widgets.booking.storage.outbox import OutboxStore
from kat_widgets.booking.storage.records import booking_values, record
from kat_widgets.booking.storage.schedule import quick_version, read_busy, read_held, read_version
from kat_widgets.booking.storage.staff import StaffStore, write_audit
from kat_widgets.booking.storage.steps import (
    acquire,
    by_id,
    claim_day,
    delete_past,
    free_confirmed,
    idempotent,
    skip_reminders,
    write_outbox,
)
from kat_widgets.booking.storage.urls import database_url, dialect_of
from kat_widgets.booking.storage.waitlist import WaitlistStore
from kat_widgets.errors import (
    ConfigurationError,
    HoldConflictError,
    IdempotencyConflictError,
    StorageUnavailableError,
    ValidationError,
)
from kat_widgets.scheduling.types import BusyTimes

__all__ = ["Storage"]

log = logging.getLogger("kat_widgets.booking.storage")


class Storage:
    """Bookings on one database. Methods are synchronous and each runs in one transaction.

    ``Storage(url)`` returns the backend for the URL's dialect; backends subclass this with
    ``dialect="..."`` and fill in the hooks below.
    """

    dialect: ClassVar[str] = ""
    _backends: ClassVar[dict[str, type[Storage]]] = {}

    def __init_subclass__(cls, *, dialect: str, **options: Any) -> None:
        super().__init_subclass__(**options)
        cls.dialect = dialect
        Storage._backends[dialect] = cls

    def __new__(cls, url: str, *, durable_commits: bool = True) -> Storage:
        if cls is Storage:
            name = dialect_of(database_url(url))
            if name not in Storage._backends:
                raise ConfigurationError(
                    f"database_url: {name!r} is not supported; use sqlite or postgresql"
                )
            cls = Storage._backends[name]
        return super().__new__(cls)

    def __init__(self, url: str, *, durable_commits: bool = True) -> None:
        self.url = database_url(url)
        self.durable_commits = durable_commits
        """``False``: a commit may be lost to a crash of the machine (never half-written).
        Only for a delivery process, whose writes mark messages claimed or sent: a lost mark
        means the message goes again with the same id, which at-least-once delivery allows.
        Bookings are always written by stores with durable commits."""
        self.engine = self._create_engine(self.url)
        self.outbox = OutboxStore(self._tx)
        """The messages booking changes owe (written by this store's transactions)."""
        self.staff = StaffStore(self._tx)
        self.clients = ClientStore(self._tx)
        self.waitlist = WaitlistStore(self._tx, self._for_update)

    def dispose(self) -> None:
        self.engine.dispose()

    # -- what each backend says about its database ----------------------------------------

    def _create_engine(self, url: str) -> Engine:
        """An engine with the settings the guarantee relies on (isolation, timeouts, pool)."""
        raise NotImplementedError

    def _reading(self, conn: Connection) -> Connection:
        """``conn`` set up for a transaction that only reads."""
        return conn

    def _lock_migrations(self, conn: Connection) -> None:
        """Make concurrent ``migrate()`` calls (several workers starting) take turns."""

    def _lock_day(self, conn: Connection, new: NewBooking) -> None:
        """Make writers of one (clinic, service, local day) take turns, for the daily cap."""

    def _for_update(self, query: sa.Select[Any]) -> sa.Select[Any]:
        """``query`` locking the rows it reads until the transaction ends."""
        return query

    def _insert_new(self, table: sa.Table) -> Any:
        """An INSERT into ``table`` that skips a row whose unique key exists."""
        raise NotImplementedError

    def _refused(self, error: BaseException | None) -> bool:
        """The database refused the holds: overlap, a full group, a session gone meanwhile."""
        raise NotImplementedError

    def _retryable(self, error: BaseException | None) -> bool:
        """A concurrency failure (deadlock, serialisation) that a fresh attempt can pass."""
        return False

    # -- transactions ---------------------------------------------------------------------

    @contextmanager
    def _tx(self, *, write: bool = True) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                conn = conn if write else self._reading(conn)
                with conn.begin():
                    yield conn
        except IntegrityError as exc:
            if self._refused(exc.orig):
                raise HoldConflictError("the database refused the holds") from None
            raise
        except DBAPIError as exc:
            if self._retryable(exc.orig):
                raise HoldConflictError("concurrent writers; try again") from None
            log.warning("booking database error: %s", type(exc.orig).__name__)
            raise StorageUnavailableError("The booking database is not reachable.") from None
        except SQLAlchemyError as exc:
            log.warning("booking database error: %s", type(exc).__name__)
            raise StorageUnavailableError("The booking database is not reachable.") from None

    # -- schema -------------------------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema to the newest revision; safe to run from several processes at once."""
        with self._tx() as conn:
            if at_head(conn):  # the usual case once one process has migrated
                return
            self._lock_migrations(conn)
            upgrade(conn)

    def schema_is_current(self) -> bool:
        """Whether ``kat-widgets db upgrade`` has brought the schema to the newest revision."""
        with self._tx(write=False) as conn:
            return is_current(conn)

    def ping(self) -> None:
        """One ``SELECT 1`` round trip (health checks and the benchmark baseline)."""
        with self._tx(write=False) as conn:
            conn.execute(sa.text("SELECT 1"))

    # -- reads --------------------------------------------------------------------------------

    def busy(
        self,
        clinic_id: str,
        start: dt.datetime,
        end: dt.datetime,
        *,
        zone: dt.tzinfo = dt.UTC,
        exclude_booking: str | None = None,
    ) -> BusyTimes:
        """What bookings hold at a clinic in ``[start, end)``, in the engine's terms.

        Held spans per resource, seats and resources per group session, and bookings per
        (service, local date in ``zone``) for daily caps. ``exclude_booking``'s own holds and
        its place in the daily count are left out (a booking being moved does not block itself).
        """
        with self._tx(write=False) as conn:
            return read_busy(
                conn, clinic_id, start, end, zone=zone, exclude_booking=exclude_booking
            )

    def schedule_version(self, clinic_id: str) -> int:
        """A number that changes whenever what :meth:`busy` reads for the clinic changes (bumped
        in the changing transaction); read by :func:`quick_version` (~20 us, not ~400)."""
        try:
            version = quick_version(self.engine, clinic_id)
        except (SQLAlchemyError, self.engine.dialect.loaded_dbapi.Error) as exc:
            log.warning("booking database error: %s", type(exc).__name__)
            raise StorageUnavailableError("The booking database is not reachable.") from None
        if version is None:  # a driver of another parameter style: the ordinary way
            with self._tx(write=False) as conn:
                return read_version(conn, clinic_id)
        return version

    def by_token_hash(self, token_hash: str) -> BookingRecord | None:
        return self._one(bookings.c.token_hash == token_hash)

    def by_calendar_hash(self, calendar_hash: str) -> BookingRecord | None:
        return self._one(bookings.c.calendar_hash == calendar_hash)

    def set_calendar_hash(self, booking_id: str, calendar_hash: str) -> BookingRecord | None:
        """Give a booking made before calendar keys its key's hash (never replaces one)."""
        with self._tx() as conn:
            conn.execute(
                sa.update(bookings)
                .where(bookings.c.id == booking_id, bookings.c.calendar_hash.is_(None))
                .values(calendar_hash=calendar_hash)
            )
            return by_id(conn, booking_id)

    def _one(self, condition: sa.ColumnElement[bool]) -> BookingRecord | None:
        """The booking matching a unique ``condition``, or ``None``."""
        with self._tx(write=False) as conn:
            row = conn.execute(sa.select(bookings).where(condition)).one_or_none()
        return None if row is None else record(row)

    def by_id(self, booking_id: str) -> BookingRecord | None:
        with self._tx(write=False) as conn:
            return by_id(conn, booking_id)

    def held_token(self, booking_id: str) -> str | None:
        """A held booking's sealed manage token (see ``tokens.seal_held``), if it has one."""
        with self._tx(write=False) as conn:
            return conn.execute(
                sa.select(bookings.c.held_token).where(bookings.c.id == booking_id)
            ).scalar_one_or_none()

    def idempotent(self, key_hash: str) -> tuple[IdempotencyRecord, BookingRecord] | None:
        """The booking an earlier POST with this key created, if any."""
        with self._tx(write=False) as conn:
            return idempotent(conn, key_hash)

    def between(self, start: dt.datetime, end: dt.datetime) -> list[BookingRecord]:
        """Confirmed bookings starting in ``[start, end)`` (the staff feed)."""
        c = bookings.c
        with self._tx(write=False) as conn:
            rows = conn.execute(
                sa.select(bookings)
                .where(c.status == "confirmed", c.start_utc >= start, c.start_utc < end)
                .order_by(c.start_utc)
            )
            return [record(row) for row in rows]

    def held_between(
        self, start: dt.datetime, end: dt.datetime
    ) -> list[tuple[BookingRecord, tuple[str, ...]]]:
        """:meth:`between` with the staff and room ids each booking holds (staff feeds)."""
        with self._tx(write=False) as conn:
            return read_held(conn, start, end)

    def all_holds(self) -> list[tuple[str, str, dt.datetime, dt.datetime]]:
        """Every hold as (clinic, resource, start, end); for checks and tests."""
        h = resource_holds.c
        with self._tx(write=False) as conn:
            rows = conn.execute(sa.select(h.clinic_id, h.resource_id, h.start_utc, h.end_utc))
            return [(r[0], r[1], r[2], r[3]) for r in rows]

    # -- writes -------------------------------------------------------------------------------

    def create(
        self,
        new: NewBooking,
        *,
        now: dt.datetime,
        idempotency: IdempotencyRecord | None = None,
        messages: Sequence[Outgoing] = (),
        staff_key: str | None = None,
        pathway: PathwayCheck | None = None,
        also: Callable[[Connection, str], None] | None = None,
    ) -> BookingRecord:
        """Insert a booking with its holds and the ``messages`` it owes (and, when staff book,
        the audit line of ``staff_key``) in one transaction.

        With ``new.client_id``, the client's record is held first and ``pathway`` is run on
        the client's history inside the transaction (its refusal rolls everything back);
        ``also(conn, booking id)`` runs last, in the same transaction (a waitlist offer).
        Raises :class:`HoldConflictError` when the database refuses the holds, and
        :class:`IdempotencyConflictError` when a concurrent request stored the same key first.
        """
        booking_id = uuid.uuid4().hex
        with self._tx() as conn:
            check_client(conn, new, pathway, self._insert_new, self._for_update, now=now)
            conn.execute(sa.insert(bookings).values(booking_values(booking_id, new, now=now)))
            claim_day(conn, booking_id, new, lock_day=self._lock_day)
            acquire(conn, booking_id, new, for_update=self._for_update, insert_new=self._insert_new)
            if idempotency is not None:
                try:
                    conn.execute(
                        sa.insert(idempotency_keys).values(
                            key_hash=idempotency.key_hash,
                            request_hash=idempotency.request_hash,
                            booking_id=booking_id,
                            sealed_token=idempotency.sealed_token,
                            created_at=now,
                        )
                    )
                except IntegrityError:  # only its key can clash: the booking row is brand new
                    raise IdempotencyConflictError("idempotency key already used") from None
            write_outbox(conn, booking_id, messages, now=now)
            if staff_key is not None:
                write_audit(conn, staff_key, "bookings.book", now, booking_id, new.clinic_id)
            if also is not None:
                also(conn, booking_id)
            record = by_id(conn, booking_id)
        assert record is not None
        return record

    def cancel(
        self,
        booking_id: str,
        *,
        now: dt.datetime,
        messages: Sequence[Outgoing] = (),
        staff_key: str | None = None,
        decline: bool = False,
    ) -> BookingRecord | None:
        """Cancel a confirmed booking, free its holds, drop its reminders and queue ``messages``
        (and, when staff cancel, the audit line of ``staff_key``) in one transaction; ``None``
        (nothing changed) if it was not confirmed. ``decline``: only a requested one."""
        done: dict[str, Any] = {"status": "cancelled", "requested": decline, "held_token": None}
        done.update({"approval": "declined"} if decline else {})
        with self._tx() as conn:
            if not free_confirmed(conn, booking_id, now=now, for_update=self._for_update, **done):
                return None
            skip_reminders(conn, booking_id)
            write_outbox(conn, booking_id, messages, now=now)
            cancelled = by_id(conn, booking_id)
            if staff_key is not None and cancelled is not None:
                action = "bookings.decline" if decline else "bookings.cancel"
                write_audit(conn, staff_key, action, now, booking_id, cancelled.clinic_id)
            return cancelled

    def reschedule(
        self,
        booking_id: str,
        new: NewBooking,
        *,
        now: dt.datetime,
        sequence: int | None = None,
        messages: Sequence[Outgoing] = (),
        pathway: PathwayCheck | None = None,
    ) -> BookingRecord | None:
        """Move a confirmed booking to ``new``'s slot atomically (old holds freed, new ones
        taken, old reminders dropped, ``messages`` queued).

        ``None`` if the booking is not confirmed; :class:`HoldConflictError` if the new slot is
        taken (the booking then stays where it was); :class:`StaleChangeError` when
        ``sequence`` is given and the booking changed since (a change from another tab).
        ``pathway`` is checked as in :meth:`create`, the booking's own old time left out.
        """
        with self._tx() as conn:
            lock = (self._insert_new, self._for_update)
            check_client(conn, new, pathway, *lock, now=now, moving=booking_id)
            moved: dict[str, Any] = {"start_utc": new.start, "end_utc": new.end}
            if not free_confirmed(
                conn, booking_id, now=now, for_update=self._for_update, sequence=sequence, **moved
            ):
                return None
            claim_day(conn, booking_id, new, lock_day=self._lock_day)
            acquire(conn, booking_id, new, for_update=self._for_update, insert_new=self._insert_new)
            skip_reminders(conn, booking_id)
            write_outbox(conn, booking_id, messages, now=now)
            return by_id(conn, booking_id)

    def purge(
        self,
        before: dt.datetime,
        *,
        now: dt.datetime,
        idempotency_before: dt.datetime,
        dry_run: bool = False,
    ) -> int:
        """Delete bookings cancelled or ended before ``before``; returns how many.

        ``before`` may not be later than ``now``: a booking still ahead is never purged, whatever
        the caller computed. ``dry_run`` counts without deleting anything.
        """
        if before > now or idempotency_before > now:
            raise ValidationError(
                "purge only deletes what is already past: 'before' is later than now",
                field="before",
            )
        with self._tx(write=not dry_run) as conn:
            return delete_past(conn, before, idempotency_before, dry_run=dry_run)
