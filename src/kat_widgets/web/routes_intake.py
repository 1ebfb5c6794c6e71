"""``GET /api/clinics/{clinic_id}/services/{service}/questions``: a service's intake questions,
in the request's language, for a host that builds its own form (``answers`` in the booking)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath

from kat_widgets.booking.intake import asked_of
from kat_widgets.web.context import KatContext
from kat_widgets.web.schemas import NOT_FOUND

__all__ = ["ROUTES"]


class ChoiceOut(msgspec.Struct, kw_only=True):
    id: str
    label: str


class QuestionOut(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    kind: str
    """``yes-no`` (answer ``true``/``false``), ``choice`` (a choice's ``id``) or ``text``."""
    label: str
    required: bool
    choices: list[ChoiceOut] = []
    max_length: int | None = None
    """For a ``text``: the longest answer taken."""


class QuestionsOut(msgspec.Struct, kw_only=True):
    clinic_id: str
    service: str
    questions: list[QuestionOut]


@get(
    "/api/clinics/{clinic_id:str}/services/{service:str}/questions",
    summary="A service's intake questions",
    tags=["bookings"],
    responses=NOT_FOUND,
    sync_to_thread=False,
)
def service_questions(
    kat: NamedDependency[KatContext], clinic_id: FromPath[str], service: FromPath[str]
) -> QuestionsOut:
    """What ``POST /api/bookings`` takes in ``answers`` for this service: each question's id,
    kind, label (in the request's language) and whether a visitor must answer it."""
    found = asked_of(kat.directory, clinic_id, service)
    tr = kat.directory.translate
    return QuestionsOut(
        clinic_id=clinic_id,
        service=found.id,
        questions=[
            QuestionOut(
                id=q.id,
                kind=q.kind,
                label=tr(q.label),
                required=q.required,
                choices=[ChoiceOut(id=c.id, label=tr(c.label)) for c in q.choices],
                max_length=q.max_length if q.kind == "text" else None,
            )
            for q in found.questions
        ],
    )


ROUTES: list[Any] = [service_questions]
