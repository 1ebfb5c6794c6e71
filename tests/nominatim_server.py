"""A local stand-in for Nominatim: a threaded http.server on 127.0.0.1 replaying real answers.

``mode`` picks the answer to ``/search``: ``house`` and ``city`` (recorded jsonv2 results; for
``format=json`` the ``category`` key is renamed ``class`` as Nominatim does), ``empty`` (``[]``),
``429`` and ``500`` (Nominatim's error bodies), ``slow`` (answers after ``delay_s``).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "nominatim"


class FakeNominatim:
    def __init__(self) -> None:
        self.mode = "house"
        self.delay_s = 2.0
        self.requests: list[dict[str, Any]] = []
        self.answered = 0
        """Answers fully sent (a client that gave up first does not count one)."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.requests.append(
                    {"path": url.path, "params": params, "user_agent": self.headers["User-Agent"]}
                )
                mode = fake.mode
                if mode == "slow":
                    time.sleep(fake.delay_s)
                    mode = "house"
                if mode == "429":
                    self._send(429, {"error": {"code": 429, "message": "Too Many Requests"}})
                elif mode == "500":
                    self._send(500, {"error": {"code": 500, "message": "Internal Server Error"}})
                elif mode == "empty":
                    self._send(200, [])
                else:
                    results = json.loads((FIXTURES / f"search_{mode}.json").read_text("utf-8"))
                    if params.get("format") != "jsonv2":
                        for result in results:
                            result["class"] = result.pop("category")
                    self._send(200, results)

            def _send(self, status: int, body: object) -> None:
                data = json.dumps(body).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    self.wfile.flush()
                    fake.answered += 1
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.domain = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FakeNominatim:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
