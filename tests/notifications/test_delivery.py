"""Delivery over real transports: TLS and login, retries with backoff, parking, reminders."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from kat_widgets.booking import BookingService
from kat_widgets.cli import main
from kat_widgets.config import SmtpServer
from kat_widgets.errors import PermanentDeliveryError, TransientDeliveryError
from kat_widgets.notifications.channels import SmtpChannel
from kat_widgets.notifications.delivery import BACKOFF_CAP, Outcome, backoff
from kat_widgets.services import Services, build_services
from tests.booking.booking_support import at
from tests.booking.conftest import Clock
from tests.interop.test_booking_ics_icaljs import _read_with_icaljs
from tests.notifications import peers
from tests.notifications.conftest import deliver_due, notifying_settings, visitor


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return peers.self_signed(tmp_path_factory.mktemp("tls"))


def _letter(to: str = "robin@example.com") -> Any:
    from email.message import EmailMessage

    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = "test", "bookings@clinic.example", to
    message.set_content("hello")
    return message


@pytest.mark.parametrize("mode", ["starttls", "smtps"])
def test_smtp_over_tls_with_login(
    mode: str, cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))  # trust the test's own certificate
    with peers.smtp_server(mode=mode, cert=cert) as (controller, handler):
        scheme, query = ("smtp", "?starttls=true") if mode == "starttls" else ("smtps", "")
        url = f"{scheme}://{peers.USER}:{peers.PASSWORD}@127.0.0.1:{controller.port}{query}"
        SmtpChannel(SmtpServer.from_url(url)).send(_letter())
        assert [r.rcpt_tos for r in handler.received] == [["robin@example.com"]]
        wrong = url.replace(peers.PASSWORD, "wrong")
        with pytest.raises(TransientDeliveryError, match="login refused"):
            SmtpChannel(SmtpServer.from_url(wrong)).send(_letter())


def test_smtp_errors_are_named_by_kind_only() -> None:
    with peers.smtp_server() as (controller, handler):
        channel = SmtpChannel(SmtpServer.from_url(f"smtp://127.0.0.1:{controller.port}"))
        handler.refuse = "451 try again later"
        with pytest.raises(TransientDeliveryError, match=r"^smtp: try later \(451\)$"):
            channel.send(_letter())
        handler.refuse = "550 no such mailbox"
        with pytest.raises(PermanentDeliveryError, match=r"^smtp: refused \(550\)$"):
            channel.send(_letter())
    with pytest.raises(TransientDeliveryError, match="ConnectionRefusedError"):
        channel.send(_letter())  # the server is gone


def test_backoff_is_exponential_with_full_jitter_and_a_cap() -> None:
    rng = random.Random(7)
    for attempt in range(1, 12):
        ceiling = min(BACKOFF_CAP.total_seconds(), 30 * 2 ** (attempt - 1))
        draws = [backoff(attempt, base=30, rng=rng) for _ in range(200)]
        assert all(0 <= draw <= ceiling for draw in draws)
        assert max(draws) > ceiling * 0.8  # full jitter uses the whole range
    assert min(BACKOFF_CAP.total_seconds(), 30 * 2**11) == 3600


def test_smtp_down_for_a_while_then_back_delivers_once(
    tmp_path: Path, database_url: str, staffed_directory: Any, clock: Clock, hooks: Any
) -> None:
    port = peers.free_port()  # nothing listens yet
    with peers.http_peer(peers.twilio()) as sms_api:
        settings = notifying_settings(
            tmp_path, database_url, smtp_port=port, hooks=hooks, sms_api=sms_api
        )
        services = build_services(settings, directory=staffed_directory, clock=clock)
        services.booking.storage.migrate()
        try:
            done = services.booking.book(visitor(email="robin@example.com", sms_reminders=False))
            outbox = services.booking.storage.outbox
            for _ in range(3):  # down: each attempt fails and waits longer
                deliver_due(services)
                waiting = [m for m in outbox.messages(status="pending") if m.event == "created"]
                assert {m.channel for m in waiting} == {"email", "staff-email"}
                assert all(m.last_error == "smtp: ConnectionRefusedError" for m in waiting)
                clock.now = max(m.due_at for m in waiting)
            assert {m.attempts for m in waiting} == {3}
            with peers.smtp_server() as (controller, handler):
                _point_smtp_at(services, controller.port)
                deliver_due(services)
                assert sorted(r.rcpt_tos[0] for r in handler.received) == [
                    "front-desk@draper.example",
                    "robin@example.com",
                ]
                deliver_due(services)  # nothing left: each went once
                assert len(handler.received) == 2
            assert done.booking.id
        finally:
            services.dispose()


def _point_smtp_at(services: Services, port: int) -> None:
    """The server came back on another port (the test's only way to "bring it back")."""
    assert services.notifications is not None
    channels = services.notifications.deliverer.channels
    channels._smtp = SmtpChannel(SmtpServer.from_url(f"smtp://127.0.0.1:{port}"))  # type: ignore[attr-defined]


def test_out_of_attempts_it_is_parked_and_outbox_retry_sends_it_again(
    services: Services,
    smtp: tuple[Any, peers.SmtpHandler],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    services.booking.book(visitor(sms_reminders=False))
    smtp[1].refuse = "451 later"
    outbox = services.booking.storage.outbox
    for _ in range(services.settings.delivery_attempts):
        deliver_due(services)
        retried = [m for m in outbox.messages(status="pending") if m.event != "reminder"]
        if retried:
            clock.now = max(clock.now, *(m.due_at for m in retried))
    parked = outbox.messages(status="parked")
    assert {m.channel for m in parked} == {"email", "staff-email"}
    smtp[1].refuse = None
    settings = services.settings
    monkeypatch.setenv("KAT_DATA_DIR", settings.data_dir)
    monkeypatch.setenv("KAT_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("KAT_DATABASE_URL", settings.resolved_database_url)
    assert main(["outbox", "list"]) == 0
    listing = capsys.readouterr().out
    assert all(m.id in listing for m in parked) and "smtp: try later (451)" in listing
    assert "robin" not in listing.lower()
    email = next(m for m in parked if m.channel == "email")
    assert main(["outbox", "retry", email.id]) == 0
    assert outbox.get(email.id).status == "pending"  # type: ignore[union-attr]
    deliver_due(services)
    resent = [r for r in smtp[1].received if r.rcpt_tos == ["robin@example.com"]]
    assert [r.message["Message-ID"] for r in resent] == [f"<{email.id}@clinic.example>"]
    assert main(["outbox", "retry", email.id]) == 1  # not parked any more
    assert main(["outbox", "retry", "not-an-id"]) == 2


def test_reminders_go_at_their_time_across_dst_and_follow_the_visit(
    services: Services, smtp: tuple[Any, peers.SmtpHandler], sms_api: Any, clock: Clock
) -> None:
    booking: BookingService = services.booking
    # Monday 15 March 2027, 10:00 MDT: the day after clocks went forward
    start = dt.datetime(2027, 3, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-6)))
    clock.now = dt.datetime(2027, 3, 12, 16, 0, tzinfo=dt.UTC)
    done = booking.book(visitor(start))
    deliver_due(services)
    outbox = booking.storage.outbox
    reminders = sorted(m.due_at for m in outbox.messages(status="pending"))
    assert reminders[0] == start - dt.timedelta(hours=24)  # 24 real hours, across the change
    assert reminders[0].astimezone(dt.UTC) == dt.datetime(2027, 3, 14, 16, 0, tzinfo=dt.UTC)
    # moved: the old reminders are skipped, new ones wait for the new time
    later = dt.datetime(2027, 3, 15, 11, 0, tzinfo=start.tzinfo)
    booking.reschedule(done.token, later)
    skipped = outbox.messages(status="skipped")
    assert {m.due_at for m in skipped} == {
        start - dt.timedelta(hours=24),
        start - dt.timedelta(hours=2),
    }
    pending = {m.due_at for m in outbox.messages(status="pending") if m.event == "reminder"}
    assert pending == {later - dt.timedelta(hours=24), later - dt.timedelta(hours=2)}
    deliver_due(services)
    before = len(smtp[1].received)
    clock.now = later - dt.timedelta(hours=24)
    deliver_due(services)
    reminded = smtp[1].received[before:]
    assert [r.message["Subject"].startswith("Reminder:") for r in reminded] == [True]
    assert any("Reminder" in hit.body.decode() for hit in sms_api.hits)
    texts = _read_with_icaljs(
        next(p for p in reminded[0].message.walk() if p.get_content_type() == "text/calendar")
        .get_content()
        .encode()
    )
    assert texts["method"] == "REQUEST"
    assert texts["events"][0]["organizer"] == "mailto:bookings@clinic.example"
    assert texts["events"][0]["attendees"] == ["mailto:robin@example.com"]
    # the worker was down past the visit: the 2-hour reminder is skipped, never sent late
    clock.now = later + dt.timedelta(minutes=5)
    sent_before = len(smtp[1].received)
    deliver_due(services)
    assert len(smtp[1].received) == sent_before
    assert {m.last_error for m in outbox.messages(status="skipped")} >= {"visit already started"}


def test_no_reminder_for_a_cancelled_visit(
    services: Services, smtp: tuple[Any, peers.SmtpHandler], clock: Clock
) -> None:
    done = services.booking.book(visitor())
    deliver_due(services)
    services.booking.cancel(done.token)
    deliver_due(services)
    count = len(smtp[1].received)
    clock.now = done.booking.start - dt.timedelta(hours=2)
    assert deliver_due(services) == []  # nothing is due: the reminders were skipped
    assert len(smtp[1].received) == count
    assert all(
        m.status == "skipped"
        for m in services.booking.storage.outbox.messages(limit=100)
        if m.event == "reminder"
    )


def test_a_long_subject_arrives_whole_over_smtputf8(smtp: tuple[Any, peers.SmtpHandler]) -> None:
    """aiosmtpd offers SMTPUTF8, so the standard library sends the headers as UTF-8; a long
    subject with a narrow no-break space ("10:30 AM" as Babel writes it) must not be folded
    right after "Subject:" (readers then show it with a leading space)."""
    from kat_widgets.notifications.messages import Letter, email_message

    subject = "Appointment confirmed: Wednesday 16 December 2026, 10:30\u202fAM Mountain Time"
    letter = Letter(subject=subject, text="Hello", html="<p>Hello</p>")
    now = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
    message = email_message(
        letter, message_id="m1", sender="bookings@clinic.example", to=["v@example.com"], now=now
    )
    server = SmtpServer(
        host="127.0.0.1", port=smtp[0].port, tls=False, starttls=False, username=None, password=None
    )
    SmtpChannel(server).send(message)
    received = smtp[1].received[-1]
    assert received.message["Subject"] == subject
    assert b"Subject: Appointment confirmed" in received.raw


def test_a_bookings_messages_reach_each_recipient_in_the_order_written(
    services: Services, smtp: tuple[Any, peers.SmtpHandler], clock: Clock
) -> None:
    """Booked, moved, cancelled while the mail server refused: however the workers are woken,
    the visitor gets confirmed, moved, cancelled, and each waiting message goes as soon as the
    one before it is done (the CI once saw "moved" arrive before "confirmed")."""
    booking, outbox = services.booking, services.booking.storage.outbox
    assert services.notifications is not None
    deliverer = services.notifications.deliverer
    smtp[1].refuse = "451 later"
    done = booking.book(visitor(sms_reminders=False))
    deliver_due(services)  # the confirmation fails once and waits for its retry
    clock.now += dt.timedelta(seconds=1)
    booking.reschedule(done.token, at(10, 11))
    clock.now += dt.timedelta(seconds=1)
    booking.cancel(done.token)
    smtp[1].refuse = None

    def to_visitor() -> list[Any]:
        mine = [m for m in outbox.messages(limit=50) if m.channel == "email"]
        return sorted(mine, key=lambda m: m.created_at)

    first, moved, cancelled = (m for m in to_visitor() if m.event != "reminder")
    assert (first.event, moved.event, cancelled.event) == ("created", "rescheduled", "cancelled")
    assert first.status == "pending" and first.attempts == 1  # waiting for its retry
    # the later ones are due, but wait behind it, in whatever order workers try them
    assert deliverer.deliver(cancelled.id).status == "not-claimed"
    assert deliverer.deliver(moved.id).status == "not-claimed"
    assert all(r.rcpt_tos != ["robin@example.com"] for r in smtp[1].received)
    clock.now = max(clock.now, first.due_at)
    sent = deliverer.deliver(first.id)
    assert (sent.status, sent.then) == ("sent", moved.id)  # the next one is named
    assert deliverer.deliver(cancelled.id).status == "not-claimed"  # still behind "moved"
    after_moved = deliverer.deliver(moved.id)
    assert (after_moved.status, after_moved.then) == ("sent", cancelled.id)
    assert deliverer.deliver(cancelled.id) == Outcome(status="sent")
    subjects = [
        r.message["Subject"].split(":")[0]
        for r in smtp[1].received
        if r.rcpt_tos == ["robin@example.com"]
    ]
    assert subjects == ["Appointment confirmed", "Appointment moved", "Appointment cancelled"]
    assert {m.status for m in to_visitor() if m.event != "reminder"} == {"sent"}
