"""Fixtures that run Sigilo for real: demo company API, action server, Rasa.

The Rasa server loads the model trained from this repository (trained on
first use, then cached by a hash of the training data) and talks to the
real action server, which talks to the real demo company API, all on
loopback ports chosen at random. The privacy tracker store modules get
module-scoped keys and an action server of their own (``store_env``,
``store_action_server``).
"""

from __future__ import annotations

import json
import secrets
import sys
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sigilo import keys
from sigilo.channels.credentials import write_effective_credentials
from sigilo.channels.webpage import make_server, page_origins
from sigilo.tracker_store.db import upgrade
from tests.support.company_api import CompanyApiService, run_company_api
from tests.support.processes import (
    RASA_START_TIMEOUT,
    RunningService,
    free_port,
    rasa_command,
    repo_env,
    run_action_server,
    start_service,
)
from tests.support.store_db import StoreDb

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class RasaServer:
    """A running Rasa server and how to reach it."""

    url: str
    token: str

    def http(self, method: str, path: str, body: Any = None) -> Any:
        """Calls Rasa's HTTP API with the auth token."""
        separator = "&" if "?" in path else "?"
        request = urllib.request.Request(
            f"{self.url}{path}{separator}token={self.token}",
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            raw = answer.read()
        return json.loads(raw) if raw else None

    def tracker(self, sender: str) -> dict[str, Any]:
        """The stored tracker of one conversation."""
        return self.http("GET", f"/conversations/{sender}/tracker")


@dataclass
class Chat:
    """One consumer talking to the REST channel."""

    server: RasaServer
    sender: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:12]}")
    metadata: dict[str, Any] | None = None

    def say(self, text: str) -> list[dict[str, Any]]:
        """Sends a message and returns the bot's replies."""
        body: dict[str, Any] = {"sender": self.sender, "message": text}
        if self.metadata:
            body["metadata"] = self.metadata
        request = urllib.request.Request(
            f"{self.server.url}/webhooks/rest/webhook",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read() or b"[]")

    def text(self, message: str) -> str:
        """Sends a message and returns all reply texts joined by newlines."""
        return "\n".join(reply.get("text", "") for reply in self.say(message))

    def slots(self) -> dict[str, Any]:
        """Current slot values from Rasa's HTTP API."""
        return self.server.tracker(self.sender)["slots"]


@pytest.fixture(scope="session")
def e2e_company_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompanyApiService]:
    """A demo company API of the conversations' own: they pay invoices."""
    with run_company_api(tmp_path_factory.mktemp("e2e-company-api") / "company.db") as api:
        yield api


@dataclass
class StoreSettings:
    """The privacy tracker store the conversations use: a SQLite file and its keys."""

    url: str
    path: Path
    env: dict[str, str]


@pytest.fixture(scope="session")
def e2e_store(tmp_path_factory: pytest.TempPathFactory) -> StoreSettings:
    """A migrated store database and fresh keys, shared by Rasa and the action server.

    As with ``make run``, both processes get the same SIGILO_TRACKER_STORE_URL and
    keys: Rasa writes the conversation and the consent ledger, the action server's
    right of access reads them.
    """
    path = tmp_path_factory.mktemp("e2e-store") / "sigilo.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    env = {
        "SIGILO_TRACKER_STORE_URL": url,
        keys.ENCRYPTION_KEYS: f"e2e:{keys.new_key()}",
        keys.PSEUDONYM_KEY: keys.new_key(),
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    return StoreSettings(url, path, env)


@pytest.fixture(scope="session")
def action_server(e2e_company_api: CompanyApiService, e2e_store: StoreSettings) -> Iterator[str]:
    """The action server, pointed at the demo company API and the tracker store."""
    env = repo_env(
        {
            "SIGILO_COMPANY_API_URL": e2e_company_api.url,
            "SIGILO_COMPANY_API_TOKEN": e2e_company_api.token,
            "SIGILO_DEFAULT_LANGUAGE": "en",
            **e2e_store.env,
        }
    )
    with run_action_server(env, timeout=60) as webhook:
        yield webhook


@pytest.fixture(scope="session")
def rasa_server(
    action_server: str, e2e_store: StoreSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RasaServer]:
    """A Rasa server with the trained model, REST channel, HTTP API and privacy store."""
    folder = tmp_path_factory.mktemp("rasa")
    endpoints = folder / "endpoints.yml"
    endpoints.write_text(
        f"action_endpoint:\n  url: {action_server}\n"
        "tracker_store:\n  type: sigilo.tracker_store.PrivacyTrackerStore\n"
        "  url: ${SIGILO_TRACKER_STORE_URL}\n"
    )
    # Only the channels whose settings are set (no Messenger here): see
    # sigilo/channels/credentials.py.
    credentials = folder / "credentials.yml"
    write_effective_credentials(ROOT / "credentials.yml", credentials, env=repo_env())
    port, token = free_port(), secrets.token_urlsafe(16)
    command = rasa_command(port, endpoints=endpoints, credentials=credentials, token=token)
    with start_service(
        command,
        f"http://127.0.0.1:{port}/",
        env=repo_env(e2e_store.env),
        timeout=RASA_START_TIMEOUT,
    ):
        yield RasaServer(f"http://127.0.0.1:{port}", token)


