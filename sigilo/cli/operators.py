"""``sigilo operators``: the first admin, sign-in for the CLI, and operator management."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys

from sigilo.cli.console_common import (
    EXIT_AUTH,
    CommandError,
    add_url,
    command,
    open_console,
    session_file,
)
from sigilo.console.auth import AuthError, OperatorError, Session
from sigilo.console.passwords import WeakPassword
from sigilo.console.roles import Role
from sigilo.console.service import Console


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds ``operators create-admin|login|logout|list|create|set-role|unlock``."""
    parser = subparsers.add_parser("operators", help="console operators, sign-in, roles")
    commands = parser.add_subparsers(dest="operators_command", metavar="ACTION", required=True)
    first = commands.add_parser(
        "create-admin", help="create the first admin (only while there is none)"
    )
    first.add_argument("username")
    first.set_defaults(func=create_admin)
    login = commands.add_parser("login", help="sign in; the session is kept for later commands")
    login.add_argument("username")
    login.add_argument("--code", help="TOTP code (asked for when not given)")
    login.add_argument("--print-token", action="store_true", help="print the token instead")
    login.set_defaults(func=login_command)
    logout = commands.add_parser("logout", help="end the CLI's session")
    logout.set_defaults(func=logout_command)
    listing = commands.add_parser("list", help="every operator and role (admin)")
    listing.set_defaults(func=list_operators)
    create = commands.add_parser("create", help="create an operator (admin)")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.set_defaults(func=create_operator)
    role = commands.add_parser("set-role", help="change an operator's role (admin)")
    role.add_argument("username")
    role.add_argument("role", choices=[r.value for r in Role])
    role.set_defaults(func=set_role)
    unlock = commands.add_parser("unlock", help="lift a lockout (admin)")
    unlock.add_argument("username")
    unlock.set_defaults(func=unlock_operator)
    for command_parser in (first, login, logout, listing, create, role, unlock):
        add_url(command_parser)
        command_parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )


def _password(args: argparse.Namespace, confirm: bool) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("password: ")
    if confirm and getpass.getpass("again: ") != password:
        raise CommandError("the passwords differ")
    return password


def _show_totp(username: str, uri: str) -> None:
    print(f"operator {username} created. Add this to an authenticator app now; it is shown")
    print("only once (sign-in needs its 6-digit code):")
    print(uri)


def create_admin(args: argparse.Namespace) -> int:
    """Creates the first admin; refuses when an admin exists (then use ``create``)."""
    try:
        console = open_console(args)
        if console.auth.has_admin():
            raise CommandError("an admin exists already: an admin creates operators")
        operator, uri = console.auth.create(args.username, Role.ADMIN, _password(args, True))
    except (CommandError, OperatorError, WeakPassword) as exc:
        print(f"sigilo operators create-admin: {exc}", file=sys.stderr)
        return getattr(exc, "code", 2)
    console.audit.record(operator.username, "operator_create", None, "ok", "first admin")
    _show_totp(operator.username, uri)
    return 0


def login_command(args: argparse.Namespace) -> int:
    """Signs in and stores the session token in the session file (owner-only)."""
    try:
        console = open_console(args)
        password = _password(args, False)
        code = args.code if args.code is not None else input("TOTP code: ")
        session = console.auth.sign_in(args.username, password, code)
    except CommandError as exc:
        print(f"sigilo operators login: {exc}", file=sys.stderr)
        return exc.code
    except AuthError as exc:
        print(f"sigilo operators login: {exc.reason}", file=sys.stderr)
        return EXIT_AUTH
    if args.print_token:
        print(session.token)
        return 0
    path = session_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(session.token)
    print(f"signed in as {session.operator.username} ({session.operator.role.value})")
    return 0


def logout_command(args: argparse.Namespace) -> int:
    """Ends the stored session."""
    path = session_file()
    if path.is_file():
        token = path.read_text().strip()
        path.unlink()
        if token:
            with contextlib.suppress(CommandError):
                open_console(args).auth.sign_out(token)
    print("signed out")
    return 0


@command("operators list")
def list_operators(args: argparse.Namespace, console: Console, session: Session) -> int:
    """Prints every operator."""
    for row in console.operators(session):
        state = "locked" if row["locked"] else ""
        print(f"{row['username']:<24} {row['role']:<8} {state}".rstrip())
    return 0


@command("operators create")
def create_operator(args: argparse.Namespace, console: Console, session: Session) -> int:
    """Creates an operator and prints its TOTP provisioning URI once."""
    name, uri = console.create_operator(
        session,
        args.username,
        args.role,
        _password(args, True),
    )
    _show_totp(name, uri)
    return 0


@command("operators set-role")
def set_role(args: argparse.Namespace, console: Console, session: Session) -> int:
    """Changes a role (the operator's sessions end)."""
    console.set_role(session, args.username, args.role)
    print(f"{args.username}: {args.role}")
    return 0


@command("operators unlock")
def unlock_operator(args: argparse.Namespace, console: Console, session: Session) -> int:
    """Lifts a lockout."""
    console.unlock(session, args.username)
    print(f"{args.username}: unlocked")
    return 0
