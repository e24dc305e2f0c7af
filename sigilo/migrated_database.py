"""What every Sigilo database shares: its URL setting and its Alembic migrations.

The tracker store and the metrics store are separate databases, each with its own
migrations and version table; this class holds what they do alike, so that
``sigilo db`` and ``sigilo metrics db`` behave the same way::

    METRICS = MigratedDatabase("SIGILO_METRICS_URL", "sqlite:///var/metrics.db",
                               ROOT / "migrations" / "metrics", "sigilo_metrics_alembic_version")
    METRICS.upgrade(url)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class MigratedDatabase:
    """One database: where its URL comes from and where its migrations are.

    Attributes:
        url_env: environment variable with the URL.
        default_url: the URL when neither an argument nor the variable gives one.
        script_location: the Alembic migrations folder.
        version_table: the table Alembic records the revision in.
    """

    url_env: str
    default_url: str
    script_location: Path
    version_table: str

    def database_url(self, url: str | None = None) -> str:
        """``url``, else the environment variable, else the default."""
        return url or os.environ.get(self.url_env) or self.default_url

    def resolve_url(self, url: str | None = None) -> sa.engine.URL:
        """The parsed URL; relative SQLite paths are relative to the repository root."""
        parsed = sa.engine.make_url(self.database_url(url))
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:" and not Path(database).is_absolute():
                parsed = parsed.set(database=str(ROOT / database))
        return parsed

    def alembic_config(self, url: str | None = None) -> Any:
        """The Alembic configuration of these migrations, pointed at ``url``."""
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(self.script_location))
        config.set_main_option("version_table", self.version_table)
        rendered = self.resolve_url(url).render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
        return config

    def upgrade(self, url: str | None = None, revision: str = "head") -> None:
        """Creates or upgrades the schema up to ``revision``."""
        from alembic import command

        command.upgrade(self.alembic_config(url), revision)

    def head_revision(self) -> str:
        """The newest migration's revision id."""
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(self.alembic_config()).get_current_head() or ""

    def current_revision(self, engine: Engine) -> str | None:
        """The revision the database is at (None when never migrated)."""
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table(self.version_table):
                return None
            return connection.execute(
                sa.text(f"SELECT version_num FROM {self.version_table}")
            ).scalar_one_or_none()

    def schema_problem(self, engine: Engine) -> str | None:
        """Why the database is not at the newest migration, or None when it is."""
        current, head = self.current_revision(engine), self.head_revision()
        if current == head:
            return None
        return f"is at schema revision {current or 'none'}, expected {head}"
