"""Reading the counters back: date ranges, summary tables and CSV export (no Rasa)."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sigilo.metrics.schema import KIND_CLICK, KIND_FEATURE
from sigilo.metrics.store import CounterRow, MetricsStore

DIMENSIONS = ("channel", "language", "day")
CSV_COLUMNS = ("day", "channel", "language", "kind", "name", "count")
# Days read per query, so a long range shows progress and memory stays flat.
WINDOW_DAYS = 31


class RangeError(ValueError):
    """A date range that is unparseable or reversed (the message says which)."""


def parse_day(text: str, what: str = "date") -> date:
    """``YYYY-MM-DD`` to a date.

    Raises:
        RangeError: with the text and the expected format.
    """
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise RangeError(f"{what} {text!r} is not a date: use YYYY-MM-DD") from None


def check_range(start: date, end: date) -> None:
    """Raises :class:`RangeError` when ``start`` is after ``end``."""
    if start > end:
        raise RangeError(f"the range is reversed: --from {start} is after --to {end}")


def read_rows(
    store: MetricsStore,
    start: date,
    end: date,
    progress: Callable[[str], None] | None = None,
) -> list[CounterRow]:
    """Every counter from ``start`` to ``end``, read a month-sized window at a time."""
    windows = []
    first = start
    while first <= end:
        last = min(first + timedelta(days=WINDOW_DAYS - 1), end)
        windows.append((first, last))
        first = last + timedelta(days=1)
    rows: list[CounterRow] = []
    for index, (first, last) in enumerate(windows, 1):
        rows.extend(store.rows(first, last))
        if progress is not None and len(windows) > 1:
            progress(f"read {first} to {last} ({index}/{len(windows)}), {len(rows)} counter(s)")
    return rows


@dataclass
class Table:
    """Totals of one kind (clicks or features) by name, split by one dimension."""

    title: str
    columns: list[str] = field(default_factory=list)
    cells: dict[str, dict[str, int]] = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        """Total per name."""
        return {name: sum(row.values()) for name, row in self.cells.items()}

    def names(self) -> list[str]:
        """Names, most counted first."""
        totals = self.totals()
        return sorted(totals, key=lambda name: (-totals[name], name))


def _value(row: CounterRow, by: str) -> str:
    return row.key.day.isoformat() if by == "day" else getattr(row.key, by)


def summarize(rows: Iterable[CounterRow], by: str = "channel") -> list[Table]:
    """A clicks table and a features table, with one column per ``by`` value."""
    if by not in DIMENSIONS:
        raise ValueError(f"cannot split by {by!r} (use {', '.join(DIMENSIONS)})")
    tables = {KIND_CLICK: Table("Button clicks"), KIND_FEATURE: Table("Feature use")}
    columns: set[str] = set()
    for row in rows:
        table = tables.get(row.key.kind)
        if table is None:
            continue
        column = _value(row, by)
        columns.add(column)
        cells = table.cells.setdefault(row.key.name, defaultdict(int))
        cells[column] += row.count
    for table in tables.values():
        table.columns = sorted(columns)
    return list(tables.values())


def format_table(table: Table) -> Iterator[str]:
    """Lines of a plain-text table: name, total, one column per value."""
    names = table.names()
    width = max([len(table.title), len("total"), *(len(n) for n in names)])
    widths = [max(len(c), 5) for c in table.columns]
    header = f"{table.title:<{width}}  {'total':>7}"
    header += "".join(f"  {c:>{w}}" for c, w in zip(table.columns, widths, strict=True))
    yield header
    yield "-" * len(header)
    if not names:
        yield "(none)"
        return
    totals = table.totals()
    for name in names:
        line = f"{name:<{width}}  {totals[name]:>7}"
        cells = table.cells[name]
        line += "".join(
            f"  {cells.get(c, 0):>{w}}" for c, w in zip(table.columns, widths, strict=True)
        )
        yield line
    line = f"{'all':<{width}}  {sum(totals.values()):>7}"
    line += "".join(
        f"  {sum(table.cells[n].get(c, 0) for n in names):>{w}}"
        for c, w in zip(table.columns, widths, strict=True)
    )
    yield line


def write_csv(rows: Iterable[CounterRow], path: Path) -> int:
    """Writes every counter as a CSV row (``day,channel,language,kind,name,count``)."""
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            key = row.key
            writer.writerow(
                [key.day.isoformat(), key.channel, key.language, key.kind, key.name, row.count]
            )
            written += 1
    return written
