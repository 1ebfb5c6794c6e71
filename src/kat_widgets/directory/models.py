"""The clinic directory as msgspec Structs: clinics, services, staff, rooms."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import msgspec

from kat_widgets.directory.intake import Question
from kat_widgets.structs import Base, Line, OptionalLine, Slug

__all__ = [
    "Address",
    "Base",
    "BookingPolicy",
    "Clinic",
    "Closure",
    "Coordinates",
    "DateException",
    "DirectoryData",
    "HoursRule",
    "Organization",
    "PathwayRules",
    "Precision",
    "Role",
    "Room",
    "Service",
    "Slug",
    "Staff",
    "Step",
    "Weekday",
]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Precision = Literal["rooftop", "rooftop-estimate", "address", "street", "zip", "city"]
Step = Literal["info", "connect", "prepare", "experience", "integrate", "reconnect"]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
Minutes = Annotated[int, msgspec.Meta(ge=0, le=24 * 60)]
EmailAddress = Annotated[str, msgspec.Meta(pattern=r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")]


class Coordinates(Base, kw_only=True, frozen=True):
    """A point, with how it was obtained so a geocoder can refine estimates later."""

    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]
    precision: Precision = "rooftop-estimate"
    source: str = "estimate"


class Address(Base, kw_only=True, frozen=True):
    """A postal address; ``unit`` is the suite, kept apart for geocoding."""

    street: Line
    unit: OptionalLine = ""
    city: Line
    region: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$")]
    postal_code: Annotated[str, msgspec.Meta(pattern=r"^\d{5}(-\d{4})?$")]
    country: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$")] = "US"

    @property
    def street_line(self) -> str:
        return f"{self.street} {self.unit}".strip() if self.unit else self.street

    @property
    def one_line(self) -> str:
        """``721 E 12200 S, Draper, UT 84020``: the form printed on the clinic page."""
        return f"{self.street_line}, {self.city}, {self.region} {self.postal_code}"


class HoursRule(Base, kw_only=True, frozen=True):
    """Weekly opening hours in the clinic's own timezone, e.g. Mon-Fri 08:00-18:00."""

    days: Annotated[tuple[Weekday, ...], msgspec.Meta(min_length=1)]
    opens: dt.time
    closes: dt.time


class DateException(Base, kw_only=True, frozen=True):
    """A dated change to the weekly hours: a closure (holiday) or different hours."""

    date: dt.date
    closed: bool = False
    opens: dt.time | None = None
    closes: dt.time | None = None
    note: str = ""


class Closure(Base, kw_only=True, frozen=True):
    """Closed from ``start`` to ``end``, both days included (a week of leave, a move)."""

    start: dt.date
    end: dt.date
    note: str = ""


class BookingPolicy(Base, kw_only=True, frozen=True):
    """When a service may be booked: notice, how far ahead, the slot grid and a daily cap."""

    min_notice_minutes: Annotated[int, msgspec.Meta(ge=0, le=60 * 24 * 60)] = 120
    """No slot starts sooner than this after "now"."""
    horizon_days: Annotated[int, msgspec.Meta(ge=1, le=730)] = 90
    """No slot starts later than this many days after "now"."""
    step_minutes: Annotated[int, msgspec.Meta(ge=5, le=12 * 60)] = 30
    """Candidate starts are opening time + k * step, in local wall-clock time."""
    max_per_day: Annotated[int, msgspec.Meta(ge=1)] | None = None
    """At most this many bookings of the service per clinic and local day (None: no cap)."""
    cancel_cutoff_hours: Annotated[int, msgspec.Meta(ge=0, le=24 * 14)] | None = None
    """Online cancel and move close this many hours before the visit (None: the site's
    ``cancel_cutoff_hours``, 24 by default); e.g. 72 for a care session a team prepares for."""


class PathwayRules(Base, kw_only=True, frozen=True):
    """Care-pathway rules checked when a known client books (see ``scheduling.check_pathway``)."""

    requires_completed: tuple[Slug, ...] = ()
    """Service ids the client must each have completed before this one."""
    min_days_between_same_step: Annotated[int, msgspec.Meta(ge=0)] | None = None
    """At least this many days between two (non-cancelled) sessions of the same step."""
    offered_within_days_after: Annotated[int, msgspec.Meta(ge=0)] | None = None
    """Only within this many days after a (non-cancelled) session of ``after_step``."""
    after_step: Step | None = None
    """The step ``offered_within_days_after`` counts from (e.g. ``experience``)."""


class Role(Base, kw_only=True, frozen=True):
    """A kind of staff member a service may need (health navigator, therapist, ...)."""

    id: Slug
    name: Line


