"""The record of processing (GDPR art. 30, LGPD art. 37), generated from the inventory.

``sigilo inventory docs`` writes it to ``docs/privacy.md``; a test fails when the
committed file differs from what the inventory renders.
"""

from __future__ import annotations

from pathlib import Path

from sigilo.inventory import ROOT, Inventory, InventoryError, Item
from sigilo.terms import notice_version

DOCS_FILE = ROOT / "docs" / "privacy.md"
_CLASS_WORDS = {
    "secret": "secret (never stored)",
    "personal": "personal (erased on request)",
    "none": "not personal",
}


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def _row(inventory: Inventory, item: Item) -> str:
    recipients = ", ".join(r for r in item.recipients if r != "none") or "nobody"
    cells = (
        f"`{item.name}`",
        _CLASS_WORDS[item.data_class],
        item.purpose,
        item.legal_basis,
        recipients,
        item.storage,
        item.retention,
    )
    return "| " + " | ".join(_cell(inventory.text(c)) for c in cells) + " |"


def _table(inventory: Inventory, items: dict[str, Item]) -> list[str]:
    return [
        "| data | category | purpose | legal basis | recipients | where stored | retention |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *(_row(inventory, item) for item in items.values()),
    ]


def render(inventory: Inventory) -> str:
    """The text of ``docs/privacy.md``."""
    record = inventory.record
    if record is None:
        raise InventoryError(f"{inventory.path}: the record of processing needs 'record:'")
    bases = sorted({item.legal_basis for item in inventory.items().values()})
    lines = [
        "<!-- GENERATED from inventory.yml by `sigilo inventory docs`: do not edit by hand.",
        "     tests/unit/privacy/test_generated.py fails when this file is stale. -->",
        "# Privacy: record of processing",
        "",
        "The record of processing activities of the Sigilo assistant (GDPR art. 30, LGPD",
        "art. 37), rendered from the data inventory (`inventory.yml`), the same file the",
        "tracker store takes its secret/personal classes from and the terms of use shown to",
        "consumers are generated from.",
        "",
        f"- **Controller:** {record.controller}.",
        f"- **Data subjects:** {record.data_subjects}.",
        f"- **Transfers to third countries or other recipients:** {record.transfers}.",
        f"- **Legal bases relied on:** {', '.join(bases)}.",
        f"- **Transcript retention:** {inventory.retention_months} months after the last "
        "message of a session (`sigilo retention`), or until the consumer erases it.",
        f"- **Current notice version** (SHA-256 of the terms of use and the consent question "
        f"in every language, recorded with each consent decision): `{notice_version(inventory)}`.",
        "",
        "## Data held in the conversation (slots)",
        "",
        *_table(inventory, inventory.slots),
        "",
        "## Other stored data",
        "",
        *_table(inventory, inventory.stored),
        "",
        "## Consent",
        "",
    ]
    if inventory.consent is not None:
        consent = inventory.consent
        lines += [
            f"Asked by the response `utter_ask_{consent.slot}` before any personal question; "
            f"recorded in the consent ledger under the purpose `{consent.purpose}` "
            f"({consent.label['en']}) with the time, the channel and the notice version. "
            "Withdrawal (one button, or a phrase, any time) forgets at once every slot "
            "processed on consent or personal: "
            + ", ".join(f"`{name}`" for name in sorted(inventory.withdrawal_slots))
            + ".",
            "",
        ]
    lines += [
        "## Rights of the data subject",
        "",
        "- Access and portability: “what do you know about me” in the chat (a summary read",
        "  from the stores); the same data as JSON from `sigilo.access.export_document`.",
        "- Erasure: “delete my data” in the chat, or the operators' tools; one transaction",
        "  deletes the conversation and the consent records, keeping an erasure receipt",
        "  (reference, pseudonym, time, categories) whose reference the consumer is shown.",
        "- Withdrawal of consent: as above; the decision is recorded in the consent ledger.",
        "",
        "## Security measures",
        "",
        *(f"- {measure}" for measure in record.security),
        "",
    ]
    return "\n".join(lines)


def write(inventory: Inventory, path: Path = DOCS_FILE) -> bool:
    """Writes the record; returns True when the file changed."""
    text = render(inventory)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
