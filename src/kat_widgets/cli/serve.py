"""``kat-widgets serve``: the demo page and the widgets over HTTP (uvicorn)."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from kat_widgets.settings import load_settings

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
    print(f"kat-widgets: serving on http://{args.host}:{args.port}/ ({settings.mode} mode)")
    uvicorn.run(
        "kat_widgets.web.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=None if args.reload else args.workers,
        reload=args.reload,
        log_level=args.log_level,
        server_header=False,
        http="kat_widgets.web.nodelay:NoDelayH11Protocol",  # no 40 ms stalls with --workers N
        # uvicorn's access log prints raw paths and query strings (tokens, addresses):
        # our own request log records only route templates.
        access_log=False,
    )
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="serve the demo page and the widgets over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument("--reload", action="store_true", help="restart on code changes (dev)")
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    serve.set_defaults(handler=_serve)
