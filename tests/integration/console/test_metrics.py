"""The metrics in the console, for real: counters written by sigilo.metrics' store on
SQLite and PostgreSQL show up in the API's tables, on the page and in a valid PNG chart;
bad ranges get 400, a metrics database that is away or unmigrated 503."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sigilo.console.metrics_view import MAX_DAYS, MetricsReader, MetricsUnavailable, parse_range
from sigilo.console.roles import Role
from sigilo.console.search import FilterError
from sigilo.console.service import Console
from sigilo.metrics.db import make_engine
from sigilo.metrics.store import CounterKey, MetricsStore
from tests.integration.console.conftest import Operators
from tests.integration.console.http_support import ConsoleServer, console_server

DAY = date(2026, 3, 10)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COUNTS = {
    CounterKey(DAY, "rest", "pt", "click", "menu_boleto"): 5,
    CounterKey(DAY, "facebook", "pt", "click", "menu_boleto"): 2,
    CounterKey(DAY + timedelta(days=1), "rest", "en", "click", "menu_pix"): 3,
    CounterKey(DAY, "rest", "pt", "feature", "second_copy"): 4,
    # outside the range asked for below: must not be counted
    CounterKey(DAY - timedelta(days=40), "rest", "pt", "click", "menu_boleto"): 100,
}
RANGE = f"from={DAY - timedelta(days=2)}&to={DAY + timedelta(days=2)}"


def _write_counts(url: str) -> None:
    engine = make_engine(url)
    MetricsStore(engine).add(COUNTS)
    engine.dispose()


@pytest.fixture
def server(database: Any, metrics_url: str) -> Iterator[ConsoleServer]:
    _write_counts(metrics_url)
    with console_server(database.url, metrics_url) as running:
        yield running


def _png_size(body: bytes) -> tuple[int, int]:
    assert body[:8] == PNG_SIGNATURE and body[12:16] == b"IHDR", body[:32]
    return struct.unpack(">II", body[16:24])


def test_counts_show_in_tables_chart_and_page(
    server: ConsoleServer, console: Console, ops: Operators
) -> None:
    token = ops.sessions[Role.VIEWER].token
    audited = len(console.audit.entries())
    answer = server.call("GET", f"/api/v1/metrics?{RANGE}", token=token)
    assert answer.status == 200, answer.body
    shown = answer.json()
    assert (shown["from"], shown["to"], shown["by"]) == ("2026-03-08", "2026-03-12", "channel")
    clicks, features = shown["tables"]
    assert clicks["kind"] == "click" and clicks["columns"] == ["facebook", "rest"]
    assert clicks["rows"] == [
        {"name": "menu_boleto", "total": 7, "cells": {"rest": 5, "facebook": 2}},
        {"name": "menu_pix", "total": 3, "cells": {"rest": 3}},
    ]
    assert clicks["total"] == 10  # the 100 clicks 40 days earlier are outside the range
    assert features["rows"] == [{"name": "second_copy", "total": 4, "cells": {"rest": 4}}]

    by_day = server.call("GET", f"/api/v1/metrics?{RANGE}&by=day", token=token).json()
    assert by_day["tables"][0]["rows"][1]["cells"] == {"2026-03-11": 3}
    by_language = server.call("GET", f"/api/v1/metrics?{RANGE}&by=language", token=token)
    assert by_language.json()["tables"][0]["columns"] == ["en", "pt"]

    chart = server.call("GET", f"/api/v1/metrics/chart.png?{RANGE}", token=token)
    assert chart.status == 200 and chart.headers["content-type"] == "image/png"
    width, height = _png_size(chart.body)
    assert width >= 800 and height >= 400 and len(chart.body) > 20_000
    empty = server.call(
        "GET", "/api/v1/metrics/chart.png?from=2020-01-01&to=2020-01-02", token=token
    )
    assert empty.status == 200 and _png_size(empty.body) and empty.body != chart.body

    # the page: the form, both tables and the chart from this origin, no script
    jar = {"sigilo_console": token}
    page = server.call("GET", f"/console/metrics?{RANGE}&by=channel", cookies=jar)
    assert page.status == 200, page.body
    text = page.body.decode()
    assert "menu_boleto" in text and "second_copy" in text and "<script" not in text
    assert 'src="/api/v1/metrics/chart.png?from=2026-03-08&amp;to=2026-03-12"' in text
    assert "img-src 'self'" in page.headers["content-security-policy"]
    image = server.call(
        "GET", "/api/v1/metrics/chart.png?from=2026-03-08&to=2026-03-12", cookies=jar
    )
    assert image.status == 200 and image.body[:8] == PNG_SIGNATURE
    default = server.call("GET", "/console/metrics", cookies=jar).body.decode()
    today = date.today()
    assert f'value="{today - timedelta(days=29)}"' in default and f'value="{today}"' in default
    # anonymous metrics: reads leave no audit entry
    assert len(console.audit.entries()) == audited
    home = server.call("GET", "/console", cookies=jar).body.decode()  # (a search: audited)
    assert 'href="/console/metrics"' in home and "will be" not in home


BAD = [
    ("from=2026-03-10&to=2026-03-01", "reversed"),
    ("from=yesterday&to=2026-03-01", "not a date"),
    ("from=2026-02-30", "not a date"),
    ("from=2024-01-01&to=2025-12-31", f"longer than {MAX_DAYS} days"),
    ("to=0001-01-05", "too early"),
    ("by=sender", "by: one of channel, language, day"),
]


def test_bad_ranges_get_400(server: ConsoleServer, ops: Operators) -> None:
    token = ops.sessions[Role.EDITOR].token
    for query, message in BAD:
        for path in ("/api/v1/metrics", "/api/v1/metrics/chart.png"):
            if path.endswith(".png") and query.startswith("by="):
                continue  # the chart has no split
            answer = server.call("GET", f"{path}?{query}", token=token)
            assert answer.status == 400, (path, query, answer.body)
            assert message in answer.json()["error"], (query, answer.body)
        page = server.call("GET", f"/console/metrics?{query}", cookies={"sigilo_console": token})
        assert page.status == 400 and message in page.body.decode(), query
        assert b"Traceback" not in page.body
    longest = f"from=2025-01-01&to={date(2025, 1, 1) + timedelta(days=MAX_DAYS - 1)}"
    assert server.call("GET", f"/api/v1/metrics?{longest}", token=token).status == 200


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_metrics_database_away_or_unmigrated_gets_503(
    database: Any, ops: Operators, tmp_path: Path
) -> None:
    unmigrated = tmp_path / "unmigrated.db"
    engine = sa.create_engine(f"sqlite:///{unmigrated}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE unrelated (x INTEGER)"))
    engine.dispose()
    cases = [
        (f"sqlite:///{unmigrated}", "not migrated"),
        ("postgresql://postgres@127.0.0.1:1/sigilo_metrics", "cannot be reached"),
    ]
    token = ops.sessions[Role.ADMIN].token
    for url, message in cases:
        with console_server(database.url, url) as server:
            for path in ("/api/v1/metrics", "/api/v1/metrics/chart.png"):
                answer = server.call("GET", path, token=token)
                assert answer.status == 503, (url, path, answer.body)
                assert message in answer.json()["error"] and b"Traceback" not in answer.body
            page = server.call("GET", "/console/metrics", cookies={"sigilo_console": token})
            assert page.status == 503 and message in page.body.decode()
            # the rest of the console keeps working
            assert server.call("GET", "/api/v1/session", token=token).status == 200


def test_reader_refuses_a_missing_or_off_database(tmp_path: Path) -> None:
    missing = tmp_path / "never-created.db"
    with pytest.raises(MetricsUnavailable, match="does not exist yet"):
        MetricsReader(f"sqlite:///{missing}").rows(DAY, DAY)
    assert not missing.exists()  # reading did not create an empty database
    with pytest.raises(MetricsUnavailable, match="switched off"):
        MetricsReader("off").rows(DAY, DAY)


def test_parse_range_defaults_and_limits() -> None:
    assert parse_range(None, None, today=DAY) == (DAY - timedelta(days=29), DAY)
    assert parse_range("2026-03-01", "", today=DAY) == (date(2026, 3, 1), DAY)
    assert parse_range("2026-03-10", "2026-03-10") == (DAY, DAY)
    with pytest.raises(FilterError, match="reversed"):
        parse_range("2026-03-11", "2026-03-10")
    with pytest.raises(FilterError, match="not a date"):
        parse_range("x" * 5000, None)
