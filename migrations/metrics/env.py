"""Alembic environment of the metrics database (``sigilo metrics db upgrade``)."""

from __future__ import annotations

from alembic import context

from sigilo.metrics.db import VERSION_TABLE, database_url, make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url") or database_url()
version_table = config.get_main_option("version_table") or VERSION_TABLE

engine = make_engine(url)
with engine.connect() as connection:
    context.configure(connection=connection, version_table=version_table)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
