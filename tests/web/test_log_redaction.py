from __future__ import annotations

import logging

from kat_widgets.web.log_redaction import RedactTokens

TOKEN = "Abc_def-123456789012345678901234567890123"


def _access(path: str) -> logging.LogRecord:
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )


def test_manage_tokens_and_feed_secrets_are_redacted_from_access_logs() -> None:
    for path in (
        f"/api/bookings/{TOKEN}/cancel",
        f"/w/bookings/{TOKEN}?done=cancelled",
        f"/calendars/bookings/{TOKEN}.ics",
        "/calendars/staff/" + "f" * 40 + ".ics",
    ):
        record = _access(path)
        assert RedactTokens().filter(record)
        message = record.getMessage()
        assert TOKEN not in message and "f" * 40 not in message
        assert "***" in message


def test_other_paths_are_untouched() -> None:
    record = _access("/api/clinics/draper/slots?service=info-call")
    RedactTokens().filter(record)
    assert "/api/clinics/draper/slots?service=info-call" in record.getMessage()
