"""Put notifications together from settings: the channels that are configured, the queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

import httpx

from kat_widgets.booking.storage import Storage
from kat_widgets.config import NotificationsConfig
from kat_widgets.directory import Directory
from kat_widgets.errors import PermanentDeliveryError
from kat_widgets.notifications.channels import SmtpChannel, TwilioChannel, WebhookChannel
from kat_widgets.notifications.delivery import Deliverer
from kat_widgets.notifications.plan import Notifier
from kat_widgets.notifications.queue import DeliveryQueue, make_huey

__all__ = ["LiveChannels", "Notifications", "build_notifications"]


class LiveChannels:
    """The configured channels; a channel that is not configured refuses for good."""

    def __init__(self, config: NotificationsConfig) -> None:
        client = httpx.Client(timeout=httpx.Timeout(config.timeout_s, connect=5.0))
        self._smtp = SmtpChannel(config.smtp) if config.smtp is not None else None
        self._sms = TwilioChannel(config.sms, client=client) if config.sms is not None else None
        self._webhooks = (
            WebhookChannel(config.webhook_secret, client=client) if config.webhook_urls else None
        )

    def email(self, message: EmailMessage) -> None:
        if self._smtp is None:
            raise PermanentDeliveryError("email is not configured (smtp_url)")
        self._smtp.send(message)

    def sms(self, to: str, body: str) -> None:
        if self._sms is None:
            raise PermanentDeliveryError("texts are not configured (twilio_account_sid)")
        self._sms.send(to, body)

    def webhook(self, url: str, message_id: str, body: bytes, *, timestamp: int) -> None:
        if self._webhooks is None:
            raise PermanentDeliveryError("webhooks are not configured (webhook_urls)")
        self._webhooks.send(url, message_id, body, timestamp=timestamp)


@dataclass(frozen=True, slots=True)
class Notifications:
    """What a booking change owes (the notifier), and who delivers it (the queue)."""

    config: NotificationsConfig
    notifier: Notifier
    deliverer: Deliverer
    queue: DeliveryQueue

    def start_in_process(self) -> None:
        """Deliver from this process when no queue service is configured (``serve``)."""
        if self.config.embedded and self.config.any_channel:
            self.queue.start()

    def stop(self) -> None:
        self.queue.stop()


def build_notifications(
    config: NotificationsConfig,
    *,
    storage: Storage,
    directory: Directory,
    secret_key: str,
    clock: Callable[[], dt.datetime],
    channels: LiveChannels | None = None,
) -> Notifications:
    deliverer = Deliverer(
        storage,
        directory,
        config,
        secret_key=secret_key,
        channels=channels if channels is not None else LiveChannels(config),
        clock=clock,
    )
    huey = make_huey(config, secret_key=secret_key, outbox=storage.url)
    queue = DeliveryQueue(huey, deliverer)
    notifier = Notifier(config, directory, secret_key, wake=queue.wake)
    return Notifications(config=config, notifier=notifier, deliverer=deliverer, queue=queue)
