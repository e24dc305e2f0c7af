"""The data inventory (``inventory.yml``): which data the bot touches, and its class.

Loaded and validated with errors that name the file and line, so a conversation
designer adding a slot is told exactly what to declare::

    inventory = load_inventory()
    inventory.secret_slots  # frozenset({"card_number", ...})
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "inventory.yml"
CLASSES = ("secret", "personal", "none")
FIELDS = ("class", "purpose", "legal_basis", "storage", "retention", "recipients")
LEGAL_BASES = ("consent", "contract", "legal obligation", "legitimate interest")
SECTIONS = ("slots", "stored")


class InventoryError(ValueError):
    """The inventory is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Item:
    """One declared piece of data."""

    name: str
    data_class: str
    purpose: str
    legal_basis: str
    storage: str
    retention: str
    recipients: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Inventory:
    """The validated inventory."""

    path: Path
    slots: dict[str, Item] = field(default_factory=dict)
    stored: dict[str, Item] = field(default_factory=dict)

    def slots_of_class(self, data_class: str) -> frozenset[str]:
        """Names of the slots declared with ``data_class``."""
        return frozenset(n for n, i in self.slots.items() if i.data_class == data_class)

    @property
    def secret_slots(self) -> frozenset[str]:
        """Slots that must never be stored."""
        return self.slots_of_class("secret")

    @property
    def personal_slots(self) -> frozenset[str]:
        """Slots stored encrypted and erased on request."""
        return self.slots_of_class("personal")


def _fail(path: Path, node: yaml.Node, message: str) -> InventoryError:
    return InventoryError(f"{path}:{node.start_mark.line + 1}: {message}")


def _scalar(path: Path, node: yaml.Node, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise _fail(path, node, f"{what} must be a non-empty text")
    return str(node.value).strip()


def _item(path: Path, key: yaml.Node, value: yaml.Node) -> Item:
    name = key.value
    if not isinstance(value, yaml.MappingNode):
        raise _fail(path, value, f"'{name}' must be a mapping with the fields {', '.join(FIELDS)}")
    fields: dict[str, yaml.Node] = {}
    for fkey, fvalue in value.value:
        if fkey.value in fields:
            raise _fail(path, fkey, f"'{name}' declares '{fkey.value}' twice")
        if fkey.value not in FIELDS:
            raise _fail(path, fkey, f"'{name}': unknown field '{fkey.value}'")
        fields[fkey.value] = fvalue
    missing = [f for f in FIELDS if f not in fields]
    if missing:
        raise _fail(path, key, f"'{name}' is missing: {', '.join(missing)}")
    data_class = _scalar(path, fields["class"], f"'{name}' class")
    if data_class not in CLASSES:
        raise _fail(
            path,
            fields["class"],
            f"'{name}' has unknown class '{data_class}' (use one of {', '.join(CLASSES)})",
        )
    basis = _scalar(path, fields["legal_basis"], f"'{name}' legal_basis")
    if basis not in LEGAL_BASES:
        raise _fail(
            path,
            fields["legal_basis"],
            f"'{name}' has unknown legal_basis '{basis}' (use one of {', '.join(LEGAL_BASES)})",
        )
    recipients_node = fields["recipients"]
    if not isinstance(recipients_node, yaml.SequenceNode) or not recipients_node.value:
        raise _fail(path, recipients_node, f"'{name}' recipients must be a non-empty list")
    return Item(
        name=name,
        data_class=data_class,
        purpose=_scalar(path, fields["purpose"], f"'{name}' purpose"),
        legal_basis=basis,
        storage=_scalar(path, fields["storage"], f"'{name}' storage"),
        retention=_scalar(path, fields["retention"], f"'{name}' retention"),
        recipients=tuple(_scalar(path, r, f"'{name}' recipient") for r in recipients_node.value),
        line=key.start_mark.line + 1,
    )


def parse_inventory(text: str, path: Path | str = "inventory.yml") -> Inventory:
    """Parses and validates inventory YAML.

    Raises:
        InventoryError: naming the line of the first problem.
    """
    path = Path(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise InventoryError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(root, yaml.MappingNode):
        raise InventoryError(f"{path}:1: the inventory must be a mapping with a 'slots' section")
    sections: dict[str, dict[str, Item]] = {"slots": {}, "stored": {}}
    for key, value in root.value:
        if key.value == "version":
            continue
        if key.value not in SECTIONS:
            raise _fail(path, key, f"unknown section '{key.value}' (use {', '.join(SECTIONS)})")
        if not isinstance(value, yaml.MappingNode):
            raise _fail(path, value, f"'{key.value}' must be a mapping of names")
        for item_key, item_value in value.value:
            if item_key.value in sections[key.value]:
                raise _fail(path, item_key, f"'{item_key.value}' is declared twice")
            sections[key.value][item_key.value] = _item(path, item_key, item_value)
    if not sections["slots"]:
        raise InventoryError(f"{path}:1: no 'slots' declared")
    return Inventory(path=path, slots=sections["slots"], stored=sections["stored"])


def load_inventory(path: Path | str | None = None) -> Inventory:
    """Loads ``path``, else ``$SIGILO_INVENTORY``, else ``inventory.yml`` at the repo root."""
    path = Path(path or os.environ.get("SIGILO_INVENTORY") or DEFAULT_PATH)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InventoryError(f"{path}: cannot read the data inventory: {exc.strerror}") from None
    return parse_inventory(text, path)


def domain_slots(domain_dir: Path | str = ROOT / "domain") -> set[str]:
    """Slot names declared in the domain (a file or a folder of YAML files)."""
    domain_dir = Path(domain_dir)
    files = [domain_dir] if domain_dir.is_file() else sorted(domain_dir.rglob("*.yml"))
    names: set[str] = set()
    for file in files:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        names.update((data.get("slots") or {}).keys())
    return names


def check_against_domain(inventory: Inventory, slots: set[str]) -> list[str]:
    """Problems between the inventory and the domain's slots (empty when they agree)."""
    problems = [
        f"slot '{name}' is in the domain but not in {inventory.path.name}: declare it under "
        f"'slots:' with {', '.join(FIELDS)}"
        for name in sorted(slots - inventory.slots.keys())
    ]
    problems += [
        f"{inventory.path.name}:{inventory.slots[name].line}: slot '{name}' is not in the "
        "domain any more: remove it"
        for name in sorted(inventory.slots.keys() - slots)
    ]
    return problems
