"""Turns the events of one stored turn into counters (duck-typed Rasa events, no import).

What is kept of an event: its day (in the configured time zone), the channel and
language it happened in (names from short allow-lists, else ``other``), and either a
click's intent (``/pay_invoice``, never the entities after it) or a feature name from
``metrics.yml``. Nothing else leaves this module.

Exactly once: a user message whose ``message_id`` already appears earlier in the
conversation is a replay (a channel redelivery, a replica replaying it): it and what
the bot did in answer are skipped. A slot feature counts when the value changes to
the declared one, so the same value set twice in a turn (slot mapping, then form
validation) counts once.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sigilo.metrics.features import FeatureMap
from sigilo.metrics.schema import KIND_CLICK, KIND_FEATURE
from sigilo.metrics.store import CounterKey

OTHER = "other"
UNKNOWN = "unknown"
PAYLOAD_PREFIX = "/"
# What may follow the intent in a payload: entities, a confidence, or nothing.
PAYLOAD_TAILS = ("{", "@")


@dataclass
class _State:
    """What the counter knows of the conversation at one point."""

    channel: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    message_ids: set[str] = field(default_factory=set)
    replaying: bool = False

    def apply(self, event: Any, watched: Iterable[str]) -> None:
        """Follows ``event``: channel, watched slot values, message ids."""
        kind = getattr(event, "type_name", None)
        if kind == "user":
            channel = getattr(event, "input_channel", None)
            if channel:
                self.channel = channel
            message_id = getattr(event, "message_id", None)
            if message_id:
                self.message_ids.add(str(message_id))
        elif kind == "slot" and getattr(event, "key", None) in watched:
            self.slots[event.key] = getattr(event, "value", None)
        elif kind in ("restart", "reset_slots"):
            self.slots.clear()


def click_name(event: Any) -> str | None:
    """``/intent`` when the message is a button payload of that intent, else ``None``.

    Only the intent Rasa recognised is kept: an unknown ``/payload`` gets another
    intent (the NLU guard makes it ``nlu_fallback``), so typed text never becomes a
    counter name.
    """
    text = (getattr(event, "text", None) or "").strip()
    intent = (getattr(event, "intent", None) or {}).get("name")
    if not intent or not text.startswith(PAYLOAD_PREFIX + intent):
        return None
    rest = text[len(intent) + 1 :]
    if rest and not rest.startswith(PAYLOAD_TAILS):
        return None
    return PAYLOAD_PREFIX + intent


def _day(event: Any, features: FeatureMap) -> date:
    stamp = getattr(event, "timestamp", None)
    if not isinstance(stamp, (int, float)):
        stamp = time.time()
    return datetime.fromtimestamp(float(stamp), tz=features.zone).date()


def _allowed(value: Any, allowed: Sequence[str]) -> str:
    if value is None or value == "":
        return UNKNOWN
    return str(value) if str(value) in allowed else OTHER


def _features_of(event: Any, features: FeatureMap, state: _State) -> list[str]:
    """Feature names ``event`` counts (before ``state`` has applied it)."""
    kind = getattr(event, "type_name", None)
    if kind == "user":
        intent = (getattr(event, "intent", None) or {}).get("name")
        return list(features.intents.get(intent or "", ()))
    if kind == "action":
        return list(features.actions.get(getattr(event, "action_name", None) or "", ()))
    if kind == "bot":
        response = (getattr(event, "metadata", None) or {}).get("utter_action")
        return list(features.responses.get(response or "", ()))
    if kind == "slot":
        name, value = getattr(event, "key", None), getattr(event, "value", None)
        if value == state.slots.get(name):
            return []  # no change: the same value set again
        return [rule.feature for rule in features.slots.get(name or "", ()) if rule.matches(value)]
    return []


def _segment_languages(new: Sequence[Any], slot: str, start: Any) -> list[Any]:
    """The reply language of each event: the slot's value at the end of its segment.

    A segment starts at a user message. The language slot is filled after the message
    (from metadata or detection), so the message counts in the language answered in.
    """
    languages: list[Any] = []
    segment_start, current = 0, start
    for index, event in enumerate([*new, None]):
        if event is None or (index > segment_start and event.type_name == "user"):
            languages += [current] * (index - segment_start)
            segment_start = index
        if event is not None and event.type_name == "slot" and event.key == slot:
            current = event.value if event.value is not None else current
    return languages


def count_turn(
    earlier: Iterable[Any], new: Iterable[Any], features: FeatureMap
) -> Counter[CounterKey]:
    """The counters one stored turn adds.

    Args:
        earlier: the conversation's events before the turn (as loaded by the store).
        new: the turn's events, in order, each stored exactly once.
        features: the validated ``metrics.yml``.
    """
    watched = {*features.slots, features.language_slot}
    state = _State()
    for event in earlier:
        state.apply(event, watched)
    new = [event for event in new if getattr(event, "type_name", None)]
    languages = _segment_languages(
        new, features.language_slot, state.slots.get(features.language_slot)
    )
    counts: Counter[CounterKey] = Counter()
    for event, language_of in zip(new, languages, strict=True):
        kind = event.type_name
        if kind == "user":
            message_id = getattr(event, "message_id", None)
            state.replaying = bool(message_id) and str(message_id) in state.message_ids
        if not state.replaying:
            day = _day(event, features)
            channel_of = getattr(event, "input_channel", None) if kind == "user" else None
            channel = _allowed(channel_of or state.channel, features.channels)
            language = _allowed(language_of, features.languages)
            names = [(KIND_FEATURE, f) for f in _features_of(event, features, state)]
            click = click_name(event) if kind == "user" else None
            if click:
                names.append((KIND_CLICK, click))
            for what, name in names:
                counts[CounterKey(day, channel, language, what, name)] += 1
        state.apply(event, watched)
    return counts
