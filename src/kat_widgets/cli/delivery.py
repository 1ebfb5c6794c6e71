"""``kat-widgets worker``, ``outbox list | retry | stats``, ``mail-test``: delivering messages."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kat_widgets.services import Services

STATUSES = ("pending", "sending", "sent", "parked", "skipped")


def _services(*, durable_commits: bool = True) -> Services:
    from kat_widgets.services import build_services
    from kat_widgets.settings import load_settings

    return build_services(load_settings(), durable_commits=durable_commits)


def _log_to_stderr(level: str) -> None:
    """The worker's log: ours at ``log_level`` and Huey's, one line each, on stderr (message
    ids, kinds and error kinds only: see ``notifications.delivery``)."""
    import logging

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    for name in ("kat_widgets", "huey"):
        logger = logging.getLogger(name)
        logger.setLevel(level.upper() if name == "kat_widgets" else "WARNING")
        logger.addHandler(handler)
        logger.propagate = False


def _worker(args: argparse.Namespace) -> int:
    # a worker only marks messages claimed and sent: such a mark lost to a crash of the
    # machine means one more send with the same id, so it need not wait for the disk
    services = _services(durable_commits=False)
    _log_to_stderr(services.settings.log_level)
    try:
        if services.notifications is None:
            print(
                "error: no channel is configured (smtp_url, twilio_account_sid or webhook_urls)",
                file=sys.stderr,
            )
            return 1
        queue = services.notifications.config.queue_url or "the SQLite queue in data_dir"
        print(
            f"kat-widgets worker: delivering from {queue} with {args.threads} threads",
            flush=True,
        )
        if args.parent is not None:
            _exit_with_parent(args.parent)
        services.notifications.queue.run(workers=args.threads)
    finally:
        services.dispose()
    return 0


def _exit_with_parent(parent: int) -> None:
    """Stop gracefully (SIGTERM to ourselves) once ``parent`` is gone (``serve`` killed)."""
    import os
    import signal
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="kat-parent-watch", daemon=True).start()


def _outbox(args: argparse.Namespace) -> int:
    services = _services()
    try:
        outbox = services.booking.storage.outbox
        now = dt.datetime.now(dt.UTC)
        if args.action == "list":
            rows = outbox.messages(status=args.status, limit=args.limit)
            print(f"{'id':<32}  {'status':<8} attempts  {'due (UTC)':<19}   event/channel")
            for row in rows:
                due = row.due_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
                print(
                    f"{row.id}  {row.status:<8} {row.attempts:>8}  {due}   "
                    f"{row.event}/{row.channel:<12} {row.last_error or ''}"
                )
            print(f"{len(rows)} messages")
            return 0
        if args.action == "retry":
            try:
                message_id = uuid.UUID(hex=args.id).hex
            except ValueError:
                print(f"error: {args.id!r} is not a message id (32 hex digits)", file=sys.stderr)
                return 2
            retried = outbox.retry(message_id, now=now)
            if retried is None:
                print(f"error: no parked message {message_id}", file=sys.stderr)
                return 1
            if services.notifications is not None:  # else the next sweep wakes it
                services.notifications.queue.enqueue(retried)
            print(f"ok: {message_id} will be sent again")
            return 0
        stats = outbox.stats(now=now)
        late = "-" if stats.oldest_due_seconds is None else f"{stats.oldest_due_seconds:.0f} s"
        print(
            f"pending {stats.pending} (due now {stats.due}), sending {stats.sending}, "
            f"parked {stats.parked}, sent {stats.sent}; oldest due unsent: {late}"
        )
        return 0
    finally:
        services.dispose()


def _mail_test(args: argparse.Namespace) -> int:
    from email.message import EmailMessage

    from kat_widgets.notifications.channels import SmtpChannel
    from kat_widgets.settings import load_settings

    config = load_settings(None, persist_secret=False).notifications
    if config.smtp is None:
        print("error: set smtp_url (KAT_SMTP_URL) and mail_from first", file=sys.stderr)
        return 1
    message = EmailMessage()
    message["Subject"] = "kat-widgets mail test"
    message["From"] = config.mail_from
    message["To"] = args.address
    message["Message-ID"] = f"<{uuid.uuid4().hex}@{config.mail_from.rpartition('@')[2]}>"
    message.set_content("This is a test message from kat-widgets. Email delivery works.\n")
    SmtpChannel(config.smtp).send(message)
    print(f"ok: the SMTP server at {config.smtp.host}:{config.smtp.port} accepted the message")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    worker = commands.add_parser(
        "worker", help="deliver confirmations, reminders and webhooks from the queue"
    )
    worker.add_argument("--threads", type=int, default=4, help="sending threads (default 4)")
    worker.add_argument("--parent", type=int, default=None, help=argparse.SUPPRESS)
    worker.set_defaults(handler=_worker)
    outbox = commands.add_parser("outbox", help="messages owed by booking changes")
    actions = outbox.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list messages (default: parked ones)")
    listing.add_argument("--status", choices=STATUSES, default="parked")
    listing.add_argument("--limit", type=int, default=100)
    listing.set_defaults(handler=_outbox)
    retry = actions.add_parser("retry", help="send a parked message again")
    retry.add_argument("id", help="the message id (from outbox list)")
    retry.set_defaults(handler=_outbox)
    stats = actions.add_parser("stats", help="how far delivery is behind")
    stats.set_defaults(handler=_outbox)
    mail = commands.add_parser("mail-test", help="send a test email through smtp_url")
    mail.add_argument("address", help="where to send it")
    mail.set_defaults(handler=_mail_test)
