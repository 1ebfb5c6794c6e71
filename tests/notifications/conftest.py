"""Booking with notifications on: the real composition (build_services) against loopback peers."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kat_widgets.booking import BookingRequest
from kat_widgets.directory import Directory, parse_directory
from kat_widgets.services import Services, build_services
from kat_widgets.settings import BUNDLED_DIRECTORY, Settings
from tests.booking.booking_support import NOW, SECRET, at
from tests.booking.conftest import Clock
from tests.notifications import peers

WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
STAFF = "front-desk@draper.example"
PUBLIC = "https://clinic.example/widgets"


@pytest.fixture(scope="session")
def staffed_directory() -> Directory:
    """The bundled clinics, Draper telling its front desk of every booking."""
    text = BUNDLED_DIRECTORY.read_text(encoding="utf-8")
    marker = 'id = "draper"\n'
    text = text.replace(marker, f'{marker}notify_emails = ["{STAFF}"]\n', 1)
    return parse_directory(text, source="clinics.toml")


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def smtp() -> Iterator[tuple[Any, peers.SmtpHandler]]:
    with peers.smtp_server() as server:
        yield server


@pytest.fixture
def hooks() -> Iterator[Any]:
    with peers.http_peer(lambda path, headers, body: (200, {"ok": True}, 0)) as server:
        yield server


@pytest.fixture
def sms_api() -> Iterator[Any]:
    with peers.http_peer(peers.twilio({"+18015550000": (400, 21211)})) as server:
        yield server


def notifying_settings(
    tmp_path: Path, database_url: str, *, smtp_port: int, hooks: Any, sms_api: Any, **more: Any
) -> Settings:
    return Settings(
        data_dir=str(tmp_path / "kat-data"),
        secret_key=SECRET,
        database_url=database_url,
        public_url=PUBLIC,
        smtp_url=f"smtp://127.0.0.1:{smtp_port}",
        mail_from="bookings@clinic.example",
        webhook_urls=(peers.url_of(hooks, "/kat"),),
        webhook_secret=WEBHOOK_SECRET,
        twilio_account_sid=peers.ACCOUNT_SID,
        twilio_auth_token=peers.AUTH_TOKEN,
        sms_from="+18015550100",
        twilio_api_url=peers.url_of(sms_api, ""),
        **more,
    )


@pytest.fixture
def services(
    tmp_path: Path,
    database_url: str,
    staffed_directory: Directory,
    clock: Clock,
    smtp: tuple[Any, peers.SmtpHandler],
    hooks: Any,
    sms_api: Any,
) -> Iterator[Services]:
    settings = notifying_settings(
        tmp_path, database_url, smtp_port=smtp[0].port, hooks=hooks, sms_api=sms_api
    )
    built = build_services(settings, directory=staffed_directory, clock=clock)
    built.booking.storage.migrate()
    yield built
    built.dispose()


def visitor(start: dt.datetime | None = None, **fields: Any) -> BookingRequest:
    values: dict[str, Any] = {
        "clinic_id": "draper",
        "service": "info-call",
        "start": start or at(10, 10),
        "name": "Robin Example",
        "email": "robin@example.com",
        "phone": "801-555-0123",
        "note": "I get anxious on the phone",
        "consent": True,
        "sms_reminders": True,
    }
    return BookingRequest(**{**values, **fields})


def deliver_due(services: Services) -> list[str]:
    """Deliver every message due now, as a worker would (no queue: straight to the deliverer)."""
    assert services.notifications is not None
    outbox = services.booking.storage.outbox
    deliverer = services.notifications.deliverer
    return [deliverer.deliver(mid).status for mid in outbox.due(now=services.clock())]
