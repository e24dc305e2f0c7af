"""The anonymous metrics as the console shows them: date ranges, JSON tables, the chart.

Metrics carry no identifier and no text, so reading them is role-checked but not
audited. The metrics database is its own (``$SIGILO_METRICS_URL``); it is opened on
first use, never at import, and a database that is away or unmigrated is reported as
:class:`MetricsUnavailable` (503), never as a server error.
"""

from __future__ import annotations

import io
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from sigilo.console.search import FilterError
from sigilo.metrics.db import MetricsSchemaError, check_schema, is_off, make_engine, resolve_url
from sigilo.metrics.report import DIMENSIONS, RangeError, parse_day, read_rows, summarize
from sigilo.metrics.schema import KINDS
from sigilo.metrics.store import CounterRow, MetricsStore

MAX_DAYS = 366
DEFAULT_DAYS = 30
# pyplot keeps global state: one chart at a time per process.
_CHART_LOCK = threading.Lock()


class MetricsUnavailable(RuntimeError):
    """The metrics database is off, unreachable or not migrated (the message says which)."""


def parse_range(
    start_text: str | None, end_text: str | None, today: date | None = None
) -> tuple[date, date]:
    """The range from the ``from``/``to`` texts; defaults: the last 30 days to today.

    Raises:
        FilterError: unparseable, reversed or longer than :data:`MAX_DAYS` days.
    """
    try:
        end = parse_day(end_text[:32], "to") if end_text else (today or date.today())
        if start_text:
            start = parse_day(start_text[:32], "from")
        else:
            start = end - timedelta(days=DEFAULT_DAYS - 1)
    except RangeError as exc:
        raise FilterError(str(exc)) from None
    except OverflowError:
        raise FilterError("to: too early for a 30-day range, give from as well") from None
    if start > end:
        raise FilterError(f"the range is reversed: from {start} is after to {end}")
    if (end - start).days + 1 > MAX_DAYS:
        raise FilterError(f"the range is longer than {MAX_DAYS} days: pick a shorter one")
    return start, end


def parse_by(value: str | None) -> str:
    """The dimension the tables are split by (default channel).

    Raises:
        FilterError: not one of channel, language, day.
    """
    by = (value or "channel").strip().lower()
    if by not in DIMENSIONS:
        raise FilterError(f"by: one of {', '.join(DIMENSIONS)}")
    return by


class MetricsReader:
    """Reads the counters of one metrics database for the console."""

    def __init__(self, url: str | None = None) -> None:
        """``url``: the metrics database (None: ``$SIGILO_METRICS_URL`` or its default)."""
        self.url = url
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def _open(self) -> Engine:
        if is_off(self.url):
            raise MetricsUnavailable("metrics are switched off (SIGILO_METRICS_URL)")
        with self._lock:
            if self._engine is None:
                try:
                    parsed = resolve_url(self.url)
                    sqlite = parsed.get_backend_name() == "sqlite"
                    # reading must not create an empty database file
                    if sqlite and not Path(parsed.database or "").is_file():
                        raise MetricsUnavailable(
                            "the metrics database does not exist yet: "
                            "run `sigilo metrics db upgrade`"
                        )
                    self._engine = make_engine(self.url)
                except (SQLAlchemyError, ValueError):
                    raise MetricsUnavailable("the metrics database URL is not valid") from None
            return self._engine

    def rows(self, start: date, end: date) -> list[CounterRow]:
        """Every counter from ``start`` to ``end``.

        Raises:
            MetricsUnavailable: off, unreachable or unmigrated.
        """
        engine = self._open()
        try:
            check_schema(engine)
            return read_rows(MetricsStore(engine), start, end)
        except MetricsSchemaError:
            raise MetricsUnavailable(
                "the metrics database is not migrated: run `sigilo metrics db upgrade`"
            ) from None
        except SQLAlchemyError:
            raise MetricsUnavailable("the metrics database cannot be reached") from None

    def tables(self, start: date, end: date, by: str = "channel") -> dict[str, Any]:
        """The clicks and features tables of the range, split by ``by``, as JSON."""
        tables = summarize(self.rows(start, end), by)
        answer = []
        for kind, table in zip(KINDS, tables, strict=True):
            totals = table.totals()
            answer.append(
                {
                    "kind": kind,
                    "title": table.title,
                    "columns": table.columns,
                    "rows": [
                        {"name": name, "total": totals[name], "cells": dict(table.cells[name])}
                        for name in table.names()
                    ],
                    "total": sum(totals.values()),
                }
            )
        return {"from": start.isoformat(), "to": end.isoformat(), "by": by, "tables": answer}

    def chart(self, start: date, end: date) -> bytes:
        """The PNG chart of the range."""
        from sigilo.metrics.chart import draw_chart

        rows = self.rows(start, end)
        out = io.BytesIO()
        with _CHART_LOCK:
            draw_chart(rows, start, end, out)
        return out.getvalue()
