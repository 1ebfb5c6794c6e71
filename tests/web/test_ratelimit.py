"""Rate limits: per-visitor and per-address budgets on Litestar stores, 429 with Retry-After."""

from __future__ import annotations

import asyncio
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from litestar import Litestar, get, post
from litestar.stores.memory import MemoryStore
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.web.gate import request_gate
from kat_widgets.web.ratelimit import (
    DEFAULT_LIMITS,
    Limit,
    MemoryCounter,
    RateLimiter,
    RedisCounter,
    WindowCounter,
)

LIMITS = {("POST", "/book"): Limit(3, 60, per_address=5)}


@post("/book", sync_to_thread=False)
def book() -> str:
    return "booked"


@get("/free", sync_to_thread=False)
def free() -> str:
    return "free"


def limited_app(counter: WindowCounter, **options: object) -> Litestar:
    limiter = RateLimiter(counter, limits=LIMITS, phone="1-833-686-4687", **options)  # type: ignore[arg-type]
    return Litestar([book, free], middleware=[request_gate(limiter=limiter)])


def phone(n: int) -> dict[str, str]:
    """A different browser on the same address (a waiting room behind one NAT)."""
    return {"User-Agent": f"Mozilla/5.0 (phone {n})", "Accept-Language": "en-US"}


def test_over_the_limit_is_429_with_retry_after_and_phone() -> None:
    with TestClient(limited_app(MemoryCounter())) as client:
        assert [client.post("/book").status_code for _ in range(3)] == [201, 201, 201]
        refused = client.post("/book")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert "1-833-686-4687" in refused.json()["detail"]


def test_routes_without_a_limit_are_untouched() -> None:
    with TestClient(limited_app(MemoryCounter())) as client:
        assert {client.get("/free").status_code for _ in range(20)} == {200}


def test_visitors_behind_one_address_keep_their_own_budget_up_to_the_address_cap() -> None:
    with TestClient(limited_app(MemoryCounter())) as client:
        first = [client.post("/book", headers=phone(1)).status_code for _ in range(4)]
        second = [client.post("/book", headers=phone(2)).status_code for _ in range(2)]
        # the address as a whole has had 5 of its 5: a third phone waits, however it varies
        third = client.post("/book", headers=phone(3))
    # phone 1's refused fourth try did not use up the address's budget
    assert first == [201, 201, 201, 429]
    assert second == [201, 201]
    assert third.status_code == 429


def test_memory_store_shares_each_budget_between_processes() -> None:
    # two processes that cannot see each other's counts: each allows its share, never more
    workers = [limited_app(MemoryCounter(), workers=2) for _ in range(2)]
    with TestClient(workers[0]) as a, TestClient(workers[1]) as b:
        accepted = sum(
            client.post("/book").status_code == 201 for _ in range(10) for client in (a, b)
        )
    assert accepted == 4  # ceil(3 / 2) each: at most the one budget of 3, rounded up


def test_keys_are_keyed_hashes_not_addresses() -> None:
    limiter = RateLimiter(MemoryCounter(), limits=LIMITS, secret="k" * 40)
    scope = {
        "type": "http",
        "method": "POST",
        "path_template": "/book",
        "client": ("203.0.113.7", 5000),
        "headers": [(b"user-agent", b"Phone")],
    }
    visitor, address = limiter.keys(scope)  # type: ignore[arg-type]
    assert "203.0.113.7" not in visitor + address
    other = RateLimiter(MemoryCounter(), limits=LIMITS, secret="j" * 40)
    assert other.keys(scope) != (visitor, address)  # type: ignore[arg-type]


def test_memory_window_resets() -> None:
    async def scenario() -> tuple[int, int]:
        counter = MemoryCounter(MemoryStore())
        [(first, _)] = await counter.hit([("k", 5)], 1)
        await counter.hit([("k", 5)], 1)
        await asyncio.sleep(1.05)
        [(again, _)] = await counter.hit([("k", 5)], 1)
        return first, again

    # A thread of its own: the browser tests' Playwright loop may be running in this one.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, scenario()).result() == (1, 1)


