"""Mixed load on ``kat-widgets serve --workers 4`` with PostgreSQL and Redis, then the audit.

What runs: a fresh PostgreSQL database (created here, dropped afterwards), the server as an
operator would start it (``KAT_DATABASE_URL``, ``KAT_SECRET_KEY``, ``KAT_RATE_LIMIT_STORE`` on
Redis with the default limits), and an asyncio/httpx load generator on loopback only:

- baseline, same run: ``GET /healthz`` one at a time on one connection (the per-request floor)
  and with the same concurrency as the load (the HTTP stack's ceiling);
- mixed load for a fixed time: locate (ZIP, city, coordinates), slots, the availability
  ``.ics`` feed (half of them revalidating with ``If-None-Match``), and booking POSTs that all
  aim at the first few open slots of a shrinking set, so many collide (409 expected).

Rate limits stay ON (Redis): each simulated visitor has its own loopback source address
(127.0.x.y) and stays under the per-visitor limits, switching to a fresh address when its
budget is spent; any 429 is counted apart and reported. Afterwards the database is checked:
no resource holds two overlapping bookings, and every 201 is one stored booking.

Usage: ``KAT_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test
KAT_TEST_REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python benchmarks/load.py``
(``KAT_LOAD_SECONDS``, ``KAT_LOAD_CONCURRENCY``, ``KAT_LOAD_WORKERS`` change the defaults).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import psycopg
from _harness import report
from psycopg.conninfo import conninfo_to_dict

from kat_widgets.booking.storage import Storage, overlapping
from kat_widgets.directory import load_directory
from kat_widgets.scheduling import find_slots
from kat_widgets.settings import BUNDLED_DIRECTORY

SECONDS = float(os.environ.get("KAT_LOAD_SECONDS", "25"))
BASELINE_SECONDS = 5.0
CONCURRENCY = int(os.environ.get("KAT_LOAD_CONCURRENCY", "32"))
WORKERS = int(os.environ.get("KAT_LOAD_WORKERS", "4"))
TARGET_SLOTS = 120  # the shrinking set every booking aims at
# per visitor address, under the default limits per minute (web/ratelimit.DEFAULT_LIMITS:
# 10 bookings, 30 searches, 120 slot or calendar reads)
BUDGET = {"book": 8, "locate": 25, "slots": 100, "ics": 100}
WEIGHTS = {"locate": 35, "slots": 25, "ics": 20, "book": 20}
QUERIES = ["84020", "84107", "Draper, UT", "Layton", "84663", "American Fork", "Ogden, UT"]
POINTS = [(40.52, -111.87), (40.66, -111.89), (41.06, -111.97), (40.17, -111.61)]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    name = f"kat_load_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    params = conninfo_to_dict(server)
    auth = params.get("user", "postgres") + (
        f":{params['password']}" if "password" in params else ""
    )
    where = f"{params.get('host', '127.0.0.1')}:{params.get('port', '5432')}"
    try:
        yield f"postgresql://{auth}@{where}/{name}"
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def serve(folder: Path, database_url: str, redis_url: str) -> Iterator[str]:
    """``kat-widgets db upgrade`` then ``kat-widgets serve --workers N`` in production mode."""
    port = _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAT_")}
    env.update(
        KAT_MODE="production",
        KAT_DATA_DIR=str(folder),
        KAT_DATABASE_URL=database_url,
        KAT_SECRET_KEY="L" * 40,
        KAT_RATE_LIMIT_STORE=redis_url,
    )
    cli = [sys.executable, "-m", "kat_widgets"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        # uvicorn at info: each worker's "Application startup complete" is how we know it is up
        [*cli, "serve", "--port", str(port), "--workers", str(WORKERS), "--log-level", "info"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # generous, and polled: a busy machine (the point of a load test) starts workers slowly
        deadline = time.monotonic() + 600
        while True:
            started = (folder / "server.log").read_text(errors="replace")
            ready = False
            with suppress(httpx.TransportError):
                ready = httpx.get(f"{base}/readyz", timeout=5).status_code == 200
            if ready and started.count("Application startup complete") >= WORKERS:
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"server did not start:\n{started[-4000:]}")
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


class Addresses:
    """Distinct loopback source addresses: one per simulated visitor.

    A random second octet per run: Redis keeps a visitor's count for the limit's window (60 s),
    so a run straight after another must not reuse its addresses.
    """

    def __init__(self) -> None:
        self.next = 0
        self.octet = random.randint(1, 254)

    def take(self) -> str:
        self.next += 1
        return f"127.{self.octet}.{1 + self.next // 250}.{1 + self.next % 250}"


class Visitor:
    """One keep-alive client from one source address, with what the limits leave it."""

    def __init__(self, base: str, address: str) -> None:
        transport = httpx.AsyncHTTPTransport(local_address=address, retries=0)
        self.client = httpx.AsyncClient(base_url=base, transport=transport, timeout=30)
        self.left = dict(BUDGET)


class Load:
    def __init__(self, base: str) -> None:
        self.base = base
        self.addresses = Addresses()
        self.latency: defaultdict[str, list[float]] = defaultdict(list)
        self.status: defaultdict[str, Counter[int]] = defaultdict(Counter)
        self.transport_errors = 0
        self.error_kinds: Counter[str] = Counter()
        self.etags: dict[str, str] = {}
        now = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        directory = load_directory(BUNDLED_DIRECTORY)
        self.clinics = [clinic.id for clinic in directory.clinics]
        open_slots = [
            (clinic.id, slot.start)
            for clinic in directory.clinics
            for slot in find_slots(
                directory,
                clinic.id,
                "info-call",
                start=now,
                end=now + dt.timedelta(days=20),
                now=now,
            )
        ]
        random.Random(8).shuffle(open_slots)
        self.targets = open_slots[:TARGET_SLOTS]
        self.booked = 0

    def _visitor(self) -> Visitor:
        return Visitor(self.base, self.addresses.take())

    async def _one(self, visitor: Visitor, kind: str) -> None:
        client = visitor.client
        clinic = random.choice(self.clinics)
        if kind == "book" and not self.targets:  # all taken meanwhile
            kind = "slots"
        headers: dict[str, str] = {}
        if kind == "locate":
            if random.random() < 0.25:
                lat, lon = random.choice(POINTS)
                params: dict[str, str | float] = {"lat": lat, "lon": lon, "limit": 3}
            else:
                params = {"q": random.choice(QUERIES), "limit": 3}
            request = client.build_request("GET", "/api/locate", params=params)
        elif kind == "slots":
            request = client.build_request(
                "GET", f"/api/clinics/{clinic}/slots", params={"service": "info-call"}
            )
        elif kind == "ics":
            path = f"/calendars/{clinic}/availability.ics"
            if random.random() < 0.5 and path in self.etags:
                headers["If-None-Match"] = self.etags[path]
            request = client.build_request("GET", path, headers=headers)
        else:
            # aim at one of the first few slots still open: concurrent visitors collide
            clinic_id, start = random.choice(self.targets[:4])
            body = {
                "clinic_id": clinic_id,
                "service": "info-call",
                "start": start.isoformat(),
                "name": "Load Test",
                "email": "load@example.com",
                "consent": True,
            }
            request = client.build_request("POST", "/api/bookings", json=body)
        started = time.perf_counter()
        try:
            response = await client.send(request)
            await response.aread()
        except httpx.TransportError as exc:
            self.transport_errors += 1
            self.error_kinds[f"{kind}:{type(exc).__name__}"] += 1
            return
        self.latency[kind].append(time.perf_counter() - started)
        self.status[kind][response.status_code] += 1
        if kind == "ics" and "etag" in response.headers:
            self.etags[request.url.path] = response.headers["etag"]
        if kind == "book" and response.status_code in (201, 409):
            if response.status_code == 201:
                self.booked += 1
            target = (clinic_id, start)
            if target in self.targets:
                self.targets.remove(target)  # taken (by us or by someone else)

    async def _worker(self, deadline: float) -> None:
        visitor = self._visitor()
        kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
        try:
            while time.perf_counter() < deadline:
                kind = random.choices(kinds, weights)[0]
                if kind == "book" and not self.targets:
                    kind = "slots"
                if kind in visitor.left:
                    if visitor.left[kind] == 0:  # budget spent: a new visitor arrives
                        await visitor.client.aclose()
                        visitor = self._visitor()
                    visitor.left[kind] -= 1
                await self._one(visitor, kind)
        finally:
            await visitor.client.aclose()

    async def run(self, seconds: float) -> float:
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()
        await asyncio.gather(*(self._worker(deadline) for _ in range(CONCURRENCY)))
        return time.perf_counter() - started


async def baseline(base: str, seconds: float) -> tuple[float, list[float]]:
    """``/healthz`` with the same concurrency, each task its own keep-alive connection."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get("/healthz")
                assert response.status_code == 200
                latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return len(latencies) / (time.perf_counter() - started), latencies


