"""Start-up check: the tracker store in ``endpoints.yml`` is the one that will load.

Rasa falls back silently to its in-memory store when ``type:`` names a class it
cannot import; ``make run`` calls :func:`check_endpoints` first and refuses to start.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import yaml

EXPECTED = "sigilo.tracker_store.PrivacyTrackerStore"


class EndpointsError(RuntimeError):
    """``endpoints.yml`` would not load Sigilo's tracker store."""


def tracker_store_type(path: Path | str) -> str | None:
    """The ``tracker_store: type:`` of an endpoints file (None when absent)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise EndpointsError(f"{path}: cannot read: {exc}") from None
    section = data.get("tracker_store") if isinstance(data, dict) else None
    if not isinstance(section, dict):
        return None
    value = section.get("type")
    return None if value is None else str(value)


def check_endpoints(path: Path | str, allow_other: bool = False) -> str:
    """Returns the configured class path, or raises :class:`EndpointsError`.

    Args:
        path: the endpoints file.
        allow_other: accept another importable TrackerStore class (benchmarks compare
            with Rasa's stock store this way).
    """
    store_type = tracker_store_type(path)
    if store_type is None:
        raise EndpointsError(
            f"{path}: no tracker_store configured: Rasa would keep conversations in memory "
            f"(set `tracker_store: type: {EXPECTED}`)"
        )
    if "." not in store_type:
        if allow_other:
            return store_type
        raise EndpointsError(
            f"{path}: tracker_store type '{store_type}' is one of Rasa's stock stores, which "
            f"keep plain text; use {EXPECTED}"
        )
    module_name, _, class_name = store_type.rpartition(".")
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, class_name)
    except Exception as exc:  # ImportError, AttributeError, our config error
        raise EndpointsError(
            f"{path}: tracker_store type '{store_type}' cannot be loaded ({exc}); Rasa would "
            "silently fall back to its in-memory store"
        ) from None
    from rasa.core.tracker_store import TrackerStore

    if not (isinstance(cls, type) and issubclass(cls, TrackerStore)):
        raise EndpointsError(f"{path}: '{store_type}' is not a Rasa TrackerStore class")
    if store_type != EXPECTED and not allow_other:
        raise EndpointsError(f"{path}: tracker_store type '{store_type}' is not {EXPECTED}")
    return store_type
