"""The three ways out: SMTP, Twilio's Messages API, signed webhooks. Each one only sends.

Channels never read the booking tables: they get a finished message and an address. Failures
become :class:`TransientDeliveryError` (try again later) or :class:`PermanentDeliveryError`
(park it), named by kind only: no address, no content, no server reply reaches a log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import smtplib
import ssl
from email.message import EmailMessage

import httpx

from kat_widgets.config import SmtpServer, TwilioAccount
from kat_widgets.errors import PermanentDeliveryError, TransientDeliveryError

__all__ = ["SmtpChannel", "TwilioChannel", "WebhookChannel", "e164", "sign_webhook"]

HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_MAX_REPLY = 64 * 1024


class SmtpChannel:
    """Mail over SMTP: plain, STARTTLS (``?starttls=true``) or SMTPS (``smtps://``)."""

    def __init__(self, server: SmtpServer, *, tls_context: ssl.SSLContext | None = None) -> None:
        self.server = server
        self.tls_context = tls_context if tls_context is not None else ssl.create_default_context()

    def send(self, message: EmailMessage) -> None:
        server = self.server
        try:
            if server.tls:
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    server.host, server.port, timeout=server.timeout_s, context=self.tls_context
                )
            else:
                client = smtplib.SMTP(server.host, server.port, timeout=server.timeout_s)
            with client:
                if server.starttls:
                    client.starttls(context=self.tls_context)
                if server.username:
                    client.login(server.username, server.password or "")
                refused = client.send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise PermanentDeliveryError("smtp: every recipient was refused") from None
        except smtplib.SMTPAuthenticationError:
            raise TransientDeliveryError("smtp: login refused (check smtp_url)") from None
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code in (550, 551, 553):  # no such mailbox, not local, bad address
                raise PermanentDeliveryError(f"smtp: refused ({exc.smtp_code})") from None
            raise TransientDeliveryError(f"smtp: try later ({exc.smtp_code})") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientDeliveryError(f"smtp: {type(exc).__name__}") from None
        if refused:
            raise PermanentDeliveryError("smtp: a recipient was refused")


class TwilioChannel:
    """Texts through Twilio's Messages API (``POST .../Accounts/{sid}/Messages.json``)."""

    def __init__(self, account: TwilioAccount, *, client: httpx.Client | None = None) -> None:
        self.account = account
        self.client = client if client is not None else httpx.Client(timeout=HTTP_TIMEOUT)

    def send(self, to: str, body: str) -> str:
        """Queue one text; returns Twilio's message SID."""
        account = self.account
        url = f"{account.api_url}/2010-04-01/Accounts/{account.account_sid}/Messages.json"
        try:
            reply = self.client.post(
                url,
                data={"To": to, "From": account.sender, "Body": body},
                auth=(account.account_sid, account.auth_token),
            )
        except httpx.HTTPError as exc:
            raise TransientDeliveryError(f"sms: {type(exc).__name__}") from None
        if reply.status_code in (200, 201):
            sid = reply.json().get("sid") if reply.content else None
            return str(sid or "")
        code = _twilio_code(reply)
        if reply.status_code == 429 or reply.status_code >= 500:
            raise TransientDeliveryError(f"sms: HTTP {reply.status_code} (code {code})")
        if reply.status_code in (401, 403):
            raise TransientDeliveryError(f"sms: HTTP {reply.status_code} (check the account)")
        raise PermanentDeliveryError(f"sms: HTTP {reply.status_code} (code {code})")


def e164(number: str) -> str:
    """A visitor's number as Twilio wants it: ``801-555-0123`` -> ``+18015550123`` (a number
    without a country code is North American, like the clinics')."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if number.strip().startswith("+") and 8 <= len(digits) <= 15:
        return f"+{digits}"
    if len(digits) == 10:
        return f"+1{digits}"
    if len(digits) == 11 and digits.startswith("1"):
        return f"+{digits}"
    raise PermanentDeliveryError("sms: the number cannot receive texts (not E.164)")


def _twilio_code(reply: httpx.Response) -> str:
    """Twilio's numeric error code (``{"code": 21211, ...}``), never its message text."""
    try:
        code = reply.json().get("code")
    except ValueError:
        return "-"
    return str(code) if isinstance(code, int) else "-"


def sign_webhook(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks: ``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body``."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class WebhookChannel:
    """POST a signed JSON event; any 2xx is delivered, anything else is tried again."""

    def __init__(self, key: bytes, *, client: httpx.Client | None = None) -> None:
        self.key = key
        self.client = client if client is not None else httpx.Client(timeout=HTTP_TIMEOUT)

    def send(self, url: str, message_id: str, body: bytes, *, timestamp: int) -> None:
        headers = {
            "content-type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign_webhook(self.key, message_id, timestamp, body),
            "user-agent": "kat-widgets-webhooks",
        }
        try:
            with self.client.stream("POST", url, content=body, headers=headers) as reply:
                for _ in reply.iter_bytes(_MAX_REPLY):  # read a little, never the whole reply
                    break
                status = reply.status_code
        except httpx.HTTPError as exc:
            raise TransientDeliveryError(f"webhook: {type(exc).__name__}") from None
        if not 200 <= status < 300:
            raise TransientDeliveryError(f"webhook: HTTP {status}")
