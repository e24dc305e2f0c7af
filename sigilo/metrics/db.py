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

ROOT = Path(__file__).resolve().parents[2]
URL_ENV = "SIGILO_METRICS_URL"
DEFAULT_URL = "sqlite:///var/metrics.db"
MIGRATIONS = ROOT / "migrations" / "metrics"
VERSION_TABLE = "sigilo_metrics_alembic_version"
# Seconds a PostgreSQL connection attempt may take: a metrics store that is away
# must cost a turn little (writes run off the event loop anyway).
CONNECT_TIMEOUT = 3


OFF = ("off", "false", "no", "none", "0")


class MetricsSchemaError(RuntimeError):
    """The metrics database has no (or an old) schema."""


def database_url(url: str | None = None) -> str:
    """``url``, else ``$SIGILO_METRICS_URL``, else the SQLite file ``var/metrics.db``."""
    return url or os.environ.get(URL_ENV) or DEFAULT_URL


def is_off(url: str | None) -> bool:
    """Whether ``url`` (or ``$SIGILO_METRICS_URL`` when None) says metrics are off."""
    value = url if url is not None else os.environ.get(URL_ENV, "")
    return value.strip().lower() in OFF


def resolve_url(url: str | None = None) -> sa.engine.URL:
    """The parsed URL; relative SQLite paths are relative to the repository root."""
    parsed = sa.engine.make_url(database_url(url))
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not Path(database).is_absolute():
            parsed = parsed.set(database=str(ROOT / database))
    return parsed


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


def alembic_config(url: str | None = None) -> Any:
    """The Alembic configuration of the metrics migrations, pointed at ``url``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("version_table", VERSION_TABLE)
    rendered = resolve_url(url).render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Creates or upgrades the metrics schema up to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def head_revision() -> str:
    """The newest metrics migration's revision id."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    """The revision the metrics database is at (None when never migrated)."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table(VERSION_TABLE):
            return None
        return connection.execute(
            sa.text(f"SELECT version_num FROM {VERSION_TABLE}")
        ).scalar_one_or_none()


def check_schema(engine: Engine) -> None:
    """Raises :class:`MetricsSchemaError` unless the database is at the newest migration."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise MetricsSchemaError(
            f"the metrics database is at schema revision {current or 'none'}, expected "
            f"{head}: run `sigilo metrics db upgrade` first"
        )
