"""The Messenger connector in a real Rasa server, replying to a fake Graph API.

Webhook bodies are signed (or not) like Meta signs them and posted to
``/webhooks/facebook/webhook``; the replies are read from the fake Graph API and
the stored conversation from Sigilo's privacy tracker store, a SQLite file read
both raw (what a dump shows) and decrypted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sigilo.channels.credentials import write_effective_credentials
from sigilo.channels.signature import sign
from tests.support.fake_graph import FakeGraph, fake_graph_api
from tests.support.processes import (
    free_port,
    rasa_command,
    repo_env,
    run_action_server,
    start_service,
)
from tests.support.store_db import StoreDb

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SECRET, VERIFY, PAGE_TOKEN = "test-app-secret", "test-verify-token", "test-page-token"
# Names long enough that finding one in the raw database file is no accident.
PROFILES = {
    "psid-ana": {"first_name": "Anabela", "locale": "pt_BR"},
    "psid-bob": {"first_name": "Bartholomew", "locale": "en_US"},
}
CANNOT = "I can't help with that"
START_MENU = {"/check_invoices", "/pay_invoice", "/privacy_policy", "/human_handoff"}


@dataclass
class Messenger:
    """The running server, its fake Graph API and helpers to talk to it."""

    url: str
    token: str
    graph: FakeGraph
    db: StoreDb

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """Posts a raw webhook body; returns status and answer."""
        request = urllib.request.Request(
            f"{self.url}/webhooks/facebook/webhook",
            data=body,
            headers={"Content-Type": "application/json", **headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def send(self, psid: str, *events: dict[str, Any], algorithm: str = "sha256") -> int:
        """Posts ``events`` from ``psid``, correctly signed."""
        body = page_body(psid, *events)
        header = "X-Hub-Signature-256" if algorithm == "sha256" else "X-Hub-Signature"
        return self.post(body, {header: sign(SECRET, body, algorithm)})[0]

    def events(self, psid: str) -> list[dict[str, Any]]:
        """The stored events of one conversation, decrypted from the database (all sessions)."""
        return self.db.events(psid)

    def slots(self, psid: str) -> dict[str, Any]:
        """Current slot values."""
        request = urllib.request.Request(
            f"{self.url}/conversations/{psid}/tracker?token={self.token}"
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())["slots"]


def page_body(psid: str, *events: dict[str, Any]) -> bytes:
    """A webhook body with ``events`` from ``psid``."""
    messaging = [
        {"sender": {"id": psid}, "recipient": {"id": "page-1"}, "timestamp": 1, **event}
        for event in events
    ]
    return json.dumps(
        {"object": "page", "entry": [{"id": "page-1", "messaging": messaging}]}
    ).encode()


def text(value: str) -> dict[str, Any]:
    """A text message event."""
    return {"message": {"mid": f"m-{uuid.uuid4().hex[:8]}", "text": value}}


def user_texts(events: list[dict[str, Any]]) -> list[str]:
    """Texts of the stored user messages."""
    return [event.get("text") or "" for event in events if event.get("event") == "user"]


@pytest.fixture(scope="module")
def messenger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Messenger]:
    """Rasa (trained model) + action server, Messenger on, Graph API faked."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from model import ensure_model
    finally:
        sys.path.pop(0)
    model = ensure_model()
    folder = tmp_path_factory.mktemp("messenger")
    db = StoreDb.create(folder)
    with fake_graph_api(PAGE_TOKEN, PROFILES) as graph:
        env = repo_env(
            {
                **db.env,
                "FACEBOOK_VERIFY_TOKEN": VERIFY,
                "FACEBOOK_APP_SECRET": SECRET,
                "FACEBOOK_PAGE_ACCESS_TOKEN": PAGE_TOKEN,
                "SIGILO_GRAPH_API_URL": graph.url,
                "SIGILO_DEFAULT_LANGUAGE": "en",
                "SIGILO_COMPANY_API_URL": f"http://127.0.0.1:{free_port()}",
                "SIGILO_COMPANY_API_TOKEN": "unused",
            }
        )
        credentials = folder / "credentials.yml"
        assert not write_effective_credentials(ROOT / "credentials.yml", credentials, env)
        actions_port, port, token = free_port(), free_port(), secrets.token_urlsafe(16)
        (folder / "endpoints.yml").write_text(
            f"action_endpoint:\n  url: http://127.0.0.1:{actions_port}/webhook\n"
            + db.endpoints_yaml()
        )
        rasa = rasa_command(
            port,
            endpoints=folder / "endpoints.yml",
            credentials=credentials,
            token=token,
            model=model,
        )
        with (
            run_action_server(env, port=actions_port, timeout=60),
            start_service(rasa, f"http://127.0.0.1:{port}/", env=env, timeout=240) as server,
        ):
            yield Messenger(f"http://127.0.0.1:{port}", token, graph, db)
            assert "Traceback" not in server.log_text(200_000)


