"""Client continuity without accounts: client records, referral links, the care pathway.

The first step (the free call, Connect) needs no identity: a booking made without a referral
starts a new client record, an opaque id and nothing else. Later steps are booked online from a
referral link, which staff issue for one client (``POST /api/staff/referrals``) or the manage
page of the client's earlier booking gives for a step the pathway now allows. A referral's token
is random (256 bits) and only its keyed hash is stored, bound to the client, the clinic and the
service, until it expires: the address says nothing about the person or the visit.

The pathway is checked by the store inside the booking's own transaction, holding the client's
record, with :func:`pathway_check` (so two tabs cannot book two dosing sessions in one week).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence

import msgspec

from kat_widgets.booking import wording
from kat_widgets.booking.tokens import keyed_hash, looks_like_token
from kat_widgets.directory import Clinic, Directory, Service
from kat_widgets.errors import PathwayError, ReferralError
from kat_widgets.scheduling.pathway import INACTIVE_STATUSES, HistoryEntry, check_pathway

__all__ = [
    "DEFAULT_DAYS",
    "MAX_DAYS",
    "PathwayCheck",
    "Referral",
    "follows_pathway",
    "new_client_id",
    "next_steps",
    "pathway_check",
    "referral_hash",
    "usable_referral",
]

DEFAULT_DAYS = 14
"""How long a referral link stays valid unless staff say otherwise."""
MAX_DAYS = 90

PathwayCheck = Callable[[Sequence[HistoryEntry]], None]
"""Raises :class:`PathwayError` if the booking breaks the pathway, given the client's history."""


class Referral(msgspec.Struct, frozen=True, kw_only=True):
    """What a referral link opens: one service at one clinic, for one client, until it expires."""

    client_id: str
    clinic_id: str
    service_id: str
    expires_at: dt.datetime
    created_at: dt.datetime
    key_id: str | None = None
    """The staff key that issued it (``None``: the client's manage page)."""


def new_client_id() -> str:
    """A fresh client record's id: 128 random bits, in hex."""
    return secrets.token_hex(16)


def referral_hash(secret_key: str, token: str) -> str:
    """The stored form of a referral token."""
    return keyed_hash(secret_key, "referral", token)


def follows_pathway(service: Service) -> bool:
    """Whether ``service`` has rules about earlier steps (so it is booked for a known client)."""
    rules = service.pathway
    return bool(rules.requires_completed) or rules.after_step is not None


def usable_referral(
    found: Referral | None,
    token: str,
    *,
    clinic_id: str | None,
    service_id: str | None,
    now: dt.datetime,
    phone: str,
) -> Referral:
    """``found`` (the stored referral of ``token``) if it may book ``service_id`` at
    ``clinic_id`` now; :class:`ReferralError` in the visitor's words with ``phone`` otherwise.

    ``clinic_id``/``service_id`` ``None``: only opening the link, not booking with it yet.
    """
    if found is None or not looks_like_token(token):
        raise ReferralError(wording.referral("invalid", phone), field="referral")
    if now >= found.expires_at:
        raise ReferralError(wording.referral("expired", phone), field="referral")
    if clinic_id not in (None, found.clinic_id) or service_id not in (None, found.service_id):
        raise ReferralError(wording.referral("other", phone), field="referral")
    return found


def pathway_check(
    directory: Directory, clinic: Clinic, service: Service, start: dt.datetime
) -> PathwayCheck:
    """The check a booking of ``service`` at ``start`` runs on the client's history, its
    refusal worded for the visitor (in the current language) with the clinic's number."""
    phone = directory.organization.phone_label(clinic.phone)

    def check(history: Sequence[HistoryEntry]) -> None:
        try:
            check_pathway(service, history, start, directory=directory, zone=clinic.zone)
        except PathwayError as exc:
            step = directory.service(exc.required).step if exc.required else exc.after_step
            raise PathwayError(
                wording.pathway(exc.rule, phone, step=step, days=exc.days),
                rule=exc.rule,
                field=exc.field,
                required=exc.required,
                days=exc.days,
                after_step=exc.after_step,
            ) from None

    return check


def next_steps(
    directory: Directory, clinic: Clinic, history: Sequence[HistoryEntry], now: dt.datetime
) -> list[Service]:
    """The later steps the client may book online now at ``clinic``: services with pathway
    rules whose earlier steps are done (spacing is left to the chosen day), and none of
    which the client already has ahead."""
    ahead = {
        entry.service_id
        for entry in history
        if entry.status not in INACTIVE_STATUSES and entry.start > now
    }
    found = []
    for service in directory.services_at(clinic):
        if service.public or not follows_pathway(service) or service.id in ahead:
            continue
        rules = msgspec.structs.replace(service.pathway, min_days_between_same_step=None)
        try:
            check_pathway(
                msgspec.structs.replace(service, pathway=rules),
                history,
                now,
                directory=directory,
                zone=clinic.zone,
            )
        except PathwayError:
            continue
        found.append(service)
    return found
