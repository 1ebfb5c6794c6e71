"""Real peers on loopback for the notification tests: SMTP (aiosmtpd), a webhook receiver,
and a server answering with Twilio's documented Messages API shapes."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "clinic", "s3cret-pass"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (and its key), made with the machine's openssl."""
    cert, key = folder / "smtp.crt", folder / "smtp.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return cert, key


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class SmtpHandler:
    """Keeps every message; ``refuse`` makes the next DATA answer a given code."""

    received: list[Received] = field(default_factory=list)
    refuse: str | None = None
    transcript: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.transcript.append(f"MAIL FROM:<{envelope.mail_from}> RCPT:{envelope.rcpt_tos}")
        if self.refuse is not None:
            return self.refuse
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, raw))
        return "250 OK"


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 itself


@contextmanager
def smtp_server(
    *, mode: str = "plain", cert: tuple[Path, Path] | None = None
) -> Iterator[tuple[Controller, SmtpHandler]]:
    """``plain`` (no TLS, no auth), ``starttls`` (TLS upgrade + AUTH) or ``smtps`` (TLS)."""
    handler = SmtpHandler()
    options: dict[str, Any] = {"hostname": "127.0.0.1", "port": free_port()}
    if mode != "plain":
        assert cert is not None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert[0]), str(cert[1]))
        options["authenticator"] = _authenticate
        if mode == "starttls":
            options.update(tls_context=context, require_starttls=True)
        else:
            options.update(ssl_context=context, auth_require_tls=False)
            options["server_hostname"] = "127.0.0.1"
    controller = Controller(handler, **options)
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes
    start: float
    end: float


class _Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, answer: Any) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.hits: list[Hit] = []
        self.answer = answer
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: _Recorder

    def log_message(self, *args: Any) -> None:
        return None

    def do_POST(self) -> None:
        start = time.monotonic()
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        status, payload, delay = self.server.answer(self.path, dict(self.headers), body)
        if delay:
            time.sleep(delay)
        data = json.dumps(payload).encode() if payload is not None else b""
        # recorded before the answer goes out: a sender that has its answer finds its hit here
        # (appended after, a test reading hits as soon as delivery returned could miss it)
        with self.server.lock:
            self.server.hits.append(
                Hit(self.path, dict(self.headers), body, start, time.monotonic())
            )
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def http_peer(answer: Any) -> Iterator[_Recorder]:
    """A loopback HTTP server: ``answer(path, headers, body) -> (status, json, delay_s)``."""
    server = _Recorder(free_port(), answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def url_of(server: _Recorder, path: str = "/") -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "t" * 32


def twilio(errors: dict[str, tuple[int, int]] | None = None) -> Any:
    """Answers like Twilio's Messages API (2010-04-01): 201 with the message resource, or the
    documented error body ``{"code", "message", "more_info", "status"}`` for a number in
    ``errors`` (``to -> (http status, twilio code)``)."""
    errors = errors or {}

    def answer(path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any, float]:
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if headers.get("Authorization") != expected:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}, 0
        if path != f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json":
            return 404, {"code": 20404, "message": "Not found", "status": 404}, 0
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if form["To"] in errors:
            status, code = errors[form["To"]]
            return (
                status,
                {
                    "code": code,
                    "message": f"The 'To' number {form['To']} is not a valid phone number.",
                    "more_info": f"https://www.twilio.com/docs/errors/{code}",
                    "status": status,
                },
                0,
            )
        sid = "SM" + "a" * 32
        return (
            201,
            {
                "account_sid": ACCOUNT_SID,
                "api_version": "2010-04-01",
                "body": form["Body"],
                "date_created": "Thu, 24 Aug 2023 05:01:45 +0000",
                "date_sent": None,
                "date_updated": "Thu, 24 Aug 2023 05:01:45 +0000",
                "direction": "outbound-api",
                "error_code": None,
                "error_message": None,
                "from": form["From"],
                "messaging_service_sid": None,
                "num_media": "0",
                "num_segments": "1",
                "price": None,
                "price_unit": "USD",
                "sid": sid,
                "status": "queued",
                "subresource_uris": {
                    "media": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}/Media.json"
                },
                "to": form["To"],
                "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
            },
            0,
        )

    return answer
