"""The Messenger connector in a real Rasa server, replying to a fake Graph API.

Webhook bodies are signed (or not) like Meta signs them and posted to
``/webhooks/facebook/webhook``; the replies are read from the fake Graph API and
the stored conversation from Rasa's HTTP API.
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
from tests.support.processes import free_port, repo_env, start_service

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SECRET, VERIFY, PAGE_TOKEN = "test-app-secret", "test-verify-token", "test-page-token"
PROFILES = {
    "psid-ana": {"first_name": "Ana", "locale": "pt_BR"},
    "psid-bob": {"first_name": "Bob", "locale": "en_US"},
}


@dataclass
class Messenger:
    """The running server, its fake Graph API and helpers to talk to it."""

    url: str
    token: str
    graph: FakeGraph

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
        """The stored events of one conversation (empty when none)."""
        request = urllib.request.Request(
            f"{self.url}/conversations/{psid}/tracker?token={self.token}"
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read()).get("events") or []

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
    with fake_graph_api(PAGE_TOKEN, PROFILES) as graph:
        env = repo_env(
            {
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
        )
        actions = [sys.executable, "-m", "rasa_sdk", "--actions", "actions"]
        rasa = [sys.executable, "-m", "rasa", "run", "--model", str(model), "--port", str(port)]
        rasa += ["--enable-api", f"--auth-token={token}", "--credentials", str(credentials)]
        rasa += ["--endpoints", str(folder / "endpoints.yml")]
        with (
            start_service(
                [*actions, "--port", str(actions_port)],
                f"http://127.0.0.1:{actions_port}/health",
                env=env,
                timeout=60,
            ),
            start_service(rasa, f"http://127.0.0.1:{port}/", env=env, timeout=240) as server,
        ):
            yield Messenger(f"http://127.0.0.1:{port}", token, graph)
            assert "Traceback" not in server.log_text(200_000)


def test_verification_needs_the_verify_token(messenger: Messenger) -> None:
    base = f"{messenger.url}/webhooks/facebook/webhook?hub.mode=subscribe&hub.challenge=42"
    with urllib.request.urlopen(f"{base}&hub.verify_token={VERIFY}", timeout=10) as answer:
        assert answer.read() == b"42"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{base}&hub.verify_token=guess", timeout=10)
    assert refused.value.code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        {"X-Hub-Signature-256": sign("not-the-secret", b"x")},
        {"X-Hub-Signature": "md5=00"},
    ],
    ids=["unsigned", "wrong", "other-secret", "md5"],
)
def test_bad_signature_gets_403_and_stores_nothing(
    messenger: Messenger, headers: dict[str, str]
) -> None:
    psid = f"psid-intruder-{uuid.uuid4().hex[:6]}"
    body = page_body(psid, text("hi"))
    if headers.get("X-Hub-Signature") == "md5=00":  # a real md5 HMAC of this very body
        digest = hmac.new(SECRET.encode(), body, hashlib.md5).hexdigest()
        headers = {"X-Hub-Signature": f"md5={digest}"}
    status, _ = messenger.post(body, headers)
    assert status == 403
    assert user_texts(messenger.events(psid)) == []
    assert messenger.graph.sent(psid) == []
    assert messenger.graph.profile_lookups(psid) == 0


def test_first_message_greets_by_profile_name_in_profile_language(messenger: Messenger) -> None:
    assert (
        messenger.send("psid-ana", {"postback": {"title": "Começar", "payload": "/greet"}}) == 200
    )
    sent = messenger.graph.wait_sent("psid-ana", 2)
    assert sent[0]["text"].startswith("Olá, Ana!")
    menu = next(message for message in sent if "quick_replies" in message)
    assert {reply["payload"] for reply in menu["quick_replies"]} >= {"/privacy_policy"}
    slots = messenger.slots("psid-ana")
    assert (slots["customer_first_name"], slots["language"]) == ("Ana", "pt")
    # read once: later messages do not ask the Graph API again
    assert messenger.send("psid-ana", text("oi")) == 200
    assert messenger.graph.profile_lookups("psid-ana") == 1


def test_quick_reply_and_sha1_only_signature(messenger: Messenger) -> None:
    before = len(messenger.graph.sent("psid-bob"))
    quick = {"message": {"text": "Privacy", "quick_reply": {"payload": "/privacy_policy"}}}
    assert messenger.send("psid-bob", quick, algorithm="sha1") == 200
    sent = messenger.graph.sent("psid-bob")[before:]
    titles = [reply["title"] for message in sent for reply in message.get("quick_replies", [])]
    assert "Delete my data" in titles and "Terms of use" in titles


def test_echoes_and_receipts_are_ignored(messenger: Messenger) -> None:
    psid = f"psid-quiet-{uuid.uuid4().hex[:6]}"
    events = [
        {"message": {"is_echo": True, "text": "bot text", "app_id": 1}},
        {"delivery": {"mids": ["m1"], "watermark": 1}},
        {"read": {"watermark": 1}},
        {"reaction": {"reaction": "love", "action": "react"}},
    ]
    assert messenger.send(psid, *events) == 200
    assert messenger.graph.sent(psid) == []
    assert user_texts(messenger.events(psid)) == []


def test_malformed_json_gets_400_and_keeps_the_conversation(messenger: Messenger) -> None:
    psid = "psid-bob"
    stored = len(messenger.events(psid))
    for body in (b'{"object": "page", "entry": [', b"\xff\xfe", b"[]", b'{"object": "user"}'):
        status, _ = messenger.post(body, {"X-Hub-Signature-256": sign(SECRET, body)})
        assert status == 400
    assert len(messenger.events(psid)) == stored


@pytest.mark.parametrize(
    "event",
    [
        text("a" * 20_000),
        {"message": {"attachments": [{"type": "image", "payload": {"url": "https://cdn/p.png"}}]}},
        {"message": {"sticker_id": 369239263222822, "attachments": [{"type": "image"}]}},
    ],
    ids=["20000-chars", "attachment", "sticker"],
)
def test_odd_messages_get_a_clear_reply(messenger: Messenger, event: dict[str, Any]) -> None:
    psid = f"psid-odd-{uuid.uuid4().hex[:6]}"
    assert messenger.send(psid, event) == 200
    assert messenger.graph.wait_sent(psid, 1)
    stored = user_texts(messenger.events(psid))
    assert all(len(value) <= 2000 and "https://" not in value for value in stored)


def test_delete_my_data_forgets_the_name(messenger: Messenger) -> None:
    psid = "psid-bob"
    messenger.send(psid, {"postback": {"title": "Get started", "payload": "/greet"}})
    assert messenger.slots(psid)["customer_first_name"] == "Bob"
    messenger.send(psid, {"message": {"text": "x", "quick_reply": {"payload": "/delete_data"}}})
    messenger.send(psid, {"message": {"text": "y", "quick_reply": {"payload": "/affirm"}}})
    assert messenger.slots(psid)["customer_first_name"] is None
    assert any("erased" in message.get("text", "") for message in messenger.graph.sent(psid))
