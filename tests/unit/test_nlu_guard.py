"""The NLU guard: wordless messages and unknown payloads get no guessed intent."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from sigilo.nlu_guard import MessageGuard, classify_without_words


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("", "nlu_fallback"),
        ("   ", "nlu_fallback"),
        ("😀😀😀", "nlu_fallback"),
        ("?!...", "nlu_fallback"),
        ("👍", "affirm"),
        ("👍🏽", "affirm"),
        ("✅ 👌", "affirm"),
        ("👎", "deny"),
        ("👍👎", "nlu_fallback"),
        ("ok 👍", None),
        ("123", None),
        ("sí", None),
    ],
)
def test_wordless_messages(text: str, intent: str | None) -> None:
    assert classify_without_words(text) == intent


def _message(text: str, intent: str, entities: list[dict] | None = None) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.99})
    message.set("entities", entities or [])
    return message


def test_guessed_intents_are_replaced() -> None:
    empty, unknown, words = (
        _message("", "affirm"),
        _message("/nope", "deny"),
        _message("hi", "greet"),
    )
    MessageGuard().process([empty, unknown, words])
    assert empty.get("intent") == {"name": "nlu_fallback", "confidence": 1.0}
    assert unknown.get("intent")["name"] == "nlu_fallback"
    assert words.get("intent")["name"] == "greet"


def test_entities_outside_their_intent_are_dropped() -> None:
    language = {"entity": "language", "value": "xx", "start": 0, "end": 2}
    stray = _message("xx" * 100, "nlu_fallback", [language])
    chosen = _message("español", "choose_language", [dict(language, value="es")])
    MessageGuard().process([stray, chosen])
    assert stray.get("entities") == []
    assert chosen.get("entities")[0]["value"] == "es"
