"""Reading a stored conversation: the (already redacted) transcript, masked by role,
and the portability document of one consumer.

:func:`portability_document` is :func:`sigilo.access.export_document` — the same
document the consumer's right of access is built from — plus the pseudonym and the
detailed transcript rows that the CSV and Excel exports tabulate.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from sigilo.access import export_document
from sigilo.inventory import load_inventory
from sigilo.tracker_store.repository import Repository, StoredEvent
from sigilo.tracker_store.sanitize import for_broker

MASK = "[personal]"


def _iso(stamp: Any) -> str:
    try:
        return datetime.fromtimestamp(float(stamp), timezone.utc).isoformat(timespec="seconds")
    except (TypeError, ValueError, OverflowError, OSError):
        return ""


def entry(event: dict[str, Any], session_no: int) -> dict[str, Any] | None:
    """One transcript line for a stored event, or None for bookkeeping events."""
    kind = event.get("event")
    line: dict[str, Any] = {"time": _iso(event.get("timestamp")), "session": session_no}
    if kind == "user":
        intent = (event.get("parse_data") or {}).get("intent") or {}
        line.update(actor="consumer", text=event.get("text") or "", intent=intent.get("name") or "")
    elif kind == "bot":
        line.update(actor="bot", text=event.get("text") or "")
    elif kind == "slot":
        line.update(actor="bot", slot=event.get("name"), value=event.get("value"))
    elif kind in ("restart", "session_started"):
        line.update(actor="system", text=kind)
    else:
        return None
    return line


def personal_values(stored: list[StoredEvent], personal: Collection[str]) -> dict[str, Any]:
    """The latest value of each personal slot in the conversation."""
    values: dict[str, Any] = {}
    for item in stored:
        data = item.data
        if data.get("event") == "slot" and data.get("name") in personal:
            if data.get("value") is None:
                values.pop(data["name"], None)
            else:
                values[data["name"]] = data["value"]
    return values


def transcript(
    stored: list[StoredEvent], personal: Collection[str], masked: bool, sender_id: str = ""
) -> list[dict[str, Any]]:
    """Transcript lines; ``masked``: personal slot values and their mentions hidden."""
    needles: list[Any] = []
    if masked:
        needles = [
            i.data.get("value")
            for i in stored
            if i.data.get("event") == "slot" and i.data.get("name") in personal
        ]
        needles.append(sender_id)
    lines = []
    for item in stored:
        data = item.data
        if masked:
            was_personal = data.get("event") == "slot" and data.get("name") in personal
            data = for_broker(data, personal, needles)
            if was_personal and item.data.get("value") is not None:
                data["value"] = MASK
        line = entry(data, item.session_no)
        if line is not None:
            lines.append(line)
    return lines


@lru_cache(maxsize=1)
def personal_slots() -> frozenset[str]:
    """The inventory's personal-class slots (read once)."""
    return load_inventory().personal_slots


def portability_document(repository: Repository, sender_id: str) -> dict[str, Any]:
    """Everything stored about ``sender_id``, as the consumer's access request gets it."""
    loaded = repository.load(sender_id, all_sessions=True)  # once, for both parts
    stored = loaded[1] if loaded else []
    document = export_document(repository, sender_id, stored=stored)
    document["pseudonym"] = repository.pseudonym(sender_id)
    document["events"] = transcript(stored, personal_slots(), masked=False)
    return document


DOCUMENT_BUILDER = portability_document
