"""``kat-widgets serve``: the demo page and the widgets over HTTP (uvicorn)."""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kat_widgets.settings import Settings

HEALTHCHECK_TIMEOUT = 60
"""Seconds a worker may take to answer uvicorn's health ping (its default of 5 kills workers
whose start-up holds the CPU on a busy machine, and each restart adds load)."""


def _port_is_free(host: str, port: int) -> bool:
    """Bind and let go, as uvicorn will (``SO_REUSEADDR``): a busy port is said at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from kat_widgets.settings import load_settings

    if args.workers < 1 or args.workers > 64:
        print("kat-widgets serve: --workers must be between 1 and 64", file=sys.stderr)
        return 2
    if not _port_is_free(args.host, args.port):
        print(
            f"kat-widgets serve: {args.host}:{args.port} is already in use; stop the other "
            f"server or choose another port with --port",
            file=sys.stderr,
        )
        return 1
    # every worker reads its settings from the environment: tell each how many there are
    os.environ["KAT_WORKERS"] = str(1 if args.reload else args.workers)
    settings = load_settings()  # fail here, once, with a readable message
    from kat_widgets.directory import load_directory

    load_directory(settings.directory_file)
    if settings.mode == "demo":
        os.environ.setdefault("KAT_SECRET_KEY", settings.secret_key)
        from kat_widgets.booking.storage import Storage
        from kat_widgets.errors import StorageUnavailableError

        storage = Storage(settings.booking.database_url)
        try:
            storage.migrate()  # once, before the workers start
        except StorageUnavailableError:
            print("kat-widgets: booking database unreachable; booking will answer 503")
        finally:
            storage.dispose()
    delivery = None
    notifications = settings.notifications
    if notifications.embedded and notifications.any_channel and settings.deliver_in_process:
        from kat_widgets.cli.delivery_process import DeliveryProcess

        # one delivery process beside the web workers, which then only write the outbox
        os.environ["KAT_DELIVER_IN_PROCESS"] = "false"
        delivery = DeliveryProcess(threads=2, env=dict(os.environ))
        delivery.start()
    print(f"kat-widgets: serving on http://{args.host}:{args.port}/ ({settings.mode} mode)")
    try:
        _run(uvicorn, args, settings)
    finally:
        if delivery is not None:
            delivery.stop()
    return 0


def _run(uvicorn: Any, args: argparse.Namespace, settings: Settings) -> None:
    uvicorn.run(
        "kat_widgets.web.served:served_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=None if args.reload else args.workers,
        reload=args.reload,
        log_level=args.log_level,
        server_header=False,
        # httptools, TCP_NODELAY (no 40 ms stalls with --workers N), a deadline for headers
        http="kat_widgets.web.http_protocol:KatHttpToolsProtocol",
        # X-Forwarded-For is believed only from the proxies named in KAT_FORWARDED_ALLOW_IPS
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
        timeout_worker_healthcheck=args.timeout_worker_healthcheck,
        # uvicorn's access log prints raw paths and query strings (tokens, addresses):
        # our own request log records only route templates.
        access_log=False,
    )


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="serve the demo page and the widgets over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument("--reload", action="store_true", help="restart on code changes (dev)")
    serve.add_argument(
        "--timeout-worker-healthcheck",
        type=int,
        default=HEALTHCHECK_TIMEOUT,
        metavar="SECONDS",
        help=f"how long a worker may take to answer a health check before it is restarted "
        f"(default {HEALTHCHECK_TIMEOUT})",
    )
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    serve.set_defaults(handler=_serve)
