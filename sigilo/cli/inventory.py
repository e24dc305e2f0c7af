"""``sigilo inventory``: check the data inventory and write what is generated from it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from sigilo import processing_record, terms
from sigilo.inventory import Inventory, InventoryError, check_against_domain, domain_slots
from sigilo.inventory import load_inventory as _load


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds ``inventory check``, ``inventory terms`` and ``inventory docs``."""
    parser = subparsers.add_parser(
        "inventory", help="data inventory: check it, generate the terms of use and privacy.md"
    )
    parser.add_argument(
        "--file", help="inventory file (default: $SIGILO_INVENTORY or inventory.yml)"
    )
    commands = parser.add_subparsers(dest="inventory_command", metavar="ACTION", required=True)
    check = commands.add_parser(
        "check", help="fail unless the domain's slots, the terms and privacy.md agree with it"
    )
    check.set_defaults(func=run_check)
    for name, help_text in (
        ("terms", "write domain/terms.yml (terms of use, consent question)"),
        ("docs", "write docs/privacy.md (record of processing)"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument(
            "--check", action="store_true", help="write nothing; exit 1 when the file is stale"
        )
        command.set_defaults(func=run_generate, target=name)


_TARGETS: dict[str, tuple[Path, Callable[[Inventory], str]]] = {
    "terms": (terms.TERMS_FILE, terms.domain_file),
    "docs": (processing_record.DOCS_FILE, processing_record.render),
}


def _stale(name: str, inventory: Inventory) -> str | None:
    path, render = _TARGETS[name]
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if current == render(inventory):
        return None
    return f"{path.name} is stale: run `sigilo inventory {name}`"


def _inventory(args: argparse.Namespace) -> Inventory | None:
    try:
        return _load(args.file)
    except InventoryError as exc:
        print(f"sigilo inventory: {exc}", file=sys.stderr)
        return None


def run_generate(args: argparse.Namespace) -> int:
    """Writes (or with ``--check`` verifies) one generated file."""
    inventory = _inventory(args)
    if inventory is None:
        return 2
    path, render = _TARGETS[args.target]
    try:
        if args.check:
            problem = _stale(args.target, inventory)
            print(problem or f"{path.name} is up to date", file=sys.stderr if problem else None)
            return 1 if problem else 0
        text = render(inventory)
    except InventoryError as exc:
        print(f"sigilo inventory: {exc}", file=sys.stderr)
        return 2
    changed = not path.exists() or path.read_text(encoding="utf-8") != text
    if changed:
        path.write_text(text, encoding="utf-8")
    print(f"{path} {'written' if changed else 'unchanged'}")
    if changed and args.target == "terms":
        print("the domain changed: retrain (make train)")
    return 0


def inventory_problems(path: str | None = None) -> list[str]:
    """Every problem of the inventory at once, so a designer fixes them in one go."""
    try:
        inventory = _load(path)
        problems = check_against_domain(inventory, domain_slots())
        problems += [p for p in (_stale(name, inventory) for name in _TARGETS) if p]
    except InventoryError as exc:
        return [str(exc)]
    return problems


def run_check(args: argparse.Namespace) -> int:
    """Exit 0 when the inventory, the domain and the generated files agree; 1 if not; 2 when
    the inventory itself is malformed."""
    inventory = _inventory(args)
    if inventory is None:
        return 2
    problems = inventory_problems(args.file)
    for problem in problems:
        print(f"sigilo inventory: {problem}", file=sys.stderr)
    if not problems:
        print(
            f"{inventory.path.name}: {len(inventory.slots)} slots declared; generated files fresh"
        )
    return 1 if problems else 0
