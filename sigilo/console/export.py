"""Export of portability documents as JSON, CSV or Excel (``openpyxl``).

Cells that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, tab, CR)
are prefixed with an apostrophe in CSV and Excel, so a consumer's message cannot run
as a formula on the operator's machine.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any, BinaryIO

FORMATS = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EVENT_COLUMNS = (
    "conversation",
    "sender_id",
    "session",
    "time",
    "actor",
    "intent",
    "text",
    "slot",
    "value",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportError(ValueError):
    """Unknown format."""


def check_format(name: str) -> str:
    """The format name, lower case; raises :class:`ExportError` if unknown."""
    value = str(name or "").strip().lower()
    if value not in FORMATS:
        raise ExportError(f"format: one of {', '.join(FORMATS)}")
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def event_rows(document: dict[str, Any]) -> Iterable[list[Any]]:
    """One row per transcript line of a document, in :data:`EVENT_COLUMNS` order."""
    for line in document.get("events", []):
        yield [
            _cell(v)
            for v in (
                document.get("conversation"),
                document.get("sender_id"),
                line.get("session"),
                line.get("time"),
                line.get("actor"),
                line.get("intent"),
                line.get("text"),
                line.get("slot"),
                line.get("value"),
            )
        ]


def write(documents: Iterable[dict[str, Any]], fmt: str, out: BinaryIO) -> int:
    """Writes the documents to ``out`` in ``fmt``; returns how many were written."""
    fmt = check_format(fmt)
    if fmt == "json":
        return _write_json(documents, out)
    if fmt == "csv":
        return _write_csv(documents, out)
    return _write_xlsx(documents, out)


def _write_json(documents: Iterable[dict[str, Any]], out: BinaryIO) -> int:
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    out.write(b'{"format": "sigilo-export/1", "exported_at": "' + stamp.encode())
    out.write(b'", "documents": [')
    count = 0
    for document in documents:
        out.write((b", " if count else b"") + json.dumps(document, ensure_ascii=False).encode())
        count += 1
    out.write(b"]}\n")
    return count


def _write_csv(documents: Iterable[dict[str, Any]], out: BinaryIO) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(EVENT_COLUMNS)
    count = 0
    for document in documents:
        writer.writerows(event_rows(document))
        count += 1
    text.detach()
    return count


def _write_xlsx(documents: Iterable[dict[str, Any]], out: BinaryIO) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    people = book.create_sheet("conversations")
    people.append(["conversation", "sender_id", "sessions", "personal_data", "exported_at"])
    lines = book.create_sheet("events")
    lines.append(list(EVENT_COLUMNS))
    count = 0
    for document in documents:
        people.append(
            [
                _cell(document.get("conversation")),
                _cell(document.get("sender_id")),
                document.get("sessions", 0),
                _cell(document.get("personal_data") or {}),
                _cell(document.get("exported_at")),
            ]
        )
        for row in event_rows(document):
            lines.append(row)
        count += 1
    book.save(out)
    return count
