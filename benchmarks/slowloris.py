"""A soak: normal requests beside a bounded slowloris attack, on ``kat-widgets serve``.

What runs: the server as the demo starts it (one worker, SQLite), then on loopback:

- baseline, same run: normal clients (``GET /api/clinics``, ``GET /fragments/crisis-banner``,
  each a fresh connection as a phone's would often be) for a fixed time; latency p50/p99;
- attack: ``KAT_SOAK_SLOW`` (default 400) connections that each send a request line and then
  one header line a second, forever, re-opened as soon as the server closes them, while the same
  normal clients run again; latency p50/p99 again, and for the slow connections how long the
  server let each stay open (the header deadline is 10 s).

Reported: p99 under attack / p99 baseline (goal: near 1, and no normal request failing), and
the longest time a slow connection stayed open (goal: about the deadline, never unbounded).

Usage: ``.venv/bin/python benchmarks/slowloris.py`` (``KAT_SOAK_SECONDS``, ``KAT_SOAK_SLOW``).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from _harness import report

SECONDS = float(os.environ.get("KAT_SOAK_SECONDS", "20"))
SLOW = int(os.environ.get("KAT_SOAK_SLOW", "400"))
NORMAL_CLIENTS = 4
PATHS = ["/api/clinics", "/fragments/crisis-banner"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KAT_")},
        "KAT_DATA_DIR": str(folder / "data"),
        "KAT_RATE_LIMIT_STORE": "off",  # the normal clients are one address, on purpose
    }
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "kat_widgets", "serve", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return server, url
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit((folder / "serve.log").read_text(errors="replace")[-4000:])


async def _normal(url: str, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + seconds

    async def client(n: int) -> None:
        nonlocal failures
        i = n
        while time.perf_counter() < deadline:
            i += 1
            started = time.perf_counter()
            try:
                async with httpx.AsyncClient(timeout=30) as fresh:  # a new connection each time
                    answer = await fresh.get(url + PATHS[i % len(PATHS)])
                ok = answer.status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                failures += 1

    await asyncio.gather(*(client(n) for n in range(NORMAL_CLIENTS)))
    return latencies, failures


async def _slow_connection(host: str, port: int, stop: asyncio.Event, held: list[float]) -> None:
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            await asyncio.sleep(0.5)
            continue
        opened = time.perf_counter()
        try:
            writer.write(b"GET /api/clinics HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            line = 0
            while not stop.is_set():
                await writer.drain()
                try:
                    if await asyncio.wait_for(reader.read(1024), 1.0) == b"":
                        break  # closed by the server
                    # an answer (408): read on until the close
                except TimeoutError:
                    line += 1
                    writer.write(b"X-Slow-%d: 1\r\n" % line)
        except (ConnectionError, OSError):
            pass
        finally:
            if not stop.is_set():
                held.append(time.perf_counter() - opened)
            writer.close()


async def _slow_clients(url: str, seconds: float) -> list[float]:
    host, port = url.removeprefix("http://").split(":")
    stop = asyncio.Event()
    held: list[float] = []
    slow = [asyncio.create_task(_slow_connection(host, int(port), stop, held)) for _ in range(SLOW)]
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*slow, return_exceptions=True)
    return held


def _attacker(url: str, seconds: float, out: Any) -> None:
    """The slow clients in a process of their own, so they never slow the measuring loop."""
    out.send(asyncio.run(_slow_clients(url, seconds)))


def _attack(url: str, seconds: float) -> tuple[list[float], int, list[float]]:
    mine, theirs = multiprocessing.Pipe()
    attacker = multiprocessing.Process(target=_attacker, args=(url, seconds + 4, theirs))
    attacker.start()
    time.sleep(2)  # all of them open before the normal traffic starts
    latencies, failures = asyncio.run(_normal(url, seconds))
    held: list[float] = mine.recv()
    attacker.join()
    return latencies, failures, held


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 2 else float("nan")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="kat-soak-") as folder:
        server, url = _start(Path(folder))
        try:
            asyncio.run(_normal(url, 2))  # warm
            base, base_failures = asyncio.run(_normal(url, SECONDS))
            attacked, attacked_failures, held = _attack(url, SECONDS)
        finally:
            server.terminate()
            server.wait(timeout=60)
    figures = {
        "baseline_p50_ms": round(_p(base, 50), 2),
        "baseline_p99_ms": round(_p(base, 99), 2),
        "attack_p50_ms": round(_p(attacked, 50), 2),
        "attack_p99_ms": round(_p(attacked, 99), 2),
        "p99_ratio_attack_vs_baseline": round(_p(attacked, 99) / _p(base, 99), 3),
        "normal_requests_baseline": len(base),
        "normal_requests_attack": len(attacked),
        "normal_failures": base_failures + attacked_failures,
        "slow_connections_closed_by_server": len(held),
        "slow_held_max_s": round(max(held, default=float("nan")), 1),
        "slow_held_median_s": round(statistics.median(held) if held else float("nan"), 1),
    }
    for name, value in figures.items():
        print(f"{name:36} {value}")
    report("slowloris", figures)


if __name__ == "__main__":
    main()
