"""Search filters (validated from untrusted input) and the query on the index table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sigilo.console.index import CONSENT_STATES
from sigilo.console.schema import conversation_index

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
FILTER_NAMES = frozenset(
    {"from", "to", "channel", "language", "consent", "personal", "sender_id", "page", "page_size"}
)


class FilterError(ValueError):
    """A malformed filter; the message names it."""


@dataclass(frozen=True)
class Filters:
    """Validated search filters (``date_to`` inclusive)."""

    date_from: date | None = None
    date_to: date | None = None
    channel: str | None = None
    language: str | None = None
    consent: str | None = None
    personal: bool | None = None
    sender_id: str | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def _date(name: str, value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise FilterError(f"{name}: a date as YYYY-MM-DD, not {str(value)[:40]!r}") from None


def _int(name: str, value: Any, default: int, high: int) -> int:
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        raise FilterError(f"{name}: a whole number")
    try:
        number = int(str(value))
    except ValueError:
        raise FilterError(f"{name}: a whole number, not {str(value)[:40]!r}") from None
    if not 1 <= number <= high:
        raise FilterError(f"{name}: 1 to {high}, not {number}")
    return number


def _text(name: str, value: Any, size: int) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > size or not value.isprintable():
        raise FilterError(f"{name}: a short text (at most {size} characters)")
    return value.strip() or None


def _bool(name: str, value: Any) -> bool | None:
    if value in (None, "", "any"):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise FilterError(f"{name}: true or false")


def parse_filters(raw: dict[str, Any]) -> Filters:
    """Filters from a JSON object or form.

    Raises:
        FilterError: unknown filter, malformed value, page size over the maximum.
    """
    if not isinstance(raw, dict):
        raise FilterError("filters must be an object")
    unknown = set(raw) - FILTER_NAMES
    if unknown:
        raise FilterError(f"unknown filter(s): {', '.join(sorted(map(str, unknown)))[:100]}")
    consent = _text("consent", raw.get("consent"), 16)
    if consent not in (None, "any") and consent not in CONSENT_STATES:
        raise FilterError(f"consent: one of {', '.join(CONSENT_STATES)}")
    filters = Filters(
        date_from=_date("from", raw.get("from")),
        date_to=_date("to", raw.get("to")),
        channel=_text("channel", raw.get("channel"), 32),
        language=_text("language", raw.get("language"), 8),
        consent=None if consent == "any" else consent,
        personal=_bool("personal", raw.get("personal")),
        sender_id=_text("sender_id", raw.get("sender_id"), 256),
        page=_int("page", raw.get("page"), 1, 1_000_000),
        page_size=_int("page_size", raw.get("page_size"), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise FilterError("from: must not be after to")
    return filters


def _epoch(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp()


def run_search(engine: Engine, filters: Filters, pseudonym: str | None) -> dict[str, Any]:
    """One page of index rows matching ``filters`` (``pseudonym``: of the typed sender id).

    A conversation matches a date range when it had activity in it.
    """
    c = conversation_index.c
    where: list[Any] = []
    if pseudonym is not None:
        where.append(c.pseudonym == pseudonym)
    if filters.date_from:
        where.append(c.last_event_at >= _epoch(filters.date_from))
    if filters.date_to:
        where.append(c.first_event_at < _epoch(filters.date_to + timedelta(days=1)))
    for column, value in ((c.channel, filters.channel), (c.language, filters.language)):
        if value is not None:
            where.append(column == value)
    if filters.consent is not None:
        where.append(c.consent == filters.consent)
    if filters.personal is not None:
        where.append(c.holds_personal == filters.personal)
    with engine.connect() as conn:
        total = conn.execute(
            sa.select(sa.func.count()).select_from(conversation_index).where(*where)
        ).scalar_one()
        rows = conn.execute(
            sa.select(conversation_index)
            .where(*where)
            .order_by(c.last_event_at.desc(), c.pseudonym)
            .offset((filters.page - 1) * filters.page_size)
            .limit(filters.page_size)
        ).all()
    return {
        "total": total,
        "page": filters.page,
        "page_size": filters.page_size,
        "conversations": [summary(row._mapping) for row in rows],
    }


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, timezone.utc).isoformat(timespec="seconds")


def summary(row: Any) -> dict[str, Any]:
    """An index row as the API shows it (nothing personal in it)."""
    return {
        "pseudonym": row["pseudonym"],
        "first_event_at": _iso(row["first_event_at"]),
        "last_event_at": _iso(row["last_event_at"]),
        "channel": row["channel"],
        "language": row["language"],
        "consent": row["consent"],
        "holds_personal": bool(row["holds_personal"]),
        "personal_slots": [n for n in row["personal_slots"].split(",") if n],
    }
