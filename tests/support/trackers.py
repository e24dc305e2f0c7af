"""Builds rasa_sdk trackers and runs actions the way the action server does."""

from __future__ import annotations

import time
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

DOMAIN_SLOTS = (
    "language", "language_source", "consent_given", "tin", "tin_country", "tin_attempts",
    "customer_first_name", "requested_feature", "invoice_id", "card_number", "card_expiry",
    "card_cvc", "card_brand", "card_last4", "api_status", "handoff_share_transcript",
    "requested_slot",
)  # fmt: skip


def make_tracker(
    slots: dict[str, Any] | None = None,
    *,
    text: str = "",
    intent: str = "inform",
    entities: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    sender_id: str = "consumer-1",
    channel: str = "rest",
) -> Tracker:
    """A tracker with the given slots and latest user message."""
    values: dict[str, Any] = dict.fromkeys(DOMAIN_SLOTS)
    values.update(slots or {})
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "metadata": metadata or {},
    }
    user_event = {
        "event": "user",
        "timestamp": time.time(),
        "text": text,
        "parse_data": latest,
        "input_channel": channel,
        "metadata": metadata or {},
    }
    return Tracker(
        sender_id=sender_id,
        slots=values,
        latest_message=latest,
        events=[*(events or []), user_event],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


async def run_action(
    action: Action, tracker: Tracker, domain: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Runs ``action``; returns ``(events, messages)``."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain or {})
    return events, dispatcher.messages


def responses(messages: list[dict[str, Any]]) -> list[str]:
    """Names of the responses an action uttered."""
    return [message.get("response") for message in messages]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The slot values an action set, last one wins."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
