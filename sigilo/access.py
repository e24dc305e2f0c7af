"""Right of access and portability (GDPR art. 15 and 20, LGPD art. 18).

:func:`export_document` reads what is stored about one consumer right now — the
tracker store's events (decrypted) and the consent ledger — and returns it as a
JSON-ready document; the chat's "what do you know about me" and the operators'
tools both use it. The inventory only says which slots are personal or secret;
every value comes from the stores. :func:`summarise` turns the document into the
few facts the chat shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sigilo.consent import ledger
from sigilo.inventory import Inventory, load_inventory
from sigilo.keys import KeyRing, pseudonym_key
from sigilo.tracker_store.db import check_schema, database_url, make_engine
from sigilo.tracker_store.repository import Repository, StoredEvent

FORMAT = "sigilo.access/1"


def repository_from_env(url: str | None = None) -> Repository:
    """A read-only use of the tracker store from ``SIGILO_TRACKER_STORE_URL`` and the keys.

    Raises:
        MissingKeyError: keys not configured.
        SchemaError: the database is not migrated.
    """
    engine = make_engine(database_url(url))
    check_schema(engine)
    return Repository(engine, KeyRing.from_env(), pseudonym_key())


def _iso(timestamp: float | None) -> str | None:
    if not timestamp:
        return None
    return datetime.fromtimestamp(float(timestamp), tz=timezone.utc).isoformat(timespec="seconds")


def _slot_history(events: Iterable[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, list]]:
    """Current slot values (a restart empties them) and every value each slot held."""
    current: dict[str, Any] = {}
    seen: dict[str, list] = {}
    for event in events:
        if event.get("event") == "restart":
            current = {}
        elif event.get("event") == "slot":
            name, value = event.get("name"), event.get("value")
            current[name] = value
            if value is not None and value not in seen.setdefault(name, []):
                seen[name].append(value)
    return current, seen


def _transcript(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    lines = []
    for event in events:
        if event.get("event") in ("user", "bot") and event.get("text"):
            lines.append(
                {
                    "at": _iso(event.get("timestamp")),
                    "from": "you" if event["event"] == "user" else "assistant",
                    "text": event["text"],
                }
            )
    return lines


def export_document(
    repository: Repository,
    sender_id: str,
    inventory: Inventory | None = None,
    stored: list[StoredEvent] | None = None,
) -> dict[str, Any]:
    """Everything stored about ``sender_id`` now, as a JSON-ready dict.

    Args:
        repository: the tracker store's repository.
        sender_id: the consumer's real sender id.
        inventory: the data inventory (default: ``inventory.yml``).
        stored: the consumer's events, all sessions, when the caller already loaded them.

    Raises:
        ConversationUnreadable: a stored event cannot be decrypted.
        sqlalchemy.exc.DBAPIError: the database is unreachable.
    """
    inventory = inventory or load_inventory()
    pseudonym = repository.pseudonym(sender_id)
    if stored is None:
        loaded = repository.load(sender_id, all_sessions=True)
        stored = loaded[1] if loaded else []
    events = [item.data for item in stored]
    with repository.engine.connect() as conn:
        decisions = ledger.decisions(conn, pseudonym)
        receipts = ledger.receipts(conn, pseudonym)
    current, seen = _slot_history(events)
    user_times = [e.get("timestamp") for e in events if e.get("event") == "user"]
    secret = inventory.secret_slots
    return {
        "format": FORMAT,
        "generated_at": _iso(datetime.now(timezone.utc).timestamp()),
        "conversation_id": sender_id,
        "conversation": {
            "messages_from_you": len(user_times),
            "messages_from_assistant": sum(1 for e in events if e.get("event") == "bot"),
            "sessions": len({item.session_no for item in stored}),
            "first_message_at": _iso(min(user_times, default=None)),
            "last_message_at": _iso(max(user_times, default=None)),
            "transcript": _transcript(events),
        },
        "personal_data": {
            name: {
                "current": current.get(name),
                "stored_values": seen.get(name, []),
                "encrypted": True,
                "purpose": inventory.slots[name].purpose,
            }
            for name in sorted(inventory.personal_slots)
        },
        # every secret slot event is stored with its value removed; count any that is not
        "card_data": {
            "stored_values": sum(len(seen.get(name, [])) for name in sorted(secret)),
        },
        "slots": {
            name: value
            for name, value in sorted(current.items())
            if value is not None and name not in secret and name != "requested_slot"
        },
        "consent": [
            {
                "decision": d.decision,
                "purpose": d.purpose,
                "at": _iso(d.recorded_at),
                "channel": d.channel,
                "notice_sha256": d.notice_sha256,
            }
            for d in decisions
        ],
        "erasures": [
            {
                "reference": r.reference,
                "at": _iso(r.erased_at),
                "requested_by": r.requested_by,
                "categories": list(r.categories),
            }
            for r in receipts
        ],
    }


@dataclass(frozen=True)
class StoredValue:
    """A personal value held now, and whether the bot still uses it."""

    value: str
    in_use: bool


@dataclass(frozen=True)
class AccessSummary:
    """What the chat says about the stored data."""

    message_count: int
    since: datetime | None
    tin: StoredValue | None
    first_name: StoredValue | None
    consent_decision: str | None
    consent_at: datetime | None
    consent_purpose: str | None
    card_values_stored: int

    @property
    def has_personal_data(self) -> bool:
        """True when a personal value or a consent decision is stored."""
        return bool(self.tin or self.first_name or self.consent_decision)


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _value(entry: dict[str, Any] | None) -> StoredValue | None:
    if not entry or not entry["stored_values"]:
        return None
    current = entry["current"]
    return StoredValue(str(current or entry["stored_values"][-1]), current is not None)


def summarise(document: dict[str, Any]) -> AccessSummary:
    """The facts of an export document the chat shows."""
    conversation = document["conversation"]
    personal = document["personal_data"]
    latest = document["consent"][-1] if document["consent"] else None
    return AccessSummary(
        message_count=conversation["messages_from_you"],
        since=_parse(conversation["first_message_at"]),
        tin=_value(personal.get("tin")),
        first_name=_value(personal.get("customer_first_name")),
        consent_decision=latest["decision"] if latest else None,
        consent_at=_parse(latest["at"]) if latest else None,
        consent_purpose=latest["purpose"] if latest else None,
        card_values_stored=document["card_data"]["stored_values"],
    )
