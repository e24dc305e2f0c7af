"""Database URL, engines and migrations of the privacy tracker store (no Rasa import)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
URL_ENV = "SIGILO_TRACKER_STORE_URL"
DEFAULT_URL = "sqlite:///var/sigilo.db"


class SchemaError(RuntimeError):
    """The database has no (or an old) Sigilo schema."""


def database_url(url: str | None = None) -> str:
    """``url``, else ``$SIGILO_TRACKER_STORE_URL``, else the SQLite file under ``var/``."""
    return url or os.environ.get(URL_ENV) or DEFAULT_URL


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
    parsed = sa.engine.make_url(database_url(url))
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not Path(database).is_absolute():
            parsed = parsed.set(database=str(ROOT / database))
    return parsed


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


def alembic_config(url: str | None = None) -> Any:
    """The Alembic configuration pointed at ``url``."""
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    rendered = resolve_url(url).render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Runs the migrations up to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def head_revision() -> str:
    """The newest migration's revision id."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None when never migrated)."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("sigilo_alembic_version"):
            return None
        return connection.execute(
            sa.text("SELECT version_num FROM sigilo_alembic_version")
        ).scalar_one_or_none()


def check_schema(engine: Engine) -> None:
    """Raises :class:`SchemaError` unless the database is at the newest migration."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise SchemaError(
            f"the tracker store database is at schema revision {current or 'none'}, "
            f"expected {head}: run `sigilo db upgrade` first"
        )
