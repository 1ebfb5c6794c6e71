from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(record.getMessage()))


@pytest.fixture
def request_log(client: TestClient[Litestar]) -> Iterator[Capture]:
    """Attached after the app started, so its logging configuration is already in place."""
    logger = logging.getLogger("kat_widgets.requests")
    capture = Capture()
    logger.addHandler(capture)
    yield capture
    logger.removeHandler(capture)


def test_each_request_gets_an_id_and_one_log_line(
    client: TestClient[Litestar], request_log: Capture
) -> None:
    response = client.get("/api/clinics?secret-looking=84020")
    request_id = response.headers["x-request-id"]
    assert len(request_id) == 16
    [line] = request_log.lines
    assert line["request_id"] == request_id
    assert line["route"] == "/api/clinics"
    assert line["status"] == 200
    assert "84020" not in json.dumps(line)


def test_well_formed_incoming_request_id_is_kept(client: TestClient[Litestar]) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "edge-1234abcd"})
    assert response.headers["x-request-id"] == "edge-1234abcd"
    forged = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert forged.headers["x-request-id"] != "<script>alert(1)</script>"


def test_log_records_route_template_not_raw_path(
    client: TestClient[Litestar], request_log: Capture
) -> None:
    client.get("/embed/clinics?q=721+E+12200+S")
    [line] = request_log.lines
    assert line["route"] == "/embed/{widget}"
    assert "12200" not in json.dumps(line)


def test_log_level_warning_drops_the_request_line(tmp_path: object) -> None:
    from kat_widgets import Settings, create_app

    settings = Settings(data_dir=str(tmp_path), secret_key="l" * 40, log_level="warning")
    package = logging.getLogger("kat_widgets")
    before = package.level
    with TestClient(create_app(settings)) as client:
        logger = logging.getLogger("kat_widgets.requests")
        capture = Capture()
        logger.addHandler(capture)
        try:
            assert client.get("/api/clinics").status_code == 200
        finally:
            logger.removeHandler(capture)
        assert logger.getEffectiveLevel() == logging.WARNING
    package.setLevel(before)  # the logging configuration is process-wide
    assert capture.lines == []


def test_a_refusal_raised_before_the_route_is_logged_with_its_own_status(tmp_path: object) -> None:
    """The rate limit's 429 is answered further out than the request log: the line says 429."""
    from kat_widgets import Settings, create_app

    settings = Settings(data_dir=str(tmp_path), secret_key="l" * 40, rate_limit_store="memory")
    with TestClient(create_app(settings)) as client:
        logger = logging.getLogger("kat_widgets.requests")
        capture = Capture()
        logger.addHandler(capture)
        try:
            statuses = [
                client.get("/api/locate", params={"q": "84020"}).status_code for _ in range(31)
            ]
        finally:
            logger.removeHandler(capture)
    assert statuses[-1] == 429
    assert [line["status"] for line in capture.lines] == statuses


def test_the_request_line_reads_as_the_standard_formatter_writes_it() -> None:
    """#14: LineFormatter writes the date once a second; the text must not change."""
    from kat_widgets.web.observability import LineFormatter

    standard = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    ours = LineFormatter()
    logger = logging.getLogger("kat_widgets.requests")
    for created in (1_800_000_000.0, 1_800_000_000.25, 1_800_000_000.999, 1_800_000_001.5):
        record = logger.makeRecord(logger.name, logging.INFO, __file__, 0, '{"a": %d}', (1,), None)
        record.created, record.msecs = created, (created - int(created)) * 1000
        assert ours.format(record) == standard.format(record)
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        failed = logger.makeRecord(logger.name, logging.ERROR, __file__, 0, "x", (), sys.exc_info())
    assert ours.format(failed) == standard.format(failed)
    assert "ValueError: boom" in ours.format(failed)
