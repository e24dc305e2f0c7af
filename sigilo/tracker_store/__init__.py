"""Sigilo's privacy tracker store for Rasa (``endpoints.yml``)::

    tracker_store:
      type: sigilo.tracker_store.PrivacyTrackerStore
      url: ${SIGILO_TRACKER_STORE_URL}

Importing this package is cheap and has no side effect; the Rasa class is loaded on
first access. Asking it for a class name it does not have (a typo in ``type:``) raises
instead of letting Rasa fall back silently to its in-memory store.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PrivacyTrackerStore", "TrackerStoreConfigError"]


class TrackerStoreConfigError(RuntimeError):
    """The tracker store is misconfigured; Sigilo refuses to start."""


def __getattr__(name: str) -> Any:
    if name == "PrivacyTrackerStore":
        from sigilo.tracker_store.store import PrivacyTrackerStore

        return PrivacyTrackerStore
    if not name[:1].isupper():
        # submodules and dunder probes: let Python's import machinery handle them
        raise AttributeError(name)
    raise TrackerStoreConfigError(
        f"sigilo.tracker_store has no '{name}': check `tracker_store: type:` in "
        "endpoints.yml (expected sigilo.tracker_store.PrivacyTrackerStore)"
    )
