"""The web chat connector's input handling, on a real ``socketio.AsyncServer`` without Rasa."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import yaml

from sigilo.channels.credentials import effective_credentials
from sigilo.channels.inbound import ATTACHMENT_PAYLOAD, MAX_TEXT_CHARS
from sigilo.channels.socketio import (
    SigiloAsyncServer,
    SigiloSocketIOInput,
    message_text,
    safe_metadata,
)
from tests.support.processes import REPO_ROOT


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"message": "hola"}, "hola"),
        ({"message": "/privacy_policy"}, "/privacy_policy"),
        ({"message": "a" * 20_000}, "a" * MAX_TEXT_CHARS),
        ({"message": "", "attachment": {"type": "image", "payload": {"src": "https://x/y"}}},
         ATTACHMENT_PAYLOAD),
        ({"message": "look", "files": ["data:image/png;base64,AAAA"]}, "look"),
        ({"files": ["data:image/png;base64,AAAA"]}, ATTACHMENT_PAYLOAD),
        ({"message": {"sticker": 1}}, ATTACHMENT_PAYLOAD),
        ({"message": 42}, ATTACHMENT_PAYLOAD),
        ({"message": ["a", "b"]}, ATTACHMENT_PAYLOAD),
        ({"message": "   "}, None),
        ({}, None),
    ],
)  # fmt: skip
def test_message_text(data: dict[str, Any], expected: str | None) -> None:
    assert message_text(data) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"language": "pt"}, {"language": "pt"}),
        ('{"language": "es"}', {"language": "es"}),
        (
            {
                "language": "pt-BR",
                "user_agent": "Mozilla/5.0",
                "userAgent": "Mozilla/5.0",
                "ip": "203.0.113.7",
                "referrer": "https://ref.example/",
                "url": "http://127.0.0.1:8080/",
                "customer_first_name": "Eve",
            },
            {"language": "pt-BR"},
        ),
        ({"language": "x" * 200}, {}),
        ({"language": ["pt"]}, {}),
        ("{not json", {}),
        ("[" * 100_000, {}),
        (b"\xff", {}),
        (["language", "pt"], {}),
        (None, {}),
    ],
)
def test_only_the_language_survives_in_the_metadata(raw: Any, expected: dict[str, str]) -> None:
    assert safe_metadata(raw) == expected


def _channel(session_persistence: bool = True) -> SigiloSocketIOInput:
    channel = SigiloSocketIOInput.from_credentials(
        {"session_persistence": session_persistence, "metadata_key": "customData"}
    )
    assert isinstance(channel, SigiloSocketIOInput)
    channel.sio = SigiloAsyncServer(async_mode="asgi")
    return channel


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("not json",),
        ("[" * 100_000,),
        ('["a list"]',),
        (42,),
        ({"message": "hi"},),  # no session id
        ({"message": "hi", "session_id": {"$gt": ""}},),
        ({"message": "hi", "session_id": "x" * 500},),
        ({"message": "hi", "session_id": "a\nb"},),
        ({"message": "", "session_id": "s1"},),
    ],
)
def test_unusable_messages_reach_nobody(args: tuple[Any, ...]) -> None:
    assert _channel()._user_message("sid-1", args) is None


def test_a_widget_message_becomes_a_bounded_user_message() -> None:
    data = {
        "message": "b" * 5000,
        "session_id": "0123abcd",
        "customData": {"language": "es", "referrer": "https://ref.example/"},
    }
    message = _channel()._user_message("sid-1", (data,))
    assert message is not None
    assert (message.sender_id, message.input_channel) == ("0123abcd", "socketio")
    assert message.text == "b" * MAX_TEXT_CHARS
    assert message.metadata == {"language": "es"}


def test_without_session_persistence_the_socket_is_the_sender() -> None:
    message = _channel(False)._user_message("sid-9", ({"message": "hi", "session_id": "x"},))
    assert message is not None and message.sender_id == "sid-9"


async def test_session_request_joins_the_room_and_confirms(monkeypatch: Any) -> None:
    channel = _channel()
    joined: list[tuple[str, str]] = []
    emitted: list[tuple[str, Any, str]] = []

    def enter_room(sid: str, room: str, namespace: Any = None) -> None:
        joined.append((sid, room))

    monkeypatch.setattr(channel.sio, "enter_room", enter_room)

    async def emit(event: str, data: Any, room: str, namespace: Any = None) -> None:
        emitted.append((event, data, room))

    monkeypatch.setattr(channel.sio, "emit", emit)
    await channel._session_request("sid-1", {"session_id": "abc123"})
    await channel._session_request("sid-2", "garbage")
    await channel._session_request("sid-3", {"session_id": {"no": 1}})
    assert joined[0] == ("sid-1", "abc123")
    assert emitted[0] == ("session_confirm", "abc123", "sid-1")
    # bad requests get a fresh session id, as the stock channel gives one when none is sent
    fresh = [data for _, data, _ in emitted[1:]]
    assert all(len(value) == 32 and value != "abc123" for value in fresh)
    assert [room for _, room in joined[1:]] == fresh


async def test_an_awaitable_enter_room_is_awaited(monkeypatch: Any) -> None:
    """python-socketio >= 5.10 made enter_room a coroutine; Rasa 3.6 never awaits it."""
    channel = _channel()
    awaited: list[str] = []

    async def enter_room(sid: str, room: str, namespace: Any = None) -> None:
        awaited.append(room)

    async def emit(*args: Any, **kwargs: Any) -> None:
        pass

    monkeypatch.setattr(channel.sio, "enter_room", enter_room)
    monkeypatch.setattr(channel.sio, "emit", emit)
    await channel._session_request("sid-1", {"session_id": "room-1"})
    assert awaited == ["room-1"]


@pytest.mark.parametrize(
    "packet",
    [
        '42["user_uttered", {',
        "42{}",
        "42[]",
        "4x",
        "9",
        '42["user_uttered"',
        "42" + "[" * 50,
        "42" + "[" * 100_000,
    ],
)
async def test_undecodable_packets_are_refused_in_one_line(
    packet: str, caplog: pytest.LogCaptureFixture
) -> None:
    server = SigiloAsyncServer(async_mode="asgi")
    with caplog.at_level(logging.WARNING):
        await server._handle_eio_message("eio-1", packet)
    assert all(record.exc_info is None for record in caplog.records)


def test_credentials_name_the_sigilo_connectors() -> None:
    source = yaml.safe_load((REPO_ROOT / "credentials.yml").read_text())
    assert "sigilo.channels.socketio.SigiloSocketIOInput" in source
    assert "socketio" not in source and "facebook" not in source
    # a stock section is written under Sigilo's connector
    kept, _ = effective_credentials({"socketio": {"session_persistence": True}, "rest": None}, {})
    assert list(kept) == ["sigilo.channels.socketio.SigiloSocketIOInput", "rest"]
    kept, skipped = effective_credentials({"facebook": {"secret": "${FB_SECRET}"}}, {})
    assert kept == {} and skipped == {"sigilo.channels.facebook.SigiloFacebookInput": ["FB_SECRET"]}
