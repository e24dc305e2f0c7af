"""``action_check_invoices``: lists the identified consumer's unpaid invoices."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.company_api import CompanyApiError, CustomerNotFound, Invoice
from actions.company_api_access import company_api
from actions.identification import tin_label
from actions.localization import format_amount, format_date, tracker_language
from sigilo.tax_id import validate_tin

logger = logging.getLogger(__name__)


def identified_tin(tracker: Tracker) -> tuple[str, str] | None:
    """Returns ``(country, tin)`` when consent is given and a tax id is known."""
    tin, country = tracker.get_slot("tin"), tracker.get_slot("tin_country")
    if tracker.get_slot("consent_given") is not True or not tin or not country:
        return None
    return country, tin


def utter_identification_gap(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Explains why nothing personal can be looked up.

    Without consent the consumer is offered what works without personal data;
    with consent but no valid tax id the form has already offered a person.
    """
    if tracker.get_slot("consent_given") is not True:
        dispatcher.utter_message(response="utter_consent_refused")


def utter_customer_not_found(dispatcher: CollectingDispatcher, country: str, tin: str) -> None:
    """Says the valid tax id is not a customer, showing its last digits only."""
    kind = validate_tin(tin, (country,)).kind
    dispatcher.utter_message(
        response="utter_customer_not_found", tin_kind=tin_label(kind), tin_last4=tin[-4:]
    )


def utter_invoice(dispatcher: CollectingDispatcher, invoice: Invoice, language: str) -> None:
    """One message per invoice, with its own "Pay" button."""
    response = "utter_invoice_overdue" if invoice.status == "overdue" else "utter_invoice_open"
    dispatcher.utter_message(
        response=response,
        number=invoice.number,
        amount=format_amount(invoice.amount, language),
        currency=invoice.currency,
        due_date=format_date(invoice.due_date, language),
        invoice_id=invoice.id,
    )


class ActionCheckInvoices(Action):
    """Looks the consumer up by tax id and lists unpaid invoices."""

    def name(self) -> str:
        """Action name."""
        return "action_check_invoices"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Lists invoices, or explains why it cannot; never shows backend errors."""
        identity = identified_tin(tracker)
        if identity is None:
            utter_identification_gap(dispatcher, tracker)
            return []
        country, tin = identity
        language = tracker_language(tracker)
        try:
            api = company_api()
            customer = api.find_customer(country, tin)
            invoices = api.open_invoices(customer.id)
        except CustomerNotFound:
            utter_customer_not_found(dispatcher, country, tin)
            return []
        except CompanyApiError as error:
            # The type only: messages may carry request details.
            logger.warning("company API failed listing invoices: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_try_again_later")
            return [SlotSet("api_status", "unavailable")]

        if not invoices:
            dispatcher.utter_message(response="utter_no_open_invoices")
        else:
            dispatcher.utter_message(response="utter_invoices_header", count=len(invoices))
            for invoice in invoices:
                utter_invoice(dispatcher, invoice, language)
            if tracker.get_slot("requested_feature") == "payment":
                dispatcher.utter_message(response="utter_choose_invoice_to_pay")
        return [SlotSet("api_status", "ok"), SlotSet("invoice_id", None)]
