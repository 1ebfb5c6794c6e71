"""Run the Alembic migrations shipped in ``kat_widgets/booking/migrations`` on a connection.

Alembic is imported only here, when a schema is checked or migrated, not by every request.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = ["at_head", "downgrade", "head_revision", "is_current", "upgrade"]


def _config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("kat_widgets.booking") / "migrations")
    )
    return config


def head_revision() -> str:
    """The newest revision, from the file names alone (ours are ``NNNN_name.py`` with revision
    id ``NNNN``, each revising the one before; a test holds Alembic to the same answer)."""
    versions = resources.files("kat_widgets.booking") / "migrations" / "versions"
    return max(entry.name[:4] for entry in versions.iterdir() if entry.name[:4].isdigit())


def at_head(conn: Connection) -> bool:
    """Whether the schema is at :func:`head_revision`, read without Alembic (~0.2 s to import,
    which every worker would pay at start in demo mode for a schema already current)."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return False
    found = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    return list(found) == [head_revision()]


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
