"""The terms of use and the consent question, generated from the data inventory.

They live in ``domain/terms.yml`` as ordinary Rasa responses (so channels, rules and
``rasa test`` see them, and the trained model carries the exact text), written by
``sigilo inventory terms``; a test fails when the file is stale. Each declared item
with its own wording becomes one line, followed by clauses that come from its
declared class, legal basis and recipients, so the text cannot promise what the
code does not do: a ``secret`` item is said to be never stored, a ``consent`` one
to be used only with consent.

:func:`notice_version` hashes exactly what is rendered (every language, buttons
included); the consent ledger records it with every decision.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from sigilo.inventory import ROOT, Inventory, InventoryError, Item
from sigilo.inventory_nodes import LANGUAGES

TERMS_FILE = ROOT / "domain" / "terms.yml"
TERMS_RESPONSE = "utter_terms_of_use"
CONSENT_RESPONSE_PREFIX = "utter_ask_"
ENGLISH = "en"  # the unconditioned variation: Rasa's fallback when no language is set


def _require(inventory: Inventory) -> None:
    missing = [
        name for name, part in (("consent", inventory.consent), ("notice", inventory.notice))
        if not part
    ]  # fmt: skip
    if missing:
        raise InventoryError(
            f"{inventory.path}: the terms of use need the section(s) {', '.join(missing)}"
        )


def item_line(inventory: Inventory, item: Item, language: str) -> str:
    """One item's line of the terms: its wording, then the clauses its fields imply."""
    words = inventory.notice[language]
    parts = [inventory.text(item.terms[language])]
    if item.legal_basis == "consent":
        parts.append(words["consent"])
    if item.name in inventory.slots:
        # slots live in the conversation; stored items say where they are themselves
        parts.append(words["never_stored" if item.data_class == "secret" else "stored"])
    if "company API" in item.recipients:
        parts.append(words["company_api"])
    return inventory.text(" ".join(parts))


def terms_text(inventory: Inventory, language: str) -> str:
    """The whole terms of use in ``language``."""
    _require(inventory)
    words = inventory.notice[language]
    lines = [words["title"]]
    lines += [
        f"• {item_line(inventory, item, language)}"
        for item in inventory.items().values()
        if item.terms
    ]
    lines += [f"• {words['recipients']}", f"• {words['rights']}"]
    return "\n".join(lines)


def _variation(language: str, body: dict[str, Any]) -> dict[str, Any]:
    if language == ENGLISH:
        return body
    return {"condition": [{"type": "slot", "name": "language", "value": language}], **body}


def _ordered() -> tuple[str, ...]:
    # Rasa picks the first matching variation; the English one has no condition and
    # must come last.
    return (*(lang for lang in LANGUAGES if lang != ENGLISH), ENGLISH)


def responses(inventory: Inventory) -> dict[str, list[dict[str, Any]]]:
    """The generated responses: the terms of use and the consent question."""
    _require(inventory)
    assert inventory.consent is not None
    terms, question = [], []
    for language in _ordered():
        words = inventory.notice[language]
        terms.append(
            _variation(
                language,
                {
                    "text": terms_text(inventory, language),
                    "buttons": [
                        {"title": words["privacy"], "payload": "/privacy_policy"},
                        {"title": words["menu"], "payload": "/open_menu"},
                    ],
                },
            )
        )
        question.append(
            _variation(
                language,
                {
                    "text": inventory.text(inventory.consent.question[language]),
                    "buttons": [
                        {"title": words["give"], "payload": "/give_consent"},
                        {"title": words["refuse"], "payload": "/refuse_consent"},
                        {"title": words["terms"], "payload": "/terms_of_use"},
                    ],
                },
            )
        )
    return {TERMS_RESPONSE: terms, CONSENT_RESPONSE_PREFIX + inventory.consent.slot: question}


def notice_version(inventory: Inventory) -> str:
    """SHA-256 (hex) of the notice as rendered: both responses, every language."""
    canonical = json.dumps(responses(inventory), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _Dumper(yaml.SafeDumper):
    """Multi-line texts as literal blocks, the way a person writes the domain."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def domain_file(inventory: Inventory) -> str:
    """The text of ``domain/terms.yml``."""
    header = (
        "# GENERATED from inventory.yml by `sigilo inventory terms`: do not edit by hand.\n"
        "# Change the wording in inventory.yml (items' `terms`, `notice`, `consent`),\n"
        "# run the command, retrain. tests/unit/privacy/test_generated.py fails when stale.\n"
        f"# Notice version (recorded in the consent ledger): {notice_version(inventory)}\n"
    )
    body = yaml.dump(
        {"version": "3.1", "responses": responses(inventory)},
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=10_000,
    )
    return header + body


def write_domain_file(inventory: Inventory, path: Path = TERMS_FILE) -> bool:
    """Writes the generated terms; returns True when the file changed."""
    text = domain_file(inventory)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
