"""``sigilo db``: migrations of the tracker store and the start-up check."""

from __future__ import annotations

import argparse
import sys

from sigilo.tracker_store.check import EndpointsError, check_endpoints
from sigilo.tracker_store.db import current_revision, database_url, head_revision, make_engine
from sigilo.tracker_store.db import upgrade as run_upgrade


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds ``db upgrade``, ``db current`` and ``db check-endpoints``."""
    parser = subparsers.add_parser("db", help="tracker store database: migrations and checks")
    commands = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = commands.add_parser("upgrade", help="create or upgrade the schema (Alembic)")
    up.add_argument("--url", help="database URL (default: $SIGILO_TRACKER_STORE_URL)")
    up.set_defaults(func=upgrade)
    current = commands.add_parser("current", help="print the schema revision")
    current.add_argument("--url", help="database URL (default: $SIGILO_TRACKER_STORE_URL)")
    current.set_defaults(func=show_current)
    checker = commands.add_parser(
        "check-endpoints", help="fail unless endpoints.yml loads Sigilo's tracker store"
    )
    checker.add_argument("endpoints", nargs="?", default="endpoints.yml")
    checker.set_defaults(func=check)


def _where(url: str | None) -> str:
    parsed = make_engine(url).url
    return f"{parsed.get_backend_name()} {parsed.database or ''}".strip()


def upgrade(args: argparse.Namespace) -> int:
    """Runs the migrations."""
    run_upgrade(args.url)
    print(f"tracker store schema at {head_revision()} ({_where(args.url)})")
    return 0


def show_current(args: argparse.Namespace) -> int:
    """Prints the current and newest revisions; exit 1 when behind."""
    current = current_revision(make_engine(database_url(args.url)))
    head = head_revision()
    print(f"current: {current or 'none'}  newest: {head}")
    return 0 if current == head else 1


def check(args: argparse.Namespace) -> int:
    """Validates the endpoints file; exit 1 with the reason when it is wrong."""
    try:
        store = check_endpoints(args.endpoints)
    except EndpointsError as exc:
        print(f"sigilo db check-endpoints: {exc}", file=sys.stderr)
        return 1
    print(f"tracker store: {store}")
    return 0
