"""The data inventory: every domain slot declared, clear errors naming the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sigilo.inventory import (
    InventoryError,
    check_against_domain,
    domain_slots,
    load_inventory,
    parse_inventory,
)

GOOD_ITEM = """
    class: {cls}
    purpose: p
    legal_basis: contract
    storage: s
    retention: r
    recipients: [none]
"""


def _doc(*items: tuple[str, str]) -> str:
    return "slots:\n" + "".join(f"  {name}:{GOOD_ITEM.format(cls=c)}" for name, c in items)


def test_every_domain_slot_is_declared_and_nothing_else() -> None:
    problems = check_against_domain(load_inventory(), domain_slots())
    assert problems == [], "\n".join(problems)


def test_classes_match_the_architecture_contract() -> None:
    inventory = load_inventory()
    assert inventory.secret_slots == {"card_number", "card_expiry", "card_cvc"}
    assert inventory.personal_slots == {"tin", "customer_first_name"}


def test_missing_and_unknown_slots_are_reported(tmp_path: Path) -> None:
    inventory = parse_inventory(_doc(("language", "none"), ("gone", "none")), tmp_path / "i.yml")
    problems = check_against_domain(inventory, {"language", "new_slot"})
    assert any("'new_slot' is in the domain but not in i.yml" in p for p in problems)
    assert any(p.startswith("i.yml:9: slot 'gone' is not in the domain") for p in problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_doc(("a", "secretive")), "i.yml:3: 'a' has unknown class 'secretive'"),
        (_doc(("a", "none"), ("a", "none")), "i.yml:9: 'a' is declared twice"),
        ("slots:\n  a:\n    class: none\n", "i.yml:2: 'a' is missing: purpose"),
        (_doc(("a", "none")).replace("contract", "vibes"), "unknown legal_basis 'vibes'"),
        ("slots: [a]\n", "i.yml:1: 'slots' must be a mapping"),
        ("slots:\n  a: [\n", "not valid YAML"),
    ],
)
def test_bad_inventories_name_the_line(text: str, expected: str) -> None:
    with pytest.raises(InventoryError, match=None) as error:
        parse_inventory(text, "i.yml")
    assert expected in str(error.value)
