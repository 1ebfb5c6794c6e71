"""Intake questions a service asks when it is booked (``[[services.questions]]``), and routing.

Three kinds: ``yes-no``, ``choice`` (one of ``choices``) and ``text`` (one short line, at most
``max_length`` characters). Never free-form medical history: the answers are stored with the
booking and shown to staff, so a question asks only what sends the visitor to the right service,
clinic or navigator (see the operator guide). A choice (or a yes or a no) may ``route`` the
visitor elsewhere: "Have you had the free call?" no -> the free call first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Literal

import msgspec

from kat_widgets.errors import DirectoryError
from kat_widgets.structs import Base, Line, Slug

__all__ = ["Choice", "Question", "Route", "check_questions"]


class Route(Base, kw_only=True, frozen=True):
    """Where an answer sends the visitor instead: another service, another clinic, or both."""

    service: Slug | None = None
    clinic: Slug | None = None


class Choice(Base, kw_only=True, frozen=True):
    id: Slug
    label: Line
    route: Route | None = None


class Question(Base, kw_only=True, frozen=True):
    """One question: ``label`` (a table of languages, as service names), its kind, and for a
    ``yes-no`` the routes of each answer (``if_yes``, ``if_no``)."""

    id: Slug
    kind: Literal["yes-no", "choice", "text"]
    label: Line
    required: bool = False
    choices: tuple[Choice, ...] = ()
    max_length: Annotated[int, msgspec.Meta(ge=1, le=200)] = 100
    if_yes: Route | None = None
    if_no: Route | None = None

    def routes(self) -> Iterable[tuple[str, Route]]:
        """``(the answer, where it sends)`` for each answer that routes."""
        if self.if_yes is not None:
            yield "yes", self.if_yes
        if self.if_no is not None:
            yield "no", self.if_no
        for choice in self.choices:
            if choice.route is not None:
                yield choice.id, choice.route


def check_questions(
    services: Iterable[tuple[int, Slug, tuple[Question, ...]]],
    service_ids: Mapping[str, object],
    clinic_ids: Iterable[str],
    fail: Callable[[str, str], DirectoryError],
) -> None:
    """Each service's questions: unique ids; choices only (and at least two, unique) for a
    ``choice``; ``if_yes``/``if_no`` only for a ``yes-no``; routes to known services/clinics."""
    clinics = set(clinic_ids)
    for s_index, own, questions in services:
        seen: set[str] = set()
        for q_index, question in enumerate(questions):
            where = f"services[{s_index}].questions[{q_index}]"
            if question.id in seen:
                raise fail(f"{where}.id", f"duplicate question id {question.id!r}")
            seen.add(question.id)
            ids = [choice.id for choice in question.choices]
            if question.kind == "choice" and (len(ids) < 2 or len(set(ids)) != len(ids)):
                raise fail(f"{where}.choices", "a choice question needs two or more unique ids")
            if question.kind != "choice" and ids:
                raise fail(f"{where}.choices", "only a choice question has choices")
            if question.kind != "yes-no" and (question.if_yes or question.if_no):
                raise fail(f"{where}", "only a yes-no question has if_yes and if_no")
            for answer, route in question.routes():
                if route.service is None and route.clinic is None:
                    raise fail(f"{where}", f"the route of {answer!r} names no service or clinic")
                if route.service is not None and route.service not in service_ids:
                    raise fail(
                        f"{where}", f"the route of {answer!r}: unknown service {route.service!r}"
                    )
                if route.service == own and route.clinic is None:
                    raise fail(f"{where}", f"the route of {answer!r} leads back to this service")
                if route.clinic is not None and route.clinic not in clinics:
                    raise fail(
                        f"{where}", f"the route of {answer!r}: unknown clinic {route.clinic!r}"
                    )
