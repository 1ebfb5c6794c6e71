"""Notifications: messages per second through the outbox, and what notifications add to a booking.

The SMTP sink (aiosmtpd) and the webhook receiver run in a process of their own.

1. Delivery: the same confirmation emails to a local aiosmtpd server, (A) through the outbox
   (claim the row, read the booking, build the message, send, mark it sent) and (B) built the
   same way and sent straight with the SMTP channel. Interleaved in batches (A B A B ...),
   medians and min/max per message; the ratio is B's time over A's.
2. Booking latency: ``POST /api/bookings`` through the same app stack with notifications off
   and on (email + a webhook), interleaved; the ratio is on over off (goal: at most 1.2).
   Embedded, as ``kat-widgets serve`` runs it: SQLite, and serve's one delivery process
   sending from the SQLite queue while bookings arrive. In process: a mounted app with no
   ``serve`` and no queue service, sending from threads of its own. Scaled (when
   KAT_TEST_POSTGRES_URL and KAT_TEST_REDIS_URL are set): PostgreSQL, a Redis queue and a
   ``kat-widgets worker`` process delivering meanwhile.

Usage: ``.venv/bin/python benchmarks/notifications.py`` (SQLite; no service needed).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _harness import report
from litestar.testing import TestClient

from kat_widgets import create_app
from kat_widgets.booking import BookingRequest
from kat_widgets.booking.storage import Storage
from kat_widgets.cli.delivery_process import DeliveryProcess
from kat_widgets.directory import load_directory
from kat_widgets.notifications.channels import SmtpChannel
from kat_widgets.notifications.messages import Links, email_message, visitor_letter
from kat_widgets.scheduling import find_slots
from kat_widgets.services import build_services
from kat_widgets.settings import BUNDLED_DIRECTORY, Settings

BATCH = 20
BATCHES = 8
SECRET = "b" * 40


PEERS = """
import asyncio, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from aiosmtpd.controller import Controller

class Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"

class Ok(BaseHTTPRequestHandler):
    def log_message(self, *args):
        return None
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

