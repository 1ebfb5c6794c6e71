"""Every hot path against the framework floor, over real HTTP and in instructions, in one run.

Two uvicorn servers, one worker each, started here:
- the **floor**: a one-route Litestar app rendering a ~2 KB autoescaped Jinja2 page
  (``floor.bare``), under uvicorn's httptools protocol, the parser ours builds on;
- **ours**: ``create_app`` as ``kat-widgets serve`` runs it (our HTTP protocol, the request log
  at its default level, compression, every middleware), plus the same floor route
  (``floor.stacked``), so "vs stacked floor" shows what our handlers add beyond our stack.

``wrk`` (Debian's package: ``apt-get install wrk``) drives each path for ``--seconds`` with one
thread and 4 connections, the paths taking turns in every round (floor, ours, floor, ...).
Each ratio is requests/s over the floor's in the same round: median, min, max over the rounds.
p99 latency comes from wrk's ``--latency``. With valgrind, each path is also counted in
instructions per request, in process through the same app (repeatable on a busy machine).

Run: ``python benchmarks/http.py [--rounds 5] [--seconds 2] [--no-callgrind]``.
"""

from __future__ import annotations

import sys

# this file is named http.py: the standard library's http package must come first
sys.path.append(sys.path.pop(0))

import argparse
import datetime as dt
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from _harness import HERE, figure, have_valgrind, instructions, report

SUPPORT = HERE / "support"
"""Where floor.py lives: the folder put on the servers' path (not this one, see above)."""

