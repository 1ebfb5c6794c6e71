"""Care use cases: which client a booking is for, opening and issuing referral links, and the
next steps a client's manage page offers (the rules themselves: :mod:`booking.care`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from kat_widgets.booking import wording
from kat_widgets.booking.care import (
    DEFAULT_DAYS,
    MAX_DAYS,
    Referral,
    new_client_id,
    next_steps,
    referral_hash,
    usable_referral,
)
from kat_widgets.booking.models import BookingRecord, BookingRequest
from kat_widgets.booking.tokens import looks_like_token, new_token
from kat_widgets.directory import Clinic, Directory, Service
from kat_widgets.errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    from kat_widgets.booking.storage import Storage

__all__ = ["CareService"]


class CareService:
    """Client records and referral links over one directory and store (``BookingService.care``)."""

    def __init__(
        self,
        directory: Directory,
        storage: Storage,
        secret_key: str,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.directory = directory
        self.storage = storage
        self._secret = secret_key
        self.clock = clock

    def _phone(self, clinic_id: str | None) -> str:
        organization = self.directory.organization
        try:
            number = self.directory.clinic(clinic_id).phone if clinic_id else organization.phone
        except NotFoundError:
            number = organization.phone
        return organization.phone_label(number)

    def client_for(
        self, request: BookingRequest, client_id: str | None, public: bool
    ) -> tuple[str, bool]:
        """``(the client a booking is for, whether only online services may be booked)``.

        A referral names its client and opens its (phone-only) service; staff may name a
        client; otherwise the booking starts a new client record."""
        if request.referral is None:
            if client_id is not None and not _is_client_id(client_id):
                raise ValidationError("client_id is not a client's id.", field="client_id")
            return client_id or new_client_id(), public
        referral = self.open(request.referral, request.clinic_id, request.service)
        return referral.client_id, False

    def open(
        self, token: str, clinic_id: str | None = None, service_id: str | None = None
    ) -> Referral:
        """The referral ``token`` stands for, usable now (for ``service_id`` at ``clinic_id``,
        when given); :class:`ReferralError` in the visitor's words otherwise."""
        found = None
        if looks_like_token(token):
            found = self.storage.clients.referral(referral_hash(self._secret, token))
        phone = self._phone(found.clinic_id if found is not None else clinic_id)
        return usable_referral(
            found, token, clinic_id=clinic_id, service_id=service_id, now=self.clock(), phone=phone
        )

    def issue(
        self,
        client_id: str | None,
        clinic: Clinic,
        service: Service,
        *,
        days: int = DEFAULT_DAYS,
        key_id: str | None = None,
    ) -> tuple[str, Referral]:
        """A new referral link for ``client_id`` (``None``: a new client) to book ``service``
        at ``clinic``, valid ``days``: ``(its token, shown once; the referral)``."""
        if not self.directory.offers(clinic, service.id):
            raise NotFoundError(
                wording.not_offered(clinic.name, self.directory.translate(service.name))
            )
        if not 1 <= days <= MAX_DAYS:
            raise ValidationError(f"days must be from 1 to {MAX_DAYS}.", field="days")
        if client_id is not None and not _is_client_id(client_id):
            raise ValidationError("client_id is not a client's id.", field="client_id")
        now = self.clock()
        referral = Referral(
            client_id=client_id or new_client_id(),
            clinic_id=clinic.id,
            service_id=service.id,
            expires_at=now + dt.timedelta(days=days),
            created_at=now,
            key_id=key_id,
        )
        token = new_token()
        self.storage.clients.add_referral(referral_hash(self._secret, token), referral, now=now)
        return token, referral

    def next_steps(self, record: BookingRecord) -> list[Service]:
        """The later steps ``record``'s client may book online now at its clinic."""
        if record.client_id is None:  # booked before client records: staff refer them
            return []
        history = self.storage.clients.history(record.client_id)
        clinic = self.directory.clinic(record.clinic_id)
        return next_steps(self.directory, clinic, history, self.clock())

    def refer_next(self, record: BookingRecord, service_id: str) -> str:
        """A referral token for one of :meth:`next_steps` of ``record``'s client."""
        offered = {service.id: service for service in self.next_steps(record)}
        if service_id not in offered:
            raise ValidationError(
                wording.referral("other", self._phone(record.clinic_id)), field="service"
            )
        clinic = self.directory.clinic(record.clinic_id)
        return self.issue(record.client_id, clinic, offered[service_id])[0]


def _is_client_id(value: str) -> bool:
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)
