"""The console page: sign in with TOTP, search, read, export, delete (server-rendered)."""

from __future__ import annotations

import io
import secrets
from pathlib import Path
from typing import Any

from sanic import Request, Sanic
from sanic.response import HTTPResponse, html, raw, redirect

from sigilo.console.auth import AuthError
from sigilo.console.export import FORMATS
from sigilo.console.http import templates
from sigilo.console.http.common import (
    COOKIE,
    CSRF_FIELD,
    PRE_COOKIE,
    CsrfError,
    authenticate,
    blocking,
    console_of,
)
from sigilo.console.metrics_view import MetricsUnavailable, parse_by, parse_range
from sigilo.console.roles import Permission, allowed
from sigilo.console.search import FilterError

STYLESHEET = Path(__file__).with_name("console.css")
_FILTER_FIELDS = ("from", "to", "channel", "language", "consent", "personal", "sender_id")


def _set_cookie(request: Request, response: HTTPResponse, name: str, value: str) -> None:
    response.cookies[name] = value
    cookie = response.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    if request.app.ctx.secure_cookies:
        cookie["secure"] = True


def _who(session: Any) -> str:
    return f"{session.operator.username} ({session.operator.role.value})"


def _sign_in_page(request: Request, message: str = "", status: int = 200) -> HTTPResponse:
    pre = secrets.token_urlsafe(24)
    response = html(templates.sign_in(pre, message), status=status)
    _set_cookie(request, response, PRE_COOKIE, pre)
    return response


def _form(request: Request, name: str) -> str:
    value = request.form.get(name) if request.form else None
    return value if isinstance(value, str) else ""


def _form_list(request: Request, name: str) -> list[str]:
    return list(request.form.getlist(name) or []) if request.form else []


def register(app: Sanic) -> None:
    """Adds the page's routes to ``app``."""

    @app.get("/")
    async def root(request: Request) -> HTTPResponse:
        return redirect("/console")

    @app.get("/console/static/console.css")
    async def stylesheet(request: Request) -> HTTPResponse:
        return raw(STYLESHEET.read_bytes(), content_type="text/css; charset=utf-8")

    @app.get("/console")
    async def home(request: Request) -> HTTPResponse:
        try:
            session = await authenticate(request)
        except AuthError as exc:
            message = exc.reason if request.cookies.get(COOKIE) else ""
            return _sign_in_page(request, message)
        return await _search_page(request, session, {})

    @app.post("/console/sign-in")
    async def sign_in(request: Request) -> HTTPResponse:
        pre = request.cookies.get(PRE_COOKIE, "")
        if not pre or not secrets.compare_digest(pre, _form(request, CSRF_FIELD)):
            await blocking(console_of(request).audit.record, "(unknown)", "csrf", None, "refused")
            return _sign_in_page(request, "The form is out of date: sign in again.", 403)
        try:
            session = await blocking(
                console_of(request).auth.sign_in,
                _form(request, "username")[:64],
                _form(request, "password")[:1024],
                _form(request, "code")[:16],
            )
        except AuthError as exc:
            return _sign_in_page(request, exc.reason, exc.status)
        response = redirect("/console", status=303)
        _set_cookie(request, response, COOKIE, session.token)
        del response.cookies[PRE_COOKIE]
        return response

    @app.post("/console/sign-out")
    async def sign_out(request: Request) -> HTTPResponse:
        session = await authenticate(request, _form(request, CSRF_FIELD))
        await blocking(console_of(request).auth.sign_out, session.token)
        response = redirect("/console", status=303)
        del response.cookies[COOKIE]
        return response

    @app.post("/console/search")
    async def search(request: Request) -> HTTPResponse:
        session = await authenticate(request, _form(request, CSRF_FIELD))
        filters = {k: _form(request, k) for k in _FILTER_FIELDS if _form(request, k)}
        return await _search_page(request, session, filters)

    @app.get("/console/metrics")
    async def metrics(request: Request) -> HTTPResponse:
        session = await authenticate(request)
        console_of(request).require(session, Permission.METRICS, "metrics")
        form = {k: str(request.args.get(k) or "")[:32] for k in ("from", "to", "by")}
        try:
            start, end = parse_range(form["from"], form["to"])
            by = parse_by(form["by"])
        except FilterError as exc:
            return html(
                templates.metrics(_who(session), session.csrf_token, form, None, str(exc)), 400
            )
        form.update({"from": start.isoformat(), "to": end.isoformat(), "by": by})
        try:
            shown = await blocking(request.app.ctx.metrics.tables, start, end, by)
        except MetricsUnavailable as exc:
            return html(
                templates.metrics(_who(session), session.csrf_token, form, None, str(exc)), 503
            )
        return html(templates.metrics(_who(session), session.csrf_token, form, shown))

    @app.get("/console/conversations/<pseudonym:str>")
    async def conversation(request: Request, pseudonym: str) -> HTTPResponse:
        session = await authenticate(request)
        shown = await blocking(console_of(request).show, session, pseudonym)
        return html(templates.conversation(_who(session), session.csrf_token, shown))

    @app.post("/console/selection")
    async def selection(request: Request) -> HTTPResponse:
        session = await authenticate(request, _form(request, CSRF_FIELD))
        chosen = _form_list(request, "conversations")
        if not chosen:
            return await _search_page(request, session, {}, "Select at least one conversation.")
        if _form(request, "op") == "delete":
            console_of(request).require(session, Permission.DELETE, "delete")
            return html(templates.confirm_delete(_who(session), session.csrf_token, chosen))
        fmt = (_form(request, "format") or "json").strip().lower()
        out = io.BytesIO()
        await blocking(console_of(request).export, session, chosen, fmt, out)
        return raw(
            out.getvalue(),
            content_type=FORMATS[fmt],
            headers={"Content-Disposition": f'attachment; filename="sigilo-export.{fmt}"'},
        )

    @app.post("/console/delete")
    async def delete(request: Request) -> HTTPResponse:
        session = await authenticate(request, _form(request, CSRF_FIELD))
        if _form(request, "confirm") != "yes":
            raise FilterError("confirm the erasure")
        chosen = _form_list(request, "conversations")
        reports = await blocking(console_of(request).delete, session, chosen)
        rows = [r.as_dict() for r in reports]
        return html(templates.delete_report(_who(session), session.csrf_token, rows))


async def _search_page(
    request: Request, session: Any, filters: dict[str, Any], message: str = ""
) -> HTTPResponse:
    console = console_of(request)
    can_change = allowed(session.operator.role, Permission.EXPORT)
    try:
        found = await blocking(console.search, session, filters)
    except FilterError as exc:
        page = templates.search(
            _who(session), session.csrf_token, filters, None, can_change, str(exc)
        )
        return html(page, status=400)
    page = templates.search(_who(session), session.csrf_token, filters, found, can_change, message)
    return html(page)


def page_error(exc: Exception, status: int, message: str) -> HTTPResponse:
    """The HTML answer to an error on a page route (unsigned-in → the sign-in page)."""
    if isinstance(exc, (AuthError, CsrfError)) and status == 401:
        return redirect("/console", status=303)
    return html(templates.error_page(status, message), status=status)
