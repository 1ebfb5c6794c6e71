"""The queue: serve delivers by itself; workers on PostgreSQL/Redis; kill -9 loses nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from kat_widgets import create_app
from kat_widgets.services import Services, build_services
from kat_widgets.settings import load_settings
from tests.booking.booking_support import booking_body, fresh_postgres, upcoming_slots
from tests.notifications import peers
from tests.notifications.conftest import notifying_settings
from tests.notifications.workers import Worker, overlaps, wait_until, worker_env


def test_the_app_delivers_by_itself_with_no_queue_service(
    tmp_path: Path, smtp: tuple[Any, peers.SmtpHandler], hooks: Any, sms_api: Any
) -> None:
    settings = notifying_settings(
        tmp_path,
        f"sqlite:///{tmp_path / 'bookings.db'}",
        smtp_port=smtp[0].port,
        hooks=hooks,
        sms_api=sms_api,
    )
    start = upcoming_slots("draper", 3)[-1]
    with TestClient(create_app(settings)) as client:
        answer = client.post("/api/bookings", json=booking_body("draper", start))
        assert answer.status_code == 201
        deadline = time.monotonic() + 90
        while not (smtp[1].received and hooks.hits) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [r.rcpt_tos for r in smtp[1].received] == [["load@example.com"]]
        assert len(hooks.hits) == 1
        ready = client.get("/readyz").json()
        assert ready["status"] == "ready" and ready["delivery"]["parked"] == 0


def _queue_case(request: pytest.FixtureRequest, database_url: str) -> str:
    if request.param == "postgresql":
        return database_url  # the queue's tables beside the outbox
    return str(request.getfixturevalue("redis_url"))


@pytest.fixture(params=["postgresql", pytest.param("redis", marks=pytest.mark.redis)])
def queue_setup(
    request: pytest.FixtureRequest, postgres_url: str, tmp_path: Path
) -> Iterator[tuple[str, str]]:
    """(booking database, queue URL): always PostgreSQL for the outbox (workers on other
    machines must reach it), the queue on PostgreSQL or Redis."""
    with fresh_postgres(postgres_url) as database_url:
        yield database_url, _queue_case(request, database_url)


def _book_many(env: dict[str, str], count: int) -> Services:
    services = build_services(load_settings(env))
    services.booking.storage.migrate()
    for clinic in ("draper", "murray", "layton"):
        for start in upcoming_slots(clinic, count // 3):
            assert services.booking.book(_request(clinic, start)).booking.id
    return services


def _request(clinic: str, start: Any) -> Any:
    from kat_widgets.booking import BookingRequest

    return BookingRequest(**{**booking_body(clinic, start), "start": start})


@pytest.mark.slow
@pytest.mark.postgres
def test_several_workers_never_send_one_message_at_once(
    tmp_path: Path, queue_setup: tuple[str, str]
) -> None:
    database_url, queue_url = queue_setup

    def slow(path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any, float]:
        return 200, {"ok": True}, 0.05

    with peers.http_peer(slow) as receiver:
        env = worker_env(tmp_path, database_url, queue_url, peers.url_of(receiver, "/kat"))
        services = _book_many(env, 45)
        logs = [tmp_path / f"worker-{n}.log" for n in range(3)]
        workers = [Worker(env, log) for log in logs]
        try:
            outbox = services.booking.storage.outbox
            wait_until(
                lambda: outbox.stats(now=services.clock()).sent == 45,
                seconds=180,
                what="45 webhooks sent",
                logs=logs,
            )
        finally:
            for worker in workers:
                worker.stop()
            services.dispose()
        ids = {hit.headers["webhook-id"] for hit in receiver.hits}
        assert len(ids) == 45
        assert overlaps(receiver.hits) == []


@pytest.mark.slow
@pytest.mark.postgres
def test_kill_9_of_a_worker_mid_batch_loses_no_message(tmp_path: Path, postgres_url: str) -> None:
    def slow(path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any, float]:
        return 200, {"ok": True}, 0.2

    with fresh_postgres(postgres_url) as database_url, peers.http_peer(slow) as receiver:
        env = worker_env(tmp_path, database_url, database_url, peers.url_of(receiver, "/kat"))
        services = _book_many(env, 60)
        first = tmp_path / "worker-a.log"
        victim = Worker(env, first, threads=4)
        logs = [first, tmp_path / "worker-b.log", tmp_path / "worker-c.log"]
        outbox = services.booking.storage.outbox
        others: list[Worker] = []
        try:
            wait_until(lambda: len(receiver.hits) >= 10, seconds=120, what="10 sent", logs=logs)
            victim.kill()  # mid-batch: some messages are being sent right now
            stuck = outbox.stats(now=services.clock()).sending
            time.sleep(4.5)  # the dead worker's leases run out
            others += [Worker(env, logs[1]), Worker(env, logs[2])]
            wait_until(
                lambda: outbox.stats(now=services.clock()).sent == 60,
                seconds=240,
                what="all 60 sent after the kill",
                logs=logs,
            )
        finally:
            for worker in [victim, *others]:
                worker.stop()
            services.dispose()
        ids = [hit.headers["webhook-id"] for hit in receiver.hits]
        assert set(ids) == {m.id for m in _all(database_url)}  # every message delivered
        assert overlaps(receiver.hits) == []  # a repeat is the same id, never at the same time
        assert len(ids) - len(set(ids)) <= max(stuck, 4)  # only what was in flight repeats


def _all(database_url: str) -> list[Any]:
    from kat_widgets.booking.storage import Storage

    storage = Storage(database_url)
    try:
        return storage.outbox.messages(limit=1000)
    finally:
        storage.dispose()
