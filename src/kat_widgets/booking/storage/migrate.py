"""Run the Alembic migrations shipped in ``kat_widgets/booking/migrations`` on a connection.

Alembic is imported only here, when a schema is checked or migrated, not by every request.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from sqlalchemy.engine import Connection

__all__ = ["downgrade", "is_current", "upgrade"]


def _config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("kat_widgets.booking") / "migrations")
    )
    return config


def upgrade(conn: Connection) -> None:
    """Bring the schema on ``conn`` to the newest revision (inside the caller's transaction)."""
    from alembic import command

    config = _config()
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def downgrade(conn: Connection, revision: str) -> None:
    """Take the schema on ``conn`` back to ``revision`` (an operator's escape hatch; tests)."""
    from alembic import command

    config = _config()
    config.attributes["connection"] = conn
    command.downgrade(config, revision)


def is_current(conn: Connection) -> bool:
    """Whether the schema on ``conn`` is at the newest revision."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    return bool(MigrationContext.configure(conn).get_current_revision() == head)