class Service(Base, kw_only=True, frozen=True):
    """Something a visitor can book; which roles and rooms it holds for how long."""

    id: Slug
    name: Line
    step: Step
    summary: Text
    duration_minutes: Annotated[int, msgspec.Meta(gt=0, le=12 * 60)]
    mode: Literal["in-person", "phone-video"] = "in-person"
    roles: Annotated[tuple[Slug, ...], msgspec.Meta(min_length=1)]
    room_kinds: tuple[Slug, ...] = ()
    capacity: Annotated[int, msgspec.Meta(ge=1, le=100)] = 1
    public: bool = False
    free: bool = False
    price_usd: Annotated[int, msgspec.Meta(ge=0)] | None = None
    route: Literal["im", "oral", "iv"] | None = None
    buffer_before_minutes: Minutes = 0
    buffer_after_minutes: Minutes = 0
    policy: BookingPolicy = msgspec.field(default_factory=BookingPolicy)
    """Notice, horizon, slot step and daily cap; defaults suit most services."""
    pathway: PathwayRules = msgspec.field(default_factory=PathwayRules)
    """Care-pathway rules for known clients; none by default."""
    requires_approval: bool = False
    """A visitor's booking is held as ``requested`` (its time kept for them) until staff
    approve or decline it; staff booking on behalf confirm it at once."""
    questions: tuple[Question, ...] = ()
    """Intake questions asked when it is booked (see :mod:`kat_widgets.directory.intake`)."""


class Staff(Base, kw_only=True, frozen=True):
    """A staff member at one clinic; ``sample`` marks demo data that is not a real person."""

    id: Slug
    name: Line
    roles: Annotated[tuple[Slug, ...], msgspec.Meta(min_length=1)]
    sample: bool = False
    calendar_email: EmailAddress | None = None
    """Their address in the calendar ``busy_calendars`` reads: an invitation they declined
    there (``ATTENDEE;PARTSTAT=DECLINED``) leaves their time free. Never shown."""
    hours: tuple[HoursRule, ...] = ()
    """Own weekly hours (within the clinic's); empty means the clinic's hours."""
    exceptions: tuple[DateException, ...] = ()
    """Own dated changes (leave, extra hours), applied after the clinic's."""


class Room(Base, kw_only=True, frozen=True):
    """A bookable room; ``kind`` is what services ask for (``treatment``, ``group``). A room
    shared with others can have busy calendars too (``busy_calendars`` in the settings)."""

    id: Slug
    name: Line
    kind: Slug
    capacity: Annotated[int, msgspec.Meta(ge=1, le=100)] = 1
    sample: bool = False
    hours: tuple[HoursRule, ...] = ()
    """Own weekly hours (within the clinic's); empty means the clinic's hours."""
    exceptions: tuple[DateException, ...] = ()
    """Own dated changes (maintenance, extra hours), applied after the clinic's."""


class Clinic(Base, kw_only=True, frozen=True):
    """One clinic: where it is, when it is open, what it offers and with whom."""

    id: Slug
    name: Line
    address: Address
    phone: Annotated[str, msgspec.Meta(pattern=r"^\+?[0-9][0-9 ().-]{6,20}$")]
    coordinates: Coordinates
    timezone: str
    hours: tuple[HoursRule, ...]
    exceptions: tuple[DateException, ...] = ()
    """Dated changes; they win over ``holidays`` and ``closures`` on the same day."""
    holidays: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")] | None = None
    """Closed on the public holidays of a country, or of one of its states: ``"US"``,
    ``"US-UT"`` (the ``holidays`` package's calendars, observed days included)."""
    closures: tuple[Closure, ...] = ()
    services: Annotated[tuple[Slug, ...], msgspec.Meta(min_length=1)]
    staff: tuple[Staff, ...] = ()
    rooms: tuple[Room, ...] = ()
    notify_emails: Annotated[tuple[EmailAddress, ...], msgspec.Meta(max_length=10)] = ()
    """Staff mailboxes told of every booking, change and cancellation (discreet emails)."""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Organization(Base, kw_only=True, frozen=True):
    """Who runs the clinics, and the words every page about treatment must carry."""

    name: Line
    phone: Annotated[str, msgspec.Meta(pattern=r"^\+?[0-9][0-9 ().-]{6,20}$")]
    phone_display: OptionalLine = ""
    website: str = ""
    regulatory_note: Text

    def phone_label(self, number: str) -> str:
        """How to show ``number``: ``phone_display`` when it is our own number, else as is."""
        return self.phone_display if self.phone_display and number == self.phone else number


class DirectoryData(Base, kw_only=True, frozen=True):
    """The whole directory file as decoded, before cross-checks."""

    organization: Organization
    roles: Annotated[tuple[Role, ...], msgspec.Meta(min_length=1)]
    services: Annotated[tuple[Service, ...], msgspec.Meta(min_length=1)]
    clinics: Annotated[tuple[Clinic, ...], msgspec.Meta(min_length=1)]
