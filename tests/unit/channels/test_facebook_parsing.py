"""Messenger signatures and event parsing, without a server."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from sigilo.channels import signature
from sigilo.channels.facebook import (
    ATTACHMENT_PAYLOAD,
    MAX_TEXT_CHARS,
    event_text,
    messaging_events,
)
from sigilo.channels.graph import clean_first_name
from sigilo.channels.messenger_format import quick_reply_message, text_chunks
from sigilo.channels.signature import sign, verify_signature

SECRET = "app-secret"
BODY = b'{"object": "page", "entry": []}'


def test_sha256_signature_is_accepted() -> None:
    assert verify_signature(SECRET, BODY, {"X-Hub-Signature-256": sign(SECRET, BODY)})


def test_sha1_is_accepted_only_when_it_is_all_that_is_sent() -> None:
    sha1 = sign(SECRET, BODY, "sha1")
    assert verify_signature(SECRET, BODY, {"x-hub-signature": sha1})
    wrong_256 = "sha256=" + "0" * 64
    assert not verify_signature(
        SECRET, BODY, {"X-Hub-Signature-256": wrong_256, "X-Hub-Signature": sha1}
    )


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Hub-Signature-256": ""},
        {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        {"X-Hub-Signature-256": sign("other-secret", BODY)},
        {"X-Hub-Signature-256": sign(SECRET, BODY + b" ")},
        # the header never chooses the hash function
        {"X-Hub-Signature": "md5=" + hmac.new(SECRET.encode(), BODY, hashlib.md5).hexdigest()},
        {"X-Hub-Signature-256": "sha1=" + sign(SECRET, BODY, "sha1")[5:]},
        {"X-Hub-Signature-256": "sha256=é" + sign(SECRET, BODY)[8:]},
    ],
    ids=["unsigned", "empty", "zeros", "other-secret", "other-body", "md5", "sha1-as-256", "utf8"],
)
def test_bad_signatures_are_refused(headers: dict[str, str]) -> None:
    assert not verify_signature(SECRET, BODY, headers)


def test_empty_secret_never_validates() -> None:
    assert not verify_signature("", BODY, {"X-Hub-Signature-256": sign("", BODY)})


def test_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return original(a, b)

    monkeypatch.setattr(signature.hmac, "compare_digest", spy)
    assert verify_signature(SECRET, BODY, {"X-Hub-Signature-256": sign(SECRET, BODY)})
    assert len(seen) == 1


IMAGE = {"type": "image", "payload": {"url": "https://x/y.png"}}


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"message": {"mid": "m", "text": "hola"}}, "hola"),
        ({"message": {"text": "Privacy", "quick_reply": {"payload": "/privacy"}}}, "/privacy"),
        ({"postback": {"title": "Get started", "payload": "/greet"}}, "/greet"),
        ({"message": {"is_echo": True, "text": "bot said"}}, None),
        ({"delivery": {"mids": ["m"], "watermark": 1}}, None),
        ({"read": {"watermark": 1}}, None),
        ({"reaction": {"reaction": "love"}}, None),
        ({"message": {"attachments": [IMAGE]}}, ATTACHMENT_PAYLOAD),
        ({"message": {"sticker_id": 369239263222822, "attachments": [IMAGE]}}, ATTACHMENT_PAYLOAD),
        ({"message": {"text": "   "}}, None),
        ({"message": "not a dict"}, None),
    ],
)  # fmt: skip
def test_event_kinds(event: dict, expected: str | None) -> None:
    assert event_text(event) == expected


def test_oversize_text_is_cut() -> None:
    assert len(event_text({"message": {"text": "a" * 20_000}}) or "") == MAX_TEXT_CHARS


def test_quick_replies_respect_messenger_limits() -> None:
    buttons = [{"title": f"Option number {i} is long", "payload": f"/p{i}"} for i in range(20)]
    message = quick_reply_message("Pick", buttons)
    assert len(message["quick_replies"]) == 13
    assert all(len(reply["title"]) <= 20 for reply in message["quick_replies"])
    assert message["quick_replies"][0]["payload"] == "/p0"


def test_long_text_is_split() -> None:
    assert [len(part) for part in text_chunks("a" * 4500 + "\n\nb")] == [2000, 2000, 500, 1]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("  Ana ", "Ana"), ("Jo\x00ão", "João"), ("", None), (None, None), ("x" * 80, "x" * 50)],
)
def test_first_name_is_cleaned(raw: object, clean: str | None) -> None:
    assert clean_first_name(raw) == clean


def test_messenger_mid_becomes_the_message_id_so_a_redelivery_is_recognised() -> None:
    event = {"sender": {"id": "1234567890"}, "message": {"mid": "m_abc", "text": "oi"}}
    postback = {"sender": {"id": "1234567890"}, "postback": {"mid": "m_pb", "payload": "/greet"}}
    odd = {"sender": {"id": "1234567890"}, "message": {"mid": 42, "text": "hi"}}
    payload = {"object": "page", "entry": [{"messaging": [event, postback, odd, event]}]}
    assert messaging_events(payload) == [
        ("1234567890", "oi", "m_abc"),
        ("1234567890", "/greet", "m_pb"),
        ("1234567890", "hi", None),
        ("1234567890", "oi", "m_abc"),
    ]
