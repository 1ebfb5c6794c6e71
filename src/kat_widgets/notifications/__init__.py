"""After a booking: confirmations, reminders, staff alerts and signed webhooks, on an outbox.

``plan`` decides what a change owes (rows written in its transaction), ``messages`` builds
what is sent, ``channels`` sends it (SMTP, Twilio, webhooks), ``delivery`` claims, sends and
records one message, ``queue`` runs the jobs on Huey. See docs/notifications.md.
"""

from __future__ import annotations

from kat_widgets.notifications.delivery import Deliverer, Outcome
from kat_widgets.notifications.plan import Notifier, plan_messages
from kat_widgets.notifications.queue import DeliveryQueue, make_huey
from kat_widgets.notifications.wiring import LiveChannels, Notifications, build_notifications

__all__ = [
    "Deliverer",
    "DeliveryQueue",
    "LiveChannels",
    "Notifications",
    "Notifier",
    "Outcome",
    "build_notifications",
    "make_huey",
    "plan_messages",
]
