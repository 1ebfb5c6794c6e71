"""Database URLs as operators write them: normalised for SQLAlchemy, and their dialect."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from kat_widgets.errors import ConfigurationError

__all__ = ["database_url", "dialect_of"]


def database_url(url: str) -> str:
    """Normalise an operator's URL: ``postgresql://`` and ``postgres://`` use psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def dialect_of(url: str) -> str:
    try:
        return make_url(url).get_backend_name()
    except ArgumentError:
        raise ConfigurationError(
            "database_url must look like sqlite:///path.db or postgresql://user@host/db"
        ) from None
