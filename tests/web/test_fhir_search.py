"""The FHIR R4 face: searches and reads of Location, Schedule and Slot, and their errors.

Answers are parsed by ``fhir.resources`` (R4B); every refusal is an OperationOutcome with the
parameter at fault, never a 500.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.errors import StorageUnavailableError
from kat_widgets.scheduling import BusyTimes

NOW = dt.datetime(2027, 3, 8, 14, 0, tzinfo=dt.UTC)  # Monday 07:00 in Denver
BASE = "http://testserver.local/widgets"
FHIR_DATES = r"(eq|ge|gt|le|lt|ne|sa)?\d{4}(-\d\d(-\d\d(T\d\d:\d\d(:\d\d)?([+-]\d\d:\d\d)?)?)?)?"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    settings = Settings(data_dir=str(tmp_path), secret_key="s" * 40, rate_limit_store="off")
    with TestClient(create_app(settings, clock=lambda: NOW), root_path="/widgets") as test_client:
        yield test_client


def _bundle(client: TestClient[Litestar], path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    body: dict[str, Any] = response.json()
    Bundle.model_validate(body)
    assert body["type"] == "searchset"
    return body


def _matches(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]


def _starts(client: TestClient[Litestar], **params: Any) -> list[str]:
    return [slot["start"] for slot in _matches(_bundle(client, "/fhir/Slot", **params))]


def test_locations_and_schedules_are_searchable_and_readable_by_their_full_urls(
    client: TestClient[Litestar],
) -> None:
    for kind in ("Location", "Schedule"):
        bundle = _bundle(client, f"/fhir/{kind}")
        assert bundle["total"] == len(bundle["entry"]) == 5
        assert bundle["link"] == [{"relation": "self", "url": f"{BASE}/fhir/{kind}"}]
        for entry in bundle["entry"]:
            assert entry["fullUrl"] == f"{BASE}/fhir/{kind}/{entry['resource']['id']}"
            read = client.get(entry["fullUrl"].removeprefix(BASE))
            assert read.status_code == 200
            assert read.headers["content-type"].startswith("application/fhir+json")
            assert read.json() == entry["resource"]


def test_schedules_by_actor_and_locations_by_id(client: TestClient[Litestar]) -> None:
    by_reference = _bundle(client, "/fhir/Schedule", actor="Location/draper")
    assert [s["id"] for s in _matches(by_reference)] == ["draper.info-call"]
    assert _bundle(client, "/fhir/Schedule", actor="draper") == {
        **by_reference,
        "link": [{"relation": "self", "url": f"{BASE}/fhir/Schedule?actor=draper"}],
    }
    found = _bundle(client, "/fhir/Location", _id="draper,murray")
    assert [location["id"] for location in _matches(found)] == ["draper", "murray"]


def test_slots_of_one_schedule_in_a_day(client: TestClient[Litestar]) -> None:
    starts = _starts(
        client, schedule="Schedule/draper.info-call", start=["ge2027-03-09", "lt2027-03-10"]
    )
    assert starts[0] == "2027-03-09T08:00:00-07:00"
    assert all(start.startswith("2027-03-09") for start in starts)
    # a bare id means the same schedule; a date alone is that day (eq)
    assert _starts(client, schedule="draper.info-call", start="2027-03-09") == starts


def test_slot_entries_resolve_to_the_same_slot(client: TestClient[Litestar]) -> None:
    bundle = _bundle(client, "/fhir/Slot", schedule="draper.info-call", _count="3")
    for entry in _matches(bundle):
        read = client.get(f"/fhir/Slot/{entry['id']}")
        assert read.status_code == 200
        assert read.json() == entry


@pytest.mark.parametrize(
    ("start", "first", "last"),
    [
        (["gt2027-03-09T10:00"], "2027-03-09T10:30:00-07:00", None),
        (["ge2027-03-09T10:00:00-07:00"], "2027-03-09T10:00:00-07:00", None),
        (["ge2027-03-09T17:00:00Z"], "2027-03-09T10:00:00-07:00", None),
        (["ge2027-03-09", "le2027-03-09T09:00"], "2027-03-09T08:00:00-07:00", "2027-03-09T09:00"),
        (["ge2027-03-09", "lt2027-03-09T09:00"], "2027-03-09T08:00:00-07:00", "2027-03-09T08:30"),
        (["eq2027-03-09T08:30"], "2027-03-09T08:30:00-07:00", "2027-03-09T08:30"),
        (["2027-03"], "2027-03-08T08:00:00-07:00", "2027-03-31"),
    ],
)
def test_start_prefixes_bound_the_slots(
    client: TestClient[Litestar], start: list[str], first: str, last: str | None
) -> None:
    starts = _starts(client, schedule="draper.info-call", start=start, _count="1000")
    assert starts[0] == first
    if last is not None:
        assert starts[-1].startswith(last)


def test_a_search_is_cut_at_count_and_says_so(client: TestClient[Litestar]) -> None:
    bundle = _bundle(client, "/fhir/Slot", _count="5")
    assert bundle["total"] > 5
    assert len(_matches(bundle)) == 5
    outcome = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "outcome"]
    assert len(outcome) == 1
    assert outcome[0]["issue"][0]["severity"] == "warning"
    assert "more slots match" in outcome[0]["issue"][0]["diagnostics"]
    # every clinic's first slot, in start order
    starts = [slot["start"] for slot in _matches(bundle)]
    assert starts == sorted(starts)
    default = _bundle(client, "/fhir/Slot")
    assert len(_matches(default)) == 200  # the default _count
    assert default["total"] == bundle["total"]


def test_a_search_never_passes_the_horizon(client: TestClient[Litestar]) -> None:
    far = _bundle(client, "/fhir/Slot", start="ge2027-06-01")
    assert far["total"] == 0 and "entry" not in far
    assert _bundle(client, "/fhir/Slot", start="lt2027-03-08")["total"] == 0


def test_status_other_than_free_finds_nothing_and_free_finds_the_same(
    client: TestClient[Litestar],
) -> None:
    assert _bundle(client, "/fhir/Slot", status="busy")["total"] == 0
    everything = _bundle(client, "/fhir/Slot", _count="0")["total"]
    assert _bundle(client, "/fhir/Slot", status="free", _count="0")["total"] == everything
    assert _bundle(client, "/fhir/Slot", status="busy,free", _count="0")["total"] == everything


def test_an_unknown_schedule_matches_nothing(client: TestClient[Litestar]) -> None:
    assert _bundle(client, "/fhir/Slot", schedule="atlantis.info-call")["total"] == 0


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/fhir/Slot", {"start": "tuesday"}, "start"),
        ("/fhir/Slot", {"start": "ne2027-03-09"}, "start"),
        ("/fhir/Slot", {"start": "sa2027-03-09"}, "start"),
        ("/fhir/Slot", {"start": "ge2027-02-30"}, "start"),
        ("/fhir/Slot", {"start": "ge2027-03-09T25:00"}, "start"),
        ("/fhir/Slot", {"start": "ge2027-03-09T10:00+25:00"}, "start"),
        ("/fhir/Slot", {"start": "ge9999-12-31T23:59:59-23:59"}, "start"),
        ("/fhir/Slot", {"status": "open"}, "status"),
        ("/fhir/Slot", {"_count": "many"}, "_count"),
        ("/fhir/Slot", {"_count": "-1"}, "_count"),
        ("/fhir/Slot", {"_count": "1001"}, "_count"),
        ("/fhir/Slot", {"_count": "99999999999999999999"}, "_count"),
        ("/fhir/Slot", {"schedule": "Schedule/not an id"}, "schedule"),
        ("/fhir/Slot", {"schedule": "x" * 65}, "schedule"),
        ("/fhir/Slot", {"patient": "123"}, "patient"),
        ("/fhir/Schedule", {"actor": "Location/<b>"}, "actor"),
        ("/fhir/Location", {"name": "Draper"}, "name"),
    ],
)
def test_bad_parameters_are_a_400_outcome_naming_them(
    client: TestClient[Litestar], path: str, params: dict[str, str], parameter: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    body = response.json()
    OperationOutcome.model_validate(body)
    (issue,) = body["issue"]
    assert issue["severity"] == "error" and issue["code"] == "invalid"
    assert issue["expression"] == [parameter]


@pytest.mark.parametrize(
    "path",
    [
        "/fhir/Location/atlantis",
        "/fhir/Schedule/draper.nothing",
        "/fhir/Schedule/draper.connect-assessment",  # offered, but not bookable online
        "/fhir/Slot/draper.info-call.20270309T060000Z",  # 23:00 local: closed
        "/fhir/Slot/draper.info-call.20270301T150000Z",  # past
    ],
)
def test_unknown_ids_are_a_404_outcome(client: TestClient[Litestar], path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/fhir+json")
    body = response.json()
    OperationOutcome.model_validate(body)
    assert body["issue"][0]["code"] == "not-found"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(["start", "schedule", "status", "_count", "actor", "_id"]),
    value=st.one_of(
        st.text(max_size=40),
        st.from_regex(FHIR_DATES, fullmatch=True),
    ),
    path=st.sampled_from(["/fhir/Slot", "/fhir/Schedule", "/fhir/Location"]),
)
def test_any_parameter_is_an_answer_or_a_400_never_a_server_error(
    client: TestClient[Litestar], name: str, value: str, path: str
) -> None:
    response = client.get(path, params={name: value})
    assert response.status_code in (200, 400)
    kind = "Bundle" if response.status_code == 200 else "OperationOutcome"
    assert response.json()["resourceType"] == kind


def test_the_capability_statement_lists_what_the_searches_accept(
    client: TestClient[Litestar],
) -> None:
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    statement = response.json()
    CapabilityStatement.model_validate(statement)
    assert statement["fhirVersion"] == "4.0.1"
    assert statement["implementation"]["url"] == f"{BASE}/fhir"
    (rest,) = statement["rest"]
    accepted = {r["type"]: {p["name"] for p in r["searchParam"]} for r in rest["resource"]}
    assert accepted == {
        "Location": {"_id"},
        "Schedule": {"_id", "actor"},
        "Slot": {"schedule", "start", "status", "_count"},
    }
    for kind, names in accepted.items():
        for name in names:  # each one is accepted, not refused as unknown
            value = {"_count": "1", "start": "ge2027-03-09", "status": "free"}.get(name, "x")
            assert client.get(f"/fhir/{kind}", params={name: value}).status_code == 200


def test_a_database_outage_is_a_503_outcome(tmp_path: Path) -> None:
    def down(clinic_id: str, start: dt.datetime, end: dt.datetime) -> BusyTimes:
        raise StorageUnavailableError("database unreachable")

    settings = Settings(data_dir=str(tmp_path), secret_key="s" * 40, rate_limit_store="off")
    app = create_app(settings, busy_provider=down, clock=lambda: NOW)
    with TestClient(app) as client:
        for path in ("/fhir/Slot", "/fhir/bulk/draper/Slot.ndjson", "/fhir/$bulk-publish"):
            response = client.get(path)
            assert response.status_code == 503, path
            OperationOutcome.model_validate(response.json())
            assert response.json()["issue"][0]["code"] == "transient"


@pytest.mark.parametrize("path", ["/fhir/Schedule/<script>", "/fhir/Slot?<b>=1"])
def test_what_the_reader_sent_comes_back_inert(client: TestClient[Litestar], path: str) -> None:
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert "<" not in response.text and ">" not in response.text
    assert "<" in json.dumps(response.json())  # the same text once parsed
