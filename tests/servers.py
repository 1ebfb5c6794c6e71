"""Servers that tests start, and the one way they wait for them.

Every server a test starts (``kat-widgets serve``, Radicale, uvicorn in a thread) is waited for
with :func:`wait_until`: it polls with short sleeps up to a generous deadline, gives up at once if
the server died, and raises :class:`NotReady` with the tail of the server's log. The deadline is
``KAT_TEST_SERVER_DEADLINE`` seconds (default 180): a loaded 2-core machine running the suite
with ``-n 2`` can take far longer than usual to import and start a server with three workers,
and a healthy server answers long before the deadline, so a generous one costs nothing.

A subprocess server writes its output to a log file, never to a pipe nobody reads (a full pipe
blocks the child). Ports: threads bind port 0 and pass the bound socket on; a child process is
given a port that was free a moment ago and, if another process took it meanwhile ("address
already in use"), is started again on another.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import logging
import os
import signal
import socket
import subprocess
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Self

import httpx

DEADLINE_ENV = "KAT_TEST_SERVER_DEADLINE"
DEFAULT_DEADLINE_S = 180.0
POLL_S = 0.1
LOG_TAIL_CHARS = 6000
STOP_S = 30.0  # a graceful stop; then SIGKILL (a process) or leave the daemon thread behind
PORT_TAKEN = "address already in use"


class NotReady(RuntimeError):
    """A server (or anything else polled for) was not ready in time, or died first."""


def deadline_s() -> float:
    """Seconds to wait for a server: ``KAT_TEST_SERVER_DEADLINE``, or 180."""
    value = os.environ.get(DEADLINE_ENV, "").strip()
    if not value:
        return DEFAULT_DEADLINE_S
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f"{DEADLINE_ENV}={value!r}: give a number of seconds") from None
    if seconds <= 0:
        raise ValueError(f"{DEADLINE_ENV}={value!r}: give a positive number of seconds")
    return seconds


def wait_until(
    ready: Callable[[], bool],
    *,
    what: str,
    alive: Callable[[], bool] = lambda: True,
    log: Callable[[], str] = lambda: "",
    deadline: float | None = None,
) -> float:
    """Poll ``ready()`` until it is true; return the seconds it took.

    Raises :class:`NotReady` as soon as ``alive()`` is false, or after ``deadline`` seconds
    (default :func:`deadline_s`), with ``log()`` (the server's output) in the message.
    """
    limit = deadline_s() if deadline is None else deadline
    started = time.monotonic()
    while True:
        if ready():
            return time.monotonic() - started
        waited = time.monotonic() - started
        if not alive():
            problem = f"{what} stopped after {waited:.1f} s, before it was ready"
        elif waited > limit:
            problem = (
                f"{what} was not ready after {limit:.0f} s "
                f"(set {DEADLINE_ENV} to wait longer on a slow machine)"
            )
        else:
            time.sleep(POLL_S)
            continue
        output = log().strip()
        raise NotReady(f"{problem}\n--- its log ---\n{output}" if output else f"{problem} (no log)")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free just now (a child process binds it later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def bound_socket() -> socket.socket:
    """A socket bound to a fresh port on 127.0.0.1, for a server in this process to listen on."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.contextmanager
def dead_port() -> Iterator[int]:
    """A port where connections are refused: bound but never listening, so nobody takes it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def http_ok(url: str) -> Callable[[], bool]:
    """A readiness check: ``GET url`` answers 200."""

    def check() -> bool:
        try:
            return httpx.get(url, timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    return check


def tcp_open(port: int) -> Callable[[], bool]:
    """A readiness check: 127.0.0.1:``port`` accepts a connection."""

    def check() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2):
                return True
        except OSError:
            return False

    return check


def log_tail(path: Path, chars: int = LOG_TAIL_CHARS) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    return text[-chars:]


class ServerProcess:
    """A server in a child process, in a session of its own so a signal reaches all its workers.

    ``command(port)`` is its argv; ``ready(port)`` its readiness check. Its stdout and stderr are
    appended to ``log_file``.
    """

    def __init__(
        self,
        name: str,
        command: Callable[[int], Sequence[str]],
        *,
        log_file: Path,
        ready: Callable[[int], Callable[[], bool]] = tcp_open,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        attempts: int = 3,
    ) -> None:
        self.name = name
        self.command = command
        self.log_file = log_file
        self.ready = ready
        self.cwd = cwd
        self.env = dict(env) if env is not None else None
        self.attempts = attempts
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return log_tail(self.log_file)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> Self:
        for attempt in range(1, self.attempts + 1):
            self.port = free_port()
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            logged_before = self.log_file.stat().st_size if self.log_file.exists() else 0
            with self.log_file.open("ab") as log:
                self.process = subprocess.Popen(
                    list(self.command(self.port)),
                    cwd=self.cwd,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            try:
                wait_until(
                    self.ready(self.port),
                    what=f"{self.name} on port {self.port}",
                    alive=self.running,
                    log=self.log,
                )
                return self
            except NotReady:
                self.kill()
                with self.log_file.open("rb") as log:
                    log.seek(logged_before)
                    this_try = log.read().decode("utf-8", errors="replace")
                if attempt < self.attempts and PORT_TAKEN in this_try.lower():
                    continue  # another process took the port meanwhile: try another
                raise
        raise AssertionError("unreachable")

    def _signal(self, signum: int) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)

    def kill(self) -> None:
        """SIGKILL the server and its workers (no shutdown hooks, no flushing)."""
        if self.process is None:
            return
        self._signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited within ``STOP_S``."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self._signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=STOP_S)
        self.kill()  # whatever of its group is still there

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


class _ThreadLog(logging.Handler):
    """Keeps the log records one thread emits (uvicorn logs through the global loggers)."""

    def __init__(self, thread: threading.Thread) -> None:
        super().__init__(logging.DEBUG)
        self.thread = thread
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread.ident:
            self.lines.append(self.format(record))


class UvicornThread:
    """``app`` served by uvicorn in a daemon thread of this process, on a socket bound first."""

    def __init__(self, app: Any, *, name: str = "uvicorn in a thread", http: Any = "auto") -> None:
        import uvicorn

        self.name = name
        self.socket = bound_socket()
        self.port: int = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", http=http))
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.failure = ""
        self._log = _ThreadLog(self.thread)

    def _run(self) -> None:
        try:
            self.server.run(sockets=[self.socket])
        except SystemExit as exit_:  # how uvicorn gives up on a failed start-up
            self.failure = f"uvicorn exited with status {exit_.code}"
        except BaseException:
            self.failure = traceback.format_exc()

    def log(self) -> str:
        return "\n".join([*self._log.lines, self.failure])[-LOG_TAIL_CHARS:]

    def start(self) -> Self:
        uvicorn_logger = logging.getLogger("uvicorn")
        uvicorn_logger.addHandler(self._log)
        try:
            self.thread.start()
            wait_until(
                lambda: bool(self.server.started),
                what=f"{self.name} on port {self.port}",
                alive=self.thread.is_alive,
                log=self.log,
            )
        except BaseException:
            self.stop()
            raise
        finally:
            uvicorn_logger.removeHandler(self._log)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(timeout=STOP_S)
        self.socket.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


@contextlib.contextmanager
def static_files(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on a port of its own (another origin); yield that origin."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
