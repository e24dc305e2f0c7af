"""The privacy branch: erasure, withdrawal of consent and right of access."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from datetime import datetime, timezone
from typing import Any

import sqlalchemy.exc
from rasa_sdk import Action, Tracker
from rasa_sdk.events import Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.identification import tin_label
from actions.localization import format_date, tracker_language
from sigilo.access import AccessSummary, export_document, repository_from_env, summarise
from sigilo.consent.hook import RECEIPT_SLOT
from sigilo.consent.ledger import new_reference
from sigilo.inventory import Inventory, InventoryError, load_inventory
from sigilo.keys import MissingKeyError
from sigilo.tax_id import validate_tin
from sigilo.tracker_store.db import SchemaError
from sigilo.tracker_store.repository import ConversationUnreadable, Repository

logger = logging.getLogger(__name__)
# Slots that survive an erasure: they say nothing about the person.
KEPT_ON_ERASURE = ("language", "language_source")
WITHDRAWN_SLOT = "consent_withdrawn"
_CONSENT_RESPONSES = {
    "given": "utter_export_consent_given",
    "withdrawn": "utter_export_consent_withdrawn",
    "refused": "utter_export_consent_refused",
}


@functools.cache
def inventory() -> Inventory:
    """The data inventory, read once on first use (never at import)."""
    return load_inventory()


@functools.cache
def _repository(url: str | None) -> Repository:
    return repository_from_env(url)


def store_repository() -> Repository:
    """The tracker store Rasa writes to (``SIGILO_TRACKER_STORE_URL`` and the same keys).

    Connected on first use and reused; nothing is opened at import.
    """
    return _repository(os.environ.get("SIGILO_TRACKER_STORE_URL"))


class ActionDeleteData(Action):
    """Erases the conversation: confirms with the receipt's reference, then restarts.

    The ``Restarted`` event right after this action is the erasure marker the
    privacy tracker store acts on (it deletes every stored event and consent record
    of the consumer, and files the receipt under the reference passed here in
    ``erasure_receipt``); the conversation then goes on from an empty state, keeping
    only the language so the next reply is still understood.
    """

    def name(self) -> str:
        """Action name."""
        return "action_delete_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Confirms in the consumer's language and emits the restart."""
        reference = new_reference()
        dispatcher.utter_message(response="utter_data_deleted", receipt=reference)
        kept = [SlotSet(slot, tracker.get_slot(slot)) for slot in KEPT_ON_ERASURE]
        # The reference rides in this turn's events to the store's ledger hook, which
        # files the receipt; cleared at once, so the new conversation holds nothing.
        return [Restarted(), *kept, SlotSet(RECEIPT_SLOT, reference), SlotSet(RECEIPT_SLOT, None)]


class ActionWithdrawConsent(Action):
    """Withdraws consent at once: forgets every personal or consent-based slot."""

    def name(self) -> str:
        """Action name."""
        return "action_withdraw_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Clears the slots the inventory names, marks the withdrawal and confirms.

        The store's consent ledger records the withdrawal from the cleared consent
        slot; ``consent_withdrawn`` keeps the Messenger name from being read again
        until consent is given again.
        """
        dispatcher.utter_message(response="utter_consent_withdrawn")
        cleared = [SlotSet(slot, None) for slot in sorted(inventory().withdrawal_slots)]
        return [*cleared, SlotSet(WITHDRAWN_SLOT, True)]


def _read(sender_id: str) -> dict[str, Any] | None:
    """The export document, or None (logged) when the store cannot be read."""
    try:
        return export_document(store_repository(), sender_id, inventory())
    except (
        MissingKeyError,
        SchemaError,
        InventoryError,
        ConversationUnreadable,
        sqlalchemy.exc.SQLAlchemyError,
        OSError,
    ) as exc:
        # the type only: a message could quote a row or a URL with a password
        logger.warning("right of access: store unreadable (%s)", type(exc).__name__)
        return None


class ActionExportData(Action):
    """Right of access: says what is stored about the consumer right now."""

    def name(self) -> str:
        """Action name."""
        return "action_export_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Reads the stores and summarises, masked, what they hold."""
        document = await asyncio.to_thread(_read, tracker.sender_id)
        if document is None:
            dispatcher.utter_message(response="utter_export_unavailable")
            return []
        utter_summary(dispatcher, summarise(document), tracker_language(tracker))
        return []


def utter_summary(dispatcher: CollectingDispatcher, summary: AccessSummary, language: str) -> None:
    """One message per fact: the conversation, each personal value, consent, card data."""
    since = format_date((summary.since or datetime.now(timezone.utc)).date(), language)
    counts = {"message_count": summary.message_count, "since": since}
    if summary.card_values_stored:
        logger.error(
            "right of access: %d card value(s) found in the store", summary.card_values_stored
        )
    if not summary.has_personal_data:
        dispatcher.utter_message(response="utter_export_no_personal_data", **counts)
        if summary.card_values_stored:
            dispatcher.utter_message(response="utter_export_card_data_found")
        return
    dispatcher.utter_message(response="utter_export_summary", **counts)
    if summary.tin is not None:
        kind = validate_tin(summary.tin.value, ()).kind
        dispatcher.utter_message(
            response="utter_export_tin" if summary.tin.in_use else "utter_export_tin_unused",
            tin_kind=tin_label(kind),
            tin_last4=summary.tin.value[-4:],
        )
    if summary.first_name is not None:
        dispatcher.utter_message(response="utter_export_name", first_name=summary.first_name.value)
    if summary.consent_decision in _CONSENT_RESPONSES and summary.consent_at is not None:
        consent = inventory().consent
        label = consent.label.get(language, consent.label["en"]) if consent else ""
        dispatcher.utter_message(
            response=_CONSENT_RESPONSES[summary.consent_decision],
            date=format_date(summary.consent_at.date(), language),
            purpose=label,
        )
    dispatcher.utter_message(
        response="utter_export_card_data_found"
        if summary.card_values_stored
        else "utter_export_footer"
    )
