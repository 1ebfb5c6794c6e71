"""Intake questions (#19) on SQLite and PostgreSQL: every kind, required and optional, routing to
another service, answers readable by a staff key that may read names and absent from logs,
calendar files and webhook payloads.

The bundled assessment (Connect) asks three: had the free call (yes-no, required; "no" sends the
visitor to the free call first), the language of the visit (a choice) and who referred them (a
short text). Visitors book it from a referral link; the clock is Monday 8 March 2027.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets.booking import BookingService
from kat_widgets.booking.intake import check_answers
from kat_widgets.booking.staff import StaffService
from kat_widgets.booking.storage import Storage
from kat_widgets.directory import Directory
from kat_widgets.directory.intake import Choice, Question, Route
from kat_widgets.errors import IntakeRouteError, ValidationError
from kat_widgets.notifications.messages import webhook_body
from tests.booking.test_pathway_api import body, slot

ANSWERS = {"had-free-call": True, "visit-language": "es", "referred-by": "  Dr. Rivera  "}


@pytest.fixture
def staff(service: BookingService) -> StaffService:
    return StaffService(service)


def referral(service: BookingService) -> str:
    directory = service.directory
    clinic, connect = directory.clinic("draper"), directory.service("connect-assessment")
    return service.care.issue(None, clinic, connect)[0]


def ask(client: TestClient[Litestar], service: BookingService, answers: Any, day: int = 10) -> Any:
    start = slot(service, "connect-assessment", dt.date(2027, 3, day))
    wanted = body("connect-assessment", start, referral=referral(service), answers=answers)
    return client.post("/api/bookings", json=wanted)


def count(storage: Storage) -> int:
    with storage.engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM bookings")).scalar_one())


def test_the_questions_are_listed_in_the_visitors_language(client: TestClient[Litestar]) -> None:
    path = "/api/clinics/draper/services/connect-assessment/questions"
    listed = client.get(path).json()
    assert listed["service"] == "connect-assessment"
    kinds = [(q["id"], q["kind"], q["required"]) for q in listed["questions"]]
    assert kinds == [
        ("had-free-call", "yes-no", True),
        ("visit-language", "choice", False),
        ("referred-by", "text", False),
    ]
    assert listed["questions"][1]["choices"] == [
        {"id": "en", "label": "English"},
        {"id": "es", "label": "Spanish"},
    ]
    assert listed["questions"][2]["max_length"] == 100
    spanish = client.get(path, headers={"Accept-Language": "es"}).json()["questions"]
    assert spanish[0]["label"].startswith("¿Ya tuvo la llamada informativa gratuita")
    assert spanish[1]["choices"][1]["label"] == "Español"
    assert client.get("/api/clinics/draper/services/info-call/questions").json()["questions"] == []
    assert client.get("/api/clinics/draper/services/nothing/questions").status_code == 404
    assert client.get("/api/clinics/nowhere/services/info-call/questions").status_code == 404


def test_answers_are_stored_and_shown_only_to_a_key_that_may_read_names(
    client: TestClient[Litestar], service: BookingService, staff: StaffService
) -> None:
    made = ask(client, service, ANSWERS)
    assert made.status_code == 201, made.text
    names = staff.create_key(("draper",), ("bookings:read", "names:read"))[1]
    plain = staff.create_key(("draper",), ("bookings:read",))[1]
    params = {"clinic": "draper", "start": "2027-03-10"}
    listed = client.get(
        "/api/staff/bookings", params=params, headers={"Authorization": f"Bearer {names}"}
    ).json()["bookings"]
    assert listed[0]["answers"] == {
        "had-free-call": True,
        "visit-language": "es",
        "referred-by": "Dr. Rivera",  # trimmed
    }
    hidden = client.get(
        "/api/staff/bookings", params=params, headers={"Authorization": f"Bearer {plain}"}
    ).json()["bookings"]
    assert "answers" not in hidden[0]
    # optional questions may be left out; the required one may not
    only = ask(client, service, {"had-free-call": True}, day=11)
    assert only.status_code == 201, only.text


@pytest.mark.parametrize(
    ("answers", "field", "words"),
    [
        ({}, "answers.had-free-call", "Please answer this question."),
        ({"had-free-call": "maybe"}, "answers.had-free-call", "Please answer yes or no."),
        ({"had-free-call": True, "visit-language": "fr"}, "answers.visit-language", "offered"),
        ({"had-free-call": True, "visit-language": True}, "answers.visit-language", "as text"),
        ({"had-free-call": True, "referred-by": "x" * 101}, "answers.referred-by", "100 char"),
        ({"had-free-call": True, "referred-by": "a\nb"}, "answers.referred-by", "one line"),
        ({"had-free-call": True, "diagnosis": "x"}, "answers.diagnosis", "not asked"),
    ],
)
def test_bad_answers_are_refused_with_a_message_and_nothing_written(
    client: TestClient[Litestar],
    service: BookingService,
    storage: Storage,
    answers: dict[str, Any],
    field: str,
    words: str,
) -> None:
    before = count(storage)
    refused = ask(client, service, answers)
    assert refused.status_code == 422, refused.text
    assert words in refused.json()["fields"][field]
    assert count(storage) == before


def test_a_no_sends_the_visitor_to_the_free_call_first(
    client: TestClient[Litestar], service: BookingService, storage: Storage
) -> None:
    refused = ask(client, service, {"had-free-call": False})
    assert refused.status_code == 422
    answer = refused.json()
    assert answer["route"] == {"clinic_id": "draper", "service": "info-call"}
    assert answer["detail"].startswith("Based on your answer, please book Free informational call")
    assert count(storage) == 0


def test_the_form_asks_the_questions_and_routes_a_no(
    client: TestClient[Litestar], service: BookingService
) -> None:
    token = referral(service)
    start = slot(service, "connect-assessment", dt.date(2027, 3, 10))
    form = client.get(f"/referrals/{token}", params={"start": start}).text
    assert "<legend>Have you had the free informational call" in form
    assert 'name="answers.had-free-call" value="yes"' in form
    assert "Who referred you to us, if anyone? (optional)" in form
    fields = {
        "clinic_id": "draper",
        "service": "connect-assessment",
        "start": start,
        "name": "Robin Example",
        "email": "robin@example.com",
        "consent": "yes",
        "referral": token,
    }
    missing = client.post("/fragments/booking", data=fields)
    assert missing.status_code == 422 and "Please answer this question." in missing.text
    assert 'href="#kat-booking-answers.had-free-call"' in missing.text
    routed = client.post("/fragments/booking", data=fields | {"answers.had-free-call": "no"})
    assert routed.status_code == 422 and "Based on your answer" in routed.text
    assert "/fragments/booking?clinic=draper&amp;service=info-call" in routed.text
    assert re.search(r'value="no"\s+checked', routed.text)  # the answer given is kept
    booked = client.post(
        "/fragments/booking",
        data=fields | {"answers.had-free-call": "yes", "answers.visit-language": "en"},
    )
    assert booked.status_code == 201, booked.text


def test_answers_never_reach_logs_calendars_or_webhooks(
    client: TestClient[Litestar],
    service: BookingService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "Dr. Unmistakable Referrer"
    with caplog.at_level(logging.DEBUG):
        made = ask(client, service, {"had-free-call": True, "referred-by": secret})
        assert made.status_code == 201
        ics = client.get(made.json()["ics_url"].removeprefix(""))
        assert ics.status_code == 200 and secret not in ics.text
    assert secret not in caplog.text
    record = service.view(made.json()["manage_url"].rsplit("/", 1)[1])
    assert record.answers == {"had-free-call": True, "referred-by": secret}
    now = dt.datetime(2027, 3, 8, tzinfo=dt.UTC)
    assert secret.encode() not in webhook_body("created", record, service.directory, now=now)


def test_a_choice_may_send_the_visitor_to_another_clinic(directory: Directory) -> None:
    import msgspec

    question = Question(
        id="where",
        kind="choice",
        label="Where would you like to come?",
        choices=(
            Choice(id="here", label="Draper"),
            Choice(id="north", label="Layton", route=Route(clinic="layton")),
        ),
    )
    service = msgspec.structs.replace(directory.service("info-call"), questions=(question,))
    clinic = directory.clinic("draper")
    assert check_answers(directory, clinic, service, {"where": "here"}, visitor=True) == {
        "where": "here"
    }
    with pytest.raises(IntakeRouteError) as routed:
        check_answers(directory, clinic, service, {"where": "north"}, visitor=True)
    assert routed.value.clinic_id == "layton" and routed.value.service_id is None
    assert "please book with Numinus Layton instead" in str(routed.value)
    # staff booking on behalf are not routed, and may leave questions out
    assert check_answers(directory, clinic, service, {"where": "north"}, visitor=False)
    with pytest.raises(ValidationError):
        check_answers(directory, clinic, service, {"where": "south"}, visitor=False)


def test_the_questions_speak_spanish(client: TestClient[Litestar], service: BookingService) -> None:
    token = referral(service)
    start = slot(service, "connect-assessment", dt.date(2027, 3, 10))
    form = client.get(f"/referrals/{token}", params={"start": start, "lang": "es"}).text
    assert "<legend>¿Ya tuvo la llamada informativa gratuita" in form
    assert ">Sí</label>" in form and ">Español</label>" in form and "(opcional)" in form
