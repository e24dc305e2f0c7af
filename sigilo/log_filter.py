"""Redacting log records: no card number, tax id or similar secret reaches a log line.

:func:`install` swaps the log-record factory, so every record of every logger
(Rasa's, the action server's, ours) has its message and exception text redacted
when it is created, whatever handlers are configured later. The Rasa server gets it
from the privacy tracker store; the action server runs through this module::

    python -m sigilo.log_filter rasa_sdk --actions actions --port 5055
"""

from __future__ import annotations

import logging
import runpy
import sys
import traceback
from typing import Any

from sigilo.redaction import redact

_installed = False


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redacts a record's message (args merged in) and exception text, in place."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string must not break logging
        message = str(record.msg)
    cleaned = redact(message)
    if cleaned != message or record.args:
        record.msg, record.args = cleaned, ()
    if record.exc_info and not record.exc_text:
        text = "".join(traceback.format_exception(*record.exc_info))
        record.exc_text = redact(text.rstrip("\n"))
    return record


class RedactingFilter(logging.Filter):
    """A filter for handlers configured by file (``logging.config``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redacts and keeps the record."""
        redact_record(record)
        return True


def install() -> None:
    """Redacts every log record created from now on in this process (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True


def main(argv: list[str] | None = None) -> None:
    """Runs ``python -m MODULE ARGS...`` with the redacting filter installed."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        raise SystemExit("usage: python -m sigilo.log_filter MODULE [ARGS...]")
    install()
    sys.argv = [argv[0], *argv[1:]]
    runpy.run_module(argv[0], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
