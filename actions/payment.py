"""Paying an invoice by card: ``card_form`` validation and the payment itself.

Card number, expiry and security code live in slots only while the form
runs; every path out of the form (paid, declined, failed, cancelled) clears
them. Only brand and last four digits are ever shown.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.company_api import (
    CardDeclined,
    CompanyApiError,
    CustomerNotFound,
    InvalidCard,
    InvoiceAlreadyPaid,
)
from actions.company_api_access import company_api
from actions.form_validation import SigiloFormValidation
from actions.invoices import identified_tin, utter_identification_gap, utter_invoice
from actions.localization import format_amount, tracker_language
from sigilo.payment_cards import (
    BRAND_LABELS,
    check_card_number,
    check_cvc,
    cvc_length,
    parse_expiry,
)

logger = logging.getLogger(__name__)

CARD_SLOTS = ("card_number", "card_expiry", "card_cvc", "card_brand", "card_last4")
_LABEL_TO_BRAND = {label: code for code, label in BRAND_LABELS.items()}


def clear_card_slots() -> list[dict[str, Any]]:
    """Events that forget every card slot."""
    return [SlotSet(slot, None) for slot in CARD_SLOTS]


def brand_code(tracker: Tracker) -> str | None:
    """Brand code of the card being entered (the slot holds its label)."""
    return _LABEL_TO_BRAND.get(tracker.get_slot("card_brand") or "")


class ValidateCardForm(SigiloFormValidation):
    """Validates ``card_form``: number (Luhn, brand), expiry, security code."""

    def name(self) -> str:
        """Action name."""
        return "validate_card_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """No card question without consent, a tax id and a chosen invoice."""
        if identified_tin(tracker) is None or not tracker.get_slot("invoice_id"):
            return []
        return domain_slots

    async def validate_card_number(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Accepts a Luhn-valid number of a known brand."""
        check = check_card_number(str(slot_value or ""))
        if check.reason == "brand":
            return self.reject(dispatcher, "card_number", "utter_invalid_card_number_brand")
        if check.reason:
            return self.reject(dispatcher, "card_number", "utter_invalid_card_number")
        return {
            "card_number": check.digits,
            "card_brand": BRAND_LABELS[check.brand or ""],
            "card_last4": check.last4,
        }

    async def validate_card_expiry(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Accepts MM/YY or MM/YYYY not in the past."""
        parsed = parse_expiry(str(slot_value or ""), date.today())
        if parsed == "past":
            return self.reject(dispatcher, "card_expiry", "utter_invalid_card_expiry_past")
        if isinstance(parsed, str):
            return self.reject(dispatcher, "card_expiry", "utter_invalid_card_expiry")
        month, year = parsed
        return {"card_expiry": f"{month:02d}/{year}"}

    async def validate_card_cvc(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Accepts a security code of the brand's length."""
        brand = brand_code(tracker)
        value = check_cvc(str(slot_value or ""), brand)
        if value is None:
            return self.reject(
                dispatcher, "card_cvc", "utter_invalid_card_cvc", cvc_length=cvc_length(brand)
            )
        return {"card_cvc": value}


class ActionAskCardCvc(Action):
    """Asks for the security code, saying how many digits this brand uses."""

    def name(self) -> str:
        """Action name."""
        return "action_ask_card_cvc"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utters ``utter_ask_card_cvc`` with the expected length."""
        dispatcher.utter_message(
            response="utter_ask_card_cvc", cvc_length=cvc_length(brand_code(tracker))
        )
        return []


def idempotency_key(tracker: Tracker, invoice_id: str) -> str:
    """A key that is the same when Rasa retries this payment, new per attempt.

    It is derived from the moment this card form started, so a retried action
    reuses it and the company API never charges twice.
    """
    started = next(
        (
            str(event.get("timestamp"))
            for event in reversed(tracker.events)
            if event.get("event") == "active_loop" and event.get("name") == "card_form"
        ),
        "",
    )
    material = f"{tracker.sender_id}|{invoice_id}|{started}".encode()
    return hashlib.sha256(material).hexdigest()[:40]


class ActionPayInvoice(Action):
    """Tokenizes the card once, pays with an idempotency key, forgets the card."""

    def name(self) -> str:
        """Action name."""
        return "action_pay_invoice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Pays, confirms with brand and last four only, and clears card slots."""
        try:
            self._pay(dispatcher, tracker)
        except Exception as error:
            # Only the type is logged: the exception may carry card data.
            logger.error("payment failed unexpectedly: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_try_again_later")
        return [*clear_card_slots(), SlotSet("invoice_id", None)]

    @staticmethod
    def _pay(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        identity = identified_tin(tracker)
        invoice_id = tracker.get_slot("invoice_id")
        number, expiry, cvc = (tracker.get_slot(slot) for slot in CARD_SLOTS[:3])
        if identity is None:
            utter_identification_gap(dispatcher, tracker)
            return
        if not invoice_id or not number or not expiry or not cvc:
            dispatcher.utter_message(response="utter_payment_cancelled")
            return
        language = tracker_language(tracker)
        brand_label = tracker.get_slot("card_brand")
        last4 = tracker.get_slot("card_last4")
        month, year = (int(part) for part in expiry.split("/"))
        try:
            api = company_api()
            customer = api.find_customer(*identity)
            invoices = {invoice.id: invoice for invoice in api.open_invoices(customer.id)}
            invoice = invoices.get(invoice_id)
            if invoice is None:
                # A button from an old menu, or someone else's invoice id.
                dispatcher.utter_message(response="utter_invoice_unknown")
                for other in invoices.values():
                    utter_invoice(dispatcher, other, language)
                if not invoices:
                    dispatcher.utter_message(response="utter_no_open_invoices")
                return
            token = api.tokenize_card(number, month, year, cvc)
            payment = api.pay_invoice(invoice.id, token.token, idempotency_key(tracker, invoice.id))
        except (CardDeclined, InvalidCard):
            dispatcher.utter_message(
                response="utter_payment_declined",
                brand=brand_label,
                last4=last4,
                invoice_id=invoice_id,
            )
            return
        except InvoiceAlreadyPaid:
            dispatcher.utter_message(response="utter_invoice_already_paid")
            return
        except CustomerNotFound:
            dispatcher.utter_message(response="utter_invoice_unknown")
            return
        except CompanyApiError as error:
            logger.warning("company API failed during payment: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_try_again_later")
            return
        dispatcher.utter_message(
            response="utter_payment_succeeded",
            number=invoice.number,
            amount=format_amount(invoice.amount, language),
            currency=invoice.currency,
            brand=brand_label,
            last4=last4,
            payment_id=payment.id,
        )


class ActionClearCardData(Action):
    """Forgets card data when the card form is left without paying."""

    def name(self) -> str:
        """Action name."""
        return "action_clear_card_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Clears every card slot."""
        return clear_card_slots()
