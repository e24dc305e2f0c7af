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
    terms: {{es: e, pt: p, en: n}}
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


def test_withdrawal_forgets_personal_and_consent_based_slots() -> None:
    assert load_inventory().withdrawal_slots == {
        "consent_given",
        "tin",
        "tin_country",
        "tin_attempts",
        "customer_first_name",
        "handoff_share_transcript",
    }


def test_missing_and_unknown_slots_are_reported(tmp_path: Path) -> None:
    inventory = parse_inventory(_doc(("language", "none"), ("gone", "none")), tmp_path / "i.yml")
    problems = check_against_domain(inventory, {"language", "new_slot", "requested_slot"})
    assert problems == [
        "slot 'new_slot' is in the domain but not in i.yml: declare it under 'slots:' with "
        "class, purpose, legal_basis, storage, retention, recipients, terms (see the comment "
        "at the top of the file)",
        "i.yml:10: slot 'gone' is not in the domain any more: remove it (or add it back to "
        "the domain)",
    ]


def _with_terms(terms: str, cls: str = "none", other: str = "none") -> str:
    return _doc(("a", other)) + GOOD_ITEM.format(cls=cls).replace(
        "terms: {es: e, pt: p, en: n}", f"terms: {terms}"
    ).replace("\n    class", "  b:\n    class", 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_doc(("a", "secretive")), "i.yml:3: 'a' has unknown class 'secretive'"),
        (_doc(("a", "none"), ("a", "none")), "i.yml:10: 'a' is declared twice"),
        ("slots:\n  a:\n    class: none\n", "i.yml:2: 'a' is missing: purpose"),
        (_doc(("a", "none")).replace("purpose: p", "purpose: ''"), "i.yml:4: 'a' purpose must"),
        (_doc(("a", "none")).replace("contract", "vibes"), "unknown legal_basis 'vibes'"),
        (_doc(("a", "none")).replace("[none]", "[ad network]"), "unknown recipient 'ad network'"),
        (_doc(("a", "none")).replace("en: n", "en: 'hi {tin}'"), "only {months} may appear"),
        (_doc(("a", "none")).replace(", en: n", ""), "i.yml:9: 'a' terms has no en text"),
        (_doc(("a", "none")).replace("class: none", "class: none\n    kind: x"), "unknown field"),
        ("slots: [a]\n", "i.yml:1: 'slots' must be a mapping"),
        ("slots:\n  a: [\n", "not valid YAML"),
        (_doc(("a", "none")) + "retention_months: 48\n", "from 1 to 36"),
        (_doc(("a", "none")) + "colour: blue\n", "i.yml:10: unknown section 'colour'"),
        (_with_terms("nothing"), "'b' terms: 'nothing' is not an item with its own terms line"),
        (_with_terms("a", cls="secret"), "a secret item cannot share the line of none 'a'"),
        (_with_terms("a", cls="personal"), "personal data needs a line of its own"),
    ],
)
def test_bad_inventories_name_the_line(text: str, expected: str) -> None:
    with pytest.raises(InventoryError) as error:
        parse_inventory(text, "i.yml")
    assert expected in str(error.value)


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            "consent:\n  slot: nope\n  purpose: p\n  label: x\n  question: y\n",
            "i.yml:11: 'consent' slot 'nope' is not declared",
        ),
        ("consent:\n  slot: a\n", "i.yml:10: 'consent' is missing: purpose"),
        ("notice:\n  es: {}\n", "i.yml:10: 'notice' has no 'pt' texts"),
        ("record:\n  controller: c\n", "i.yml:10: 'record' is missing: data_subjects"),
    ],
)
def test_bad_notice_sections_name_the_line(section: str, expected: str) -> None:
    with pytest.raises(InventoryError) as error:
        parse_inventory(_doc(("a", "none")) + section, "i.yml")
    assert expected in str(error.value)


def test_a_long_button_title_is_refused() -> None:
    real = load_inventory().path.read_text(encoding="utf-8")
    text = real.replace('give: "Yes, I agree"', 'give: "Yes, I agree to all of it"')
    with pytest.raises(InventoryError, match="over 20 characters"):
        parse_inventory(text)


def test_start_up_fails_on_a_bad_inventory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store refuses to start (Rasa exits) naming the line, not a traceback."""
    from sigilo.tracker_store import TrackerStoreConfigError
    from sigilo.tracker_store.store import PrivacyTrackerStore

    bad = tmp_path / "inventory.yml"
    bad.write_text(_doc(("a", "none"), ("a", "none")))
    monkeypatch.setenv("SIGILO_INVENTORY", str(bad))
    monkeypatch.setenv("SIGILO_ENCRYPTION_KEYS", "k:" + "A" * 43)
    monkeypatch.setenv("SIGILO_PSEUDONYM_KEY", "A" * 43)
    with pytest.raises(TrackerStoreConfigError, match=r"inventory.yml:10: 'a' is declared twice"):
        PrivacyTrackerStore(url=f"sqlite:///{tmp_path / 'x.db'}")
