"""Bookings per second through the HTTP API (a real ``kat-widgets serve``), SQLite and PostgreSQL.

Baseline, through the same server in the same run: ``GET /readyz``, an HTTP request that makes
database round trips (``SELECT 1`` and the outbox's counts) through the same stack. Bookings and
baseline requests take turns (booking, readyz, booking, ...), so load from elsewhere hits both;
the ratio is the median of the per-pair ratios, with min and max. The in-process ``SELECT 1`` is
reported beside it, not as a ratio (it skips HTTP, the app and the thread hand-off).
PostgreSQL runs when KAT_BENCH_POSTGRES_URL or KAT_TEST_POSTGRES_URL names a server (a
throwaway database is created and dropped). Usage: ``.venv/bin/python benchmarks/booking.py``
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
from _harness import best_time, figure, report
from psycopg.conninfo import conninfo_to_dict

from kat_widgets.booking.storage import Storage
from kat_widgets.directory import load_directory
from kat_widgets.scheduling import find_slots
from kat_widgets.settings import BUNDLED_DIRECTORY

BOOKINGS = 240
CLIENTS = 8
# One worker by default. (Several workers used to add ~40 ms to every keep-alive request:
# Nagle's algorithm was left on; ``kat_widgets.web.nodelay`` turns it off.)
WORKERS = int(os.environ.get("KAT_BENCH_WORKERS", "1"))


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _plan(count: int) -> list[dict[str, object]]:
    now = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    directory = load_directory(BUNDLED_DIRECTORY)
    bodies: list[dict[str, object]] = []
    for clinic in directory.clinics:
        for slot in find_slots(
            directory, clinic.id, "info-call", start=now, end=now + dt.timedelta(days=45), now=now
        ):
            bodies.append(
                {
                    "clinic_id": clinic.id,
                    "service": "info-call",
                    "start": slot.start.isoformat(),
                    "name": "Bench Mark",
                    "email": "bench@example.com",
                    "consent": True,
                }
            )
    return bodies[:count]


def _serve(folder: Path, url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAT_")}
    env.update(
        KAT_DATA_DIR=str(folder),
        KAT_DATABASE_URL=url,
        KAT_SECRET_KEY="b" * 40,
        KAT_RATE_LIMIT_STORE="off",  # one load generator stands for many visitors
    )
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "kat_widgets", "serve", "--port", str(port)),
            *("--workers", str(workers), "--log-level", "warning"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _measure(name: str, url: str, folder: Path) -> dict[str, object]:
    storage = Storage(url)
    storage.migrate()
    select_1 = best_time(storage.ping, repeat=5, number=200)
    storage.dispose()
    plan = _plan(BOOKINGS * 2)
    process, base = _serve(folder, url, workers=WORKERS)
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            health = best_time(lambda: client.get("/healthz"), repeat=5, number=100)
            booking_s: list[float] = []
            ready_s: list[float] = []
            for body in plan[:BOOKINGS]:  # interleaved: a booking, then the baseline
                started = time.perf_counter()
                assert client.post("/api/bookings", json=body).status_code == 201
                booking_s.append(time.perf_counter() - started)
                started = time.perf_counter()
                assert client.get("/readyz").status_code == 200
                ready_s.append(time.perf_counter() - started)
            one_client = sum(booking_s) / len(booking_s)
            per_pair = figure([a / b for a, b in zip(booking_s, ready_s, strict=True)])
        concurrent = plan[BOOKINGS:]
        with (
            httpx.Client(base_url=base, timeout=30) as client,
            ThreadPoolExecutor(CLIENTS) as pool,
        ):
            started = time.perf_counter()
            codes = list(
                pool.map(lambda b: client.post("/api/bookings", json=b).status_code, concurrent)
            )
            elapsed = time.perf_counter() - started
        assert codes.count(201) == len(concurrent), codes
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    return {
        f"{name}_select_1_ms": round(select_1 * 1000, 3),
        f"{name}_http_healthz_ms": round(health * 1000, 3),
        f"{name}_booking_ms": round(one_client * 1000, 3),
        f"{name}_bookings_per_s_1_client": round(1 / one_client, 1),
        f"{name}_bookings_per_s_{CLIENTS}_clients": round(len(concurrent) / elapsed, 1),
        f"{name}_booking_median_ms": round(figure(booking_s).median * 1000, 3),
        f"{name}_readyz_median_ms": round(figure(ready_s).median * 1000, 3),
        f"{name}_booking_vs_readyz": per_pair.scaled(1, 2),
    }


def main() -> None:
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as folder:
        figures.update(_measure("sqlite", f"sqlite:///{folder}/bench.db", Path(folder)))
    server = os.environ.get("KAT_BENCH_POSTGRES_URL") or os.environ.get("KAT_TEST_POSTGRES_URL")
    if server:
        name = f"kat_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        params = conninfo_to_dict(server)
        url = (
            f"postgresql://{params.get('user', 'postgres')}@{params.get('host', '127.0.0.1')}"
            f":{params.get('port', '5432')}/{name}"
        )
        try:
            with tempfile.TemporaryDirectory() as folder:
                figures.update(_measure("postgresql", url, Path(folder)))
        finally:
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    report("booking", figures)


if __name__ == "__main__":
    main()