def sequential_healthz(base: str, count: int = 200) -> list[float]:
    """One keep-alive connection, one request at a time: the per-request floor."""
    latencies = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(count):
            started = time.perf_counter()
            assert client.get("/healthz").status_code == 200
            latencies.append(time.perf_counter() - started)
    return latencies


def _ms(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


def audit(database_url: str) -> tuple[int, int]:
    """(overlapping hold pairs, confirmed bookings) straight from the database."""
    storage = Storage(database_url)
    try:
        pairs = len(overlapping(storage.all_holds()))
    finally:
        storage.dispose()
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT count(*) FROM bookings WHERE status = 'confirmed'").fetchone()
    return pairs, int(row[0]) if row else 0


def main() -> None:
    server = os.environ.get("KAT_BENCH_POSTGRES_URL") or os.environ.get("KAT_TEST_POSTGRES_URL")
    redis_url = os.environ.get("KAT_BENCH_REDIS_URL") or os.environ.get("KAT_TEST_REDIS_URL")
    if not server or not redis_url:
        sys.exit("set KAT_TEST_POSTGRES_URL and KAT_TEST_REDIS_URL (PostgreSQL and Redis)")
    figures: dict[str, float] = {"workers": WORKERS, "concurrency": CONCURRENCY}
    with (
        fresh_database(server) as database_url,
        tempfile.TemporaryDirectory() as folder,
        serve(Path(folder), database_url, redis_url) as base,
    ):
        one_by_one = sequential_healthz(base)
        health_rps, health_latency = asyncio.run(baseline(base, BASELINE_SECONDS))
        load = Load(base)
        elapsed = asyncio.run(load.run(SECONDS))
        pairs, stored = audit(database_url)
        server_log = (Path(folder) / "server.log").read_text(errors="replace")
    if server_log.strip():
        print("server log (tail):\n" + server_log[-3000:], file=sys.stderr)
    total = sum(len(v) for v in load.latency.values())
    every = [x for values in load.latency.values() for x in values]
    server_errors = sum(n for c in load.status.values() for code, n in c.items() if code >= 500)
    limited = sum(c[429] for c in load.status.values())
    figures.update(
        {
            "baseline_healthz_1_connection_p50_ms": _ms(one_by_one, 0.50),
            "baseline_healthz_rps": round(health_rps, 1),
            "baseline_healthz_p50_ms": _ms(health_latency, 0.50),
            "baseline_healthz_p99_ms": _ms(health_latency, 0.99),
            "seconds": round(elapsed, 1),
            "requests": total,
            "rps": round(total / elapsed, 1),
            "p50_ms": _ms(every, 0.50),
            "p99_ms": _ms(every, 0.99),
            "server_errors": server_errors,
            "transport_errors": load.transport_errors,
            "rate_limited_429": limited,
            "bookings_201": load.status["book"][201],
            "booking_collisions_409": load.status["book"][409],
            "ics_304": load.status["ics"][304],
            "stored_bookings": stored,
            "overlapping_holds": pairs,
            "visitor_addresses": load.addresses.next,
        }
    )
    for kind, values in sorted(load.latency.items()):
        figures[f"{kind}_count"] = len(values)
        figures[f"{kind}_rps"] = round(len(values) / elapsed, 1)
        figures[f"{kind}_p50_ms"] = _ms(values, 0.50)
        figures[f"{kind}_p99_ms"] = _ms(values, 0.99)
        figures[f"{kind}_mean_ms"] = round(statistics.fmean(values) * 1000, 1)
    for kind, codes in sorted(load.status.items()):
        print(f"{kind}: {dict(sorted(codes.items()))}", file=sys.stderr)
    if load.error_kinds:
        print(f"transport errors: {dict(load.error_kinds)}", file=sys.stderr)
    ok = (
        server_errors == 0
        and load.transport_errors == 0
        and pairs == 0
        and stored == load.status["book"][201]
    )
    figures["ok"] = int(ok)
    report("load", figures)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
