"""``action_open_handoff``: asks the company for a person to take over."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.company_api import CompanyApiError
from actions.company_api_access import company_api
from actions.localization import tracker_language
from sigilo.redaction import redact

logger = logging.getLogger(__name__)

MAX_TRANSCRIPT_MESSAGES = 50


def redacted_transcript(tracker: Tracker) -> list[dict[str, str]]:
    """The conversation since the last restart, redacted, newest last.

    Only shared when the consumer said yes; card numbers, tax ids and
    contact data are removed even then.
    """
    lines: list[dict[str, str]] = []
    for event in tracker.events:
        kind = event.get("event")
        if kind == "restart":
            lines = []
        elif kind in ("user", "bot") and event.get("text"):
            sender = "consumer" if kind == "user" else "bot"
            lines.append({"sender": sender, "text": redact(str(event["text"]))})
    return lines[-MAX_TRANSCRIPT_MESSAGES:]


class ActionOpenHandoff(Action):
    """Opens a hand-off request; shares the transcript only with consent."""

    def name(self) -> str:
        """Action name."""
        return "action_open_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Creates the request and tells the consumer when a person will answer."""
        share = tracker.get_slot("handoff_share_transcript") is True
        try:
            handoff = company_api().open_handoff(
                channel=tracker.get_latest_input_channel() or "unknown",
                language=tracker_language(tracker),
                reason="consumer_request",
                transcript=redacted_transcript(tracker) if share else None,
            )
        except CompanyApiError as error:
            logger.warning("company API failed opening a hand-off: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_try_again_later")
        else:
            dispatcher.utter_message(
                response="utter_handoff_opened",
                reference=handoff.id,
                wait_minutes=handoff.expected_wait_minutes,
            )
        return [SlotSet("handoff_share_transcript", None)]
