"""Language-aware formatting of values the actions pass into responses.

The words live in the domain's responses; only numbers and dates are
formatted here, because a response template cannot format them.
"""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

from rasa_sdk import Tracker

SUPPORTED_LANGUAGES = ("es", "pt", "en")
FALLBACK_LANGUAGE = "en"


def default_language() -> str:
    """Returns the configured default language (``SIGILO_DEFAULT_LANGUAGE``).

    An unsupported value falls back to English rather than failing a turn.
    """
    value = os.environ.get("SIGILO_DEFAULT_LANGUAGE", FALLBACK_LANGUAGE).strip().lower()
    return value if value in SUPPORTED_LANGUAGES else FALLBACK_LANGUAGE


def normalise_language(value: object) -> str | None:
    """Maps a locale such as ``pt-BR``, ``es_AR`` or ``EN`` to a supported code."""
    if not isinstance(value, str) or not value.strip():
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if code in SUPPORTED_LANGUAGES else None


def tracker_language(tracker: Tracker) -> str:
    """The conversation's language, or the configured default."""
    return normalise_language(tracker.get_slot("language")) or default_language()


def format_amount(amount: Decimal, language: str) -> str:
    """Formats an amount with the decimal separator readers expect.

    Spanish and Portuguese write 1.234,56; English writes 1,234.56.
    """
    text = f"{amount:,.2f}"
    if language in ("es", "pt"):
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_date(value: date, language: str) -> str:
    """Formats a date as dd/mm/yyyy (es, pt) or yyyy-mm-dd (en, unambiguous)."""
    if language in ("es", "pt"):
        return value.strftime("%d/%m/%Y")
    return value.isoformat()
