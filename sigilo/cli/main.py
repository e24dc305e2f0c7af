"""Entry point of the ``sigilo`` command: one argparse subcommand per module.

A subcommand module exposes ``register(subparsers)``, which adds its parser and sets
``func`` (``func(args) -> int``) as a default; list it in ``_SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Modules under sigilo.cli that define register(subparsers).
_SUBCOMMANDS: tuple[str, ...] = (
    "redact",
    "db",
    "keys",
    "retention",
    "conversations",
    "operators",
    "audit",
    "metrics",
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand registered."""
    parser = argparse.ArgumentParser(prog="sigilo", description="Sigilo privacy tools.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _SUBCOMMANDS:
        importlib.import_module(f"sigilo.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs the command line; returns the exit code (0 ok, 2 usage or input error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. "| head"); not an error of ours.
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
