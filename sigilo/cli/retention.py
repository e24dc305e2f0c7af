"""``sigilo retention``: delete conversation sessions older than the retention period.

``sigilo retention`` runs the sweep (the scheduled job, run with database access like
``sigilo db upgrade``; no operator needed): the period is ``--months``, else the one
operators set, else ``$SIGILO_RETENTION_MONTHS``, else 6. Each sweep is recorded.
``sigilo retention show`` (viewer and up) and ``sigilo retention set N`` (admin) are
operator commands.
"""

from __future__ import annotations

import argparse
import os
import sys

from sigilo.cli.console_common import add_url, command
from sigilo.console import retention as settings
from sigilo.console.auth import Session
from sigilo.console.service import Console
from sigilo.tracker_store.db import make_engine

RETENTION_ENV = "SIGILO_RETENTION_MONTHS"


def _months(value: str) -> int:
    try:
        months = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of months: {value!r}") from None
    if not 1 <= months <= 36:
        raise argparse.ArgumentTypeError(f"retention must be 1 to 36 months, not {months}")
    return months


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds ``retention`` (the sweep), ``retention show`` and ``retention set``."""
    parser = subparsers.add_parser(
        "retention",
        help="delete whole sessions older than the retention period (safe while running)",
    )
    parser.add_argument(
        "--months",
        type=_months,
        default=None,
        help=f"retention in months, 1-36 (default: the stored period, ${RETENTION_ENV} or 6)",
    )
    parser.add_argument("--url", help="database URL (default: $SIGILO_TRACKER_STORE_URL)")
    parser.add_argument("--batch-size", type=int, default=500, help="sessions per transaction")
    parser.set_defaults(func=run)
    commands = parser.add_subparsers(dest="retention_command", metavar="ACTION")
    show = commands.add_parser("show", help="the period and the latest sweeps")
    show.set_defaults(func=show_command)
    change = commands.add_parser("set", help="set the period, 1-36 months (admin)")
    change.add_argument("months")
    change.set_defaults(func=set_command)
    for command_parser in (show, change):
        add_url(command_parser)


def run(args: argparse.Namespace) -> int:
    """Runs the sweep with progress on stderr and records it."""
    engine = make_engine(args.url)
    months = args.months or settings.stored_period(engine)
    if months is None:
        try:
            months = _months(os.environ.get(RETENTION_ENV, "6"))
        except argparse.ArgumentTypeError as exc:
            print(f"sigilo retention: {RETENTION_ENV}: {exc}", file=sys.stderr)
            return 2
    result = settings.run_sweep(
        engine,
        months,
        started_by="sigilo retention",
        batch_size=args.batch_size,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(
        f"retention {months} month(s): deleted {result.sessions} session(s), "
        f"{result.events} event(s), {result.senders} sender(s) in {result.seconds:.1f} s"
    )
    return 0


@command("retention show")
def show_command(args: argparse.Namespace, console: Console, session: Session) -> int:
    """Prints the period and the latest sweeps."""
    state = console.retention(session)
    months = state["months"]
    where = "set by an operator" if months else f"not set: ${RETENTION_ENV} or 6 applies"
    print(f"retention period: {months or '-'} month(s) ({where})")
    for run_ in state["runs"]:
        print(
            f"  {run_['started_at']}  {run_['months']} month(s): {run_['sessions']} session(s), "
            f"{run_['events']} event(s), {run_['senders']} sender(s) removed"
        )
    if not state["runs"]:
        print("  no sweep has run yet")
    return 0


@command("retention set")
def set_command(args: argparse.Namespace, console: Console, session: Session) -> int:
    """Stores the period."""
    print(f"retention period: {console.set_retention(session, args.months)} month(s)")
    return 0
