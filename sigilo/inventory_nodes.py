"""Reading YAML nodes of the data inventory with errors that name the file and line."""

from __future__ import annotations

from pathlib import Path

import yaml

LANGUAGES = ("es", "pt", "en")
PLACEHOLDER = "{months}"


class InventoryError(ValueError):
    """The inventory is malformed; the message names the file and line."""


def fail(path: Path, node: yaml.Node, message: str) -> InventoryError:
    """An :class:`InventoryError` at ``node``'s line."""
    return InventoryError(f"{path}:{node.start_mark.line + 1}: {message}")


def scalar(path: Path, node: yaml.Node, what: str) -> str:
    """A non-empty text."""
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise fail(path, node, f"{what} must be a non-empty text")
    return str(node.value).strip()


def scalars(path: Path, node: yaml.Node, what: str) -> tuple[str, ...]:
    """A non-empty list of texts."""
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise fail(path, node, f"{what} must be a non-empty list")
    return tuple(scalar(path, item, f"{what} entry") for item in node.value)


def integer(path: Path, node: yaml.Node, what: str, low: int, high: int) -> int:
    """A whole number between ``low`` and ``high``."""
    text = scalar(path, node, what)
    if not text.isdigit() or not low <= int(text) <= high:
        raise fail(path, node, f"{what} must be a whole number from {low} to {high}")
    return int(text)


def mapping(
    path: Path, node: yaml.Node, what: str, key: yaml.Node | None = None
) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """The entries of a mapping by name, refusing duplicate names."""
    if not isinstance(node, yaml.MappingNode):
        raise fail(path, node if key is None or node.value else key, what)
    entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for entry_key, entry_value in node.value:
        if entry_key.value in entries:
            owner = f"'{key.value}' " if key is not None else ""
            raise fail(path, entry_key, f"{owner}declares '{entry_key.value}' twice")
        entries[entry_key.value] = (entry_key, entry_value)
    return entries


def wording(path: Path, node: yaml.Node, what: str) -> str:
    """Consumer-facing text: non-empty, and no braces but ``{months}``.

    Rasa fills ``{slot}`` in responses, so a stray ``{tin}`` would print data.
    """
    text = scalar(path, node, what)
    if "{" in text.replace(PLACEHOLDER, "") or "}" in text.replace(PLACEHOLDER, ""):
        raise fail(path, node, f"{what}: only {PLACEHOLDER} may appear in braces")
    return text


def languages(path: Path, node: yaml.Node, what: str) -> dict[str, str]:
    """One consumer-facing text per language: exactly es, pt and en."""
    entries = mapping(path, node, f"{what} must map {', '.join(LANGUAGES)} to texts")
    texts: dict[str, str] = {}
    for language, (lkey, lnode) in entries.items():
        if language not in LANGUAGES:
            raise fail(path, lkey, f"{what}: unknown language '{language}'")
        texts[language] = wording(path, lnode, f"{what} ({language})")
    missing = [lang for lang in LANGUAGES if lang not in texts]
    if missing:
        raise fail(path, node, f"{what} has no {', '.join(missing)} text")
    return texts
