"""Pure parts of the console: passwords and TOTP, roles, the index summary, export
cells, filters and the OpenAPI document."""

from __future__ import annotations

import io
import json
import time

import pyotp
import pytest

from sigilo.console import passwords
from sigilo.console.export import _cell, write
from sigilo.console.http.openapi import document
from sigilo.console.index import summarize
from sigilo.console.roles import PERMISSIONS, Permission, Role, allowed, parse_role
from sigilo.console.search import FilterError, parse_filters

PERSONAL = {"tin", "customer_first_name"}


def test_scrypt_hash_roundtrip_and_policy() -> None:
    stored = passwords.hash_password("a long enough passphrase", n=2**12)
    assert stored.startswith("scrypt$4096$8$1$")
    assert passwords.verify_password("a long enough passphrase", stored)
    assert not passwords.verify_password("a long enough passphrasE", stored)
    assert not passwords.verify_password("x", "garbage")
    assert not passwords.verify_password("x", passwords.DUMMY_HASH)
    assert passwords.hash_password("same password here", n=2**12) != passwords.hash_password(
        "same password here", n=2**12
    )
    for weak in ("short", "aaaaaaaaaaaaaaaa", "x" * 2000):
        with pytest.raises(passwords.WeakPassword):
            passwords.check_policy(weak)


def test_totp_window_and_replay() -> None:
    secret = passwords.new_totp_secret()
    now = time.time()
    totp = pyotp.TOTP(secret)
    step = int(now // 30)
    assert passwords.totp_step(secret, totp.at(now), 0, now) == step
    assert passwords.totp_step(secret, totp.at(now - 30), 0, now) == step - 1  # drift
    assert passwords.totp_step(secret, totp.at(now - 90), 0, now) is None
    assert passwords.totp_step(secret, totp.at(now), step, now) is None  # replay
    for bad in ("", "12345", "abcdef", "1234567"):
        assert passwords.totp_step(secret, bad, 0, now) is None
    assert "otpauth://totp/" in passwords.provisioning_uri(secret, "ana")


def test_roles_table() -> None:
    assert PERMISSIONS[Role.NONE] == frozenset()
    assert allowed(Role.VIEWER, Permission.READ) and not allowed(Role.VIEWER, Permission.EXPORT)
    assert not allowed(Role.VIEWER, Permission.READ_PERSONAL)
    assert allowed(Role.EDITOR, Permission.DELETE) and not allowed(Role.EDITOR, Permission.AUDIT)
    assert PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert parse_role(" Editor ") is Role.EDITOR
    with pytest.raises(ValueError):
        parse_role("root")


def test_index_summary_tracks_consent_language_and_held_slot_names() -> None:
    events = [
        {"event": "user", "timestamp": 10.0, "input_channel": "facebook", "text": "oi"},
        {"event": "slot", "timestamp": 11.0, "name": "language", "value": "pt"},
        {"event": "slot", "timestamp": 12.0, "name": "consent_given", "value": True},
        {"event": "slot", "timestamp": 13.0, "name": "tin", "value": "52998224725"},
    ]
    row = summarize(None, events, PERSONAL)
    assert row["channel"] == "facebook" and row["language"] == "pt"
    assert row["consent"] == "given" and row["holds_personal"] is True
    assert row["personal_slots"] == "tin" and "52998224725" not in json.dumps(row)
    withdrawn = summarize(
        row,
        [
            {"event": "slot", "timestamp": 20.0, "name": "consent_given", "value": None},
            {"event": "slot", "timestamp": 20.0, "name": "tin", "value": None},
        ],
        PERSONAL,
    )
    assert withdrawn["consent"] == "withdrawn" and withdrawn["holds_personal"] is False
    assert (withdrawn["first_event_at"], withdrawn["last_event_at"]) == (10.0, 20.0)
    assert summarize(None, [], PERSONAL) is None


def test_filters() -> None:
    parsed = parse_filters({"from": "2026-01-01", "personal": "yes", "page_size": "10"})
    assert parsed.personal is True and parsed.page_size == 10
    for bad in (
        {"page_size": 201},
        {"page": 0},
        {"page": True},
        {"from": "01/02/2026"},
        {"sender_id": "x" * 300},
        {"sender_id": "a\x00b"},
        {"personal": "maybe"},
        {"what": 1},
    ):
        with pytest.raises(FilterError):
            parse_filters(bad)


def test_export_cells_cannot_become_formulas() -> None:
    assert _cell("=1+1") == "'=1+1" and _cell("+cmd") == "'+cmd" and _cell("@x") == "'@x"
    assert _cell("plain") == "plain" and _cell(None) == "" and _cell(True) == "true"
    out = io.BytesIO()
    doc = {"conversation": "p", "sender_id": "s", "events": [{"text": "-2", "actor": "bot"}]}
    assert write([doc], "csv", out) == 1
    assert "'-2" in out.getvalue().decode()


def test_openapi_document_names_every_operation() -> None:
    spec = document()
    assert spec["openapi"].startswith("3.")
    ids = [op["operationId"] for ops in spec["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)) == 16
    assert {"get_metrics", "get_metrics_chart_png"} <= set(ids)
    for path in ("/api/v1/metrics", "/api/v1/metrics/chart.png"):
        assert "503" in spec["paths"][path]["get"]["responses"]
    assert spec["paths"]["/api/v1/session"]["post"]["security"] == []
