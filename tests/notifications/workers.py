"""``kat-widgets worker`` processes for the queue tests, and a receiver that times each send."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.notifications.conftest import WEBHOOK_SECRET


def worker_env(folder: Path, database_url: str, queue_url: str, hook_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAT_")}
    env.update(
        KAT_DATA_DIR=str(folder / "data"),
        KAT_SECRET_KEY="k" * 40,
        KAT_DATABASE_URL=database_url,
        KAT_QUEUE_URL=queue_url,
        KAT_WEBHOOK_URLS=hook_url,
        KAT_WEBHOOK_SECRET=WEBHOOK_SECRET,
        KAT_REMINDERS="",
        KAT_DELIVERY_TIMEOUT_SECONDS="1",
        KAT_DELIVERY_LEASE_SECONDS="4",
        KAT_DELIVERY_BACKOFF_SECONDS="0.2",
        KAT_PUBLIC_URL="https://clinic.example",
    )
    return env


class Worker:
    """One ``kat-widgets worker`` in its own process group, its output in a log file."""

    def __init__(self, env: dict[str, str], log: Path, threads: int = 4) -> None:
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kat_widgets", "worker", "--threads", str(threads)],
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_until(condition: Any, *, seconds: float, what: str, logs: list[Path]) -> None:
    """Poll ``condition`` until it holds; on time-out fail with the workers' logs."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {log}\n{log.read_text()[-3000:]}" for log in logs)
            raise AssertionError(f"timed out waiting for {what}\n{tails}")
        time.sleep(0.2)


def overlaps(hits: list[Any]) -> list[tuple[str, float, float]]:
    """Sends of one message id whose times overlap (should never happen)."""
    by_id: dict[str, list[tuple[float, float]]] = {}
    for hit in hits:
        by_id.setdefault(hit.headers["webhook-id"], []).append((hit.start, hit.end))
    bad = []
    for message_id, spans in by_id.items():
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            if start < end:
                bad.append((message_id, start, end))
    return bad
