"""``validate_tin_form``: consent first, then a validated tax id."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.identification import ValidateTinForm, tin_label
from tests.support.trackers import make_tracker, responses

FORM = ValidateTinForm()


async def test_consent_yes_continues() -> None:
    result = await FORM.validate_consent_given(True, CollectingDispatcher(), make_tracker(), {})
    assert result == {"consent_given": True, "consent_withdrawn": None}  # a yes lifts it


async def test_consent_no_ends_the_form_and_is_asked_again_next_time() -> None:
    dispatcher = CollectingDispatcher()
    result = await FORM.validate_consent_given(False, dispatcher, make_tracker(), {})
    assert result == {"consent_given": None, "requested_slot": None}
    assert dispatcher.messages == []


async def test_valid_tin_is_normalised() -> None:
    tracker = make_tracker({"consent_given": True, "language": "pt"})
    result = await FORM.validate_tin(
        "meu cpf é 529.982.247-25", CollectingDispatcher(), tracker, {}
    )
    assert result == {"tin": "52998224725", "tin_country": "BR", "tin_attempts": 0}


async def test_spanish_dni() -> None:
    tracker = make_tracker({"consent_given": True, "language": "es"})
    result = await FORM.validate_tin("12345678-z", CollectingDispatcher(), tracker, {})
    assert result["tin"] == "12345678Z" and result["tin_country"] == "ES"


async def test_wrong_check_digits_name_the_document() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({"consent_given": True, "language": "pt"})
    result = await FORM.validate_tin("529.982.247-24", dispatcher, tracker, {})
    assert result == {"tin": None, "tin_attempts": 1}
    assert responses(dispatcher.messages) == ["utter_invalid_tin_checksum"]
    assert dispatcher.messages[0]["tin_kind"] == "CPF"


async def test_wrong_length() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({"consent_given": True, "tin_attempts": 1})
    result = await FORM.validate_tin("12345", dispatcher, tracker, {})
    assert result == {"tin": None, "tin_attempts": 2}
    assert responses(dispatcher.messages) == ["utter_invalid_tin_length"]


async def test_third_failure_offers_a_person_and_ends_the_form() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({"consent_given": True, "tin_attempts": 2})
    result = await FORM.validate_tin("529.982.247-00", dispatcher, tracker, {})
    assert result == {"tin": None, "tin_attempts": 0, "requested_slot": None}
    assert responses(dispatcher.messages) == ["utter_tin_too_many_attempts"]


async def test_no_tin_is_kept_without_consent() -> None:
    result = await FORM.validate_tin(
        "529.982.247-25", CollectingDispatcher(), make_tracker({"consent_given": None}), {}
    )
    assert result == {"tin": None, "requested_slot": None}


def test_labels() -> None:
    assert tin_label("br.cpf") == "CPF"
    assert tin_label("codice_fiscale") == "codice fiscale"
    assert tin_label(None) == "tax id"
