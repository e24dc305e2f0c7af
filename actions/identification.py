"""``tin_form``: explicit consent first, then a validated tax id."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_validation import SigiloFormValidation
from sigilo.tax_id import validate_tin

MAX_TIN_ATTEMPTS = 3

# Which countries to prefer when one number is valid in several of them.
PREFERRED_COUNTRIES = {"pt": ("BR", "PT"), "es": ("ES", "AR", "CL", "MX"), "en": ()}

_REASON_RESPONSES = {
    "bad_checksum": "utter_invalid_tin_checksum",
    "wrong_length": "utter_invalid_tin_length",
    "empty": "utter_invalid_tin_length",
}

# Display names of tax id kinds; they are the same in the three languages.
TIN_KIND_LABELS = {
    "cpf": "CPF",
    "cnpj": "CNPJ",
    "dni": "DNI",
    "nie": "NIE",
    "cif": "CIF",
    "nif": "NIF",
    "codice_fiscale": "codice fiscale",
    "cuit": "CUIT",
    "rut": "RUT",
    "rfc": "RFC",
}


def tin_label(kind: str | None) -> str:
    """Human label of a tax id kind such as ``cpf`` or ``br.cpf``."""
    if not kind:
        return "tax id"
    return TIN_KIND_LABELS.get(kind.split(".")[-1], kind.upper())


class ValidateTinForm(SigiloFormValidation):
    """Validates ``tin_form``: consent, then the tax id with specific re-asks."""

    def name(self) -> str:
        """Action name."""
        return "validate_tin_form"

    async def validate_consent_given(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """A yes continues; a no ends the form without asking anything personal.

        A refusal leaves ``consent_given`` empty rather than ``False`` so that
        the next request asks again instead of skipping the question.
        """
        if slot_value is True:
            # a new yes lifts an earlier withdrawal
            return {"consent_given": True, "consent_withdrawn": None}
        return self.stop_form(consent_given=None)

    async def validate_tin(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Checks format and check digits; re-asks saying which check failed."""
        if tracker.get_slot("consent_given") is not True:
            # Defence in depth: never keep a tax id without consent.
            return self.stop_form(tin=None)
        language = self.language(tracker)
        result = validate_tin(str(slot_value or ""), PREFERRED_COUNTRIES.get(language, ()))
        if result.valid:
            return {"tin": result.compact, "tin_country": result.country, "tin_attempts": 0}

        attempts = int(tracker.get_slot("tin_attempts") or 0) + 1
        if attempts >= MAX_TIN_ATTEMPTS:
            dispatcher.utter_message(response="utter_tin_too_many_attempts")
            return self.stop_form(tin=None, tin_attempts=0)
        response = _REASON_RESPONSES.get(result.reason or "", "utter_invalid_tin_format")
        candidate = result.candidates[0] if result.candidates else None
        return {
            **self.reject(dispatcher, "tin", response, tin_kind=tin_label(candidate)),
            "tin_attempts": attempts,
        }
