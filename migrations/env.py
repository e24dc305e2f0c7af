"""Alembic environment: runs the migrations on the URL given by ``sigilo db``."""

from __future__ import annotations

from alembic import context

from sigilo.tracker_store.db import database_url, make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url") or database_url()
version_table = config.get_main_option("version_table") or "sigilo_alembic_version"

connectable = config.attributes.get("connection")
if connectable is None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, version_table=version_table)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
else:
    context.configure(connection=connectable, version_table=version_table)
    with context.begin_transaction():
        context.run_migrations()
