"""The delivery process ``kat-widgets serve`` runs beside its web workers (embedded queue).

With no queue service, ``serve`` starts one ``kat-widgets worker`` child on the SQLite queue in
``data_dir`` instead of a few delivery threads in every web worker: sending (building mail,
talking SMTP) then never shares a worker's GIL with visitors' requests, and one process
delivers however many web workers there are. The child is restarted when it dies, stopped
with ``serve``, and stops by itself if ``serve`` is killed (it watches its parent).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

__all__ = ["DeliveryProcess"]

RESTART_DELAY_MAX = 30.0


class DeliveryProcess:
    """One supervised ``kat-widgets worker`` child."""

    def __init__(self, *, threads: int = 2, env: dict[str, str] | None = None) -> None:
        self.threads = threads
        self.env = env
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    def _spawn(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "kat_widgets", "worker"]
        command += ["--threads", str(self.threads), "--parent", str(os.getpid())]
        return subprocess.Popen(command, env=self.env)  # noqa: S603 - our own command

    def start(self) -> None:
        with self._lock:
            self._process = self._spawn()
        threading.Thread(target=self._watch, name="kat-delivery", daemon=True).start()

    def _watch(self) -> None:
        delay = 1.0
        while True:
            process = self._process
            assert process is not None
            began = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - began > 60:
                delay = 1.0  # it had been running well: restart soon
            print(
                f"kat-widgets: the delivery process exited ({code}); restarting in {delay:.0f} s",
                file=sys.stderr,
            )
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, RESTART_DELAY_MAX)
            with self._lock:
                if self._stopping.is_set():
                    return
                self._process = self._spawn()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the child to finish what it is sending (SIGTERM), then kill it if it must."""
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
