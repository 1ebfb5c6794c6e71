"""Keep tokens out of access logs: ``/bookings/<token>`` is logged as ``/bookings/***``, and
so are staff feeds, day-sheet links and referral links (``/referrals/<token>``).

Anyone holding a token can cancel a booking, so it must not sit in log files. Installed on
uvicorn's access logger by ``create_app`` (once per process).
"""

from __future__ import annotations

import logging
import re

__all__ = ["RedactTokens", "install"]

_TOKEN_PATH = re.compile(r"(/bookings/)[A-Za-z0-9_-]{16,}")
_FEED_PATH = re.compile(r"(/calendars/staff/)[^/?\s]+")
_DAY_PATH = re.compile(r"(/staff/day/)[^/?\s]+")
_REFERRAL_PATH = re.compile(r"(/referrals/)[^/?\s]+")
_WAITLIST_PATH = re.compile(r"(/waitlist/(?:claims/)?)[A-Za-z0-9_-]{16,}")


def redact(text: str) -> str:
    text = _TOKEN_PATH.sub(r"\1***", text)
    text = _WAITLIST_PATH.sub(r"\1***", _REFERRAL_PATH.sub(r"\1***", text))
    return _DAY_PATH.sub(r"\1***", _FEED_PATH.sub(r"\1***", text))


class RedactTokens(logging.Filter):
    """Rewrites a record's message arguments (uvicorn passes the path as an argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install(logger_name: str = "uvicorn.access") -> None:
    logger = logging.getLogger(logger_name)
    if not any(isinstance(existing, RedactTokens) for existing in logger.filters):
        logger.addFilter(RedactTokens())
