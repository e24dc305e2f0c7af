"""scripts/messenger_profile.py against the fake Graph API."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.fake_graph import fake_graph_api

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "messenger_profile.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("messenger_profile", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sets_get_started_and_menu(monkeypatch: pytest.MonkeyPatch) -> None:
    script = _script()
    with fake_graph_api("page-token") as graph:
        monkeypatch.setenv("SIGILO_GRAPH_API_URL", graph.url)
        monkeypatch.setenv("FACEBOOK_PAGE_ACCESS_TOKEN", "page-token")
        monkeypatch.setenv("FACEBOOK_APP_SECRET", "secret")
        assert script.main([]) == 0
    (call,) = graph.calls
    assert call.method == "POST" and call.path.endswith("/me/messenger_profile")
    assert "access_token" not in call.query and call.query["appsecret_proof"]
    assert call.body["get_started"] == {"payload": "/greet"}
    menus = {menu["locale"]: menu["call_to_actions"] for menu in call.body["persistent_menu"]}
    assert {"default", "pt_BR", "es_ES"} <= set(menus)
    for items in menus.values():
        assert {item["payload"] for item in items} >= {"/open_menu", "/privacy_policy"}
        assert all(len(item["title"]) <= 30 for item in items)


def test_refused_token_fails_cleanly(monkeypatch: pytest.MonkeyPatch) -> None:
    script = _script()
    with fake_graph_api("page-token") as graph:
        monkeypatch.setenv("SIGILO_GRAPH_API_URL", graph.url)
        monkeypatch.setenv("FACEBOOK_PAGE_ACCESS_TOKEN", "wrong")
        assert script.main([]) == 1


def test_missing_token_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACEBOOK_PAGE_ACCESS_TOKEN", raising=False)
    assert _script().main([]) == 2
