"""SMART Scheduling Links and the FHIR R4 face, through HTTP under a mount prefix.

Every resource we write is parsed by an independent FHIR implementation (``fhir.resources``,
its R4B models: R4's Location, Schedule, Slot, Bundle and OperationOutcome are unchanged in
R4B), and the bulk files are checked against the spec's own rules: absolute URLs, one resource
a line, every reference resolving, timestamps with offsets, the slots API's own times.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.schedule import Schedule
from fhir.resources.R4B.slot import Slot
from litestar import Litestar
from litestar.testing import TestClient

from kat_widgets import Settings, create_app
from kat_widgets.scheduling import BusyTimes, Interval

NOW = dt.datetime(2027, 3, 8, 14, 0, tzinfo=dt.UTC)  # Monday 07:00 in Denver, DST on the 14th
AUTUMN = dt.datetime(2026, 10, 26, 14, 0, tzinfo=dt.UTC)  # Monday; DST ends 2026-11-01
ROOT = "/widgets"
BASE = f"http://testserver.local{ROOT}"
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
DEEP_LINK = "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-deep-link"
PHONE = "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-phone"
CAPACITY = "http://fhir-registry.smarthealthit.org/StructureDefinition/slot-capacity"
MODELS: dict[str, Any] = {"Location": Location, "Schedule": Schedule, "Slot": Slot}


class Busy:
    """Draper's navigator is busy 09:00-10:00 on 9 March; ``taken`` can grow."""

    def __init__(self) -> None:
        self.taken = [
            Interval(
                dt.datetime(2027, 3, 9, 16, 0, tzinfo=dt.UTC),
                dt.datetime(2027, 3, 9, 17, 0, tzinfo=dt.UTC),
            )
        ]

    def __call__(self, clinic_id: str, start: dt.datetime, end: dt.datetime) -> BusyTimes:
        return BusyTimes(by_resource={"draper-navigator": list(self.taken)})


def _client(tmp_path: Path, now: dt.datetime, busy: Busy) -> TestClient[Litestar]:
    settings = Settings(data_dir=str(tmp_path), secret_key="s" * 40, rate_limit_store="off")
    app = create_app(settings, busy_provider=busy, clock=lambda: now)
    return TestClient(app, root_path=ROOT)


@pytest.fixture
def busy() -> Busy:
    return Busy()


@pytest.fixture
def client(tmp_path: Path, busy: Busy) -> Iterator[TestClient[Litestar]]:
    with _client(tmp_path, NOW, busy) as test_client:
        yield test_client


def _path(url: str) -> str:
    """An absolute URL of ours as the test client asks for it (below the mount prefix)."""
    assert url.startswith(f"{BASE}/"), url
    return url.removeprefix(BASE)


def _lines(client: TestClient[Litestar], url: str) -> list[dict[str, Any]]:
    response = client.get(_path(url))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+ndjson")
    text = response.text
    assert text.endswith("\n")
    lines = text.removesuffix("\n").split("\n")
    assert all(line and "\n" not in line for line in lines)
    return [json.loads(line) for line in lines]


def _published(client: TestClient[Litestar]) -> dict[str, list[dict[str, Any]]]:
    manifest = client.get("/fhir/$bulk-publish").json()
    found: dict[str, list[dict[str, Any]]] = {"Location": [], "Schedule": [], "Slot": []}
    for output in manifest["output"]:
        found[output["type"]].extend(_lines(client, output["url"]))
    return found


def test_the_manifest_is_the_specs_shape_with_absolute_urls_under_the_prefix(
    client: TestClient[Litestar],
) -> None:
    response = client.get("/fhir/$bulk-publish")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "max-age=300" in response.headers["cache-control"]
    manifest = response.json()
    assert set(manifest) == {"transactionTime", "request", "output", "error"}
    assert INSTANT.match(manifest["transactionTime"])
    assert manifest["request"] == f"{BASE}/fhir/$bulk-publish"
    assert manifest["error"] == []
    types = [output["type"] for output in manifest["output"]]
    assert types[:2] == ["Location", "Schedule"]
    assert types[2:] == ["Slot"] * 5  # one file per clinic
    for output in manifest["output"]:
        assert output["url"].startswith(f"{BASE}/fhir/bulk/")
        if output["type"] == "Slot":
            assert output["extension"] == {"state": ["UT"]}
    # the spec's Accept headers: none, or application/json, give the same manifest
    again = client.get("/fhir/$bulk-publish", headers={"Accept": "application/json"})
    assert again.json() == manifest


