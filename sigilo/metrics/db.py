"""Database URL, engine and migrations of the metrics store (no Rasa import).

The metrics live in a database of their own, never the tracker store's: erasing a
consumer's conversation cannot touch them, and they can be kept (or shared) apart.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sigilo.migrated_database import ROOT, MigratedDatabase

URL_ENV = "SIGILO_METRICS_URL"
DEFAULT_URL = "sqlite:///var/metrics.db"
MIGRATIONS = ROOT / "migrations" / "metrics"
VERSION_TABLE = "sigilo_metrics_alembic_version"
DATABASE = MigratedDatabase(URL_ENV, DEFAULT_URL, MIGRATIONS, VERSION_TABLE)
# Seconds a PostgreSQL connection attempt may take: a metrics store that is away
# must cost a turn little (writes run off the event loop anyway).
CONNECT_TIMEOUT = 3


OFF = ("off", "false", "no", "none", "0")


class MetricsSchemaError(RuntimeError):
    """The metrics database has no (or an old) schema."""


def database_url(url: str | None = None) -> str:
    """``url``, else ``$SIGILO_METRICS_URL``, else the SQLite file ``var/metrics.db``."""
    return DATABASE.database_url(url)


def is_off(url: str | None) -> bool:
    """Whether ``url`` (or ``$SIGILO_METRICS_URL`` when None) says metrics are off."""
    value = url if url is not None else os.environ.get(URL_ENV, "")
    return value.strip().lower() in OFF


def resolve_url(url: str | None = None) -> sa.engine.URL:
    """The parsed URL; relative SQLite paths are relative to the repository root."""
    return DATABASE.resolve_url(url)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine: SQLite gets WAL and a busy timeout, PostgreSQL a connect timeout."""
    parsed = resolve_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, future=True, connect_args={"timeout": 10})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = CONNECT_TIMEOUT
    return sa.create_engine(parsed, future=True, pool_pre_ping=True, connect_args=connect_args)


def describe(url: str | None = None) -> str:
    """Backend and database name, without credentials (for messages)."""
    parsed = resolve_url(url)
    return f"{parsed.get_backend_name()} {parsed.database or ''}".strip()


# The migrations of this database (shared with the other Sigilo database's by class).
alembic_config = DATABASE.alembic_config
upgrade = DATABASE.upgrade
head_revision = DATABASE.head_revision
current_revision = DATABASE.current_revision


def check_schema(engine: Engine) -> None:
    """Raises :class:`MetricsSchemaError` unless the database is at the newest migration."""
    problem = DATABASE.schema_problem(engine)
    if problem:
        raise MetricsSchemaError(
            f"the metrics database {problem}: run `sigilo metrics db upgrade` first"
        )
