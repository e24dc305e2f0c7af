"""A fake Messenger Graph API on loopback: profiles, Send API and Messenger profile.

Records every call so tests can check what the bot sent. Requests without the
expected ``Authorization: Bearer <token>`` get Graph's 190 error.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

API_VERSION = "v21.0"


@dataclass
class GraphCall:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeGraph:
    """The running fake: its base URL (with version), profiles and what it saw."""

    url: str
    token: str
    profiles: dict[str, dict[str, str]]
    calls: list[GraphCall] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sent(self, psid: str | None = None) -> list[dict[str, Any]]:
        """Send API ``message`` objects (not sender actions), optionally for one user."""
        with self.lock:
            calls = list(self.calls)
        return [
            call.body["message"]
            for call in calls
            if call.path.endswith("/me/messages")
            and isinstance(call.body, dict)
            and "message" in call.body
            and (psid is None or call.body.get("recipient", {}).get("id") == psid)
        ]

    def profile_lookups(self, psid: str) -> int:
        """How many times the profile of ``psid`` was read."""
        with self.lock:
            return sum(1 for c in self.calls if c.method == "GET" and c.path.endswith(f"/{psid}"))

    def wait_sent(self, psid: str, count: int, timeout: float = 60.0) -> list[dict[str, Any]]:
        """Waits until ``psid`` got at least ``count`` messages; returns them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.sent(psid)
            if len(messages) >= count:
                return messages
            time.sleep(0.1)
        return self.sent(psid)


@contextlib.contextmanager
def fake_graph_api(
    token: str, profiles: dict[str, dict[str, str]] | None = None
) -> Iterator[FakeGraph]:
    """Serves a fake Graph API on a free loopback port until the block ends.

    Args:
        token: The page access token the fake accepts.
        profiles: ``{psid: {"first_name": ..., "locale": ...}}``.
    """
    state = FakeGraph(url="", token=token, profiles=dict(profiles or {}))

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: Any) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode(errors="replace")
            query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
            call = GraphCall(self.command, parts.path, query, dict(self.headers.items()), body)
            with state.lock:
                state.calls.append(call)
            if self.headers.get("Authorization") != f"Bearer {state.token}":
                self._answer(400, {"error": {"code": 190, "message": "Invalid OAuth token"}})
                return
            path = parts.path.removeprefix(f"/{API_VERSION}")
            if self.command == "POST" and path in ("/me/messages", "/me/messenger_profile"):
                self._answer(200, {"result": "success", "message_id": "m_fake"})
            elif self.command == "GET" and path.strip("/") in state.profiles:
                profile = state.profiles[path.strip("/")]
                self._answer(200, {"id": path.strip("/"), **profile})
            else:
                self._answer(404, {"error": {"code": 100, "message": "Unsupported request"}})

        do_GET = do_POST = do_DELETE = _handle

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/{API_VERSION}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