def test_every_published_resource_is_valid_r4_and_every_reference_resolves(
    client: TestClient[Litestar],
) -> None:
    found = _published(client)
    for kind, resources in found.items():
        assert resources, kind
        ids = [resource["id"] for resource in resources]
        assert len(ids) == len(set(ids)), kind
        for resource in resources:
            assert resource["resourceType"] == kind
            assert FHIR_ID.match(resource["id"])
            MODELS[kind].model_validate(resource)
    locations = {location["id"]: location for location in found["Location"]}
    schedules = {schedule["id"] for schedule in found["Schedule"]}
    assert set(locations) == {"american-fork", "draper", "layton", "murray", "springville"}
    for schedule in found["Schedule"]:
        (actor,) = schedule["actor"]
        assert actor["reference"].removeprefix("Location/") in locations
        assert schedule["serviceType"][0]["coding"][0]["code"] == "info-call"
    for slot in found["Slot"]:
        assert slot["schedule"]["reference"].removeprefix("Schedule/") in schedules
        assert slot["status"] == "free"
        assert INSTANT.match(slot["start"]) and INSTANT.match(slot["end"])
        assert dt.datetime.fromisoformat(slot["end"]) > dt.datetime.fromisoformat(slot["start"])
    draper = locations["draper"]
    assert draper["name"] == "Numinus Draper"
    assert {"system": "phone", "value": "+1-833-686-4687"} in draper["telecom"]
    assert draper["address"]["line"] == ["721 E 12200 S"]
    assert draper["address"]["state"] == "UT" and draper["address"]["postalCode"] == "84020"
    assert draper["position"] == {"latitude": 40.525, "longitude": -111.872}
    assert draper["identifier"][0]["value"] == "draper"


def test_a_slot_carries_its_booking_link_phone_and_seats_and_nothing_personal(
    client: TestClient[Litestar],
) -> None:
    slot = _published(client)["Slot"][0]
    extensions = {extension["url"]: extension for extension in slot["extension"]}
    assert set(extensions) == {DEEP_LINK, PHONE, CAPACITY}
    link = urlsplit(extensions[DEEP_LINK]["valueUrl"])
    assert link.scheme in ("http", "https") and link.path.endswith("/embed/booking")
    query = dict(parse_qsl(link.query))
    assert set(query) == {"clinic", "service", "start"}  # where and when, never who
    assert query["start"] == slot["start"]
    assert extensions[PHONE]["valueString"] == "+1-833-686-4687"
    assert extensions[CAPACITY]["valueInteger"] == 1


def test_the_booking_link_opens_the_booking_form_for_that_time(
    client: TestClient[Litestar],
) -> None:
    slot = _published(client)["Slot"][0]
    link = next(e["valueUrl"] for e in slot["extension"] if e["url"] == DEEP_LINK)
    parts = urlsplit(link)
    page = client.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200
    assert 'name="start"' in page.text


def test_the_files_answer_the_same_with_the_ndjson_accept_header(
    client: TestClient[Litestar],
) -> None:
    plain = client.get("/fhir/bulk/draper/Slot.ndjson")
    asked = client.get(
        "/fhir/bulk/draper/Slot.ndjson", headers={"Accept": "application/fhir+ndjson"}
    )
    assert plain.status_code == asked.status_code == 200
    assert plain.text == asked.text


def _api_slots(
    client: TestClient[Litestar], clinic: str, now: dt.datetime
) -> list[tuple[str, str]]:
    response = client.get(
        f"/api/clinics/{clinic}/slots",
        params={"service": "info-call", "end": (now + dt.timedelta(days=60)).isoformat()},
    )
    assert response.status_code == 200, response.text
    return [(slot["start"], slot["end"]) for slot in response.json()["slots"]]


@pytest.mark.parametrize("clinic", ["draper", "murray"])
def test_slots_are_the_slots_apis_to_the_second(client: TestClient[Litestar], clinic: str) -> None:
    published = _lines(client, f"{BASE}/fhir/bulk/{clinic}/Slot.ndjson")
    times = [(slot["start"], slot["end"]) for slot in published]
    assert times == _api_slots(client, clinic, NOW)
    assert len(times) > 100
    # the busy hour on 9 March is not published
    assert "2027-03-09T09:00:00-07:00" not in {start for start, _ in times if clinic == "draper"}


def test_slots_around_the_spring_change_carry_the_right_offsets(
    client: TestClient[Litestar],
) -> None:
    starts = [slot["start"] for slot in _lines(client, f"{BASE}/fhir/bulk/draper/Slot.ndjson")]
    assert "2027-03-12T08:00:00-07:00" in starts  # Friday, still MST
    assert "2027-03-15T08:00:00-06:00" in starts  # Monday, MDT
    assert not any(s.startswith(("2027-03-12", "2027-03-13")) and "-06:00" in s for s in starts)
    assert not any(s.startswith("2027-03-15") and "-07:00" in s for s in starts)