PATHS = {
    "crisis_banner": "/fragments/crisis-banner",
    "locator_fragment": "/fragments/locator?q=84020",
    "locate_api": "/api/locate?q=84020",
    "slots_api_14d": "/api/clinics/murray/slots?service=info-call&end={in_14_days}",
    "ics_feed": "/calendars/murray/availability.ics",
    "ics_304": "/calendars/murray/availability.ics",
}
GOALS = {
    "crisis_banner": 0.9,
    "locator_fragment": 0.6,
    "locate_api": 0.8,
    "slots_api_14d": 0.5,
    "ics_feed": 0.1,
    "ics_304": 0.8,
}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server(factory: str, log: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    command = [
        *(sys.executable, "-m", "uvicorn", f"floor:{factory}", "--factory"),
        *("--port", str(port), "--workers", "1", "--no-access-log", "--no-server-header"),
        *("--log-level", "warning"),
    ]
    if factory == "stacked":  # as `kat-widgets serve` runs our app
        command += ["--http", "kat_widgets.web.http_protocol:KatHttpToolsProtocol"]
    else:  # the same parser: uvicorn's httptools, which `serve` builds on
        command += ["--http", "httptools"]
    process = subprocess.Popen(
        command,
        cwd=SUPPORT,
        env={**os.environ, **env, "PYTHONPATH": str(SUPPORT)},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/__floor", timeout=5) as answer:
                if answer.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{factory} server did not start; its log:\n{log.read_text()[-3000:]}")


def _wrk(url: str, seconds: float, headers: dict[str, str]) -> tuple[float, float]:
    """(requests/s, p99 latency in ms) of ``url`` under wrk; refuses non-2xx/3xx answers."""
    command = ["wrk", "-t1", "-c4", f"-d{max(1, round(seconds))}s", "--latency", url]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"{url} answered errors under load:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return rps, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _etag(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return str(answer.headers["ETag"])


CALLGRIND_SETUP = """
import logging, os, floor, tempfile
os.environ.setdefault("KAT_RATE_LIMIT_STORE", "off")  # as for the servers above
from floor import asgi_get
app = floor.{factory}()
logging.getLogger("kat_widgets").setLevel(logging.{level})
call = asgi_get(app, {target!r}, {headers!r})
for _ in range(30):
    call()  # warm: templates compiled, caches filled, as in a running worker
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--no-callgrind", action="store_true")
    args = parser.parse_args()
    in_14_days = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    PATHS["slots_api_14d"] = PATHS["slots_api_14d"].format(in_14_days=in_14_days)
    if shutil.which("wrk") is None:
        raise SystemExit("benchmarks/http.py needs wrk: apt-get install wrk")
    folder = Path(tempfile.mkdtemp(prefix="kat-http-bench-"))
    # one client asks thousands of times a second: per-client rate limits would answer 429
    env = {
        "KAT_DATA_DIR": str(folder / "data"),
        "KAT_LOG_LEVEL": "info",
        "KAT_RATE_LIMIT_STORE": "off",
    }
    floor_server, floor_url = _server("bare", folder / "floor.log", env)
    ours_server, ours_url = _server("stacked", folder / "ours.log", env)
    try:
        etag = _etag(ours_url + PATHS["ics_304"])
        headers = {name: {} for name in PATHS}
        headers["ics_304"] = {"If-None-Match": etag}
        for name in ("locator_fragment", "crisis_banner", "ics_feed", "slots_api_14d"):
            headers[name] = {"Accept-Encoding": "br, gzip"}  # as a browser asks
        rps: dict[str, list[float]] = {name: [] for name in ["floor", "stacked_floor", *PATHS]}
        p99: dict[str, list[float]] = {name: [] for name in rps}
        ratios: dict[str, list[float]] = {name: [] for name in PATHS}
        vs_stacked: dict[str, list[float]] = {name: [] for name in PATHS}
        for _ in range(args.rounds):
            base, base_p99 = _wrk(floor_url + "/__floor", args.seconds, {})
            stacked, stacked_p99 = _wrk(ours_url + "/__floor", args.seconds, {})
            rps["floor"].append(base)
            p99["floor"].append(base_p99)
            rps["stacked_floor"].append(stacked)
            p99["stacked_floor"].append(stacked_p99)
            for name, path in PATHS.items():
                value, latency = _wrk(ours_url + path, args.seconds, headers[name])
                rps[name].append(value)
                p99[name].append(latency)
                ratios[name].append(value / base)
                vs_stacked[name].append(value / stacked)
    finally:
        for process in (floor_server, ours_server):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    figures: dict[str, object] = {
        "rounds": args.rounds,
        "seconds_per_path": args.seconds,
        "floor_rps": figure(rps["floor"]).scaled(1, 0),
        "floor_p99_ms": figure(p99["floor"]).scaled(1, 2),
        "stacked_floor_vs_floor": figure(
            [a / b for a, b in zip(rps["stacked_floor"], rps["floor"], strict=True)]
        ).scaled(1, 2),
    }
    for name in PATHS:
        figures[name] = {
            "rps": figure(rps[name]).scaled(1, 0),
            "vs_floor": figure(ratios[name]).scaled(1, 3),
            "vs_stacked_floor": figure(vs_stacked[name]).scaled(1, 3),
            "p99_ms": figure(p99[name]).scaled(1, 2),
            "p99_vs_floor_p99": figure(
                [a / b for a, b in zip(p99[name], p99["floor"], strict=True)]
            ).scaled(1, 2),
            "goal_vs_floor": GOALS[name],
        }
    report("http", figures)  # now: the instruction counts below take minutes
    if have_valgrind() and not args.no_callgrind:
        counted: dict[str, float] = {}
        for name, factory, target, extra in [
            ("floor", "bare", "/__floor", {}),
            ("stacked_floor", "stacked", "/__floor", {}),
            *((name, "stacked", path, headers[name]) for name, path in PATHS.items()),
        ]:
            setup = CALLGRIND_SETUP.format(
                factory=factory, level="INFO", target=target, headers=extra
            )
            counted[name] = instructions(setup, "call()", calls=20, path=SUPPORT)
        report(
            "http_instructions",
            {
                "per_request": {k: round(v) for k, v in counted.items()},
                "floor_over_path": {
                    k: round(counted["floor"] / v, 3) for k, v in counted.items() if k != "floor"
                },
            },
        )


if __name__ == "__main__":
    main()
