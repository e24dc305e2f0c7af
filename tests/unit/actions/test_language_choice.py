"""How the conversation language is chosen on each message."""

import pytest

from actions.language import choose_language


@pytest.fixture(autouse=True)
def _default_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGILO_DEFAULT_LANGUAGE", "es")


def test_first_message_in_portuguese_is_detected() -> None:
    assert choose_language(None, None, None, {}, "oi, quero ver minhas faturas") == (
        "pt",
        "detected",
    )


def test_unknown_language_falls_back_to_configured_default() -> None:
    assert choose_language(None, None, None, {}, "👍") == ("es", "default")


def test_unsupported_default_falls_back_to_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGILO_DEFAULT_LANGUAGE", "fr")
    assert choose_language(None, None, None, {}, "123") == ("en", "default")


def test_channel_metadata_wins_over_detection() -> None:
    assert choose_language(None, None, None, {"language": "pt-BR"}, "hello there") == (
        "pt",
        "metadata",
    )


def test_explicit_choice_wins_over_metadata_and_sticks() -> None:
    assert choose_language("pt", "metadata", "en", {"language": "pt"}, "/choose_language") == (
        "en",
        "chosen",
    )
    # Later messages neither re-detect nor follow the metadata.
    assert choose_language("en", "chosen", None, {"language": "pt"}, "quero pagar") is None


def test_detection_does_not_override_metadata() -> None:
    assert choose_language("es", "metadata", None, {}, "i want to pay my bill please") is None


def test_payloads_are_not_detected() -> None:
    assert choose_language("en", "default", None, {}, "/open_menu") is None


def test_no_change_returns_none() -> None:
    assert choose_language("pt", "detected", None, {}, "quero pagar minha fatura") is None


async def test_validation_action_sets_language_and_source() -> None:
    from rasa_sdk.executor import CollectingDispatcher

    from actions.language import ValidateSlotMappings
    from tests.support.trackers import make_tracker, slot_events

    tracker = make_tracker(text="oi, quero ver minhas faturas", intent="check_invoices")
    domain = {
        "slots": {
            "language": {"mappings": [{"type": "custom"}]},
            "language_source": {"mappings": [{"type": "custom"}]},
        }
    }
    events = await ValidateSlotMappings().run(CollectingDispatcher(), tracker, domain)
    assert slot_events(events) == {"language": "pt", "language_source": "detected"}
