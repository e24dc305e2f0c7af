"""The operators' console page in real headless Chromium against the real service.

An editor signs in with password and TOTP code, searches by the Messenger id a
consumer gave, reads the conversation, exports it as CSV and erases it; a viewer then
reads another conversation with personal data masked. A screenshot per step lands in
the git-ignored ``tests/e2e/screenshots/console/``. The viewer finally opens the metrics
page (tables and chart from stored counters); every request stays on the host.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from rasa.shared.core.domain import Domain

from sigilo import keys
from sigilo.console.service import Console
from sigilo.metrics.db import make_engine
from sigilo.metrics.db import upgrade as metrics_upgrade
from sigilo.metrics.store import CounterKey, MetricsStore
from sigilo.tracker_store import PrivacyTrackerStore
from sigilo.tracker_store.db import upgrade
from tests.integration.console.conftest import NAME, PASSWORD, TIN, code_for, conversation, save
from tests.integration.console.http_support import console_server

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(__file__).resolve().parent / "screenshots" / "console"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
MESSENGER_ID = "5550001112223334"


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "the playwright package is not installed (make e2e-deps)"
    else:
        missing = "" if CHROMIUM.exists() else "/usr/bin/chromium is missing (make e2e-deps)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    monkeypatch.setenv(keys.ENCRYPTION_KEYS, f"k1:{keys.new_key()}")
    monkeypatch.setenv(keys.PSEUDONYM_KEY, keys.new_key())
    monkeypatch.delenv(keys.KEY_FILE, raising=False)
    url = f"sqlite:///{tmp_path / 'sigilo.db'}"
    upgrade(url)
    store = PrivacyTrackerStore(domain=Domain.load(str(ROOT / "domain")), host=url)

    async def fill() -> None:
        await save(store, MESSENGER_ID, conversation("oi quero ver minhas faturas"), "facebook")
        await save(store, "web-other", conversation("hola, mis facturas", "es"), "socketio")

    asyncio.run(fill())
    console = Console.from_env(url)
    _, editor_uri = console.auth.create("dpo", "editor", PASSWORD)
    console.auth.create("reader", "viewer", PASSWORD)
    metrics_url = f"sqlite:///{tmp_path / 'metrics.db'}"
    metrics_upgrade(metrics_url)
    engine = make_engine(metrics_url)
    today = date.today()
    MetricsStore(engine).add(
        {
            CounterKey(today, "facebook", "pt", "click", "menu_boleto"): 4,
            CounterKey(today, "socketio", "es", "click", "menu_pix"): 2,
            CounterKey(today, "facebook", "pt", "feature", "second_copy"): 3,
        }
    )
    engine.dispose()
    with console_server(url, metrics_url) as server:
        yield {"console": console, "server": server, "uri": editor_uri}


def test_console_page(setup: dict[str, Any]) -> None:
    from playwright.sync_api import expect, sync_playwright

    console, server = setup["console"], setup["server"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    off_host: list[str] = []

    def guard(route: Any) -> None:
        if urlsplit(route.request.url).hostname == server.host:
            route.continue_()
        else:
            off_host.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True)
        context.route("**/*", guard)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        def shot(step: str) -> None:
            page.screenshot(path=str(SHOTS / f"{step}.png"), full_page=True)

        page.goto(f"{server.url}/console")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        shot("01-sign-in")
        page.get_by_label("Username").fill("dpo")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Code from your authenticator app").fill("000000")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("wrong username, password or code")
        shot("02-wrong-code")
        page.get_by_label("Username").fill("dpo")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_label("Code from your authenticator app").fill(code_for(setup["uri"]))
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("2 conversation(s)")).to_be_visible()
        shot("03-signed-in")

        page.get_by_label("Sender id or Messenger id").fill(MESSENGER_ID)
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_text("1 conversation(s)")).to_be_visible()
        expect(page.locator("tbody tr")).to_contain_text("facebook")
        shot("04-search-by-messenger-id")

        pseudonym = console.repository.pseudonym(MESSENGER_ID)
        page.locator(f'a[href="/console/conversations/{pseudonym}"]').click()
        expect(page.get_by_text(f"tin: {TIN}")).to_be_visible()
        expect(page.get_by_text(f"Olá {NAME}!")).to_be_visible()
        shot("05-read")
        page.go_back()

        page.locator(f'input[value="{pseudonym}"]').check()
        page.locator('select[name="format"]').select_option("csv")
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Export selected").click()
        download = download_info.value
        exported = Path(download.path()).read_text()
        assert download.suggested_filename == "sigilo-export.csv"
        assert MESSENGER_ID in exported and TIN in exported
        shot("06-exported")

        page.locator(f'input[value="{pseudonym}"]').check()
        page.get_by_role("button", name="Delete selected…").click()
        expect(page.get_by_role("heading", name="Erase conversations")).to_be_visible()
        shot("07-confirm-delete")
        page.get_by_role("button", name="Erase for good").click()
        expect(page.locator("td.erased")).to_have_text("erased")
        shot("08-erasure-receipt")
        assert console.repository.load(MESSENGER_ID) is None
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

        page.get_by_label("Username").fill("reader")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("1 conversation(s)")).to_be_visible()
        expect(page.get_by_role("button", name="Export selected")).to_have_count(0)
        other = console.repository.pseudonym("web-other")
        page.locator(f'a[href="/console/conversations/{other}"]').click()
        expect(page.get_by_text("Personal data is masked for your role.")).to_be_visible()
        assert TIN not in page.content() and NAME not in page.content()
        shot("09-viewer-masked")

        page.goto(f"{server.url}/console")
        page.get_by_role("link", name="open the metrics").click()
        expect(page.get_by_role("heading", name="Metrics", exact=True)).to_be_visible()
        expect(page.locator("table.metrics-table").first).to_contain_text("menu_boleto")
        chart = page.locator("img.chart")
        expect(chart).to_be_visible()
        page.wait_for_load_state("load")  # the chart is drawn on request
        assert chart.evaluate("image => image.complete && image.naturalWidth") > 500
        shot("10-metrics")
        browser.close()
    # the wrong code's page answers 401 (logged by the browser); nothing the CSP refused
    refused = [e for e in errors if "Content Security Policy" in e or "Refused" in e]
    assert off_host == [] and refused == [], (off_host, errors)
    actions = {(e.operator, e.action, e.outcome) for e in console.audit.entries()}
    for expected in [
        ("dpo", "sign_in", "failed"),
        ("dpo", "sign_in", "ok"),
        ("dpo", "search", "ok"),
        ("dpo", "read", "ok"),
        ("dpo", "export", "ok"),
        ("dpo", "delete", "ok"),
        ("reader", "read_masked", "ok"),
    ]:
        assert expected in actions, expected
    assert console.audit.verify().ok
