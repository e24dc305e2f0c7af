"""What the console's subcommands share: the console, the operator's session, errors.

A command runs as the operator signed in with ``sigilo operators login``: the session
token comes from ``$SIGILO_CONSOLE_TOKEN``, else from the session file
(``$SIGILO_CONSOLE_SESSION_FILE``, default ``var/console-session``, owner-only).
Errors become one line on stderr and an exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path

from sigilo.console.auth import AuthError, OperatorError, Session
from sigilo.console.passwords import WeakPassword
from sigilo.console.roles import AccessDenied
from sigilo.console.search import FilterError
from sigilo.console.service import Console, NotFound
from sigilo.keys import MissingKeyError
from sigilo.tracker_store.db import ROOT, SchemaError

TOKEN_ENV = "SIGILO_CONSOLE_TOKEN"
SESSION_FILE_ENV = "SIGILO_CONSOLE_SESSION_FILE"
EXIT_INPUT, EXIT_AUTH, EXIT_DENIED, EXIT_NOT_FOUND = 2, 3, 4, 5


class CommandError(Exception):
    """A message for stderr and the exit code."""

    def __init__(self, message: str, code: int = EXIT_INPUT) -> None:
        super().__init__(message)
        self.code = code


def session_file() -> Path:
    """Where ``sigilo operators login`` keeps the session token."""
    return Path(os.environ.get(SESSION_FILE_ENV) or ROOT / "var" / "console-session")


def add_url(parser: argparse.ArgumentParser) -> None:
    """The ``--url`` option every console command takes."""
    parser.add_argument("--url", help="database URL (default: $SIGILO_TRACKER_STORE_URL)")


def open_console(args: argparse.Namespace) -> Console:
    """The console on ``--url``; missing keys or schema become a :class:`CommandError`."""
    try:
        return Console.from_env(getattr(args, "url", None))
    except (MissingKeyError, SchemaError) as exc:
        raise CommandError(str(exc)) from None


def current_session(console: Console) -> Session:
    """The signed-in operator's session."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        path = session_file()
        token = path.read_text().strip() if path.is_file() else ""
    if not token:
        raise CommandError("not signed in: run `sigilo operators login USERNAME`", EXIT_AUTH)
    try:
        return console.auth.session(token)
    except AuthError as exc:
        raise CommandError(f"{exc.reason} (`sigilo operators login USERNAME`)", EXIT_AUTH) from None


def command(name: str) -> Callable[[Callable[..., int]], Callable[[argparse.Namespace], int]]:
    """Wraps a command ``func(args, console, session)``: session lookup, errors → exit codes."""

    def wrap(func: Callable[..., int]) -> Callable[[argparse.Namespace], int]:
        @functools.wraps(func)
        def run(args: argparse.Namespace) -> int:
            try:
                console = open_console(args)
                return func(args, console, current_session(console))
            except CommandError as exc:
                print(f"sigilo {name}: {exc}", file=sys.stderr)
                return exc.code
            except AccessDenied as exc:
                print(f"sigilo {name}: {exc}", file=sys.stderr)
                return EXIT_DENIED
            except NotFound as exc:
                print(f"sigilo {name}: {exc}", file=sys.stderr)
                return EXIT_NOT_FOUND
            except (FilterError, OperatorError, WeakPassword) as exc:
                print(f"sigilo {name}: {exc}", file=sys.stderr)
                return EXIT_INPUT

        return run

    return wrap
