"""JSON shapes of the HTTP API (msgspec Structs, so OpenAPI documents them exactly)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar.openapi import ResponseSpec

from kat_widgets.directory import Address, Clinic, Coordinates, HoursRule
from kat_widgets.directory.models import Weekday
from kat_widgets.memo import IdentityMemo

__all__ = [
    "INVALID",
    "LIMITED",
    "NOT_FOUND",
    "UNAVAILABLE",
    "ClinicList",
    "ClinicOut",
    "DeliveryHealth",
    "ErrorBody",
    "Health",
    "HoursOut",
    "SlotOut",
    "SlotTakenOut",
    "clinic_out",
    "html_answers",
]

Clock = Annotated[str, msgspec.Meta(pattern=r"^[0-2][0-9]:[0-5][0-9]$", examples=["08:00"])]


class HoursOut(msgspec.Struct, kw_only=True):
    """Weekly opening hours in the clinic's timezone; times as ``HH:MM``."""

    days: list[Weekday]
    opens: Clock
    closes: Clock


class ErrorBody(msgspec.Struct, kw_only=True):
    """Every error: Litestar's shape, plus the input field to fix when there is one."""

    status_code: int
    detail: str
    field: str | None = None
    fields: dict[str, str] | None = None
    """Every invalid field with its message, when a form has several problems."""


class SlotOut(msgspec.Struct, kw_only=True):
    """One bookable time, ISO 8601 with the clinic's UTC offset."""

    start: dt.datetime
    end: dt.datetime


class SlotTakenOut(msgspec.Struct, kw_only=True):
    """409: the time was just taken; the next free times to offer instead."""

    status_code: int
    detail: str
    next_slots: list[SlotOut]


INVALID = {422: ResponseSpec(data_container=ErrorBody, description="Invalid input; see detail")}
"""For route ``responses=``: documents the 422 a domain ValidationError becomes."""

NOT_FOUND = {404: ResponseSpec(data_container=ErrorBody, description="No such clinic or service")}

UNAVAILABLE = {
    503: ResponseSpec(data_container=ErrorBody, description="Database unreachable; call the clinic")
}


def html_answers(
    *codes: int, description: str = "The widget again, with the reason"
) -> dict[int, ResponseSpec]:
    """Status codes a fragment answers with HTML (the widget explaining what to fix)."""
    return {
        code: ResponseSpec(data_container=str, media_type="text/html", description=description)
        for code in codes
    }


FRAGMENT_ERRORS = html_answers(
    404, 422, 503, description="What went wrong, in HTML in the widget's style, with the phone"
)
"""For fragment routes: their errors are HTML fragments too (``web.errors.FRAGMENT``)."""

LIMITED = {
    429: ResponseSpec(
        data_container=ErrorBody, description="Too many requests; Retry-After says when to retry"
    )
}
"""For rate-limited routes (see ``web.ratelimit.DEFAULT_LIMITS``)."""


class ClinicOut(msgspec.Struct, kw_only=True):
    """A clinic as the public sees it: no staff or room details."""

    id: str
    name: str
    address: Address
    address_line: str
    phone: str
    coordinates: Coordinates
    timezone: str
    hours: list[HoursOut]
    services: list[str]


class ClinicList(msgspec.Struct, kw_only=True):
    clinics: list[ClinicOut]


class DeliveryHealth(msgspec.Struct, kw_only=True):
    """How far message delivery is behind (the outbox)."""

    due: int
    """Messages due now and not sent yet."""
    parked: int
    """Out of attempts: see ``kat-widgets outbox list``."""
    oldest_due_seconds: float | None
    """Age of the oldest due, unsent message (``null``: nothing is late)."""


class Health(msgspec.Struct, kw_only=True, omit_defaults=True):
    status: str
    delivery: DeliveryHealth | None = None
    """With notifications on (``/readyz`` only)."""


def _clinic_out(clinic: Clinic) -> ClinicOut:
    return ClinicOut(
        id=clinic.id,
        name=clinic.name,
        address=clinic.address,
        address_line=clinic.address.one_line,
        phone=clinic.phone,
        coordinates=clinic.coordinates,
        timezone=clinic.timezone,
        hours=[hours_out(rule) for rule in clinic.hours],
        services=list(clinic.services),
    )


clinic_out = IdentityMemo(_clinic_out, size=1024)
"""A clinic as the API answers it: built once per clinic object (a directory's clinics do not
change; a reload makes new ones), not for every search (~15 us of /api/locate, #14)."""


def hours_out(rule: HoursRule) -> HoursOut:
    return HoursOut(
        days=list(rule.days),
        opens=rule.opens.strftime("%H:%M"),
        closes=rule.closes.strftime("%H:%M"),
    )
