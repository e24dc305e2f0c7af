"""A running console HTTP service on a test database, and a plain HTTP client for it."""

from __future__ import annotations

import http.client
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tests.support.processes import free_port, repo_env, start_service


@dataclass
class Answer:
    """An HTTP answer."""

    status: int
    headers: dict[str, str]
    body: bytes
    cookies: list[str]

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


@dataclass
class ConsoleServer:
    """The service's base URL and a client."""

    host: str
    port: int

    @property
    def url(self) -> str:
        """The base URL."""
        return f"http://{self.host}:{self.port}"

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        form: dict[str, Any] | list[tuple[str, str]] | None = None,
        cookies: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Answer:
        """One request (redirects are not followed)."""
        sent = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        if form is not None:
            data = urlencode(form, doseq=True).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if token:
            sent["Authorization"] = f"Bearer {token}"
        if cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            payload = response.read()
            headers_out = {k.lower(): v for k, v in response.getheaders()}
            cookies_out = [v for k, v in response.getheaders() if k.lower() == "set-cookie"]
            return Answer(response.status, headers_out, payload, cookies_out)
        finally:
            connection.close()


@contextmanager
def console_server(url: str, metrics_url: str = "off") -> Iterator[ConsoleServer]:
    """``python -m sigilo.console.http`` on a free port, on the database ``url``.

    ``metrics_url``: the metrics database it shows (default off: metrics answer 503).
    """
    port = free_port()
    command = [sys.executable, "-m", "sigilo.console.http", "--port", str(port), "--url", url]
    command += ["--metrics-url", metrics_url]
    with start_service(command, f"http://127.0.0.1:{port}/healthz", repo_env(), timeout=60):
        yield ConsoleServer("127.0.0.1", port)


def cookie_value(answer: Answer, name: str) -> str:
    """The value a ``Set-Cookie`` of the answer gives ``name``."""
    for header in answer.cookies:
        first = header.split(";", 1)[0]
        key, _, value = first.partition("=")
        if key.strip() == name:
            return value.strip().strip('"')
    raise AssertionError(f"no cookie {name} in {answer.cookies}")
