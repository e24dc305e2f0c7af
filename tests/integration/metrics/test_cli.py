"""``sigilo metrics`` on real databases: table, CSV, PNG chart, schema, clear errors."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from sigilo.cli.main import main
from sigilo.metrics.db import make_engine
from sigilo.metrics.store import CounterKey, MetricsStore
from tests.integration.metrics.conftest import Databases
from tests.support.processes import REPO_ROOT, repo_env

START = date(2026, 11, 1)


def seed(url: str, days: int = 10) -> None:
    store = MetricsStore(make_engine(url))
    counts = {}
    for n in range(days):
        day = START + timedelta(days=n)
        for channel in ("rest", "facebook"):
            counts[CounterKey(day, channel, "pt", "click", "/check_invoices")] = n + 1
            counts[CounterKey(day, channel, "es", "click", "/greet")] = 2
            counts[CounterKey(day, channel, "pt", "feature", "invoices_checked")] = n
    store.add(counts)
    store.engine.dispose()


def test_table_csv_and_chart(
    dbs: Databases, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(dbs.metrics_url)
    out_csv, out_png = tmp_path / "m.csv", tmp_path / "m.png"
    argv = ["metrics", "--url", dbs.metrics_url, "--from", "2026-11-01", "--to", "2026-11-10"]
    assert main([*argv, "--csv", str(out_csv), "--chart", str(out_png)]) == 0
    printed = capsys.readouterr()
    lines = printed.out.splitlines()
    assert lines[0] == "Sigilo metrics, 2026-11-01 to 2026-11-10 (58 counter(s))"
    assert lines[2].split() == ["Button", "clicks", "total", "facebook", "rest"]
    assert lines[4].split() == ["/check_invoices", "110", "55", "55"]
    assert lines[5].split() == ["/greet", "40", "20", "20"]
    assert ["invoices_checked", "90", "45", "45"] in [line.split() for line in lines]
    assert "reading counters" in printed.err and "wrote" in printed.err  # progress
    with out_csv.open(newline="") as handle:
        assert len(list(csv.reader(handle))) == 59
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(out_png) as image:
        assert image.width >= 1000 and image.height >= 500
    # a sub-range, by day
    assert main([*argv[:3], "--from", "2026-11-09", "--to", "2026-11-10", "--by", "day"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split()[-2:] == ["2026-11-09", "2026-11-10"]
    assert lines[4].split() == ["/check_invoices", "38", "18", "20"]


def test_long_range_reads_in_windows_with_progress(
    dbs: Databases, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(dbs.metrics_url, days=3)
    assert (
        main(["metrics", "--url", dbs.metrics_url, "--from", "2026-01-01", "--to", "2026-12-31"])
        == 0
    )
    err = capsys.readouterr().err
    assert "(1/12)" in err and "(12/12)" in err


def test_bad_ranges_exit_2_without_traceback(tmp_path: Path) -> None:
    for args, message in (
        (["--from", "2026-12-05", "--to", "2026-12-01"], "the range is reversed"),
        (["--from", "1st of May"], "--from '1st of May' is not a date: use YYYY-MM-DD"),
        (["--to", "2026-02-30"], "--to '2026-02-30' is not a date"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "sigilo.cli", "metrics", *args],
            cwd=REPO_ROOT,
            env=repo_env({"SIGILO_METRICS_URL": f"sqlite:///{tmp_path / 'none.db'}"}),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2, done.stderr
        assert message in done.stderr
        assert "Traceback" not in done.stderr
    chart = main(["metrics", "--chart", str(tmp_path / "chart.jpg")])
    assert chart == 2


def test_missing_or_unmigrated_database_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'metrics.db'}"
    assert main(["metrics", "--url", url]) == 1
    assert "run `sigilo metrics db upgrade` first" in capsys.readouterr().err
    assert not (tmp_path / "metrics.db").exists()  # reading creates nothing
    assert main(["metrics", "db", "current", "--url", url]) == 1
    assert main(["metrics", "db", "upgrade", "--url", url]) == 0
    assert "metrics schema at m0001" in capsys.readouterr().out
    assert main(["metrics", "db", "current", "--url", url]) == 0
    assert main(["metrics", "--url", url]) == 0


def test_check_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metrics", "check"]) == 0
    assert "feature(s)" in capsys.readouterr().out
    bad = tmp_path / "metrics.yml"
    bad.write_text("features:\n  x:\n    - acton: action_check_invoices\n")
    assert main(["metrics", "check", str(bad)]) == 2
    assert f"{bad}:3: 'x': unknown key 'acton'" in capsys.readouterr().err
