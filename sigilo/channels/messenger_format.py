"""Shapes Rasa replies into Messenger Send API message objects."""

from __future__ import annotations

from typing import Any

MAX_TEXT = 2000  # Send API text limit
MAX_QUICK_REPLIES = 13
MAX_QUICK_REPLY_TITLE = 20


def text_chunks(text: str) -> list[str]:
    """Splits text on blank lines, then into parts of at most 2,000 characters."""
    parts = []
    for paragraph in (text or "").strip().split("\n\n"):
        paragraph = paragraph.strip()
        while paragraph:
            parts.append(paragraph[:MAX_TEXT])
            paragraph = paragraph[MAX_TEXT:]
    return parts or [" "]


def quick_reply_message(text: str, buttons: list[dict[str, Any]]) -> dict[str, Any]:
    """A text message with the buttons as quick replies (titles cut at 20 characters)."""
    replies = []
    for button in buttons[:MAX_QUICK_REPLIES]:
        title = str(button.get("title") or "").strip()
        payload = str(button.get("payload") or title)
        if not title:
            continue
        replies.append(
            {
                "content_type": "text",
                "title": title[:MAX_QUICK_REPLY_TITLE],
                "payload": payload[:1000],
            }
        )
    message: dict[str, Any] = {"text": (text or " ")[:MAX_TEXT]}
    if replies:
        message["quick_replies"] = replies
    return message