@pytest.fixture
def hanging_redis() -> Iterator[str]:
    """A TCP server that accepts connections and never answers: Redis hung."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_hanging_redis_costs_one_short_wait_then_is_skipped(hanging_redis: str) -> None:
    with TestClient(limited_app(RedisCounter(hanging_redis, timeout=0.2))) as client:
        started = time.monotonic()
        first = client.post("/book")
        first_wait = time.monotonic() - started
        started = time.monotonic()
        rest = [client.post("/book").status_code for _ in range(10)]
        rest_wait = time.monotonic() - started
    assert first.status_code == 201  # served unlimited rather than failed
    assert rest == [201] * 10
    # bounded by the store's timeout, not redis-py's default of none; then not asked at all
    assert first_wait < 5, first_wait
    assert rest_wait < first_wait + 5, (rest_wait, first_wait)


@pytest.mark.redis
def test_redis_counter_is_shared_between_workers(redis_url: str) -> None:
    namespace = f"kat_test_{secrets.token_hex(4)}"
    worker_a = limited_app(RedisCounter(redis_url, namespace=namespace))
    worker_b = limited_app(RedisCounter(redis_url, namespace=namespace))
    with TestClient(worker_a) as a, TestClient(worker_b) as b:
        statuses = [a.post("/book").status_code, b.post("/book").status_code]
        statuses += [a.post("/book").status_code, b.post("/book").status_code]
    assert statuses == [201, 201, 201, 429]


@pytest.mark.redis
def test_redis_counts_visitors_and_addresses(redis_url: str) -> None:
    namespace = f"kat_test_{secrets.token_hex(4)}"
    with TestClient(limited_app(RedisCounter(redis_url, namespace=namespace))) as client:
        statuses = [client.post("/book", headers=phone(n)).status_code for n in range(7)]
    assert statuses == [201] * 5 + [429] * 2


@pytest.mark.redis
def test_the_app_runs_with_a_redis_store(redis_url: str, tmp_path: Path) -> None:
    # Litestar deep-copies routers at registration: the limiter must stay one object
    settings = Settings(data_dir=str(tmp_path), secret_key="r" * 40, rate_limit_store=redis_url)
    with TestClient(create_app(settings)) as client:
        response = client.get("/api/locate", params={"q": "84020"})
    assert response.status_code == 200


COSTLY = {
    "/api/clinics/{clinic_id}/slots": "/api/clinics/draper/slots",
    "/calendars/{clinic_id}/availability.ics": "/calendars/draper/availability.ics",
    "/fragments/availability": "/fragments/availability?clinic=draper",
    "/fhir/$bulk-publish": "/fhir/$bulk-publish",
    "/fhir/bulk/{clinic_id}/Slot.ndjson": "/fhir/bulk/draper/Slot.ndjson",
    "/fhir/Slot": "/fhir/Slot",
    "/fhir/Slot/{slot_id}": "/fhir/Slot/draper.info-call.20270101T000000Z",
    "/fragments/booking": "/fragments/booking?clinic=draper",
    "/api/locate": "/api/locate?q=84020",
    "/bookings/{token}": "/bookings/not-a-token",
    "/api/bookings/{token}": "/api/bookings/not-a-token",
}


@pytest.mark.parametrize("template", sorted(COSTLY))
def test_every_costly_endpoint_is_limited(tmp_path: Path, template: str) -> None:
    settings = Settings(data_dir=str(tmp_path), secret_key="c" * 40)
    limit = DEFAULT_LIMITS[("GET", template)]
    with TestClient(create_app(settings)) as client:
        statuses = [client.get(COSTLY[template]).status_code for _ in range(limit.requests + 1)]
    assert 429 not in statuses[:-1]
    assert statuses[-1] == 429


def test_a_person_over_the_limit_gets_a_page(tmp_path: Path) -> None:
    settings = Settings(data_dir=str(tmp_path), secret_key="p" * 40)
    navigate = {"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"}
    with TestClient(create_app(settings)) as client:
        for _ in range(DEFAULT_LIMITS[("GET", "/bookings/{token}")].requests):
            client.get("/bookings/not-a-token", headers=navigate)
        refused = client.get("/bookings/not-a-token", headers=navigate)
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("text/html")
    assert "retry-after" in refused.headers
    assert "Please wait a moment" in refused.text
