"""Reads and writes the daily counters (SQLAlchemy only, no Rasa import).

Writes are one ``INSERT … ON CONFLICT DO UPDATE SET count = count + excluded.count``
per counter, all in one transaction: the database adds, so concurrent writers (threads,
processes, replicas) never lose a count and never need a read-modify-write.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from sigilo.metrics.schema import daily_counts


@dataclass(frozen=True, order=True)
class CounterKey:
    """What one counter counts: a day, a channel, a language, a kind and a name."""

    day: date
    channel: str
    language: str
    kind: str
    name: str


@dataclass(frozen=True)
class CounterRow:
    """One stored counter."""

    key: CounterKey
    count: int


def _insert(engine: Engine) -> sa.sql.Insert:
    backend = engine.dialect.name
    if backend == "postgresql":
        return postgresql.insert(daily_counts)
    if backend == "sqlite":
        return sqlite.insert(daily_counts)
    raise ValueError(f"metrics store: unsupported database '{backend}' (SQLite or PostgreSQL)")


class MetricsStore:
    """The counters of one metrics database."""

    def __init__(self, engine: Engine) -> None:
        """Uses ``engine`` (see :func:`sigilo.metrics.db.make_engine`); connects lazily."""
        self.engine = engine

    def add(self, counts: Mapping[CounterKey, int]) -> None:
        """Adds ``counts`` to the stored counters atomically, in one transaction."""
        rows = [
            {
                "day": key.day,
                "channel": key.channel,
                "language": key.language,
                "kind": key.kind,
                "name": key.name,
                "count": int(n),
            }
            for key, n in sorted(counts.items())  # one lock order: no deadlock between writers
            if n
        ]
        if not rows:
            return
        insert = _insert(self.engine)
        statement = insert.on_conflict_do_update(
            index_elements=["day", "channel", "language", "kind", "name"],
            set_={"count": daily_counts.c.count + insert.excluded.count},
        )
        with self.engine.begin() as conn:
            for row in rows:
                conn.execute(statement, row)

    def rows(self, start: date | None = None, end: date | None = None) -> Iterator[CounterRow]:
        """Counters of the days from ``start`` to ``end`` (both included), sorted."""
        query = sa.select(daily_counts).order_by(
            daily_counts.c.day,
            daily_counts.c.kind,
            daily_counts.c.name,
            daily_counts.c.channel,
            daily_counts.c.language,
        )
        if start is not None:
            query = query.where(daily_counts.c.day >= start)
        if end is not None:
            query = query.where(daily_counts.c.day <= end)
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                key = CounterKey(row.day, row.channel, row.language, row.kind, row.name)
                yield CounterRow(key, int(row.count))

    def days(self) -> tuple[date | None, date | None]:
        """The first and last day that have counters (``(None, None)`` when empty)."""
        query = sa.select(sa.func.min(daily_counts.c.day), sa.func.max(daily_counts.c.day))
        with self.engine.connect() as conn:
            first, last = conn.execute(query).one()
        return first, last
