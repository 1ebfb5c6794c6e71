"""The delivery queue on Huey: "deliver message N" jobs, retries after a delay, a sweep a minute.

Why Huey: it is the one well-kept job library with a SQLite store (the embedded default:
``kat-widgets serve`` delivers by itself) beside Redis and PostgreSQL stores (``kat-widgets
worker`` processes on any number of machines). Huey delivers a job at most once (a worker
killed mid-job loses it), so the outbox row is the truth: every job claims its row first,
and the ``kat.recover`` sweep wakes whatever a dead worker or a lost job left.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kat_widgets.booking.outbox import Due
from kat_widgets.config import NotificationsConfig
from kat_widgets.notifications.delivery import Deliverer

if TYPE_CHECKING:  # Huey is imported where a queue is made: loading it loads every store it
    # knows (PostgreSQL's and Redis's clients, ~0.15 s), which an app without notifications
    # should not pay at every worker's start
    from huey import Huey
    from huey.consumer import Consumer

__all__ = ["DeliveryQueue", "make_huey"]

log = logging.getLogger("kat_widgets.notifications")


def make_huey(config: NotificationsConfig, *, secret_key: str, outbox: str) -> Huey:
    """The queue ``config.queue_url`` names: a SQLite file by default, Redis or PostgreSQL.

    Jobs carry only a message id, signed with the secret key (a shared Redis cannot inject).
    The queue's name comes from ``outbox`` (the booking database's URL): workers of one
    outbox share a queue, and two deployments on one Redis never take each other's jobs.
    """
    from huey import PostgresHuey, RedisHuey, SqliteHuey
    from huey.serializer import SignedSerializer

    digest = hashlib.sha256(outbox.encode()).hexdigest()[:12]
    options: dict[str, Any] = {
        "results": False,
        "serializer": SignedSerializer(secret=secret_key, salt="kat-widgets-outbox"),
    }
    url = config.queue_url
    if not url:
        Path(config.queue_file).parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(f"kat-widgets-{digest}", filename=config.queue_file, **options)
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey(f"kat-widgets-{digest}", url=url, **options)
    dsn = "postgresql://" + url.split("://", 1)[1]
    return PostgresHuey(f"kat-widgets-{digest}", dsn=dsn, table_prefix="kat_queue", **options)


def _embedded_consumer(huey: Huey, **options: Any) -> Consumer:
    """A consumer inside another program (the web server): the signals stay the server's."""
    from huey.consumer import Consumer

    class EmbeddedConsumer(Consumer):  # type: ignore[misc]
        def _set_signal_handlers(self) -> None:
            return None

    return EmbeddedConsumer(huey, **options)


class DeliveryQueue:
    """Huey jobs over one :class:`Deliverer`: wake, retry, sweep."""

    def __init__(self, huey: Huey, deliverer: Deliverer) -> None:
        self.huey = huey
        self.deliverer = deliverer
        self._consumer: Consumer | None = None
        self._waiting: queue.SimpleQueue[Due | None] = queue.SimpleQueue()
        self._waker: threading.Thread | None = None
        self._waker_lock = threading.Lock()
        self.also_sweep: Callable[[], int] | None = None
        """Run by each sweep too (the waitlist's offers that ran out go to the next visitor)."""
        from huey import crontab
        from huey.exceptions import RetryTask

        @huey.task(name="kat.deliver")  # type: ignore[untyped-decorator]
        def deliver(message_id: str) -> None:
            outcome = deliverer.deliver(message_id)
            if outcome.then is not None:  # the next message to the same recipient can go now
                try:
                    deliver(outcome.then)
                except Exception as exc:  # the queue is down: the sweep will find the row
                    log.warning("could not queue message %s (%s)", outcome.then, type(exc).__name__)
            if outcome.status == "retry" and outcome.retry_in is not None:
                raise RetryTask(delay=max(outcome.retry_in, 0.01))

        @huey.periodic_task(crontab(minute="*"), name="kat.recover")  # type: ignore[untyped-decorator]
        def recover() -> None:
            self.sweep()

        self._deliver = deliver
        self._recover = recover

    def wake(self, messages: Sequence[Due]) -> None:
        """Hand ``messages`` to the waker thread, which queues their jobs: a booking's request
        never waits for the queue (a job the waker never queued is woken by the sweep)."""
        with self._waker_lock:
            if self._waker is None or not self._waker.is_alive():
                self._waker = threading.Thread(
                    target=self._wake_loop, name="kat-waker", daemon=True
                )
                self._waker.start()
        for message in messages:
            self._waiting.put(message)

    def _wake_loop(self) -> None:
        while (message := self._waiting.get()) is not None:
            try:
                self.enqueue(message)
            except Exception as exc:  # the queue is down: the sweep will find the row
                log.warning("could not queue message %s (%s)", message.id, type(exc).__name__)

    def enqueue(self, message: Due) -> None:
        """A job for ``message``: now, or at its due time (reminders)."""
        if message.due_at <= self.deliverer.clock():
            self._deliver(message.id)
        else:
            self._deliver.schedule(args=(message.id,), eta=message.due_at.astimezone(dt.UTC))

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until the waker has queued what it was handed (stop, tests)."""
        deadline = time.monotonic() + timeout
        while not self._waiting.empty() and time.monotonic() < deadline:
            time.sleep(0.01)

    def sweep(self) -> int:
        """Wake what a dead worker or a lost job left; returns how many were woken."""
        if self.also_sweep is not None:
            try:
                self.also_sweep()
            except Exception as exc:  # never stops the delivery sweep; the next one tries again
                log.warning("waitlist sweep failed (%s)", type(exc).__name__)
        woken = self.deliverer.recover()
        for message_id in woken:
            self._deliver(message_id)
        if woken:
            log.info("recovery sweep woke %d messages", len(woken))
        return len(woken)

    def start(self, *, workers: int = 2) -> None:
        """Deliver from inside this process (``kat-widgets serve`` with no queue service)."""
        if self._consumer is not None:
            return
        self.sweep()  # whatever the last run left
        consumer = _embedded_consumer(
            self.huey, workers=workers, initial_delay=0.05, max_delay=1.0, backoff=1.5
        )
        consumer.start()
        self._consumer = consumer
        log.info("delivering messages in process %d (%d threads)", os.getpid(), workers)

    def stop(self) -> None:
        self.flush()
        if self._waker is not None:
            self._waiting.put(None)
            self._waker.join(timeout=5)
            self._waker = None
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
            self._consumer = None

    def run(self, *, workers: int) -> None:
        """``kat-widgets worker``: deliver until SIGTERM/SIGINT (Huey's own signal handling)."""
        self.sweep()
        self.huey.create_consumer(
            workers=workers, initial_delay=0.05, max_delay=2.0, graceful_signal="TERM"
        ).run()
