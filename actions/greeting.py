"""``action_greet``: greets by first name where the channel gave one."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


class ActionGreet(Action):
    """Greets; on Messenger by the profile's first name, never asked for."""

    def name(self) -> str:
        """Action name."""
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utters ``utter_greet_name`` when the name is known, else ``utter_greet``."""
        if tracker.get_slot("customer_first_name"):
            dispatcher.utter_message(response="utter_greet_name")
        else:
            dispatcher.utter_message(response="utter_greet")
        return []
