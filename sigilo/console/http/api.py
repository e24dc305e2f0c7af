"""The console's JSON API under ``/api/v1`` (documented in :mod:`.openapi`)."""

from __future__ import annotations

import io
from typing import Any

from sanic import Request, Sanic
from sanic.response import HTTPResponse, empty, json, raw

from sigilo.console.export import FORMATS
from sigilo.console.http.common import (
    authenticate,
    blocking,
    body,
    console_of,
    text_field,
)
from sigilo.console.http.openapi import document
from sigilo.console.metrics_view import MetricsReader, parse_by, parse_range
from sigilo.console.roles import Permission
from sigilo.console.search import FilterError

MAX_AUDIT_PAGE = 1000


def _int_arg(request: Request, name: str, default: int | None, high: int) -> int | None:
    value = request.args.get(name)
    if value in (None, ""):
        return default
    if not value.isdigit() or not 1 <= int(value) <= high:
        raise FilterError(f"{name}: a whole number from 1 to {high}")
    return int(value)


def _session_answer(session: Any) -> dict[str, Any]:
    return {
        "username": session.operator.username,
        "role": session.operator.role.value,
        "csrf_token": session.csrf_token,
        "expires_at": session.expires_at,
    }


def _metrics_of(request: Request) -> MetricsReader:
    return request.app.ctx.metrics


def register(app: Sanic) -> None:
    """Adds the API routes to ``app``."""

    @app.get("/api/v1/openapi.json")
    async def openapi(request: Request) -> HTTPResponse:
        return json(document())

    @app.post("/api/v1/session")
    async def sign_in(request: Request) -> HTTPResponse:
        data = body(request)
        username = text_field(data, "username", 64)
        password = text_field(data, "password", 1024)
        code = text_field(data, "code", 16, required=False)
        session = await blocking(console_of(request).auth.sign_in, username, password, code)
        return json({"token": session.token, **_session_answer(session)})

    @app.get("/api/v1/session")
    async def whoami(request: Request) -> HTTPResponse:
        return json(_session_answer(await authenticate(request)))

    @app.delete("/api/v1/session")
    async def sign_out(request: Request) -> HTTPResponse:
        session = await authenticate(request)
        await blocking(console_of(request).auth.sign_out, session.token)
        return empty()

    @app.post("/api/v1/conversations/search")
    async def search(request: Request) -> HTTPResponse:
        session = await authenticate(request)
        return json(await blocking(console_of(request).search, session, body(request)))

    @app.get("/api/v1/conversations/<pseudonym:str>")
    async def show(request: Request, pseudonym: str) -> HTTPResponse:
        session = await authenticate(request)
        return json(await blocking(console_of(request).show, session, pseudonym))

    @app.post("/api/v1/conversations/export")
    async def export(request: Request) -> HTTPResponse:
        session = await authenticate(request)
        data = body(request)
        fmt = data.get("format", "json")
        if not isinstance(fmt, str):
            raise FilterError(f"format: one of {', '.join(FORMATS)}")
        out = io.BytesIO()
        await blocking(console_of(request).export, session, data.get("conversations"), fmt, out)
        return raw(
            out.getvalue(),
            content_type=FORMATS[fmt.strip().lower()],
            headers={"Content-Disposition": f'attachment; filename="sigilo-export.{fmt}"'},
        )

    @app.post("/api/v1/conversations/delete")
    async def delete(request: Request) -> HTTPResponse:
        session = await authenticate(request)
        data = body(request)
        reports = await blocking(console_of(request).delete, session, data.get("conversations"))
        return json({"reports": [r.as_dict() for r in reports]})

    @app.get("/api/v1/retention")
    async def retention(request: Request) -> HTTPResponse:
        session = await authenticate(request)
        return json(await blocking(console_of(request).retention, session))

    @app.put("/api/v1/retention")
    async def set_retention(request: Request) -> HTTPResponse:
        session = await authenticate(request)
        months = body(request).get("months")
        if not isinstance(months, int) or isinstance(months, bool):
            raise FilterError("months: a whole number, 1 to 36")
        value = await blocking(console_of(request).set_retention, session, months)
        return json({"months": value})

    @app.get("/api/v1/operators")
    async def operators(request: Request) -> HTTPResponse:
        session = await authenticate(request)
        return json({"operators": await blocking(console_of(request).operators, session)})

    @app.post("/api/v1/operators")
    async def create_operator(request: Request) -> HTTPResponse:
        session = await authenticate(request)
        data = body(request)
        username, uri = await blocking(
            console_of(request).create_operator,
            session,
            text_field(data, "username", 64),
            text_field(data, "role", 16),
            text_field(data, "password", 1024),
        )
        return json({"username": username, "totp_uri": uri}, status=201)

    @app.put("/api/v1/operators/<username:str>/role")
    async def set_role(request: Request, username: str) -> HTTPResponse:
        session = await authenticate(request)
        role = text_field(body(request), "role", 16)
        await blocking(console_of(request).set_role, session, username, role)
        return json({"username": username, "role": role})

    @app.get("/api/v1/audit")
    async def audit(request: Request) -> HTTPResponse:
        session = await authenticate(request)
        limit = _int_arg(request, "limit", 100, MAX_AUDIT_PAGE)
        before = _int_arg(request, "before", None, 2**62)
        entries = await blocking(console_of(request).audit_entries, session, limit, before)
        return json({"entries": entries})

    @app.get("/api/v1/audit/verify")
    async def verify(request: Request) -> HTTPResponse:
        session = await authenticate(request)
        result = await blocking(console_of(request).audit_verify, session)
        return json(
            {
                "ok": result.ok,
                "entries": result.entries,
                "broken_at": result.broken_at,
                "reason": result.reason,
                "head": result.head,
            }
        )

    # Metrics are anonymous (no identifier, no text): role-checked, reads not audited.
    @app.get("/api/v1/metrics")
    async def metrics(request: Request) -> HTTPResponse:
        session = await authenticate(request)
        console_of(request).require(session, Permission.METRICS, "metrics")
        start, end = parse_range(request.args.get("from"), request.args.get("to"))
        by = parse_by(request.args.get("by"))
        return json(await blocking(_metrics_of(request).tables, start, end, by))

    @app.get("/api/v1/metrics/chart.png")
    async def metrics_chart(request: Request) -> HTTPResponse:
        session = await authenticate(request)
        console_of(request).require(session, Permission.METRICS, "metrics")
        start, end = parse_range(request.args.get("from"), request.args.get("to"))
        png = await blocking(_metrics_of(request).chart, start, end)
        return raw(png, content_type="image/png")
