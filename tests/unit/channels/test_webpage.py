"""The web chat page server: loopback names, CSP per host, what is served, nothing logged."""

from __future__ import annotations

import importlib.util
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.client import HTTPConnection
from types import ModuleType

import pytest

from sigilo.channels.webpage import (
    content_security_policy,
    make_server,
    page_origins,
    socket_url_for,
)
from tests.support.processes import REPO_ROOT

RASA = "http://127.0.0.1:5005"


def test_page_origins_cover_both_loopback_names() -> None:
    assert page_origins(8080) == ["http://127.0.0.1:8080", "http://localhost:8080"]
    assert page_origins("9000", host="chat.example") == ["http://chat.example:9000"]


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1:8080", RASA),
        ("localhost:8080", "http://localhost:5005"),
        ("LOCALHOST", "http://localhost:5005"),
        ("evil.example:8080", RASA),
        ("[::1]:8080", RASA),
        ("localhost:notaport", "http://localhost:5005"),
        (None, RASA),
    ],
)
def test_rasa_is_reached_under_the_pages_loopback_name(host: str | None, expected: str) -> None:
    assert socket_url_for(RASA, host) == expected


def test_a_public_socket_url_is_never_rewritten() -> None:
    assert socket_url_for("https://bot.example", "localhost:8080") == "https://bot.example"


@pytest.fixture
def page() -> Iterator[int]:
    server = make_server("127.0.0.1", 0, RASA)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _get(port: int, path: str, host: str) -> tuple[int, dict[str, str], bytes]:
    connection = HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": host})
    answer = connection.getresponse()
    result = answer.status, dict(answer.getheaders()), answer.read()
    connection.close()
    return result


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
def test_config_and_csp_follow_the_host(page: int, name: str) -> None:
    status, headers, body = _get(page, "/config.js", f"{name}:{page}")
    assert status == 200
    assert f'"socketUrl": "http://{name}:5005"'.encode() in body
    csp = headers["Content-Security-Policy"]
    assert csp == content_security_policy(f"http://{name}:5005")
    assert f"connect-src 'self' http://{name}:5005 ws://{name}:5005;" in csp
    assert "googleapis" not in csp and "font-src 'self'" in csp
    assert headers["Referrer-Policy"] == "no-referrer"


def test_only_page_files_are_served(page: int) -> None:
    for path in ("/package.json", "/node_modules/rasa-webchat/package.json", "/../README.md",
                 "/.gitignore", "/app.py"):  # fmt: skip
        assert _get(page, path, "127.0.0.1")[0] == 404, path
    assert _get(page, "/", "127.0.0.1")[0] == 200
    assert _get(page, "/privacy.html", "127.0.0.1")[0] == 200


def test_the_page_asks_no_name(page: int) -> None:
    html = _get(page, "/", "127.0.0.1")[2].decode()
    # one form control before the chat: the consent box (the widget adds only its text field)
    assert html.count("<input") == 1 and 'type="checkbox"' in html
    for word in ("name", "nombre", "nome", "email"):
        assert f'name="{word}"' not in html and f'id="{word}"' not in html


def test_nothing_about_visitors_is_logged(page: int, capsys: pytest.CaptureFixture[str]) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{page}/",
        headers={"User-Agent": "VisitorAgent/1.0", "Referer": "https://ref.example/"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"http://127.0.0.1:{page}/missing.js", timeout=10)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def _run_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sigilo_run", REPO_ROOT / "scripts" / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_make_run_allows_the_page_under_both_names() -> None:
    cors = _run_script().cors_origins
    assert cors({"SIGILO_WEB_PORT": "8081"}) == [
        "http://127.0.0.1:5005",
        "http://127.0.0.1:8081",
        "http://localhost:8081",
    ]
    configured = {"SIGILO_CORS_ORIGINS": "https://shop.example, http://localhost:8080"}
    assert cors(configured) == [
        "https://shop.example",
        "http://localhost:8080",
        "http://127.0.0.1:8080",
    ]