@pytest.fixture
def chat(rasa_server: RasaServer) -> Chat:
    """A new conversation."""
    return Chat(rasa_server)


# --- the privacy tracker store's modules ---------------------------------------------------


def store_endpoints(folder: Path, action_url: str, store_url: str, extra: str = "") -> Path:
    """An endpoints file with the privacy tracker store (plus ``extra`` YAML)."""
    path = folder / f"endpoints-{uuid.uuid4().hex[:6]}.yml"
    path.write_text(
        f"action_endpoint:\n  url: {action_url}\n"
        "tracker_store:\n  type: sigilo.tracker_store.PrivacyTrackerStore\n"
        f"  url: {store_url}\n{extra}"
    )
    return path


def rest_credentials(folder: Path) -> Path:
    """The REST channel only: these tests need no Messenger secrets."""
    path = folder / "credentials.yml"
    path.write_text("rest:\n")
    return path


@pytest.fixture(scope="module")
def store_env() -> dict[str, str]:
    """Keys of one module's Rasa servers (each module gets its own)."""
    return repo_env(
        {
            keys.ENCRYPTION_KEYS: f"e2e:{keys.new_key()}",
            keys.PSEUDONYM_KEY: keys.new_key(),
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        }
    )


@pytest.fixture(scope="module")
def store_action_server(
    private_company_api: CompanyApiService, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """A plain ``rasa run actions`` (the log filter comes with the actions), and its log.

    It has a demo API of its own: other modules pay the same customer's invoices.
    """
    port = free_port()
    log = tmp_path_factory.mktemp("actions") / "actions.log"
    env = repo_env(
        {
            "SIGILO_COMPANY_API_URL": private_company_api.url,
            "SIGILO_COMPANY_API_TOKEN": private_company_api.token,
            "SIGILO_DEFAULT_LANGUAGE": "en",
        }
    )
    command = [sys.executable, "-m", "rasa", "run", "actions", "--actions", "actions"]
    with start_service(
        [*command, "--port", str(port)],
        f"http://127.0.0.1:{port}/health",
        env=env,
        timeout=120,
        log_path=log,
    ):
        yield f"http://127.0.0.1:{port}/webhook", log


@dataclass
class WebChat:
    """Rasa (socket.io channel, privacy store on SQLite), its database and the page server."""

    rasa: RasaServer
    db: StoreDb
    page_port: int
    service: RunningService

    @property
    def url(self) -> str:
        """Rasa's base URL (the socket.io channel is at ``/socket.io/``)."""
        return self.rasa.url

    def page_url(self, host: str = "127.0.0.1") -> str:
        """The page's URL under one loopback name."""
        return f"http://{host}:{self.page_port}"


@pytest.fixture(scope="session")
def web_chat(action_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebChat]:
    """Rasa as `make run` starts it for the web chat (store, CORS for both page names), + page.

    At the end, Rasa's log must hold no traceback: no bad input may crash a handler.
    """
    folder = tmp_path_factory.mktemp("web-chat")
    db = StoreDb.create(folder)
    (folder / "endpoints.yml").write_text(
        f"action_endpoint:\n  url: {action_server}\n{db.endpoints_yaml()}"
    )
    write_effective_credentials(ROOT / "credentials.yml", folder / "credentials.yml", repo_env())
    port, page_port, token = free_port(), free_port(), secrets.token_urlsafe(16)
    rasa_url = f"http://127.0.0.1:{port}"
    command = rasa_command(
        port,
        endpoints=folder / "endpoints.yml",
        credentials=folder / "credentials.yml",
        token=token,
        # the origins `make run` allows (scripts/run.py): the page under both loopback names
        extra=["--cors", *page_origins(page_port)],
    )
    page_server = make_server("127.0.0.1", page_port, rasa_url)
    threading.Thread(target=page_server.serve_forever, daemon=True).start()
    try:
        with start_service(
            command,
            f"{rasa_url}/",
            env=repo_env(db.env),
            timeout=RASA_START_TIMEOUT,
            log_path=folder / "rasa.log",
        ) as service:
            yield WebChat(RasaServer(rasa_url, token), db, page_port, service)
            log = service.log_text(1_000_000)
            assert "Traceback" not in log, log[max(0, log.find("Traceback") - 500) :][:3000]
    finally:
        page_server.shutdown()
        page_server.server_close()
