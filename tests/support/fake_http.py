"""Tiny loopback HTTP servers that misbehave on purpose (slow, garbage, flaky, dropping).

The demo API has no fault-injection hooks; tests that need a broken API start one of these.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    """One request the fake server received."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Reply:
    """What to answer; ``delay`` seconds first; ``drop`` closes the socket without answering."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay: float = 0.0
    drop: bool = False


@dataclass
class FakeServer:
    """A running fake: its URL and the requests it saw."""

    url: str
    requests: list[Seen] = field(default_factory=list)


Responder = Callable[[Seen, int], Reply]  # (request, 0-based request index) -> reply


@contextlib.contextmanager
def fake_server(responder: Responder) -> Iterator[FakeServer]:
    """Serve ``responder``'s replies on a free loopback port until the block ends."""
    stopping = threading.Event()
    lock = threading.Lock()
    server_state = FakeServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            seen = Seen(self.command, self.path, dict(self.headers.items()))
            with lock:
                index = len(server_state.requests)
                server_state.requests.append(seen)
            reply = responder(seen, index)
            if reply.delay and stopping.wait(reply.delay):
                return
            if reply.drop:
                self.close_connection = True
                return
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = do_POST = _handle

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server_state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server_state
    finally:
        stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def always(reply: Reply) -> Responder:
    """A responder giving the same reply every time."""
    return lambda _seen, _index: reply
