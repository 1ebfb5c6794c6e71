"""What the booking use cases tell a visitor when they refuse, marked for the catalogs.

Each is translated where it is raised (:func:`kat_widgets.i18n.gettext`, in the language of the
request or of the booking), so the same words reach the manage page, a widget and the JSON API.
"""

from __future__ import annotations

from kat_widgets.i18n import N_, gettext

__all__ = [
    "cancelled",
    "cut_off",
    "move_too_soon",
    "not_found",
    "not_offered",
    "pathway",
    "referral",
]


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


_FIRST = {
    "connect": N_("Your assessment needs to come first."),
    "prepare": N_("Your preparation session needs to come first."),
    "experience": N_("Your ketamine session needs to come first."),
    "integrate": N_("Your integration session needs to come first."),
    "reconnect": N_("Your follow-up session needs to come first."),
}
"""A step that must be completed first, by the step it belongs to."""
_EARLIER = N_("An earlier step of your care needs to come first.")


def pathway(rule: str, phone: str, *, step: str | None = None, days: int | None = None) -> str:
    """Why the care pathway refuses a booking, in the visitor's words, with the number.

    ``rule``: ``requires`` (``step``: the step that must come first), ``spacing`` or
    ``after`` (``step``: the step it follows), with their ``days``.
    """
    if rule == "requires":
        first = gettext(_FIRST.get(step or "", _EARLIER))
        then = gettext(N_("Please call us at {phone} and we will help you plan your next step."))
        return f"{first} {then.format(phone=phone)}"
    if rule == "spacing":
        words = N_(
            "These sessions need at least {days} days between them. Please choose a day "
            "{days} or more days from your other session, or call us at {phone}."
        )
    elif step == "experience":
        words = N_(
            "This session is offered in the {days} days after a ketamine session. Please "
            "choose a time in those days, or call us at {phone}."
        )
    else:
        words = N_(
            "This session is offered in the {days} days after an earlier step of your care. "
            "Please choose a time in those days, or call us at {phone}."
        )
    return gettext(words).format(days=days, phone=phone)


def referral(problem: str, phone: str) -> str:
    """A referral link that cannot be used: ``invalid``, ``expired`` or ``other`` (it is for
    another clinic or service)."""
    words = {
        "expired": N_(
            "This booking link has expired. Please call us at {phone} and we will send you "
            "a new one."
        ),
        "other": N_(
            "This booking link is for another visit. Please open the link as we sent it, or "
            "call us at {phone}."
        ),
    }.get(
        problem,
        N_("This booking link is not valid. Please call us at {phone} and we will help you."),
    )
    return gettext(words).format(phone=phone)
