"""What every Sigilo channel does to an incoming message before Rasa sees it.

Shared by the Messenger and the web chat connectors so both treat odd input the
same way: text is cut at :data:`MAX_TEXT_CHARS`, attachments and stickers (and
anything else that is not text) become :data:`ATTACHMENT_PAYLOAD`, whose reply
says what the bot can do; their URLs and contents are never passed on.
"""

from __future__ import annotations

from typing import Any

# Longer messages are cut before NLU: no real request is this long, and Messenger
# itself stops at 2,000 characters.
MAX_TEXT_CHARS = 2000
# Answered with utter_out_of_scope ("I can't help with that, but…" and the menu).
ATTACHMENT_PAYLOAD = "/out_of_scope"
# A conversation id a client may choose (the web widget's session id is 32 hex digits).
MAX_SENDER_ID_CHARS = 128


def cut_text(text: str) -> str:
    """``text`` cut at :data:`MAX_TEXT_CHARS` characters."""
    return text[:MAX_TEXT_CHARS]


def valid_sender_id(value: Any) -> str | None:
    """A printable sender id of at most 128 characters, else ``None``."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > MAX_SENDER_ID_CHARS or not value.isprintable():
        return None
    return value
