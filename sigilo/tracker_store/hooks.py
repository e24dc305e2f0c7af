"""Extension points of the privacy tracker store.

Features that must move with the stored conversation (the consent ledger, the
operators' search summary) or count what it stores (anonymous metrics) plug in here
instead of editing ``save()``: a small base class, and one factory that lists them.

- :meth:`StoreHook.in_transaction` runs inside the transaction that writes a turn's
  events or erases a consumer, on the same connection: what it writes commits or rolls
  back with them (atomic erasure includes it).
- :meth:`StoreHook.after_save` runs once the turn is committed, with the events as
  Rasa produced them (before redaction), exactly once per stored event: events loaded
  from the store or refused as stale never reach it. It must not raise (errors are
  logged and swallowed: a hook never breaks a conversation).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

logger = logging.getLogger(__name__)


@dataclass
class StoredTurn:
    """What one transaction of the store is writing, as a hook sees it.

    Attributes:
        pseudonym: the consumer's keyed pseudonym (never the real id).
        generation: the erasure generation the events are written in.
        events: the events being written, redacted (plain dicts, as stored).
        erased: the transaction erases every earlier event of the consumer.
    """

    pseudonym: str
    generation: int
    events: Sequence[dict[str, Any]] = field(default_factory=tuple)
    erased: bool = False


class StoreHook:
    """Base class of store extensions; override the methods you need."""

    def in_transaction(self, conn: Connection, turn: StoredTurn) -> None:
        """Writes with the turn, in its transaction (raise to roll the turn back)."""

    def after_save(self, tracker: Any, new_events: Sequence[Any], turn: StoredTurn) -> None:
        """Reacts to a committed turn; ``new_events`` are Rasa ``Event`` objects."""


def run_after_save(
    hooks: Sequence[StoreHook], tracker: Any, new_events: Sequence[Any], turn: StoredTurn
) -> None:
    """Calls every hook's :meth:`StoreHook.after_save`, logging (never raising) errors."""
    for hook in hooks:
        try:
            hook.after_save(tracker, new_events, turn)
        except Exception as exc:  # a hook must never break a conversation
            logger.warning("store hook %s failed: %s", type(hook).__name__, type(exc).__name__)


def build_hooks(config: dict[str, Any]) -> list[StoreHook]:
    """The hooks of a store configured with ``config`` (``endpoints.yml`` options).

    Add a feature's hook here, built from its own options; nothing is created at
    import. ``config["inventory"]`` is the store's loaded inventory (or a path).
    """
    from sigilo.consent.hook import ConsentLedgerHook
    from sigilo.console.index import ConversationIndexHook
    from sigilo.inventory import Inventory, InventoryError, load_inventory
    from sigilo.metrics.hook import metrics_hook  # imported here: it imports this module
    from sigilo.tracker_store import TrackerStoreConfigError

    given = config.get("inventory")
    try:
        inventory = given if isinstance(given, Inventory) else load_inventory(given)
    except InventoryError as exc:
        raise TrackerStoreConfigError(f"privacy tracker store: {exc}") from None
    hooks: list[StoreHook] = [
        ConsentLedgerHook.from_inventory(inventory),
        ConversationIndexHook(inventory.personal_slots),
    ]
    metrics = metrics_hook(config)  # metrics_url / metrics_features, or $SIGILO_METRICS_*
    if metrics is not None:
        hooks.append(metrics)
    return hooks
