"""The console's HTTP service for real: the whole matrix endpoints × roles, sign-in,
CSRF, expired sessions, bad input (4xx, never a traceback) and security headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from sigilo.console.roles import Role
from sigilo.console.schema import operator_sessions
from sigilo.console.service import Console
from tests.integration.console.conftest import PASSWORD, Operators, code_for, conversation, save
from tests.integration.console.http_support import ConsoleServer, console_server, cookie_value

A, E, V = Role.ADMIN, Role.EDITOR, Role.VIEWER
HEADERS = {
    "content-security-policy": "frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}


@pytest.fixture
def server(database: Any, metrics_url: str) -> Iterator[ConsoleServer]:
    with console_server(database.url, metrics_url) as running:
        yield running


def _endpoints(p: dict[Role, str]) -> list[tuple[str, str, Any, set[Role], Any]]:
    """(method, path, body per role, roles allowed) — written out, not read from roles.py."""
    return [
        ("GET", "/api/v1/session", None, {A, E, V}),
        ("POST", "/api/v1/conversations/search", {}, {A, E, V}),
        ("GET", f"/api/v1/conversations/{p[V]}", None, {A, E, V}),
        ("POST", "/api/v1/conversations/export", {"conversations": [p[V]]}, {A, E}),
        ("POST", "/api/v1/conversations/delete", "delete", {A, E}),
        ("GET", "/api/v1/metrics", None, {A, E, V}),
        ("GET", "/api/v1/metrics/chart.png?from=2026-01-01&to=2026-01-07", None, {A, E, V}),
        ("GET", "/api/v1/retention", None, {A, E, V}),
        ("PUT", "/api/v1/retention", {"months": 7}, {A}),
        ("GET", "/api/v1/operators", None, {A}),
        ("POST", "/api/v1/operators", "create", {A}),
        ("PUT", "/api/v1/operators/target-op/role", {"role": "viewer"}, {A}),
        ("GET", "/api/v1/audit?limit=5", None, {A}),
        ("GET", "/api/v1/audit/verify", None, {A}),
    ]


async def test_role_matrix(
    server: ConsoleServer, console: Console, store: Any, ops: Operators
) -> None:
    console.auth.create("target-op", "editor", PASSWORD)
    targets = {}
    for role in Role:
        await save(store, f"sender-{role.value}", conversation("oi"))
        targets[role] = console.repository.pseudonym(f"sender-{role.value}")
    matrix = _endpoints(targets)
    for method, path, body, allowed in matrix:
        answer = server.call(method, path, body={} if body is not None else None)
        assert answer.status == 401, (method, path, "no token")
        for role in Role:
            if body == "delete":
                sent: Any = {"conversations": [targets[role]]}
            elif body == "create":
                sent = {"username": f"new-{role.value}", "role": "viewer", "password": PASSWORD}
            else:
                sent = body
            answer = server.call(method, path, sent, token=ops.sessions[role].token)
            expected = (200, 201) if role in allowed else (403,)
            assert answer.status in expected, (method, path, role, answer.status, answer.body)
            assert b"Traceback" not in answer.body
            for name, value in HEADERS.items():
                assert value in answer.headers[name]
    # what the viewer and none could not delete is still there; the others are gone
    for role in Role:
        kept = console.repository.load(f"sender-{role.value}") is not None
        assert kept is (role in (V, Role.NONE)), role
    denied = [e for e in console.audit.entries() if e.outcome == "denied"]
    assert len(denied) == sum(len(Role) - len(allowed) for *_, allowed in matrix)


def test_sign_in_over_http(server: ConsoleServer, console: Console) -> None:
    _, uri = console.auth.create("dpo", "editor", PASSWORD)
    wrong = server.call("POST", "/api/v1/session", {"username": "dpo", "password": PASSWORD})
    assert wrong.status == 401 and wrong.json() == {"error": "wrong username, password or code"}
    good = {"username": "dpo", "password": PASSWORD, "code": code_for(uri)}
    answer = server.call("POST", "/api/v1/session", good)
    assert answer.status == 200 and answer.json()["role"] == "editor"
    token = answer.json()["token"]
    assert server.call("POST", "/api/v1/session", good).status == 401  # code replay
    assert server.call("GET", "/api/v1/session", token=token).status == 200
    assert server.call("DELETE", "/api/v1/session", token=token).status == 204
    assert server.call("GET", "/api/v1/session", token=token).status == 401
    for _ in range(5):
        server.call("POST", "/api/v1/session", {"username": "dpo", "password": "nope" * 4})
    locked = server.call("POST", "/api/v1/session", {**good, "code": code_for(uri, 1)})
    assert locked.status == 429


def test_bad_input_gets_clear_4xx(server: ConsoleServer, ops: Operators, console: Console) -> None:
    token = ops.sessions[Role.ADMIN].token
    cases = [
        ("POST", "/api/v1/conversations/search", {"page_size": 10**9}, 400),
        ("POST", "/api/v1/conversations/search", {"from": "tomorrow"}, 400),
        ("POST", "/api/v1/conversations/search", {"consent": ["x"]}, 400),
        ("POST", "/api/v1/conversations/search", [1, 2], 400),
        ("GET", "/api/v1/conversations/" + "a" * 64, None, 404),
        ("GET", "/api/v1/conversations/..%2F..%2Fetc", None, 404),
        ("POST", "/api/v1/conversations/export", {"conversations": ["x"]}, 400),
        ("POST", "/api/v1/conversations/export", {"conversations": ["a" * 64], "format": 3}, 400),
        ("POST", "/api/v1/conversations/delete", {"conversations": ["a" * 64] * 501}, 400),
        ("PUT", "/api/v1/retention", {"months": 99}, 400),
        ("PUT", "/api/v1/retention", {"months": "6"}, 400),
        ("PUT", "/api/v1/operators/nobody-here/role", {"role": "viewer"}, 404),
        ("PUT", "/api/v1/operators/admin-op/role", {"role": "root"}, 400),
        ("POST", "/api/v1/operators", {"username": "x", "role": "viewer", "password": "a"}, 400),
        ("GET", "/api/v1/audit?limit=100000", None, 400),
        ("GET", "/api/v1/audit?before=-1", None, 400),
        ("GET", "/api/v1/nothing", None, 404),
        ("PATCH", "/api/v1/retention", {}, 405),
    ]
    for method, path, body, status in cases:
        answer = server.call(method, path, body, token=token)
        assert answer.status == status, (method, path, answer.status, answer.body)
        assert "error" in answer.json() and b"Traceback" not in answer.body
    broken = server.call(
        "POST",
        "/api/v1/conversations/search",
        raw=b"{not json",
        token=token,
        headers={"Content-Type": "application/json"},
    )
    assert broken.status == 400
    huge = server.call(
        "POST", "/api/v1/conversations/search", raw=b" " * (2 * 1024 * 1024), token=token
    )
    assert huge.status == 413
    outcomes = {(e.action, e.outcome) for e in console.audit.entries()}
    assert {("search", "invalid"), ("export", "invalid"), ("delete", "invalid")} <= outcomes
    assert ("retention_set", "invalid") in outcomes and ("read", "not_found") in outcomes


def _page_sign_in(server: ConsoleServer, uri: str, username: str) -> tuple[str, str]:
    page = server.call("GET", "/console")
    pre = cookie_value(page, "sigilo_console_pre")
    field = re.search(rb'name="csrf_token" value="([^"]+)"', page.body).group(1).decode()
    assert field == pre
    form = {"csrf_token": pre, "username": username, "password": PASSWORD, "code": code_for(uri)}
    answer = server.call("POST", "/console/sign-in", form=form, cookies={"sigilo_console_pre": pre})
    assert answer.status == 303, answer.body
    assert any("HttpOnly" in c and "SameSite=Strict" in c for c in answer.cookies)
    session = cookie_value(answer, "sigilo_console")
    home = server.call("GET", "/console", cookies={"sigilo_console": session})
    csrf = re.search(rb'name="csrf_token" value="([^"]+)"', home.body).group(1).decode()
    return session, csrf


def test_page_csrf_and_expiry(server: ConsoleServer, console: Console) -> None:
    _, uri = console.auth.create("dpo", "editor", PASSWORD)
    # a sign-in form posted from elsewhere (no pre-session cookie) is refused
    forged = server.call("POST", "/console/sign-in", form={"username": "dpo", "csrf_token": "x"})
    assert forged.status == 403
    session, csrf = _page_sign_in(server, uri, "dpo")
    jar = {"sigilo_console": session}
    assert server.call("POST", "/console/search", form={}, cookies=jar).status == 403
    bad = {"csrf_token": "forged"}
    assert server.call("POST", "/console/search", form=bad, cookies=jar).status == 403
    api = server.call("POST", "/api/v1/conversations/search", {}, cookies=jar)
    assert api.status == 403  # the cookie alone does not authorise an API write either
    good = server.call("POST", "/console/search", form={"csrf_token": csrf}, cookies=jar)
    assert good.status == 200 and b"conversation(s)" in good.body
    assert sum(e.action == "csrf" for e in console.audit.entries()) == 4
    with console.engine.begin() as conn:
        conn.execute(sa.update(operator_sessions).values(expires_at=0))
    expired = server.call("POST", "/console/search", form={"csrf_token": csrf}, cookies=jar)
    assert expired.status == 303 and expired.headers["location"] == "/console"
    api = server.call("GET", "/api/v1/session", cookies=jar)
    assert api.status == 401
    assert any(e.action == "session" and e.outcome == "expired" for e in console.audit.entries())
