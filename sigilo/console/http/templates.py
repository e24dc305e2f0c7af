"""Server-rendered HTML of the console page: no script, no third-party resource.

Every value is escaped with :func:`html.escape`; forms carry the CSRF token.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from sigilo.console.index import CONSENT_STATES


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def layout(title: str, content: str, who: str = "", csrf: str = "") -> str:
    """The page frame; ``who``: the signed-in operator (with a sign-out button)."""
    bar = ""
    if who:
        bar = (
            f'<form class="who" method="post" action="/console/sign-out">'
            f'<input type="hidden" name="csrf_token" value="{_e(csrf)}">'
            f"<span>{_e(who)}</span> <button>Sign out</button></form>"
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)} · Sigilo console</title>"
        '<link rel="stylesheet" href="/console/static/console.css"></head><body>'
        f'<header><a href="/console" class="brand">Sigilo console</a>{bar}</header>'
        f"<main><h1>{_e(title)}</h1>{content}</main></body></html>"
    )


def error_box(message: str) -> str:
    """A visible error message."""
    return f'<p class="error" role="alert">{_e(message)}</p>' if message else ""


def sign_in(pre_csrf: str, message: str = "") -> str:
    """The sign-in form (password and TOTP code)."""
    return layout(
        "Sign in",
        error_box(message) + '<form method="post" action="/console/sign-in" class="card">'
        f'<input type="hidden" name="csrf_token" value="{_e(pre_csrf)}">'
        '<label>Username <input name="username" autocomplete="username" required'
        ' maxlength="64"></label>'
        '<label>Password <input name="password" type="password" required'
        ' autocomplete="current-password" maxlength="1024"></label>'
        '<label>Code from your authenticator app <input name="code" inputmode="numeric"'
        ' autocomplete="one-time-code" maxlength="8" pattern="[0-9 ]*"></label>'
        "<button>Sign in</button></form>",
    )


def _select(name: str, options: list[str], chosen: str) -> str:
    items = "".join(
        f'<option value="{_e(o)}"{" selected" if o == chosen else ""}>{_e(o or "any")}</option>'
        for o in options
    )
    return f'<select name="{name}">{items}</select>'


def search(
    who: str,
    csrf: str,
    filters: dict[str, Any],
    found: dict[str, Any] | None,
    can_change: bool,
    message: str = "",
) -> str:
    """The search form, its results with export/delete of a selection, metrics link."""
    f = {k: filters.get(k) or "" for k in ("from", "to", "channel", "language", "sender_id")}
    form = (
        '<form method="post" action="/console/search" class="card filters">'
        f'<input type="hidden" name="csrf_token" value="{_e(csrf)}">'
        f'<label>From <input type="date" name="from" value="{_e(f["from"])}"></label>'
        f'<label>To <input type="date" name="to" value="{_e(f["to"])}"></label>'
        f'<label>Channel <input name="channel" maxlength="32" value="{_e(f["channel"])}"></label>'
        f'<label>Language <input name="language" maxlength="8" value="{_e(f["language"])}">'
        "</label>"
        f"<label>Consent {_select('consent', ['', *CONSENT_STATES], filters.get('consent') or '')}"
        "</label>"
        "<label>Personal data "
        f"{_select('personal', ['', 'true', 'false'], str(filters.get('personal') or ''))}</label>"
        '<label class="wide">Sender id or Messenger id <input name="sender_id" maxlength="256"'
        f' autocomplete="off" value="{_e(f["sender_id"])}"></label>'
        "<button>Search</button></form>"
    )
    results = ""
    if found is not None:
        rows = "".join(
            "<tr>"
            f'<td><input type="checkbox" name="conversations" value="{_e(r["pseudonym"])}"'
            f' aria-label="select {_e(r["pseudonym"][:12])}"></td>'
            f'<td><a href="/console/conversations/{_e(r["pseudonym"])}">'
            f"{_e(r['pseudonym'][:16])}…</a></td>"
            f"<td>{_e(r['first_event_at'])}</td><td>{_e(r['last_event_at'])}</td>"
            f"<td>{_e(r['channel'])}</td><td>{_e(r['language'])}</td><td>{_e(r['consent'])}</td>"
            f"<td>{'yes' if r['holds_personal'] else 'no'}</td></tr>"
            for r in found["conversations"]
        )
        actions = ""
        if can_change:
            actions = (
                '<div class="actions">'
                + _select("format", ["json", "csv", "xlsx"], "json")
                + '<button name="op" value="export">Export selected</button>'
                '<button name="op" value="delete" class="danger">Delete selected…</button></div>'
            )
        results = (
            f'<p class="count">{found["total"]} conversation(s)</p>'
            '<form method="post" action="/console/selection">'
            f'<input type="hidden" name="csrf_token" value="{_e(csrf)}">'
            "<table><thead><tr><th></th><th>conversation</th><th>first</th><th>last</th>"
            "<th>channel</th><th>language</th><th>consent</th><th>personal data</th></tr>"
            f"</thead><tbody>{rows}</tbody></table>{actions}</form>"
        )
    metrics = (
        '<section class="card metrics"><h2>Metrics</h2><p>Anonymous counters (button '
        'clicks, feature use) and their chart: <a href="/console/metrics">open the '
        "metrics</a>.</p></section>"
    )
    return layout("Conversations", error_box(message) + form + results + metrics, who, csrf)


def _metrics_table(table: dict[str, Any]) -> str:
    columns = table["columns"]
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    sums = "".join(f"<td>{sum(r['cells'].get(c, 0) for r in table['rows'])}</td>" for c in columns)
    body = (
        "".join(
            f"<tr><td>{_e(r['name'])}</td><td>{_e(r['total'])}</td>"
            + "".join(f"<td>{_e(r['cells'].get(c, 0))}</td>" for c in columns)
            + "</tr>"
            for r in table["rows"]
        )
        or f'<tr><td colspan="{len(columns) + 2}">none in this range</td></tr>'
    )
    return (
        f'<h2>{_e(table["title"])}</h2><table class="metrics-table">'
        f"<thead><tr><th>name</th><th>total</th>{head}</tr></thead><tbody>{body}</tbody>"
        f"<tfoot><tr><td>all</td><td>{_e(table['total'])}</td>{sums}</tr></tfoot></table>"
    )


def metrics(
    who: str,
    csrf: str,
    form: dict[str, str],
    shown: dict[str, Any] | None,
    message: str = "",
) -> str:
    """The metrics range form, the tables and the chart (an image from this origin)."""
    by = _select("by", ["channel", "language", "day"], form.get("by") or "channel")
    content = (
        error_box(message) + '<form method="get" action="/console/metrics" class="card filters">'
        f'<label>From <input type="date" name="from" value="{_e(form.get("from"))}"></label>'
        f'<label>To <input type="date" name="to" value="{_e(form.get("to"))}"></label>'
        f"<label>Split by {by}</label><button>Show</button></form>"
        '<p class="note">Anonymous counters: no identifier, no text. Reading them is not '
        "audited.</p>"
    )
    if shown is not None:
        query = urlencode({"from": shown["from"], "to": shown["to"]})
        content += "".join(_metrics_table(t) for t in shown["tables"]) + (
            f'<h2>Chart</h2><p><img class="chart" src="/api/v1/metrics/chart.png?{_e(query)}"'
            f' alt="metrics chart, {_e(shown["from"])} to {_e(shown["to"])}"></p>'
        )
    content += '<p><a href="/console">Back to the conversations</a></p>'
    return layout("Metrics", content, who, csrf)


def _what(line: dict[str, Any]) -> str:
    if "text" in line:
        return str(line["text"])
    return f"{line.get('slot')} = {line.get('value')}"


def conversation(who: str, csrf: str, shown: dict[str, Any]) -> str:
    """One transcript."""
    personal = (
        "".join(f"<li>{_e(k)}: {_e(v)}</li>" for k, v in shown["personal_data"].items())
        or "<li>none</li>"
    )
    lines = "".join(
        f'<tr class="{_e(line["actor"])}"><td>{_e(line["time"])}</td><td>{_e(line["actor"])}</td>'
        f"<td>{_e(_what(line))}</td></tr>"
        for line in shown["transcript"]
    )
    note = '<p class="note">Personal data is masked for your role.</p>' if shown["masked"] else ""
    content = (
        f"{note}<p>Sender id: <strong>{_e(shown['sender_id'])}</strong></p>"
        f"<h2>Personal data held</h2><ul>{personal}</ul>"
        "<h2>Transcript (stored redacted)</h2>"
        f"<table><thead><tr><th>time</th><th>who</th><th>what</th></tr></thead>"
        f"<tbody>{lines}</tbody></table>"
    )
    pseudonym = shown["conversation"]["pseudonym"]
    return layout(f"Conversation {pseudonym[:16]}…", content, who, csrf)


def confirm_delete(who: str, csrf: str, pseudonyms: list[str]) -> str:
    """The erasure confirmation."""
    hidden = "".join(
        f'<input type="hidden" name="conversations" value="{_e(p)}">' for p in pseudonyms
    )
    items = "".join(f"<li>{_e(p)}</li>" for p in pseudonyms)
    return layout(
        "Erase conversations",
        f"<p>Erase these {len(pseudonyms)} conversation(s) and every personal datum in them? "
        "This cannot be undone. Anonymous metrics are kept.</p>"
        f"<ul>{items}</ul>"
        '<form method="post" action="/console/delete">'
        f'<input type="hidden" name="csrf_token" value="{_e(csrf)}">{hidden}'
        '<button class="danger" name="confirm" value="yes">Erase for good</button></form>',
        who,
        csrf,
    )


def delete_report(who: str, csrf: str, reports: list[dict[str, Any]]) -> str:
    """One receipt line per consumer."""
    rows = "".join(
        f'<tr><td>{_e(r["conversation"][:16])}…</td><td class="{_e(r["status"])}">'
        f"{_e(r['status'])}</td><td>{_e(r['events_deleted'])}</td><td>{_e(r['erased_at'])}</td>"
        f"<td><code>{_e(r['receipt'])}</code></td></tr>"
        for r in reports
    )
    return layout(
        "Erasure receipts",
        "<table><thead><tr><th>conversation</th><th>status</th><th>events deleted</th>"
        f"<th>erased at</th><th>receipt (audit entry)</th></tr></thead><tbody>{rows}</tbody>"
        '</table><p><a href="/console">Back to the conversations</a></p>',
        who,
        csrf,
    )


def error_page(status: int, message: str) -> str:
    """An error page (no detail beyond the safe message)."""
    return layout(f"Error {status}", error_box(message) + '<p><a href="/console">Back</a></p>')
