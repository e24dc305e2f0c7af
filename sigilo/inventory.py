"""The data inventory (``inventory.yml``): which data the bot touches, and its class.

Loaded and validated with errors that name the file and line, so a conversation
designer adding a slot is told exactly what to declare::

    inventory = load_inventory()
    inventory.secret_slots  # frozenset({"card_number", ...})

The consumer-facing wording (terms of use, consent question) and the record of
processing are rendered from it by :mod:`sigilo.terms` and :mod:`sigilo.processing_record`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sigilo.inventory_nodes import (
    InventoryError,
    fail,
    integer,
    languages,
    mapping,
    scalar,
    scalars,
)
from sigilo.inventory_sections import Consent, Record, parse_consent, parse_notice, parse_record

__all__ = [
    "Consent",
    "Inventory",
    "InventoryError",
    "Item",
    "Record",
    "check_against_domain",
    "domain_slots",
    "load_inventory",
    "parse_inventory",
]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "inventory.yml"
CLASSES = ("secret", "personal", "none")
FIELDS = ("class", "purpose", "legal_basis", "storage", "retention", "recipients", "terms")
LEGAL_BASES = ("consent", "contract", "legal obligation", "legitimate interest")
# The terms of use promise that only the company's own API receives data; a new
# recipient needs new wording there first.
RECIPIENTS = ("none", "company API")
SECTIONS = ("slots", "stored")


@dataclass(frozen=True)
class Item:
    """One declared piece of data.

    ``terms`` holds the consumer's line of the terms of use by language, or is empty
    when ``terms_see`` names the item whose line covers this one.
    """

    name: str
    data_class: str
    purpose: str
    legal_basis: str
    storage: str
    retention: str
    recipients: tuple[str, ...]
    line: int
    terms: dict[str, str] = field(default_factory=dict)
    terms_see: str | None = None


@dataclass(frozen=True)
class Inventory:
    """The validated inventory."""

    path: Path
    slots: dict[str, Item] = field(default_factory=dict)
    stored: dict[str, Item] = field(default_factory=dict)
    retention_months: int = 6
    consent: Consent | None = None
    notice: dict[str, dict[str, str]] = field(default_factory=dict)
    record: Record | None = None

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

    @property
    def withdrawal_slots(self) -> frozenset[str]:
        """Slots forgotten when consent is withdrawn: personal or processed on consent."""
        return frozenset(
            n
            for n, i in self.slots.items()
            if i.data_class == "personal" or i.legal_basis == "consent"
        )

    def items(self) -> dict[str, Item]:
        """Every item, slots first, in file order."""
        return {**self.slots, **self.stored}

    def text(self, value: str) -> str:
        """``value`` with ``{months}`` filled in."""
        return value.replace("{months}", str(self.retention_months))


def _item(path: Path, key: yaml.Node, value: yaml.Node) -> Item:
    name = key.value
    what = f"'{name}' must be a mapping with the fields {', '.join(FIELDS)}"
    fields = mapping(path, value, what, key=key)
    unknown = next((k for k in fields if k not in FIELDS), None)
    if unknown:
        raise fail(path, fields[unknown][0], f"'{name}': unknown field '{unknown}'")
    missing = [f for f in FIELDS if f not in fields]
    if missing:
        raise fail(path, key, f"'{name}' is missing: {', '.join(missing)}")
    nodes = {k: v for k, (_, v) in fields.items()}
    data_class = scalar(path, nodes["class"], f"'{name}' class")
    if data_class not in CLASSES:
        raise fail(
            path,
            nodes["class"],
            f"'{name}' has unknown class '{data_class}' (use one of {', '.join(CLASSES)})",
        )
    basis = scalar(path, nodes["legal_basis"], f"'{name}' legal_basis")
    if basis not in LEGAL_BASES:
        raise fail(
            path,
            nodes["legal_basis"],
            f"'{name}' has unknown legal_basis '{basis}' (use one of {', '.join(LEGAL_BASES)})",
        )
    recipients = scalars(path, nodes["recipients"], f"'{name}' recipients")
    for recipient in recipients:
        if recipient not in RECIPIENTS:
            raise fail(
                path,
                nodes["recipients"],
                f"'{name}' has unknown recipient '{recipient}' (use {', '.join(RECIPIENTS)}; "
                "the terms of use promise that only the company's API receives data)",
            )
    terms_node = nodes["terms"]
    terms, see = {}, None
    if isinstance(terms_node, yaml.ScalarNode):
        see = scalar(path, terms_node, f"'{name}' terms")
    else:
        terms = languages(path, terms_node, f"'{name}' terms")
    return Item(
        name=name,
        data_class=data_class,
        purpose=scalar(path, nodes["purpose"], f"'{name}' purpose"),
        legal_basis=basis,
        storage=scalar(path, nodes["storage"], f"'{name}' storage"),
        retention=scalar(path, nodes["retention"], f"'{name}' retention"),
        recipients=recipients,
        line=key.start_mark.line + 1,
        terms=terms,
        terms_see=see,
    )


def _check_terms_references(path: Path, items: dict[str, Item]) -> None:
    """A ``terms: other`` must name an item with its own line and a class as strict."""
    for item in items.values():
        if item.terms_see is None:
            continue
        target = items.get(item.terms_see)
        where = f"{path}:{item.line}: '{item.name}' terms"
        if target is None or target.terms_see is not None:
            raise InventoryError(
                f"{where}: '{item.terms_see}' is not an item with its own terms line "
                "(give the es/pt/en line, or name an item that has one)"
            )
        if (
            "secret" in (item.data_class, target.data_class)
            and item.data_class != target.data_class
        ):
            raise InventoryError(
                f"{where}: a {item.data_class} item cannot share the line of "
                f"{target.data_class} '{target.name}' (one is never stored, the other is)"
            )
        if item.data_class == "personal" and target.data_class != "personal":
            raise InventoryError(
                f"{where}: personal data needs a line of its own or a personal item's line"
            )


def parse_inventory(text: str, path: Path | str = "inventory.yml") -> Inventory:
    """Parses and validates inventory YAML.

    Only ``slots`` is required; ``consent``, ``notice`` and ``record`` are needed
    by the generators of the terms and the record of processing, which say so.

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
    others: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key, value in root.value:
        if key.value in SECTIONS:
            if not isinstance(value, yaml.MappingNode):
                raise fail(path, value, f"'{key.value}' must be a mapping of names")
            for item_key, item_value in value.value:
                if item_key.value in sections["slots"] or item_key.value in sections["stored"]:
                    raise fail(path, item_key, f"'{item_key.value}' is declared twice")
                sections[key.value][item_key.value] = _item(path, item_key, item_value)
        elif key.value in ("version", "retention_months", "consent", "notice", "record"):
            if key.value in others:
                raise fail(path, key, f"'{key.value}' is declared twice")
            others[key.value] = (key, value)
        else:
            names = ", ".join((*SECTIONS, "retention_months", "consent", "notice", "record"))
            raise fail(path, key, f"unknown section '{key.value}' (use {names})")
    if not sections["slots"]:
        raise InventoryError(f"{path}:1: no 'slots' declared")
    _check_terms_references(path, {**sections["slots"], **sections["stored"]})
    months = 6
    if "retention_months" in others:
        months = integer(path, others["retention_months"][1], "'retention_months'", 1, 36)
    parts = {name: others[name] for name in ("consent", "notice", "record") if name in others}
    return Inventory(
        path=path,
        slots=sections["slots"],
        stored=sections["stored"],
        retention_months=months,
        consent=parse_consent(path, *parts["consent"], set(sections["slots"]))
        if "consent" in parts
        else None,
        notice=parse_notice(path, *parts["notice"]) if "notice" in parts else {},
        record=parse_record(path, *parts["record"]) if "record" in parts else None,
    )


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
    """Problems between the inventory and the domain's slots (empty when they agree).

    ``requested_slot`` is Rasa's own slot (the form's question), never data.
    """
    slots = slots - {"requested_slot"}
    problems = [
        f"slot '{name}' is in the domain but not in {inventory.path.name}: declare it under "
        f"'slots:' with {', '.join(FIELDS)} (see the comment at the top of the file)"
        for name in sorted(slots - inventory.slots.keys())
    ]
    problems += [
        f"{inventory.path.name}:{inventory.slots[name].line}: slot '{name}' is not in the "
        "domain any more: remove it (or add it back to the domain)"
        for name in sorted(inventory.slots.keys() - slots)
    ]
    return problems
