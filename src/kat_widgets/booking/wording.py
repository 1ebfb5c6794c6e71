"""What the booking use cases tell a visitor when they refuse, marked for the catalogs.

Each is translated where it is raised (:func:`kat_widgets.i18n.gettext`, in the language of the
request or of the booking), so the same words reach the manage page, a widget and the JSON API.
"""

from __future__ import annotations

from kat_widgets.i18n import N_, gettext

__all__ = ["cancelled", "cut_off", "move_too_soon", "not_found", "not_offered"]


def not_found() -> str:
    return gettext(N_("We could not find a booking for this link."))


def cancelled() -> str:
    return gettext(N_("This booking was cancelled; please book a new time."))


def not_offered(clinic: str, service: str) -> str:
    return gettext(N_("{clinic} does not offer {service}.")).format(clinic=clinic, service=service)


def cut_off(action: str, hours: int, phone: str) -> str:
    """Refusing a change inside the cut-off; ``action`` is ``cancel`` or ``reschedule``."""
    words = (
        N_("Please call us to cancel within {hours} hours of your visit: {phone}.")
        if action == "cancel"
        else N_("Please call us to change the time within {hours} hours of your visit: {phone}.")
    )
    return gettext(words).format(hours=hours, phone=phone)


def move_too_soon(hours: int, phone: str) -> str:
    return gettext(
        N_(
            "Online, a visit can be moved to a time at least {hours} hours ahead. "
            "For a sooner time, please call us at {phone}."
        )
    ).format(hours=hours, phone=phone)