smtp = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
smtp.start()
hooks = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Ok)
print("ready", flush=True)
hooks.serve_forever()
"""
"""The SMTP sink and the webhook receiver, in a process of their own (not sharing our GIL)."""


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _starts(count: int) -> list[tuple[str, dt.datetime]]:
    now = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    directory = load_directory(BUNDLED_DIRECTORY)
    found: list[tuple[str, dt.datetime]] = []
    for clinic in directory.clinics:
        end = now + dt.timedelta(days=60)
        slots = find_slots(directory, clinic.id, "info-call", start=now, end=end, now=now)
        found += [(clinic.id, slot.start) for slot in slots]
    found.sort(key=lambda item: (item[1], item[0]))
    assert len(found) >= count, "not enough open times for the benchmark"
    return found[:count]


def _settings(folder: Path, smtp_port: int, **more: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": str(folder / "data"),
        "secret_key": SECRET,
        "database_url": f"sqlite:///{folder / 'bookings.db'}",
        "rate_limit_store": "off",
        "smtp_url": f"smtp://127.0.0.1:{smtp_port}",
        "mail_from": "bookings@clinic.example",
        "reminders": "",
    }
    return Settings(**{**values, **more})


def _request(clinic: str, start: dt.datetime) -> BookingRequest:
    return BookingRequest(
        clinic_id=clinic,
        service="info-call",
        start=start,
        name="Bench Mark",
        email="bench@example.com",
        consent=True,
    )


def delivery(folder: Path, smtp_port: int) -> dict[str, float]:
    services = build_services(_settings(folder, smtp_port))
    services.booking.storage.migrate()
    assert services.notifications is not None
    deliverer = services.notifications.deliverer
    channel = SmtpChannel(services.notifications.config.smtp)  # type: ignore[arg-type]
    confirmations = [services.booking.book(_request(c, s)) for c, s in _starts(BATCH * BATCHES)]
    ids = services.booking.storage.outbox.due(now=services.clock())
    directory = services.directory
    outbox_times: list[float] = []
    straight_times: list[float] = []
    for batch in range(BATCHES):
        chunk = ids[batch * BATCH : (batch + 1) * BATCH]
        start = time.perf_counter()
        for message_id in chunk:
            assert deliverer.deliver(message_id).status == "sent"
        outbox_times.append((time.perf_counter() - start) / len(chunk))
        records = confirmations[batch * BATCH : (batch + 1) * BATCH]
        start = time.perf_counter()
        for done in records:  # the same work minus the outbox: build and send
            letter = visitor_letter(
                "created",
                done.booking,
                directory,
                links=Links(manage_url="https://x/bookings/t", ics_url="https://x/c.ics"),
                now=dt.datetime.now(dt.UTC),
                organizer="bookings@clinic.example",
            )
            message = email_message(
                letter,
                message_id=done.booking.id,
                sender="bookings@clinic.example",
                to=["bench@example.com"],
                now=dt.datetime.now(dt.UTC),
            )
            channel.send(message)
        straight_times.append((time.perf_counter() - start) / len(records))
    services.dispose()
    outbox_ms = statistics.median(outbox_times) * 1000
    straight_ms = statistics.median(straight_times) * 1000
    return {
        "outbox_messages_per_s": round(1000 / outbox_ms, 1),
        "straight_messages_per_s": round(1000 / straight_ms, 1),
        "outbox_ms_median": round(outbox_ms, 2),
        "outbox_ms_min": round(min(outbox_times) * 1000, 2),
        "outbox_ms_max": round(max(outbox_times) * 1000, 2),
        "straight_ms_median": round(straight_ms, 2),
        "outbox_vs_straight": round(straight_ms / outbox_ms, 3),
    }


def _worker_env(settings: Settings, hook_url: str, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAT_")}
    env.update(
        KAT_DATA_DIR=settings.data_dir,
        KAT_SECRET_KEY=SECRET,
        KAT_DATABASE_URL=settings.resolved_database_url,
        KAT_SMTP_URL=settings.smtp_url,
        KAT_MAIL_FROM=settings.mail_from,
        KAT_WEBHOOK_URLS=hook_url,
        KAT_WEBHOOK_SECRET=secret,
        KAT_REMINDERS="",
        KAT_LOG_LEVEL="warning",
    )
    if settings.queue_url:
        env["KAT_QUEUE_URL"] = settings.queue_url
    return env


def latency(folder: Path, smtp_port: int, hook_url: str) -> dict[str, float]:
    """Embedded, as ``kat-widgets serve`` runs it: SQLite, the web app only writes the outbox
    and one delivery process (``DeliveryProcess``, serve's own) sends from the SQLite queue."""
    secret = "whsec_" + base64.b64encode(b"w" * 32).decode()
    off = create_app(_settings(folder / "off", smtp_port, smtp_url="", mail_from=""))
    on_settings = _settings(
        folder / "on",
        smtp_port,
        webhook_urls=(hook_url,),
        webhook_secret=secret,
        deliver_in_process=False,
    )
    on = create_app(on_settings)
    storage = Storage(on_settings.resolved_database_url)
    storage.migrate()  # as serve does, before its delivery process starts
    delivery = DeliveryProcess(threads=2, env=_worker_env(on_settings, hook_url, secret))
    delivery.start()
    try:
        figures = _interleaved(off, on, _starts(BATCH * BATCHES * 2 + 1), outbox=storage.outbox)
    finally:
        delivery.stop()
        storage.dispose()
    return figures


def latency_in_process(folder: Path, smtp_port: int, hook_url: str) -> dict[str, float]:
    """A mounted app with no queue service and no ``serve``: it sends from its own threads,
    sharing the GIL with the bookings it answers."""
    secret = "whsec_" + base64.b64encode(b"w" * 32).decode()
    off = create_app(_settings(folder / "off", smtp_port, smtp_url="", mail_from=""))
    on = create_app(
        _settings(folder / "on", smtp_port, webhook_urls=(hook_url,), webhook_secret=secret)
    )
    figures = _interleaved(off, on, _starts(BATCH * BATCHES * 2))
    return {f"in_process_{key}": value for key, value in figures.items()}


def latency_scaled(folder: Path, smtp_port: int, hook_url: str) -> dict[str, float]:
    """The production shape: PostgreSQL bookings, a Redis queue, a ``kat-widgets worker``
    process delivering while bookings arrive (the web process only writes the outbox)."""
    server = os.environ.get("KAT_BENCH_POSTGRES_URL") or os.environ.get("KAT_TEST_POSTGRES_URL")
    redis = os.environ.get("KAT_BENCH_REDIS_URL") or os.environ.get("KAT_TEST_REDIS_URL")
    if not server or not redis:
        return {}
    secret = "whsec_" + base64.b64encode(b"w" * 32).decode()
    with _fresh_postgres(server) as off_url, _fresh_postgres(server) as on_url:
        off = create_app(
            _settings(folder / "off", smtp_port, smtp_url="", mail_from="", database_url=off_url)
        )
        on_settings = _settings(
            folder / "on",
            smtp_port,
            database_url=on_url,
            queue_url=redis.rsplit("/", 1)[0] + "/14",
            webhook_urls=(hook_url,),
            webhook_secret=secret,
            mode="demo",
        )
        on = create_app(on_settings)
        worker = subprocess.Popen(
            [sys.executable, "-m", "kat_widgets", "worker", "--threads", "2"],
            env=_worker_env(on_settings, hook_url, secret),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            figures = _interleaved(off, on, _starts(BATCH * BATCHES * 2))
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    return {f"scaled_{key}": value for key, value in figures.items()}


def _body(clinic: str, start: dt.datetime) -> dict[str, Any]:
    return {
        "clinic_id": clinic,
        "service": "info-call",
        "start": start.isoformat(),
        "name": "Bench Mark",
        "email": "bench@example.com",
        "consent": True,
    }


def _drained(outbox: Any, seconds: float = 120.0) -> float:
    """Wait until every message is sent; the seconds it took."""
    began = time.perf_counter()
    while (stats := outbox.stats(now=dt.datetime.now(dt.UTC))).pending + stats.sending:
        assert time.perf_counter() - began < seconds, f"delivery stalled: {stats}"
        time.sleep(0.05)
    assert stats.parked == 0, stats
    return time.perf_counter() - began


def _interleaved(
    off: Any, on: Any, starts: list[tuple[str, dt.datetime]], *, outbox: Any = None
) -> dict[str, float]:
    """Bookings to ``off`` and ``on`` in turn. With ``outbox`` (delivery by another process):
    first one booking whose messages must arrive (the sender is up), and at the end the time
    the sender needed after the last booking to send everything."""
    times: dict[str, list[float]] = {"off": [], "on": []}
    extra: dict[str, float] = {}
    with TestClient(off) as client_off, TestClient(on) as client_on:
        clients = {"off": client_off, "on": client_on}
        if outbox is not None:
            clinic, start = starts.pop(0)
            assert client_on.post("/api/bookings", json=_body(clinic, start)).status_code == 201
            _drained(outbox)
        for index, (clinic, start) in enumerate(starts):
            name = ("off", "on")[index % 2]  # interleaved: off on off on ...
            body = _body(clinic, start)
            began = time.perf_counter()
            answer = clients[name].post("/api/bookings", json=body)
            times[name].append(time.perf_counter() - began)
            assert answer.status_code == 201, answer.text
        if outbox is not None:
            extra["sent_all_s_after_last_booking"] = round(_drained(outbox), 2)
    off_ms = statistics.median(times["off"]) * 1000
    on_ms = statistics.median(times["on"]) * 1000
    return {
        "booking_ms_off_median": round(off_ms, 2),
        "booking_ms_on_median": round(on_ms, 2),
        "booking_ms_on_p90": round(statistics.quantiles(times["on"], n=10)[-1] * 1000, 2),
        "booking_on_vs_off": round(on_ms / off_ms, 3),
        **extra,
    }


@contextlib.contextmanager
def _fresh_postgres(server: str) -> Iterator[str]:
    import psycopg

    name = f"kat_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    port, hook_port = _port(), _port()
    peers = subprocess.Popen(
        [sys.executable, "-c", PEERS, str(port), str(hook_port)], stdout=subprocess.PIPE
    )
    try:
        assert peers.stdout is not None
        assert peers.stdout.readline().strip() == b"ready"
        with tempfile.TemporaryDirectory() as folder:
            figures = delivery(Path(folder) / "delivery", port)
            hook_url = f"http://127.0.0.1:{hook_port}/hook"
            figures |= latency(Path(folder) / "latency", port, hook_url)
            figures |= latency_in_process(Path(folder) / "threads", port, hook_url)
            figures |= latency_scaled(Path(folder) / "scaled", port, hook_url)
    finally:
        peers.terminate()
        peers.wait(timeout=30)
    report("notifications", figures)


if __name__ == "__main__":
    main()
