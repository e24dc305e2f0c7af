"""The store hook that keeps the consent ledger, in the conversation's own transaction.

It reads the consent slot's events of each stored turn (already redacted; the slot
is not personal) and records transitions, so a slot replayed at a session start or
a second "yes" is not a new decision:

- ``True`` while the latest decision is not ``given`` → ``given``;
- ``False`` (a refusal, as the form's slot mapping sets it) → ``refused``;
- cleared while the latest decision is ``given`` → ``withdrawn``.

An erasure (the store's or an operator's) deletes the consumer's decisions and files
a receipt in the same transaction; the reference is the one ``action_delete_data``
showed the consumer (slot ``erasure_receipt`` after ``Restarted``), or a new one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection

from sigilo.consent import ledger
from sigilo.inventory import Inventory
from sigilo.tracker_store.hooks import StoredTurn, StoreHook

logger = logging.getLogger(__name__)
RECEIPT_SLOT = "erasure_receipt"
# The encrypted sender id stays after an erasure as its tombstone (docs/tracker-store.md)
# until retention removes it, so the receipt does not list it as erased.
KEPT_AFTER_ERASURE = frozenset({"sender_id"})


def _channel(events: Sequence[dict[str, Any]]) -> str:
    for event in events:
        if event.get("event") == "user" and event.get("input_channel"):
            return str(event["input_channel"])
    return "unknown"


class ConsentLedgerHook(StoreHook):
    """Records consent decisions and erasure receipts with the turn that carries them."""

    def __init__(
        self,
        *,
        slot: str | None,
        purpose: str,
        notice_sha256: str,
        categories: Sequence[str],
        receipt_slot: str = RECEIPT_SLOT,
    ) -> None:
        """Binds the consent slot, its purpose, the notice version and the categories."""
        self.slot = slot
        self.purpose = purpose
        self.notice_sha256 = notice_sha256
        self.categories = tuple(categories)
        self.receipt_slot = receipt_slot

    @classmethod
    def from_inventory(cls, inventory: Inventory) -> ConsentLedgerHook:
        """The hook for the inventory's consent and personal categories."""
        from sigilo.terms import notice_version

        consent = inventory.consent
        categories = sorted(
            name
            for name, item in inventory.items().items()
            if item.data_class == "personal" and name not in KEPT_AFTER_ERASURE
        )
        return cls(
            slot=consent.slot if consent else None,
            purpose=consent.purpose if consent else "",
            notice_sha256=notice_version(inventory) if consent and inventory.notice else "",
            categories=categories,
        )

    def _reference(self, events: Sequence[dict[str, Any]]) -> str | None:
        for event in events:
            if event.get("event") == "slot" and event.get("name") == self.receipt_slot:
                value = event.get("value")
                if ledger.is_reference(value):
                    return value
        return None

    def in_transaction(self, conn: Connection, turn: StoredTurn) -> None:
        """Erases and files the receipt, then records this turn's decisions."""
        if turn.erased:
            filed = ledger.erase(
                conn,
                turn.pseudonym,
                categories=self.categories,
                # an operator's erasure (Repository.erase) writes no events
                requested_by="consumer" if turn.events else "operator",
                reference=self._reference(turn.events),
            )
            logger.info("erasure receipt %s filed", filed.reference)
        if self.slot is None:
            return
        state: str | None = None
        loaded = False
        channel = _channel(turn.events)
        for event in turn.events:
            if event.get("event") != "slot" or event.get("name") != self.slot:
                continue
            if not loaded:
                state, loaded = ledger.latest_decision(conn, turn.pseudonym, self.purpose), True
            value = event.get("value")
            decision = None
            if value is True and state != "given":
                decision = "given"
            elif value is False:
                decision = "refused"
            elif value is None and state == "given":
                decision = "withdrawn"
            if decision is None:
                continue
            ledger.record_decision(
                conn,
                turn.pseudonym,
                decision,
                purpose=self.purpose,
                channel=channel,
                notice_sha256=self.notice_sha256,
                at=float(event.get("timestamp") or 0) or None,
            )
            state = decision
