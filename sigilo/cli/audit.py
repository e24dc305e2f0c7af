"""``sigilo audit``: list and verify the hash-chained audit log (admin)."""

from __future__ import annotations

import argparse
import json
import sys

from sigilo.cli.console_common import CommandError, add_url, command
from sigilo.console.auth import Session
from sigilo.console.service import Console


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds ``audit list`` and ``audit verify``."""
    parser = subparsers.add_parser("audit", help="the operators' audit log: list, verify")
    commands = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    listing = commands.add_parser("list", help="latest entries, newest first")
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(func=list_command)
    verify = commands.add_parser("verify", help="exit 1 if an entry was edited, removed or moved")
    verify.add_argument(
        "--expect-head",
        metavar="SEQ:HASH",
        help="a head printed by an earlier verify: also detects entries cut from the end",
    )
    verify.set_defaults(func=verify_command)
    for command_parser in (listing, verify):
        add_url(command_parser)


@command("audit list")
def list_command(args: argparse.Namespace, console: Console, session: Session) -> int:
    """Prints entries as JSON lines."""
    if not 1 <= args.limit <= 10000:
        raise CommandError("--limit: 1 to 10000")
    for entry in console.audit_entries(session, args.limit):
        print(json.dumps(entry))
    return 0


def _head(value: str | None) -> tuple[int, str] | None:
    if not value:
        return None
    seq, _, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise CommandError("--expect-head: SEQ:HASH as printed by `sigilo audit verify`")
    return int(seq), digest


@command("audit verify")
def verify_command(args: argparse.Namespace, console: Console, session: Session) -> int:
    """Walks the chain; prints the head to keep outside the database."""
    head = _head(args.expect_head)
    result = console.audit_verify(session, head)
    if not result.ok:
        print(
            f"audit log BROKEN at entry {result.broken_at}: {result.reason} "
            f"({result.entries} entries read)",
            file=sys.stderr,
        )
        return 1
    print(f"audit log intact: {result.entries} entries; head {result.head}")
    return 0