def test_verification_needs_the_verify_token(messenger: Messenger) -> None:
    base = f"{messenger.url}/webhooks/facebook/webhook?hub.mode=subscribe&hub.challenge=42"
    with urllib.request.urlopen(f"{base}&hub.verify_token={VERIFY}", timeout=10) as answer:
        assert answer.read() == b"42"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{base}&hub.verify_token=guess", timeout=10)
    assert refused.value.code == 403


def _md5_signed(body: bytes) -> dict[str, str]:
    return {"X-Hub-Signature": "md5=" + hmac.new(SECRET.encode(), body, hashlib.md5).hexdigest()}


def _sha1_signed_wrong_256(body: bytes) -> dict[str, str]:
    return {"X-Hub-Signature": sign(SECRET, body, "sha1"), "X-Hub-Signature-256": sign("x", body)}


def _sha1_in_256_header(body: bytes) -> dict[str, str]:
    return {"X-Hub-Signature-256": "sha1=" + sign(SECRET, body, "sha1")[5:]}


@pytest.mark.parametrize(
    "headers",
    [
        lambda body: {},
        lambda body: {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        lambda body: {"X-Hub-Signature-256": sign("not-the-secret", body)},
        lambda body: {"X-Hub-Signature-256": sign(SECRET, body + b" ")},
        _md5_signed,  # a real md5 HMAC of this very body: the header never picks the hash
        _sha1_signed_wrong_256,  # SHA-1 counts only when nothing else is sent
        _sha1_in_256_header,
    ],
    ids=["unsigned", "zeros", "other-secret", "other-body", "md5", "sha1+bad-256", "sha1-as-256"],
)
def test_bad_signature_gets_403_and_stores_nothing(messenger: Messenger, headers: Any) -> None:
    psid = f"psid-intruder-{uuid.uuid4().hex[:6]}"
    body = page_body(psid, text("intruder was here"))
    status, answer = messenger.post(body, headers(body))
    assert status == 403 and b"signature" in answer
    assert messenger.events(psid) == []
    assert psid.encode() not in messenger.db.raw()
    assert messenger.graph.sent(psid) == []
    assert messenger.graph.profile_lookups(psid) == 0


def test_first_message_greets_by_profile_name_in_profile_language(messenger: Messenger) -> None:
    assert (
        messenger.send("psid-ana", {"postback": {"title": "Começar", "payload": "/greet"}}) == 200
    )
    sent = messenger.graph.wait_sent("psid-ana", 2)
    assert sent[0]["text"].startswith("Olá, Anabela!")
    # the start menu as quick replies
    menu = next(message for message in sent if "quick_replies" in message)
    assert {reply["payload"] for reply in menu["quick_replies"]} >= START_MENU
    assert all(reply["content_type"] == "text" for reply in menu["quick_replies"])
    slots = messenger.slots("psid-ana")
    assert (slots["customer_first_name"], slots["language"]) == ("Anabela", "pt")
    # read once: later messages do not ask the Graph API again
    assert messenger.send("psid-ana", text("oi")) == 200
    assert messenger.graph.profile_lookups("psid-ana") == 1
    # kept encrypted: a raw dump of the database shows neither the name nor the PSID
    raw = messenger.db.raw()
    assert b"Anabela" not in raw and b"psid-ana" not in raw
    assert "Anabela" in messenger.db.dump("psid-ana")  # but it is stored, decryptably


def test_quick_reply_and_sha1_only_signature(messenger: Messenger) -> None:
    before = len(messenger.graph.sent("psid-bob"))
    quick = {"message": {"text": "Privacy", "quick_reply": {"payload": "/privacy_policy"}}}
    assert messenger.send("psid-bob", quick, algorithm="sha1") == 200
    sent = messenger.graph.sent("psid-bob")[before:]
    titles = [reply["title"] for message in sent for reply in message.get("quick_replies", [])]
    assert "Delete my data" in titles and "Terms of use" in titles
    assert "/privacy_policy" in user_texts(messenger.events("psid-bob"))


def test_echoes_receipts_and_unknown_events_are_ignored(messenger: Messenger) -> None:
    psid = f"psid-quiet-{uuid.uuid4().hex[:6]}"
    events = [
        {"message": {"is_echo": True, "text": "bot text", "app_id": 1}},
        {"delivery": {"mids": ["m1"], "watermark": 1}},
        {"read": {"watermark": 1}},
        {"reaction": {"reaction": "love", "action": "react"}},
        {"optin": {"ref": "landing"}},
        {"referral": {"ref": "ad", "source": "ADS"}},
        {"account_linking": {"status": "linked"}},
        {"message": {"text": 42}},
        {"message": {"quick_reply": {"payload": ["not", "text"]}}},
        {"postback": "not an object"},
    ]
    assert messenger.send(psid, *events) == 200
    # entries of other kinds, and broken shapes, in an otherwise valid page body
    for body in (
        {"object": "page", "entry": [{"id": "page-1", "changes": [{"field": "feed"}]}]},
        {"object": "page", "entry": [{"id": "page-1", "standby": [{"sender": {"id": psid}}]}]},
        {"object": "page", "entry": "not a list"},
        {"object": "page", "entry": [{"messaging": [{"sender": "x", "message": {"text": "hi"}}]}]},
        {"object": "page", "entry": [{"messaging": [{"sender": {"id": {}}, "message": {}}]}]},
    ):
        raw = json.dumps(body).encode()
        assert messenger.post(raw, {"X-Hub-Signature-256": sign(SECRET, raw)})[0] == 200
    assert messenger.graph.sent(psid) == []
    assert messenger.events(psid) == []


def test_malformed_json_gets_400_and_keeps_the_conversation(messenger: Messenger) -> None:
    psid = "psid-bob"
    messenger.send(psid, text("hello"))
    stored = messenger.events(psid)
    assert stored
    sent = len(messenger.graph.sent(psid))
    for body in (
        b'{"object": "page", "entry": [',
        b"\xff\xfe",
        b"",
        b"[]",
        b'"page"',
        b'{"object": "user"}',
        b'{"object": "page", "entry": [' + b"[" * 10_000 + b"]",
    ):
        status, _ = messenger.post(body, {"X-Hub-Signature-256": sign(SECRET, body)})
        assert status == 400, body[:40]
    assert messenger.events(psid) == stored
    assert len(messenger.graph.sent(psid)) == sent


IMAGE = {"type": "image", "payload": {"url": "https://cdn.example/p.png"}}
PLACE = {"type": "location", "payload": {"coordinates": {"lat": 1, "long": 2}}}


@pytest.mark.parametrize(
    ("event", "reply"),
    [
        (text("quero ver minhas faturas " * 800), None),
        ({"message": {"attachments": [IMAGE]}}, CANNOT),
        ({"message": {"sticker_id": 369239263222822, "attachments": [IMAGE]}}, CANNOT),
        ({"message": {"attachments": [PLACE]}}, CANNOT),
    ],
    ids=["20000-chars", "attachment", "sticker", "location"],
)
def test_odd_messages_get_a_clear_reply(
    messenger: Messenger, event: dict[str, Any], reply: str | None
) -> None:
    psid = f"psid-odd-{uuid.uuid4().hex[:6]}"
    assert messenger.send(psid, event) == 200
    sent = messenger.graph.wait_sent(psid, 1)
    assert sent and all(message.get("text") for message in sent)
    if reply:
        assert any(reply in message["text"] for message in sent), sent
    stored = user_texts(messenger.events(psid))
    assert len(stored) == 1 and len(stored[0]) <= 2000
    dump = messenger.db.dump(psid)
    assert "cdn.example" not in dump and "369239263222822" not in dump and "coordinates" not in dump


def test_delete_my_data_forgets_the_name(messenger: Messenger) -> None:
    psid = "psid-bob"
    messenger.send(psid, {"postback": {"title": "Get started", "payload": "/greet"}})
    assert messenger.slots(psid)["customer_first_name"] == "Bartholomew"
    assert "Bartholomew" in messenger.db.dump(psid)
    messenger.send(psid, {"message": {"text": "x", "quick_reply": {"payload": "/delete_data"}}})
    messenger.send(psid, {"message": {"text": "y", "quick_reply": {"payload": "/affirm"}}})
    assert messenger.slots(psid)["customer_first_name"] is None
    assert any("erased" in message.get("text", "") for message in messenger.graph.sent(psid))
    # every stored trace is gone: the name and everything said before the erasure
    dump = messenger.db.dump(psid)
    for gone in ("Bartholomew", "hello", "/privacy_policy", "/delete_data"):
        assert gone not in dump, gone
    # the next message starts clean, and the name is not read again from the Graph API
    lookups = messenger.graph.profile_lookups(psid)
    messenger.send(psid, text("hi"))
    assert messenger.graph.profile_lookups(psid) == lookups
    assert "Bartholomew" not in messenger.db.dump(psid)
