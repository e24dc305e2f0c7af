"""``sigilo keys``: create, rotate and re-encrypt with the newest key."""

from __future__ import annotations

import argparse
import os
import sys

from sigilo import keys
from sigilo.tracker_store.db import make_engine
from sigilo.tracker_store.maintenance import reencrypt as run_reencrypt


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds ``keys init``, ``keys rotate`` and ``keys reencrypt``."""
    parser = subparsers.add_parser("keys", help="encryption keys: init, rotate, re-encrypt")
    commands = parser.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    for name, func, text in (
        ("init", init, "create a key file with fresh keys (never overwrites)"),
        ("rotate", rotate, "put a new encryption key first; old keys still decrypt"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--file", help="key file (default: $SIGILO_KEY_FILE)")
        command.set_defaults(func=func)
    again = commands.add_parser(
        "reencrypt", help="re-encrypt every stored row with the newest key, with progress"
    )
    again.add_argument("--url", help="database URL (default: $SIGILO_TRACKER_STORE_URL)")
    again.add_argument("--batch-size", type=int, default=500)
    again.set_defaults(func=reencrypt)


def _file(args: argparse.Namespace) -> str | None:
    path = args.file or os.environ.get(keys.KEY_FILE)
    if not path:
        print(f"sigilo keys: give --file or set {keys.KEY_FILE}", file=sys.stderr)
    return path


def init(args: argparse.Namespace) -> int:
    """Creates the key file."""
    path = _file(args)
    if not path:
        return 2
    print(f"{'created' if keys.init_key_file(path) else 'kept existing'} key file {path}")
    return 0


def rotate(args: argparse.Namespace) -> int:
    """Adds a new primary key to the key file."""
    path = _file(args)
    if not path:
        return 2
    if os.environ.get(keys.ENCRYPTION_KEYS):
        print(
            f"sigilo keys rotate: {keys.ENCRYPTION_KEYS} is set in the environment and wins "
            f"over the file; put a new 'id:key' first in it instead (new key: "
            f"{keys.new_key_id()}:{keys.new_key()})",
            file=sys.stderr,
        )
        return 2
    key_id = keys.rotate_key_file(path)
    print(
        f"new encryption key {key_id} in {path}; restart the servers (they keep decrypting "
        "with the old keys), then run `sigilo keys reencrypt`"
    )
    return 0


def reencrypt(args: argparse.Namespace) -> int:
    """Re-encrypts old rows; exit 1 when some rows were unreadable."""
    try:
        ring = keys.KeyRing.from_env()
    except keys.MissingKeyError as exc:
        print(f"sigilo keys reencrypt: {exc}", file=sys.stderr)
        return 2
    result = run_reencrypt(
        make_engine(args.url),
        ring,
        batch_size=args.batch_size,
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(f"re-encrypted {result.events} event(s) and {result.senders} sender(s)")
    for problem in result.unreadable or []:
        print(f"unreadable: {problem}", file=sys.stderr)
    return 1 if result.unreadable else 0
