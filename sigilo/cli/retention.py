"""``sigilo retention``: delete conversation sessions older than the retention period."""

from __future__ import annotations

import argparse
import os
import sys

from sigilo.tracker_store.db import make_engine
from sigilo.tracker_store.maintenance import sweep

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
    """Adds ``retention``."""
    parser = subparsers.add_parser(
        "retention",
        help="delete whole sessions older than the retention period (safe while running)",
    )
    parser.add_argument(
        "--months",
        type=_months,
        default=None,
        help=f"retention in months, 1-36 (default: ${RETENTION_ENV} or 6)",
    )
    parser.add_argument("--url", help="database URL (default: $SIGILO_TRACKER_STORE_URL)")
    parser.add_argument("--batch-size", type=int, default=500, help="sessions per transaction")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Runs the sweep with progress on stderr."""
    months = args.months
    if months is None:
        try:
            months = _months(os.environ.get(RETENTION_ENV, "6"))
        except argparse.ArgumentTypeError as exc:
            print(f"sigilo retention: {RETENTION_ENV}: {exc}", file=sys.stderr)
            return 2
    result = sweep(
        make_engine(args.url),
        months,
        batch_size=args.batch_size,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(
        f"retention {months} month(s): deleted {result.sessions} session(s), "
        f"{result.events} event(s), {result.senders} sender(s) in {result.seconds:.1f} s"
    )
    return 0