def test_slots_around_the_autumn_change_carry_the_right_offsets(tmp_path: Path, busy: Busy) -> None:
    with _client(tmp_path, AUTUMN, busy) as client:
        published = _lines(client, f"{BASE}/fhir/bulk/draper/Slot.ndjson")
        starts = [slot["start"] for slot in published]
        assert "2026-10-30T08:00:00-06:00" in starts  # Friday, MDT
        assert "2026-11-02T08:00:00-07:00" in starts  # Monday, MST
        assert [(s["start"], s["end"]) for s in published] == _api_slots(client, "draper", AUTUMN)
    for slot in published:
        start = dt.datetime.fromisoformat(slot["start"])
        # 08:00 local is 14:00 UTC in summer and 15:00 UTC in winter: the offset is the zone's
        expected = "-06:00" if start.date() < dt.date(2026, 11, 1) else "-07:00"
        assert slot["start"].endswith(expected)


def test_an_unchanged_file_is_a_304_and_a_new_busy_time_changes_it(
    client: TestClient[Litestar], busy: Busy
) -> None:
    for path in ("/fhir/$bulk-publish", "/fhir/bulk/draper/Slot.ndjson"):
        first = client.get(path)
        tag = first.headers["etag"]
        assert "last-modified" in first.headers
        unchanged = client.get(path, headers={"If-None-Match": tag})
        assert unchanged.status_code == 304
        assert unchanged.content == b""
    manifest_tag = client.get("/fhir/$bulk-publish").headers["etag"]
    slots_tag = client.get("/fhir/bulk/draper/Slot.ndjson").headers["etag"]
    layton_tag = client.get("/fhir/bulk/layton/Slot.ndjson").headers["etag"]
    busy.taken.append(
        Interval(
            dt.datetime(2027, 3, 10, 16, 0, tzinfo=dt.UTC),
            dt.datetime(2027, 3, 10, 17, 0, tzinfo=dt.UTC),
        )
    )
    changed = client.get("/fhir/bulk/draper/Slot.ndjson", headers={"If-None-Match": slots_tag})
    assert changed.status_code == 200
    assert "2027-03-10T09:00:00-07:00" not in changed.text
    assert client.get("/fhir/$bulk-publish").headers["etag"] != manifest_tag
    # Layton's navigator is not the one who got busy
    assert client.get("/fhir/bulk/layton/Slot.ndjson").headers["etag"] == layton_tag


def test_static_files_are_cached_too(client: TestClient[Litestar]) -> None:
    for path in ("/fhir/bulk/Location.ndjson", "/fhir/bulk/Schedule.ndjson"):
        tag = client.get(path).headers["etag"]
        assert client.get(path, headers={"If-None-Match": tag}).status_code == 304


def test_an_unknown_clinics_slot_file_is_a_404_outcome(client: TestClient[Litestar]) -> None:
    response = client.get("/fhir/bulk/atlantis/Slot.ndjson")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/fhir+json")
    OperationOutcome.model_validate(response.json())


def test_the_files_are_the_same_in_every_language(client: TestClient[Litestar]) -> None:
    """Public and cached by shared caches: no answer may depend on Accept-Language."""
    for path in ("/fhir/bulk/Schedule.ndjson", "/fhir/bulk/draper/Slot.ndjson"):
        english = client.get(path)
        spanish = client.get(path, headers={"Accept-Language": "es"})
        assert spanish.text == english.text
        assert spanish.headers["etag"] == english.headers["etag"]


@pytest.mark.parametrize(
    "path", ["/fhir/$bulk-publish", "/fhir/bulk/draper/Slot.ndjson", "/fhir/Slot", "/fhir/Slot/x"]
)
def test_a_directory_page_on_any_origin_may_read_it(tmp_path: Path, busy: Busy, path: str) -> None:
    # even where CORS is configured for the embedding origins only
    settings = Settings(
        data_dir=str(tmp_path),
        secret_key="s" * 40,
        rate_limit_store="off",
        allowed_origins=("https://clinic.example",),
    )
    app = create_app(settings, busy_provider=busy, clock=lambda: NOW)
    with TestClient(app) as client:
        response = client.get(path, headers={"Origin": "https://directory.example"})
    assert response.status_code in (200, 404)
    assert response.headers["access-control-allow-origin"] == "*"
