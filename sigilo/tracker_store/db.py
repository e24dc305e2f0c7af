"""Database URL, engines and migrations of the privacy tracker store (no Rasa import)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sigilo.migrated_database import ROOT, MigratedDatabase

URL_ENV = "SIGILO_TRACKER_STORE_URL"
DEFAULT_URL = "sqlite:///var/sigilo.db"
DATABASE = MigratedDatabase(URL_ENV, DEFAULT_URL, ROOT / "migrations", "sigilo_alembic_version")


class SchemaError(RuntimeError):
    """The database has no (or an old) Sigilo schema."""


def database_url(url: str | None = None) -> str:
    """``url``, else ``$SIGILO_TRACKER_STORE_URL``, else the SQLite file under ``var/``."""
    return DATABASE.database_url(url)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # erased rows are overwritten with zeros, not just unlinked from the b-tree
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def resolve_url(url: str | None = None) -> sa.engine.URL:
    """The parsed URL; relative SQLite paths are relative to the repository root."""
    return DATABASE.resolve_url(url)


def make_engine(url: str | None = None) -> Engine:
    """A SQLAlchemy 2.0-style engine; SQLite gets WAL, a busy timeout and secure delete."""
    parsed = resolve_url(url)
    kwargs: dict[str, Any] = {"future": True, "pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database or ".").parent.mkdir(parents=True, exist_ok=True)
        kwargs = {"future": True, "connect_args": {"timeout": 10}}
    engine = sa.create_engine(parsed, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


# The migrations of this database (shared with the other Sigilo database's by class).
alembic_config = DATABASE.alembic_config
upgrade = DATABASE.upgrade
head_revision = DATABASE.head_revision
current_revision = DATABASE.current_revision


def check_schema(engine: Engine) -> None:
    """Raises :class:`SchemaError` unless the database is at the newest migration."""
    problem = DATABASE.schema_problem(engine)
    if problem:
        raise SchemaError(f"the tracker store database {problem}: run `sigilo db upgrade` first")
