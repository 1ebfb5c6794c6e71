"""The answers to a service's intake questions: checked, cleaned, and where they route.

Answers are ``{question id: value}``: ``true``/``false`` for a yes-no question, the choice's id
for a choice, one short line for a text. They are stored with the booking and shown to staff
keys that may read names; they never reach a log, a calendar or a webhook.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kat_widgets.directory import Clinic, Directory, Service
from kat_widgets.directory.intake import Question, Route
from kat_widgets.errors import IntakeRouteError, NotFoundError, ValidationError
from kat_widgets.i18n import gettext as _

__all__ = ["Answers", "asked_of", "check_answers", "field_of"]

Answers = dict[str, bool | str]
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def field_of(question_id: str) -> str:
    """The name a question's answer goes by in forms and error fields: ``answers.<id>``."""
    return f"answers.{question_id}"


def _value(question: Question, value: object) -> bool | str:
    """``value`` as the question's kind wants it; :class:`ValueError` in the visitor's words."""
    if question.kind == "yes-no":
        if not isinstance(value, bool):
            raise ValueError(_("Please answer yes or no."))
        return value
    if not isinstance(value, str):
        raise ValueError(_("Please give your answer as text."))
    if question.kind == "choice":
        if value not in {choice.id for choice in question.choices}:
            raise ValueError(_("Please choose one of the answers offered."))
        return value
    text = value.strip()
    if _BREAKS.search(text):
        raise ValueError(_("Please keep your answer to one line."))
    if len(text) > question.max_length:
        raise ValueError(
            _("Please keep your answer to {count} characters or fewer.").format(
                count=question.max_length
            )
        )
    return text


def _route(question: Question, value: bool | str) -> Route | None:
    answer = ("yes" if value else "no") if isinstance(value, bool) else value
    return dict(question.routes()).get(answer)


def check_answers(
    directory: Directory,
    clinic: Clinic,
    service: Service,
    answers: Mapping[str, object] | None,
    *,
    visitor: bool,
) -> Answers | None:
    """The cleaned answers to ``service``'s questions (``None``: there are none).

    :class:`ValidationError` (``fields`` holding one message per question) for an unknown
    question, a value of the wrong kind, a choice not offered, a text too long, or (when a
    ``visitor`` books; staff may leave them) a required question left out;
    :class:`IntakeRouteError` when an answer sends the visitor to another service or clinic.
    """
    questions = {question.id: question for question in service.questions}
    given = dict(answers or {})
    errors: dict[str, str] = {}
    clean: Answers = {}
    for question_id in given:
        if question_id not in questions:
            errors[field_of(question_id)[:80]] = _("This question is not asked for this visit.")
    for question in service.questions:
        value = given.get(question.id)
        if value is None or value == "":
            if visitor and question.required:
                errors[field_of(question.id)] = _("Please answer this question.")
            continue
        try:
            clean[question.id] = _value(question, value)
        except ValueError as exc:
            errors[field_of(question.id)] = str(exc)
    if errors:
        first = next(iter(errors))
        raise ValidationError(errors[first], field=first, fields=errors)
    for question in service.questions:
        route = _route(question, clean[question.id]) if question.id in clean else None
        if route is not None and visitor:
            raise _routed(directory, clinic, question, route)
    return clean or None


def _routed(
    directory: Directory, clinic: Clinic, question: Question, route: Route
) -> IntakeRouteError:
    to_clinic = directory.clinic(route.clinic) if route.clinic else clinic
    service = directory.service(route.service) if route.service else None
    name = directory.translate(service.name) if service is not None else ""
    if service is not None and route.clinic is not None:
        words = _("Based on your answer, please book {service} at {clinic} first.")
    elif service is not None:
        words = _("Based on your answer, please book {service} first.")
    else:
        words = _("Based on your answer, please book with {clinic} instead.")
    return IntakeRouteError(
        words.format(service=name, clinic=to_clinic.name),
        field=field_of(question.id),
        clinic_id=to_clinic.id,
        service_id=service.id if service is not None else None,
    )


def asked_of(directory: Directory, clinic_id: str, service_id: str) -> Service:
    """The service whose questions a visitor booking it at ``clinic_id`` is asked
    (:class:`NotFoundError` for an unknown clinic or service, or one the clinic does not offer)."""
    clinic = directory.clinic(clinic_id)
    service = directory.service(service_id)
    if not directory.offers(clinic, service.id):
        raise NotFoundError(
            _("{clinic} does not offer {service}.").format(
                clinic=clinic.name, service=directory.translate(service.name)
            )
        )
    return service
