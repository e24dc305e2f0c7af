"""The inventory's sections about wording and the record: ``consent``, ``notice``, ``record``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from sigilo.inventory_nodes import LANGUAGES, fail, languages, mapping, scalar, scalars, wording

NOTICE_KEYS = (
    "title", "consent", "stored", "never_stored", "company_api", "recipients", "rights",
    "give", "refuse", "terms", "privacy", "menu",
)  # fmt: skip
BUTTON_KEYS = ("give", "refuse", "terms", "privacy", "menu")
RECORD_KEYS = ("controller", "data_subjects", "transfers", "security")


@dataclass(frozen=True)
class Consent:
    """The consent the bot asks for before any personal question."""

    slot: str
    purpose: str
    label: dict[str, str]
    question: dict[str, str]


@dataclass(frozen=True)
class Record:
    """General part of the record of processing."""

    controller: str
    data_subjects: str
    transfers: str
    security: tuple[str, ...]


def parse_consent(path: Path, key: yaml.Node, node: yaml.Node, slots: set[str]) -> Consent:
    """The ``consent:`` section; its slot must be declared."""
    fields = mapping(path, node, "'consent' must be a mapping", key=key)
    for required in ("slot", "purpose", "label", "question"):
        if required not in fields:
            raise fail(path, key, f"'consent' is missing: {required}")
    slot_node = fields["slot"][1]
    slot = scalar(path, slot_node, "'consent' slot")
    if slot not in slots:
        raise fail(path, slot_node, f"'consent' slot '{slot}' is not declared under 'slots:'")
    return Consent(
        slot=slot,
        purpose=scalar(path, fields["purpose"][1], "'consent' purpose"),
        label=languages(path, fields["label"][1], "'consent' label"),
        question=languages(path, fields["question"][1], "'consent' question"),
    )


def parse_notice(path: Path, key: yaml.Node, node: yaml.Node) -> dict[str, dict[str, str]]:
    """The ``notice:`` section: every text in es, pt and en."""
    by_language = mapping(path, node, "'notice' must map es, pt and en to texts", key=key)
    notice: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        if language not in by_language:
            raise fail(path, key, f"'notice' has no '{language}' texts")
    for language, (lkey, lnode) in by_language.items():
        if language not in LANGUAGES:
            raise fail(path, lkey, f"'notice': unknown language '{language}'")
        texts = mapping(path, lnode, f"'notice' {language} must be a mapping", key=lkey)
        missing = [k for k in NOTICE_KEYS if k not in texts]
        if missing:
            raise fail(path, lkey, f"'notice' {language} is missing: {', '.join(missing)}")
        notice[language] = {}
        for name, (tkey, tnode) in texts.items():
            if name not in NOTICE_KEYS:
                raise fail(path, tkey, f"'notice' {language}: unknown text '{name}'")
            text = wording(path, tnode, f"'notice' {language} {name}")
            if name in BUTTON_KEYS and len(text) > 20:
                raise fail(path, tnode, f"button title '{text}' is over 20 characters")
            notice[language][name] = text
    return notice


def parse_record(path: Path, key: yaml.Node, node: yaml.Node) -> Record:
    """The ``record:`` section (general part of the record of processing)."""
    fields = mapping(path, node, "'record' must be a mapping", key=key)
    missing = [k for k in RECORD_KEYS if k not in fields]
    if missing:
        raise fail(path, key, f"'record' is missing: {', '.join(missing)}")
    return Record(
        controller=scalar(path, fields["controller"][1], "'record' controller"),
        data_subjects=scalar(path, fields["data_subjects"][1], "'record' data_subjects"),
        transfers=scalar(path, fields["transfers"][1], "'record' transfers"),
        security=scalars(path, fields["security"][1], "'record' security"),
    )
