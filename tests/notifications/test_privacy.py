"""A whole booking flow through ``kat-widgets serve`` with every channel on: the visitor's
messages arrive, and no name, email, phone, note or token reaches the logs or a webhook."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.booking.booking_support import Server, booking_body, sqlite_url, upcoming_slots
from tests.notifications import peers
from tests.notifications.conftest import WEBHOOK_SECRET


@pytest.mark.slow
def test_serve_delivers_and_keeps_personal_data_out_of_logs_and_webhooks(
    tmp_path: Path, smtp: tuple[Any, peers.SmtpHandler], hooks: Any, sms_api: Any
) -> None:
    log_file = tmp_path / "server.log"
    private = ["Robin Logcheck", "robin.logcheck@example.com", "801-555-0177", "quiet note xyz"]
    start = upcoming_slots("layton", 60)[-1]  # beyond the 24 h cancel cut-off
    body = booking_body("layton", start, name=private[0])
    body.update(email=private[1], phone=private[2], note=private[3], sms_reminders=True)
    server = Server(tmp_path, sqlite_url(tmp_path), workers=1, log_file=log_file)
    server.env.update(
        KAT_SMTP_URL=f"smtp://127.0.0.1:{smtp[0].port}",
        KAT_MAIL_FROM="bookings@clinic.example",
        KAT_WEBHOOK_URLS=peers.url_of(hooks, "/kat"),
        KAT_WEBHOOK_SECRET=WEBHOOK_SECRET,
        KAT_TWILIO_ACCOUNT_SID=peers.ACCOUNT_SID,
        KAT_TWILIO_AUTH_TOKEN=peers.AUTH_TOKEN,
        KAT_SMS_FROM="+18015550100",
        KAT_TWILIO_API_URL=peers.url_of(sms_api, ""),
    )
    with server:
        created = httpx.post(f"{server.url}/api/bookings", json=body, timeout=30)
        assert created.status_code == 201
        token = created.json()["manage_url"].rsplit("/", 1)[1]
        later = upcoming_slots("layton", 61)[-1]
        moved = httpx.post(
            f"{server.url}/api/bookings/{token}/reschedule",
            json={"start": later.isoformat()},
            timeout=30,
        )
        assert moved.status_code == 200
        assert httpx.post(f"{server.url}/api/bookings/{token}/cancel", timeout=30).is_success
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (len(hooks.hits) < 3 or len(sms_api.hits) < 3):
            time.sleep(0.2)
    assert len(hooks.hits) == 3, log_file.read_text()[-3000:]
    subjects = [r.message["Subject"] for r in smtp[1].received if r.rcpt_tos == [private[1]]]
    assert [s.split(":")[0] for s in subjects] == [
        "Appointment confirmed",
        "Appointment moved",
        "Appointment cancelled",
    ], repr(subjects)
    assert len(sms_api.hits) == 3
    logged = log_file.read_text(encoding="utf-8", errors="replace")
    assert "sent" in logged  # the delivery log was on
    for secret in [*private, token, "5550177"]:
        assert secret not in logged
        for hit in hooks.hits:
            assert secret not in hit.body.decode()
    for hit in sms_api.hits:
        assert "quiet note" not in hit.body.decode()
