"""The web chat page in real headless Chromium, talking to Rasa over socket.io.

Per language: open the page, see the privacy notice, tick consent, open the
menu's privacy entry, read the terms of use, delete the data, and check the
conversation restarted clean — Portuguese at ``127.0.0.1``, Spanish at
``localhost`` (both names must work). A screenshot per step lands in the
git-ignored ``tests/e2e/screenshots/<language>/``. Every request the page makes
must stay on its host, and the widget's Google Fonts request must be blocked by
the CSP. Rasa runs with Sigilo's privacy tracker store on SQLite, and the tests
read that database: only the language of the channel metadata is stored, never
the browser's user agent, address or referrer. ``test_web_socket.py`` sends the
socket.io channel bad input.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from sigilo.channels.webpage import WEB_ROOT, WIDGET_BUNDLE
from tests.e2e.conftest import WebChat
from tests.support.store_db import StoreDb

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
# What the visitor sees and clicks, per browser locale, and the name the page is opened at.
STEPS = {
    "pt-BR": {
        "host": "127.0.0.1",
        "disclaimer": "não pede seu nome",
        "greeting": "Olá! Eu sou o Sigilo",
        "privacy": "Privacidade",
        "terms": "Termos de uso",
        "terms_text": "Termos de uso, em poucas palavras",
        "delete": "Apagar meus dados",
        "confirm": "Sim, apagar tudo",
        "deleted": "apaguei seu histórico",
        "after": "oi",
    },
    "es-ES": {
        "host": "localhost",
        "disclaimer": "no te pide el nombre",
        "greeting": "¡Hola! Soy Sigilo",
        "privacy": "Privacidad",
        "terms": "Términos de uso",
        "terms_text": "Términos de uso, en pocas palabras",
        "delete": "Borrar mis datos",
        "confirm": "Sí, borrar todo",
        "deleted": "he borrado tu historial",
        "after": "hola",
    },
}


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (make e2e-deps)"
    if not CHROMIUM.exists():
        return "/usr/bin/chromium is missing (make e2e-deps)"
    if not (WEB_ROOT / WIDGET_BUNDLE).is_file():
        return "web/node_modules is missing (make e2e-deps)"
    return None


@pytest.fixture(scope="module")
def browser(web_chat: WebChat) -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright."""
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _session_id(page: Any) -> str:
    """The widget's socket.io session id (the Rasa sender id), from sessionStorage."""
    raw = page.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage))")
    for value in json.loads(raw).values():
        try:
            stored = json.loads(value)
        except ValueError:
            continue
        if isinstance(stored, dict) and stored.get("session_id"):
            return stored["session_id"]
    raise AssertionError(f"no widget session in sessionStorage: {raw[:300]}")


