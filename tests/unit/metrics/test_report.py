"""Date ranges, summary tables and CSV of the counters."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from sigilo.metrics.report import (
    RangeError,
    check_range,
    format_table,
    parse_day,
    summarize,
    write_csv,
)
from sigilo.metrics.store import CounterKey, CounterRow

D1, D2 = date(2026, 11, 20), date(2026, 11, 21)
ROWS = [
    CounterRow(CounterKey(D1, "rest", "en", "click", "/greet"), 3),
    CounterRow(CounterKey(D1, "facebook", "pt", "click", "/greet"), 2),
    CounterRow(CounterKey(D2, "facebook", "pt", "click", "/pay_invoice"), 7),
    CounterRow(CounterKey(D2, "rest", "es", "feature", "payment_made"), 4),
]


@pytest.mark.parametrize("text", ["2026-13-01", "yesterday", "20/11/2026", "", "2026-11-31"])
def test_unparseable_day_names_the_text_and_format(text: str) -> None:
    with pytest.raises(RangeError, match="use YYYY-MM-DD") as failed:
        parse_day(text, "--from")
    assert str(failed.value).startswith(f"--from {text!r}")


def test_reversed_range() -> None:
    check_range(D1, D1)
    with pytest.raises(RangeError, match="reversed: --from 2026-11-21 is after --to 2026-11-20"):
        check_range(D2, D1)


def test_tables_split_by_channel_and_by_day() -> None:
    clicks, features = summarize(ROWS, "channel")
    lines = list(format_table(clicks))
    assert lines[0].split() == ["Button", "clicks", "total", "facebook", "rest"]
    assert lines[2].split() == ["/pay_invoice", "7", "7", "0"]  # most clicked first
    assert lines[3].split() == ["/greet", "5", "2", "3"]
    assert lines[-1].split() == ["all", "12", "9", "3"]
    assert list(format_table(features))[2].split() == ["payment_made", "4", "0", "4"]
    by_day, _ = summarize(ROWS, "day")
    assert by_day.columns == ["2026-11-20", "2026-11-21"]
    by_language, _ = summarize(ROWS, "language")
    assert by_language.cells["/greet"] == {"en": 3, "pt": 2}


def test_empty_table_says_so() -> None:
    clicks, _ = summarize([], "channel")
    assert list(format_table(clicks))[-1] == "(none)"


def test_csv_has_one_row_per_counter(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    assert write_csv(ROWS, path) == 4
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["day", "channel", "language", "kind", "name", "count"]
    assert rows[3] == ["2026-11-21", "facebook", "pt", "click", "/pay_invoice", "7"]
