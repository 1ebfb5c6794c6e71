"""The booking store: the only package that speaks SQL (SQLAlchemy Core, Alembic migrations).

``Storage(url)`` opens the backend for the URL: SQLite (the default, a file) or PostgreSQL
(``postgresql://`` uses psycopg 3). See :mod:`.base` for the contract.
"""

from __future__ import annotations

from kat_widgets.booking.storage.base import Storage
from kat_widgets.booking.storage.postgresql import PostgresStorage
from kat_widgets.booking.storage.records import overlapping
from kat_widgets.booking.storage.sqlite import SQLiteStorage
from kat_widgets.booking.storage.urls import database_url

__all__ = ["PostgresStorage", "SQLiteStorage", "Storage", "database_url", "overlapping"]