@pytest.mark.parametrize("locale", list(STEPS))
def test_privacy_journey(web_chat: WebChat, browser: Any, locale: str) -> None:
    words = STEPS[locale]
    page_url = web_chat.page_url(words["host"])
    shots = SCREENSHOTS / locale
    shots.mkdir(parents=True, exist_ok=True)
    host = words["host"]
    context = browser.new_context(locale=locale, viewport={"width": 900, "height": 900})
    context.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.blockedURI));"
    )
    off_host: list[str] = []

    def guard(route: Any) -> None:  # nothing may leave the host, whatever the CSP says
        if urlsplit(route.request.url).hostname == host:
            route.continue_()
        else:
            off_host.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    requested: list[str] = []
    page = context.new_page()
    page.on("request", lambda request: requested.append(request.url))
    failed: dict[str, str] = {}
    page.on("requestfailed", lambda request: failed.setdefault(request.url, request.failure or ""))
    answered: list[str] = []
    page.on("response", lambda response: answered.append(response.url))
    page.on("websocket", lambda socket: requested.append(socket.url))
    page.set_default_timeout(60_000)

    def shot(step: str) -> None:
        page.screenshot(path=str(shots / f"{step}.png"), full_page=True)

    def bot_says(text: str) -> None:
        page.locator(".rw-response", has_text=text).last.wait_for()

    def click(title: str) -> None:
        page.locator(".rw-reply", has_text=title).last.click()

    page.goto(page_url)
    page.get_by_text(words["disclaimer"], exact=False).wait_for()
    assert page.locator("html").get_attribute("lang") == locale[:2]
    assert page.locator("#start-chat").is_disabled()
    page.locator("#start-chat").click(force=True)  # not ticked yet: nothing happens
    page.wait_for_timeout(500)
    assert page.locator("#chat").is_hidden()
    assert not any("/socket.io/" in url for url in requested), "socket opened before consent"
    assert page.locator("#privacy-link").is_visible()
    shot("01-disclaimer")

    page.locator("#consent-box").check()
    page.locator("#start-chat").click()
    bot_says(words["greeting"])
    page.locator(".rw-reply", has_text=words["privacy"]).last.wait_for()
    assert page.locator("#privacy-link").is_visible()
    shot("02-consent-and-menu")

    click(words["privacy"])
    page.locator(".rw-reply", has_text=words["terms"]).last.wait_for()
    shot("03-privacy-menu")

    click(words["terms"])
    bot_says(words["terms_text"])
    shot("04-terms-of-use")

    # what the store holds so far: the language, never the browser's details
    sender = _session_id(page)
    _check_stored_visit(web_chat.db, sender, locale[:2], page, page_url)

    click(words["privacy"])
    page.locator(".rw-reply", has_text=words["delete"]).last.wait_for()
    click(words["delete"])
    page.locator(".rw-reply", has_text=words["confirm"]).last.wait_for()
    shot("05-confirm-delete")
    click(words["confirm"])
    bot_says(words["deleted"])
    shot("06-data-deleted")

    tracker = web_chat.rasa.tracker(sender)
    assert tracker["events"][-1]["event"] != "user"
    assert tracker["slots"]["language"] == locale[:2]
    kept = {"language", "language_source", "tin_attempts"}
    assert {k: v for k, v in tracker["slots"].items() if k not in kept and v} == {}
    assert "customer_first_name" not in json.dumps(tracker["latest_message"].get("metadata"))
    stored = web_chat.db.dump(sender)
    assert words["terms_text"] not in stored and "/terms_of_use" not in stored

    greetings = page.locator(".rw-response", has_text=words["greeting"])
    assert greetings.count() == 1
    page.locator(".rw-new-message").fill(words["after"])
    page.keyboard.press("Enter")
    greetings.nth(1).wait_for()
    shot("07-clean-restart")
    # Rasa's tracker endpoint returns the events after the last restart
    events = web_chat.rasa.tracker(sender)["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == [words["after"]]
    stored_users = [e["text"] for e in web_chat.db.events(sender) if e["event"] == "user"]
    assert stored_users == [words["after"]]

    # privacy-policy page, still in the visitor's language
    with context.expect_page() as policy:
        page.locator("#privacy-link").click()
    policy.value.wait_for_load_state()
    assert f"lang={locale[:2]}" in policy.value.url
    policy.value.screenshot(path=str(shots / "08-privacy-policy.png"), full_page=True)

    blocked = page.evaluate("window.__csp")
    assert any("fonts.googleapis.com" in uri for uri in blocked), blocked
    # the browser tried the widget's Google Fonts import and the CSP stopped it there
    outside = [url for url in requested if urlsplit(url).hostname != host]
    assert any("fonts.googleapis.com" in url for url in outside)
    assert all("csp" in failed.get(url, "").lower() for url in outside), failed
    # so nothing reached the network past the host, and every answer came from it
    assert off_host == []
    assert answered and all(urlsplit(url).hostname == host for url in answered), answered
    # the socket.io channel answered under the page's own name (CORS allows both names)
    assert any(urlsplit(url).path == "/socket.io/" for url in answered), answered
    context.close()


def _check_stored_visit(db: StoreDb, sender: str, language: str, page: Any, page_url: str) -> None:
    """The stored conversation: language metadata only; no user agent, address, page URL."""
    events = db.events(sender)
    users = [event for event in events if event["event"] == "user"]
    assert users and all(event["input_channel"] == "socketio" for event in users)
    # Rasa adds its own assistant and model ids; from the channel only the language is left
    for event in users:
        assert set(event["metadata"]) - {"assistant_id", "model_id"} == {"language"}, event
        assert event["metadata"]["language"] == language
    stored = json.dumps(events, ensure_ascii=False)
    user_agent = page.evaluate("navigator.userAgent")
    for needle in (user_agent, "Chrome/", "HeadlessChrome", page_url, "127.0.0.1", "localhost",
                   "referrer", "user_agent"):  # fmt: skip
        assert needle not in stored, needle
    raw = db.raw()
    for needle in (sender, "utter_greet", "/privacy_policy", user_agent):
        assert needle.encode() not in raw, needle


def test_page_headers(web_chat: WebChat) -> None:
    for host in ("127.0.0.1", "localhost"):
        with urllib.request.urlopen(web_chat.page_url(host), timeout=10) as answer:
            csp = answer.headers["Content-Security-Policy"]
            assert answer.headers["Referrer-Policy"] == "no-referrer"
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        assert "googleapis" not in csp and "font-src 'self'" in csp
        assert f"ws://{host}:" in csp
    for path in ("/package.json", "/node_modules/rasa-webchat/package.json", "/../README.md"):
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(web_chat.page_url() + path, timeout=10)
