"""Staff calendar feeds: every booking, or one clinic's, one staff member's or one room's.

``/calendars/staff/{staff_feed_token}.ics`` is everything. Each clinic, staff member and room
has its own address too, ``/calendars/staff/{key}.ics``, whose key is
:func:`~kat_widgets.booking.tokens.staff_feed_key`: an HMAC of the token and the feed's scope
under ``secret_key``. So a practitioner is given their own feed, not the secret that opens every
clinic's; the address names no id; and changing ``staff_feed_token`` changes every address.
Without a token, every feed is off. A wrong key, an unknown one and a feed that is off all give
the same :class:`NotFoundError`: nothing to learn about which ids exist.

A feed holds the confirmed bookings (waiting requests too, shown as TENTATIVE) from
``STAFF_FEED_PAST`` ago to ``STAFF_FEED_AHEAD``; a practitioner's or room's only those holding
that staff member or room. Each booking comes with the names of the staff and rooms it holds,
as the directory names them (the events' RESOURCES).
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import msgspec

from kat_widgets.booking.models import BookingRecord
from kat_widgets.booking.tokens import staff_feed_key
from kat_widgets.config import BookingConfig
from kat_widgets.directory import Clinic, Directory
from kat_widgets.errors import NotFoundError

if TYPE_CHECKING:
    from kat_widgets.booking.storage import Storage

__all__ = [
    "NO_SUCH_FEED",
    "STAFF_FEED_AHEAD",
    "STAFF_FEED_PAST",
    "FeedScope",
    "StaffFeed",
    "StaffFeeds",
    "feed_scopes",
]

STAFF_FEED_PAST = dt.timedelta(days=7)
STAFF_FEED_AHEAD = dt.timedelta(days=120)
NO_SUCH_FEED = "No such calendar."
"""Every refusal's words, whatever was wrong."""

FeedKind = Literal["all", "clinic", "staff", "room"]


class FeedScope(msgspec.Struct, frozen=True, kw_only=True):
    """Which bookings a feed holds, and its calendar name (NAME, X-WR-CALNAME)."""

    kind: FeedKind
    name: str
    clinic_id: str | None = None
    resource_id: str | None = None
    """The staff member's or room's id (kinds ``staff`` and ``room``)."""

    @property
    def scope(self) -> str:
        """What its key is derived from: ``staff\\x00draper\\x00draper-navigator``."""
        return "\x00".join(part for part in (self.kind, self.clinic_id, self.resource_id) if part)


class StaffFeed(msgspec.Struct, frozen=True, kw_only=True):
    """What a feed address opens: its scope, its bookings (by start) and, by booking id, the
    names of the staff and rooms each holds."""

    scope: FeedScope
    records: tuple[BookingRecord, ...]
    resources: dict[str, tuple[str, ...]]


def _roles(directory: Directory, roles: tuple[str, ...]) -> str:
    known = directory.roles
    return ", ".join(known[role].name.lower() if role in known else role for role in roles)


def feed_scopes(directory: Directory) -> list[FeedScope]:
    """Every feed but the whole one: per clinic, then its staff, then its rooms (directory
    order), each named by the directory's names (never a client's)."""
    scopes: list[FeedScope] = []
    for clinic in directory.clinics:
        scopes.append(
            FeedScope(kind="clinic", clinic_id=clinic.id, name=f"{clinic.name}: booked visits")
        )
        for member in clinic.staff:
            name = f"{clinic.name}: {member.name} ({_roles(directory, member.roles)}) bookings"
            scopes.append(
                FeedScope(kind="staff", clinic_id=clinic.id, resource_id=member.id, name=name)
            )
        for room in clinic.rooms:
            name = f"{clinic.name}: {room.name} bookings"
            scopes.append(
                FeedScope(kind="room", clinic_id=clinic.id, resource_id=room.id, name=name)
            )
    return scopes


def _names(clinic: Clinic) -> dict[str, str]:
    """Resource id -> its name: staff first, then rooms (the order RESOURCES lists them)."""
    return {member.id: member.name for member in clinic.staff} | {
        room.id: room.name for room in clinic.rooms
    }


class StaffFeeds:
    """Opening a feed address, and listing every address (``kat-widgets calendars
    staff-feeds``)."""

    def __init__(
        self,
        directory: Directory,
        storage: Storage,
        config: BookingConfig,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.directory = directory
        self.storage = storage
        self.config = config
        self.clock = clock

    @property
    def enabled(self) -> bool:
        """Feeds are on when ``staff_feed_token`` is set."""
        return bool(self.config.staff_feed_token)

    @cached_property
    def whole(self) -> FeedScope:
        return FeedScope(kind="all", name=f"{self.directory.organization.name}: booked visits")

    @cached_property
    def _keyed(self) -> list[tuple[FeedScope, str]]:
        secret, token = self.config.secret_key, self.config.staff_feed_token
        return [
            (scope, staff_feed_key(secret, token, scope.scope))
            for scope in feed_scopes(self.directory)
        ]

    def links(self) -> list[tuple[FeedScope, str]]:
        """Every feed with the key of its address: the whole one (the token) first. Empty when
        feeds are off."""
        if not self.enabled:
            return []
        return [(self.whole, self.config.staff_feed_token), *self._keyed]

    def scope_of(self, key: str) -> FeedScope:
        """The feed ``key`` opens; :class:`NotFoundError` for any other key, or when off.
        Every key is compared (constant time each), so the answer's timing says nothing of
        which feed came close."""
        if not self.enabled:
            raise NotFoundError(NO_SUCH_FEED)
        given = key.encode()
        found = None
        if hmac.compare_digest(given, self.config.staff_feed_token.encode()):
            found = self.whole
        for scope, expected in self._keyed:
            if hmac.compare_digest(given, expected.encode()) and found is None:
                found = scope
        if found is None:
            raise NotFoundError(NO_SUCH_FEED)
        return found

    def open(self, key: str) -> StaffFeed:
        """The bookings of the feed ``key`` opens, with who and what each holds."""
        scope = self.scope_of(key)
        now = self.clock()
        held = self.storage.held_between(now - STAFF_FEED_PAST, now + STAFF_FEED_AHEAD)
        names: dict[str, dict[str, str]] = {}
        records: list[BookingRecord] = []
        resources: dict[str, tuple[str, ...]] = {}
        for record, ids in held:
            if scope.clinic_id is not None and record.clinic_id != scope.clinic_id:
                continue
            if scope.resource_id is not None and scope.resource_id not in ids:
                continue
            if record.clinic_id not in names:
                names[record.clinic_id] = _names(self.directory.clinic(record.clinic_id))
            by_id = names[record.clinic_id]
            records.append(record)
            # in the directory's order (staff, then rooms); an id no longer listed is left out
            resources[record.id] = tuple(name for rid, name in by_id.items() if rid in ids)
        return StaffFeed(scope=scope, records=tuple(records), resources=resources)
