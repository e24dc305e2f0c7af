"""``sigilo redact``: redacts text or JSON Lines from stdin to stdout."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from sigilo.redaction import ENTITY_TYPES, redact


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the ``redact`` subcommand."""
    parser = subparsers.add_parser(
        "redact",
        help="redact personal and payment data from stdin",
        description=(
            "Reads lines on stdin and writes them redacted to stdout. A line that starts "
            'with "{" is read as a JSON Lines record: its "text" field is redacted and '
            "the other fields are kept; a broken record is an error (exit 2) unless "
            "--skip-invalid is given."
        ),
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--jsonl",
        action="store_true",
        help='every line must be a JSON object with a string "text" field',
    )
    mode.add_argument(
        "--text", action="store_true", help="treat every line as plain text, even if JSON"
    )
    parser.add_argument("--field", default="text", help='JSON field to redact (default: "text")')
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="report bad JSON lines on stderr, drop them and go on (exit 0)",
    )
    parser.add_argument(
        "--types",
        help="comma-separated entity types to redact (default: all of "
        + ", ".join(sorted(ENTITY_TYPES))
        + ")",
    )
    parser.set_defaults(func=run)


class _BadLine(Exception):
    pass


def _redact_json(line: str, field: str, types: frozenset[str] | None) -> str:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _BadLine(f"invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise _BadLine("not a JSON object")
    value = record.get(field)
    if not isinstance(value, str):
        raise _BadLine(f'no string "{field}" field')
    record[field] = redact(value, types)
    return json.dumps(record, ensure_ascii=False)


def run(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Redacts stdin to stdout; returns 0, or 2 on a bad line or bad option."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    types: frozenset[str] | None = None
    if args.types:
        types = frozenset(t.strip().upper() for t in args.types.split(",") if t.strip())
        unknown = types - ENTITY_TYPES
        if unknown:
            print(
                f"sigilo redact: unknown entity type(s): {', '.join(sorted(unknown))}",
                file=sys.stderr,
            )
            return 2
    for number, raw in enumerate(stdin, start=1):
        line = raw[:-1] if raw.endswith("\n") else raw
        newline = "\n" if raw.endswith("\n") else ""
        as_json = args.jsonl or (not args.text and line.lstrip().startswith("{"))
        if as_json:
            try:
                out = _redact_json(line, args.field, types)
            except _BadLine as exc:
                # A line that opens with "{" is meant as JSON: a broken one is an error
                # rather than text passed on half-redacted (--text reads it as text).
                print(f"sigilo redact: line {number}: {exc}", file=sys.stderr)
                if args.skip_invalid:
                    continue
                return 2
        else:
            out = redact(line, types)
        stdout.write(out + newline)
    stdout.flush()
    return 0
