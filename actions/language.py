"""Chooses the conversation language on every user message.

Rasa runs ``action_validate_slot_mappings`` after each message, before the
next action is predicted, so responses are already rendered in the right
language. Precedence: an explicit choice (menu button or typed request) >
channel metadata > detection on the first messages > the configured default.
"""

from __future__ import annotations

import os
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from actions.localization import default_language, normalise_language
from sigilo.channels.graph import clean_first_name
from sigilo.language import detect_language

# Detection may switch the language while it has only been guessed; a channel
# or an explicit choice is never overridden by a guess.
_GUESSABLE_SOURCES = (None, "default", "detected")
_METADATA_KEYS = ("language", "locale", "lang")
# The only channel whose metadata may carry the consumer's first name.
MESSENGER_CHANNEL = "facebook"


def _min_confidence() -> float:
    try:
        return float(os.environ.get("SIGILO_LANGUAGE_MIN_CONFIDENCE", "0.6"))
    except ValueError:
        return 0.6


def choose_language(
    current: str | None,
    source: str | None,
    chosen: Any,
    metadata: Any,
    text: str | None,
) -> tuple[str, str] | None:
    """Decides the language and its source for this message.

    Args:
        current: The language slot's value.
        source: How the current language was decided.
        chosen: A ``language`` entity value from this message, if any.
        metadata: The message's channel metadata.
        text: The message text.

    Returns:
        ``(language, source)`` when the slots must change, else ``None``.
    """
    decision: tuple[str, str] | None = None
    explicit = normalise_language(chosen)
    meta_language = None
    if isinstance(metadata, dict):
        meta_language = next(
            (normalise_language(metadata.get(key)) for key in _METADATA_KEYS if metadata.get(key)),
            None,
        )
    if explicit:
        decision = (explicit, "chosen")
    elif meta_language and source != "chosen":
        decision = (meta_language, "metadata")
    elif source in _GUESSABLE_SOURCES and text and not text.startswith("/"):
        guess = detect_language(text)
        if guess is not None and guess.confidence >= _min_confidence():
            decision = (guess.language, "detected")
    if decision is None and current is None:
        decision = (default_language(), "default")
    if decision == (current, source):
        return None
    return decision


class ValidateSlotMappings(ValidationAction):
    """``action_validate_slot_mappings``: fills the custom-mapped language slots."""

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The language slots and the Messenger first name; forms own the rest."""
        return ["language", "language_source", "customer_first_name"]

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Sets ``language`` and ``language_source`` when they change."""
        message = tracker.latest_message or {}
        decision = choose_language(
            current=tracker.get_slot("language"),
            source=tracker.get_slot("language_source"),
            chosen=next(tracker.get_latest_entity_values("language"), None),
            metadata=message.get("metadata"),
            text=message.get("text"),
        )
        if decision is None:
            return {}
        language, source = decision
        return {"language": language, "language_source": source}

    async def extract_customer_first_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Sets ``customer_first_name`` once from Messenger's profile metadata.

        Only the Messenger connector puts a name in the metadata (read from the
        Graph API at the first interaction); any other channel's metadata is
        ignored, so the web chat can never set a name.
        """
        if tracker.get_slot("customer_first_name"):
            return {}
        if tracker.get_slot("consent_withdrawn"):
            # withdrawn: the name is not read again until consent is given again
            return {}
        if tracker.get_latest_input_channel() != MESSENGER_CHANNEL:
            return {}
        metadata = (tracker.latest_message or {}).get("metadata")
        if not isinstance(metadata, dict):
            return {}
        name = clean_first_name(metadata.get("customer_first_name"))
        return {"customer_first_name": name} if name else {}

    async def validate_language(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Keeps only supported languages; anything else becomes the default."""
        return {"language": normalise_language(slot_value) or default_language()}

    async def validate_language_source(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Keeps the source only when it is one the domain knows."""
        known = ("metadata", "chosen", "detected", "default")
        return {"language_source": slot_value if slot_value in known else "default"}
