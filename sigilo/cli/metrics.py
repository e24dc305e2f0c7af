"""``sigilo metrics``: the anonymous counters as a table, CSV or PNG; their schema.

sigilo metrics [--from 2026-11-01] [--to 2026-11-30] [--by channel] [--csv F] [--chart F]
sigilo metrics db upgrade | current        # migrations of the metrics database
sigilo metrics check [metrics.yml]         # validate the feature mapping
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy.exc

from sigilo.metrics import MetricsConfigError
from sigilo.metrics.db import (
    MetricsSchemaError,
    check_schema,
    current_revision,
    describe,
    head_revision,
    is_off,
    make_engine,
    resolve_url,
)
from sigilo.metrics.db import upgrade as run_upgrade
from sigilo.metrics.features import load_features
from sigilo.metrics.report import (
    DIMENSIONS,
    RangeError,
    check_range,
    format_table,
    parse_day,
    read_rows,
    summarize,
    write_csv,
)
from sigilo.metrics.store import MetricsStore

DEFAULT_DAYS = 30
URL_HELP = "metrics database URL (default: $SIGILO_METRICS_URL or sqlite:///var/metrics.db)"


def _err(message: str) -> None:
    print(f"sigilo metrics: {message}", file=sys.stderr, flush=True)


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds ``metrics`` (report), ``metrics db upgrade|current`` and ``metrics check``."""
    parser = subparsers.add_parser(
        "metrics",
        help="anonymous usage counters: table, CSV, PNG chart; their database",
        description="Daily counters of button clicks and feature use, per channel and "
        "language. No sender, no text: see docs/metrics.md.",
    )
    parser.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (default: 30 days ago)")
    parser.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (default: today)")
    parser.add_argument(
        "--by", choices=DIMENSIONS, default="channel", help="table columns (default: channel)"
    )
    parser.add_argument("--csv", type=Path, metavar="FILE", help="also write every counter as CSV")
    parser.add_argument("--chart", type=Path, metavar="FILE.png", help="also write a PNG chart")
    parser.add_argument("--url", help=URL_HELP)
    parser.set_defaults(func=report)
    actions = parser.add_subparsers(dest="metrics_command", metavar="ACTION")
    db = actions.add_parser("db", help="metrics database schema (Alembic)")
    db_actions = db.add_subparsers(dest="metrics_db_command", metavar="ACTION", required=True)
    up = db_actions.add_parser("upgrade", help="create or upgrade the metrics schema")
    up.add_argument("--url", help=URL_HELP)
    up.set_defaults(func=upgrade)
    current = db_actions.add_parser("current", help="print the metrics schema revision")
    current.add_argument("--url", help=URL_HELP)
    current.set_defaults(func=show_current)
    check = actions.add_parser("check", help="validate the feature mapping (metrics.yml)")
    check.add_argument("features", nargs="?", help="file (default: $SIGILO_METRICS_FEATURES)")
    check.set_defaults(func=check_features)


def _range(args: argparse.Namespace, today: date) -> tuple[date, date]:
    end = parse_day(args.end, "--to") if args.end else today
    start = parse_day(args.start, "--from") if args.start else end - timedelta(DEFAULT_DAYS - 1)
    check_range(start, end)
    return start, end


def _today() -> date:
    """Today in the time zone of the counters' days (``metrics.yml``), else UTC."""
    try:
        zone = load_features().zone
    except MetricsConfigError:
        zone = timezone.utc
    return datetime.now(zone).date()


def report(args: argparse.Namespace) -> int:
    """Prints the tables; writes the CSV and the chart when asked."""
    try:
        start, end = _range(args, _today())
    except RangeError as exc:
        _err(str(exc))
        return 2
    for target, suffix in ((args.csv, None), (args.chart, ".png")):
        if target is None:
            continue
        if suffix and target.suffix.lower() != suffix:
            _err(f"--chart {target}: the chart is a PNG, name it *.png")
            return 2
        if not target.parent.exists():
            _err(f"{target}: folder {target.parent} does not exist")
            return 2
    if is_off(args.url):
        _err("metrics are off (SIGILO_METRICS_URL=off): nothing is counted")
        return 1
    parsed = resolve_url(args.url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        _err(f"no metrics database at {parsed.database}: run `sigilo metrics db upgrade` first")
        return 1
    engine = make_engine(args.url)
    try:
        check_schema(engine)
        _progress(f"reading counters {start} to {end} from {describe(args.url)}…")
        rows = read_rows(MetricsStore(engine), start, end, progress=_progress)
    except MetricsSchemaError as exc:
        _err(str(exc))
        return 1
    except sqlalchemy.exc.SQLAlchemyError as exc:
        _err(f"cannot read the metrics database {describe(args.url)}: {type(exc).__name__}")
        return 1
    finally:
        engine.dispose()
    print(f"Sigilo metrics, {start} to {end} ({len(rows)} counter(s))\n")
    for table in summarize(rows, args.by):
        for line in format_table(table):
            print(line)
        print()
    if args.csv is not None:
        written = write_csv(rows, args.csv)
        _progress(f"wrote {written} row(s) to {args.csv}")
    if args.chart is not None:
        from sigilo.metrics.chart import draw_chart

        _progress(f"drawing the chart into {args.chart}…")
        draw_chart(rows, start, end, args.chart)
        _progress(f"wrote {args.chart} ({args.chart.stat().st_size // 1024} KB)")
    return 0


def upgrade(args: argparse.Namespace) -> int:
    """Runs the metrics migrations (nothing to do when metrics are off)."""
    if is_off(args.url):
        print("metrics are off (SIGILO_METRICS_URL=off): no schema to upgrade")
        return 0
    try:
        run_upgrade(args.url)
    except sqlalchemy.exc.SQLAlchemyError as exc:
        _err(f"cannot migrate {describe(args.url)}: {type(exc).__name__}: {exc.orig or ''}")
        return 1
    print(f"metrics schema at {head_revision()} ({describe(args.url)})")
    return 0


def show_current(args: argparse.Namespace) -> int:
    """Prints the current and newest revisions; exit 1 when behind."""
    engine = make_engine(args.url)
    try:
        current = current_revision(engine)
    except sqlalchemy.exc.SQLAlchemyError as exc:
        _err(f"cannot read {describe(args.url)}: {type(exc).__name__}")
        return 1
    finally:
        engine.dispose()
    head = head_revision()
    print(f"current: {current or 'none'}  newest: {head}")
    return 0 if current == head else 1


def check_features(args: argparse.Namespace) -> int:
    """Validates the feature mapping; exit 2 with the file and line when it is wrong."""
    try:
        features = load_features(args.features)
    except MetricsConfigError as exc:
        _err(str(exc))
        return 2
    print(f"{features.path}: {len(features.features)} feature(s): {', '.join(features.features)}")
    return 0
