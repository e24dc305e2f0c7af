"""An NLU component that keeps empty, emoji-only and unknown-payload messages safe.

A statistical classifier gives *some* intent to any input, often with high
confidence: an empty message or a row of emoji came out as ``affirm`` at
0.99, which would confirm an erasure nobody asked for; an unknown
``/payload`` came out as a real intent. This component runs last in the
pipeline and replaces such guesses with ``nlu_fallback`` (or a plain yes/no
for the thumbs-up/down emoji people really send). It imports Rasa: it is the
one ``sigilo`` module that plugs into the NLU pipeline.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_TYPE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

FALLBACK_INTENT = "nlu_fallback"
YES_EMOJI = frozenset("👍👌✅✔☑🆗")
NO_EMOJI = frozenset("👎❌✖🚫")
# Entities that only mean something with one intent; elsewhere they are noise.
ENTITY_INTENTS = {"language": "choose_language", "invoice_id": "pay_invoice"}
# Emoji modifiers and joiners that carry no meaning of their own.
_IGNORED = frozenset("\ufe0f\u200d") | {chr(c) for c in range(0x1F3FB, 0x1F400)}


def classify_without_words(text: str) -> str | None:
    """Intent for a message with no letter or digit, or ``None`` if it has words.

    Args:
        text: The message text.

    Returns:
        ``affirm``/``deny`` for thumbs and check marks only, ``nlu_fallback`` for
        any other wordless message, ``None`` when there are letters or digits.
    """
    if any(unicodedata.category(char)[0] in "LN" for char in text):
        return None
    symbols = {char for char in text if not char.isspace() and char not in _IGNORED}
    if symbols and symbols <= YES_EMOJI:
        return "affirm"
    if symbols and symbols <= NO_EMOJI:
        return "deny"
    return FALLBACK_INTENT


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class MessageGuard(GraphComponent):
    """Overrides guesses on wordless messages and unknown ``/payloads``."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MessageGuard:
        """Creates the component (it has nothing to train or load)."""
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """Fixes the intent (and stray entities) of each message in place."""
        for message in messages:
            text = (message.get(TEXT) or "").strip()
            # Known payloads are restored after this by Rasa's RegexMessageHandler;
            # unknown ones keep the fallback instead of a guessed intent.
            intent = FALLBACK_INTENT if text.startswith("/") else classify_without_words(text)
            if intent is not None:
                self._set_intent(message, intent)
            self._drop_stray_entities(message)
        return messages

    @staticmethod
    def _set_intent(message: Message, intent: str) -> None:
        ranking = [{"name": intent, "confidence": 1.0}]
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set("intent_ranking", ranking, add_to_output=True)

    @staticmethod
    def _drop_stray_entities(message: Message) -> None:
        intent = (message.get(INTENT) or {}).get("name")
        entities = message.get(ENTITIES) or []
        kept = [
            entity
            for entity in entities
            if ENTITY_INTENTS.get(entity.get(ENTITY_ATTRIBUTE_TYPE), intent) == intent
        ]
        if len(kept) != len(entities):
            message.set(ENTITIES, kept, add_to_output=True)
