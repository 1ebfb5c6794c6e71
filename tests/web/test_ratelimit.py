"""Rate limits: 429 with Retry-After over the limit; counters shared through Redis."""

from __future__ import annotations

import asyncio
import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from litestar import Litestar, get, post
from litestar.middleware import DefineMiddleware
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.web.ratelimit import Limit, MemoryCounter, RateLimitMiddleware, RedisCounter

LIMITS = {("POST", "/book"): Limit(3, 60)}


@post("/book", sync_to_thread=False)
def book() -> str:
    return "booked"


@get("/free", sync_to_thread=False)
def free() -> str:
    return "free"


def limited_app(counter: MemoryCounter | RedisCounter) -> Litestar:
    middleware = DefineMiddleware(
        RateLimitMiddleware, counter=counter, limits=LIMITS, phone="1-833-686-4687"
    )
    return Litestar([book, free], middleware=[middleware])


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


def test_memory_window_resets() -> None:
    async def scenario() -> tuple[int, int]:
        counter = MemoryCounter()
        first, _ = await counter.hit("k", 1)
        await counter.hit("k", 1)
        await asyncio.sleep(1.05)
        again, _ = await counter.hit("k", 1)
        return first, again

    # A thread of its own: the browser tests' Playwright loop may be running in this one.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, scenario()).result() == (1, 1)


@pytest.mark.redis
def test_redis_counter_is_shared_between_workers(redis_url: str) -> None:
    prefix = f"kat:test:{secrets.token_hex(4)}:"
    worker_a = limited_app(RedisCounter(redis_url, prefix=prefix))
    worker_b = limited_app(RedisCounter(redis_url, prefix=prefix))
    with TestClient(worker_a) as a, TestClient(worker_b) as b:
        statuses = [a.post("/book").status_code, b.post("/book").status_code]
        statuses += [a.post("/book").status_code, b.post("/book").status_code]
    assert statuses == [201, 201, 201, 429]


@pytest.mark.redis
def test_the_app_runs_with_a_redis_store(redis_url: str, tmp_path: Path) -> None:
    # Litestar deep-copies routers at registration: the Redis client must survive that
    settings = Settings(data_dir=str(tmp_path), secret_key="r" * 40, rate_limit_store=redis_url)
    with TestClient(create_app(settings)) as client:
        response = client.get("/api/locate", params={"q": "84020"})
    assert response.status_code == 200
