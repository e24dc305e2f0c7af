"""Base class shared by Sigilo's form validators."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.localization import tracker_language


class SigiloFormValidation(FormValidationAction):
    """A form validator that re-asks with a specific response.

    Subclasses call :meth:`reject` with the response that explains what was
    wrong (``utter_invalid_<slot>...``); the slot stays empty so the form asks
    again, and nothing collected before is touched.
    """

    @abstractmethod
    def name(self) -> str:
        """The form's validation action name (abstract, so the SDK skips this base)."""

    @staticmethod
    def language(tracker: Tracker) -> str:
        """The conversation's language code."""
        return tracker_language(tracker)

    @staticmethod
    def reject(
        dispatcher: CollectingDispatcher, slot: str, response: str, **values: Any
    ) -> dict[str, Any]:
        """Utters ``response`` and returns the events that empty ``slot``."""
        dispatcher.utter_message(response=response, **values)
        return {slot: None}

    @staticmethod
    def stop_form(**slots: Any) -> dict[str, Any]:
        """Ends the form early (Rasa ends a loop when requested_slot is None)."""
        return {**slots, "requested_slot": None}
