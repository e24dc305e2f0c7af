"""The web chat's socket.io channel under the real Rasa server, spoken to on the wire.

What the widget sends and what no widget would: oversize text, attachments,
malformed packets, unknown events, payloads of the wrong shape, and metadata
or handshake headers carrying a name, an address, a user agent and a referrer.
Each gets a clear reply or is refused; the stored conversation (read from the
privacy store's SQLite file) keeps what it had and never holds those details.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from sigilo.channels.inbound import MAX_TEXT_CHARS
from tests.e2e.conftest import WebChat
from tests.support.socketio_client import SocketChat

pytestmark = pytest.mark.slow
CANNOT = "I can't help with that"
PHRASE = "quero ver minhas faturas "  # 25 characters
NEEDLES = {
    "ip": "203.0.113.7",
    "user_agent": "SigiloProbe/9.9 (X11; Linux x86_64)",
    "referrer": "https://referrer.example/landing?campaign=42",
    "customer_first_name": "Eveline",
}


def _user_texts(web_chat: WebChat, sender: str) -> list[str]:
    return [e.get("text") or "" for e in web_chat.db.events(sender) if e["event"] == "user"]


def _texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


async def test_oversize_message_is_cut_and_answered(web_chat: WebChat) -> None:
    async with SocketChat(web_chat.url) as chat:
        replies = await chat.say(PHRASE * 800, {"language": "pt"})  # 20,000 characters
    assert replies and _texts(replies).strip()
    # cut at 2,000 characters (25 * 80), then stripped by Rasa
    assert _user_texts(web_chat, chat.session_id) == [(PHRASE * (MAX_TEXT_CHARS // 25)).strip()]


@pytest.mark.parametrize(
    "message",
    [
        {"message": "", "attachment": {"type": "image", "payload": {"src": "https://cdn.example/p.png"}}},
        {"message": "", "files": ["data:image/png;base64,iVBORw0KGgo="]},
        {"message": {"sticker_id": 369239263222822, "url": "https://cdn.example/s.png"}},
        {"message": 12345},
    ],
    ids=["attachment", "file", "sticker", "number"],
)  # fmt: skip
async def test_attachments_and_stickers_get_a_clear_reply(web_chat: WebChat, message: dict) -> None:
    async with SocketChat(web_chat.url) as chat:
        text = message.pop("message")
        replies = await chat.say(text, {"language": "en"}, **message)
    assert CANNOT in _texts(replies)
    assert any(reply.get("quick_replies") for reply in replies)  # and the menu
    stored = web_chat.db.dump(chat.session_id)
    assert (
        "cdn.example" not in stored and "base64" not in stored and "369239263222822" not in stored
    )


async def test_bad_input_is_refused_and_nothing_stored_is_lost(web_chat: WebChat) -> None:
    async with SocketChat(web_chat.url) as chat:
        assert "Hi! I'm Sigilo" in _texts(await chat.say("hello", {"language": "en"}))
        before = web_chat.db.events(chat.session_id)
        for packet in (
            '42["user_uttered", {"message": "hi", ',  # malformed JSON
            "42{}",
            "42[]",
            "4x",
            "9",  # undecodable Engine.IO frames
            "x",
            "",
            "b!!",
            '42["user_uttered", ' + "[" * 100_000,  # nested past Python's recursion limit
            '42["no_such_event", {"message": "hi"}]',  # unknown event types
            '42["restart", {}]',
            '42["user_uttered"]',  # payloads of the wrong shape
            '42["user_uttered", "not json at all"]',
            '42["user_uttered", ["a", "list"]]',
            '42["user_uttered", {"message": "hi"}]',  # no session id
            '42["user_uttered", {"message": "hi", "session_id": {"$ne": null}}]',
            f'42["user_uttered", {{"message": "hi", "session_id": "{"x" * 500}"}}]',
            '42["user_uttered", {"message": "   ", "session_id": "' + chat.session_id + '"}]',
            '42["session_request", "garbage"]',
        ):
            await chat.send_raw(packet)
        assert await chat.silence() == []
        # the same socket still works, and the conversation kept everything it had
        assert "Delete my data" in json.dumps(await chat.say("/privacy_policy"))
    after = web_chat.db.events(chat.session_id)
    assert after[: len(before)] == before
    assert _user_texts(web_chat, chat.session_id) == ["hello", "/privacy_policy"]


async def test_only_the_language_of_the_metadata_is_used_and_stored(web_chat: WebChat) -> None:
    headers = {
        "User-Agent": NEEDLES["user_agent"],
        "X-Forwarded-For": NEEDLES["ip"],
        "X-Real-IP": NEEDLES["ip"],
        "Referer": NEEDLES["referrer"],
    }
    metadata = {"language": "pt", **NEEDLES, "userAgent": NEEDLES["user_agent"]}
    async with SocketChat(web_chat.url, headers=headers) as chat:
        replies = await chat.say("oi", metadata)
        assert "Olá! Eu sou o Sigilo" in _texts(replies)  # not "Olá, Eveline!"
        await chat.say("/privacy_policy", metadata)
    slots = web_chat.rasa.tracker(chat.session_id)["slots"]
    assert (slots["language"], slots["language_source"]) == ("pt", "metadata")
    assert slots["customer_first_name"] is None
    events = web_chat.db.events(chat.session_id)
    users = [event for event in events if event["event"] == "user"]
    # Rasa adds its own assistant and model ids; from the channel only the language is left
    channel_keys = [set(event["metadata"]) - {"assistant_id", "model_id"} for event in users]
    assert channel_keys == [{"language"}, {"language"}]
    assert all(event["metadata"]["language"] == "pt" for event in users)
    stored, raw = json.dumps(events, ensure_ascii=False), web_chat.db.raw()
    for needle in NEEDLES.values():
        assert needle not in stored, needle
        assert needle.encode() not in raw, needle
    assert chat.session_id.encode() not in raw


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_cors_allows_the_page_under_both_names(web_chat: WebChat, host: str) -> None:
    """The widget's first request (socket.io long-polling handshake) from each page origin."""
    origin = web_chat.page_url(host)
    request = urllib.request.Request(
        f"{web_chat.url}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.headers["Access-Control-Allow-Origin"] == origin
        assert answer.read().startswith(b"0{")


def test_cors_refuses_other_origins(web_chat: WebChat) -> None:
    request = urllib.request.Request(
        f"{web_chat.url}/socket.io/?EIO=4&transport=polling",
        headers={"Origin": "http://evil.example:8080"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.headers.get("Access-Control-Allow-Origin") is None
