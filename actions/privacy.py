"""The privacy branch: erasure, withdrawal of consent and right of access."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identification import tin_label
from actions.localization import format_date, tracker_language
from sigilo.tax_id import validate_tin

# Slots that hold personal data: cleared when consent is withdrawn.
PERSONAL_SLOTS = ("consent_given", "tin", "tin_country", "tin_attempts", "customer_first_name")
# Slots that survive an erasure: they say nothing about the person.
KEPT_ON_ERASURE = ("language", "language_source")


class ActionDeleteData(Action):
    """Erases the conversation: confirms, then restarts it clean.

    The ``Restarted`` event right after this action is the erasure marker
    the privacy tracker store acts on (it deletes every stored event of the
    consumer); the conversation then goes on from an empty state, keeping
    only the language so the next reply is still understood.
    """

    def name(self) -> str:
        """Action name."""
        return "action_delete_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Confirms in the consumer's language and emits the restart."""
        dispatcher.utter_message(response="utter_data_deleted")
        kept = [SlotSet(slot, tracker.get_slot(slot)) for slot in KEPT_ON_ERASURE]
        return [Restarted(), *kept]


class ActionWithdrawConsent(Action):
    """Withdraws consent at once: forgets every personal slot."""

    def name(self) -> str:
        """Action name."""
        return "action_withdraw_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Clears personal slots and confirms."""
        dispatcher.utter_message(response="utter_consent_withdrawn")
        return [SlotSet(slot, None) for slot in PERSONAL_SLOTS]


def _conversation_stats(tracker: Tracker) -> tuple[int, datetime | None]:
    """Counts the consumer's messages since the last restart and the first one's time."""
    count, first = 0, None
    for event in tracker.events:
        if event.get("event") == "restart":
            count, first = 0, None
        elif event.get("event") == "user":
            count += 1
            if first is None and event.get("timestamp"):
                first = datetime.fromtimestamp(float(event["timestamp"]), tz=timezone.utc)
    return count, first


class ActionExportData(Action):
    """Right of access: says what is held about the consumer right now."""

    def name(self) -> str:
        """Action name."""
        return "action_export_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Summarises the personal data in this conversation, masked."""
        language = tracker_language(tracker)
        count, first = _conversation_stats(tracker)
        since = format_date((first or datetime.now(timezone.utc)).date(), language)
        tin, country = tracker.get_slot("tin"), tracker.get_slot("tin_country")
        if tracker.get_slot("consent_given") is True and tin and country:
            kind = validate_tin(tin, (country,)).kind
            dispatcher.utter_message(
                response="utter_export_summary",
                tin_kind=tin_label(kind),
                tin_last4=tin[-4:],
                message_count=count,
                since=since,
            )
        else:
            dispatcher.utter_message(
                response="utter_export_no_personal_data", message_count=count, since=since
            )
        return []
