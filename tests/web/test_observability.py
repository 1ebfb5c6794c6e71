from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

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


def test_the_request_line_written_directly_is_the_line_logging_would_write() -> None:
    """#14: with only its own handler, the line skips LogRecord; the text must not change."""
    import re
    import time

    from kat_widgets.web.observability import LineFormatter, RequestLineHandler, log_request

    logger = logging.getLogger("kat_widgets.requests")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    direct, plain = io.StringIO(), io.StringIO()
    standard = logging.StreamHandler(plain)
    standard.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    scope: Any = {"method": "GET", "path_template": "/api/clinics"}
    try:
        logger.handlers[:] = [RequestLineHandler(direct)]
        logger.setLevel(logging.INFO)
        logger.propagate = False
        before = time.time()
        log_request(scope, "abcdef0123456789", 200, time.perf_counter())
        after = time.time()
        logger.handlers.append(standard)  # another handler: the usual way, to both
        log_request(scope, "abcdef0123456789", 404, time.perf_counter())
    finally:
        logger.handlers[:], level, logger.propagate = saved[0], saved[1], saved[2]
        logger.setLevel(level)
    first, second = direct.getvalue().splitlines()
    [through_logging] = plain.getvalue().splitlines()
    shape = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO kat_widgets\.requests (\{.*\})$"
    for line in (first, second, through_logging):
        assert re.match(shape, line), line
    assert second == through_logging  # the same record, through both handlers
    assert json.loads(re.match(shape, first).group(1))["status"] == 200  # type: ignore[union-attr]
    stamp = first.split(" INFO ")[0]  # local time, to the millisecond
    written = time.mktime(time.strptime(stamp[:19], "%Y-%m-%d %H:%M:%S")) + int(stamp[20:]) / 1000
    assert before - 0.002 <= written <= after + 0.002  # between the two clocks
    record = logging.makeLogRecord({"name": "kat_widgets.requests", "levelname": "INFO"})
    record.msg, record.created = "x", before
    record.msecs = (before - int(before)) * 1000
    assert LineFormatter().format(record) == standard.format(record)


def test_a_request_line_that_cannot_be_written_never_fails_the_request(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from kat_widgets.web.observability import RequestLineHandler, log_request

    class Broken(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError("disk full")

    logger = logging.getLogger("kat_widgets.requests")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    try:
        logger.handlers[:] = [RequestLineHandler(Broken())]
        logger.setLevel(logging.INFO)
        logger.propagate = False
        log_request({"method": "GET", "path_template": "/x"}, "abcdef0123456789", 200, 0.0)  # type: ignore[typeddict-item]
    finally:
        logger.handlers[:], level, logger.propagate = saved[0], saved[1], saved[2]
        logger.setLevel(level)
    assert "OSError: disk full" in capsys.readouterr().err  # reported as logging reports it
