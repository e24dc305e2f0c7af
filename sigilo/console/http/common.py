"""What the API and the page share: security headers, authentication, CSRF, errors.

A request is authenticated by ``Authorization: Bearer <token>`` (scripts; no CSRF
check, the header is never sent by a browser on its own) or by the session cookie
(the page; every unsafe request must then carry the session's CSRF token).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sanic import Request
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse, json

from sigilo.console.auth import AuthError, OperatorError, Session, UnknownOperator
from sigilo.console.metrics_view import MetricsUnavailable
from sigilo.console.passwords import WeakPassword
from sigilo.console.roles import AccessDenied, Role
from sigilo.console.search import FilterError
from sigilo.console.service import Console, NotFound

logger = logging.getLogger(__name__)
COOKIE = "sigilo_console"
PRE_COOKIE = "sigilo_console_pre"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
T = TypeVar("T")

CSP = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cache-Control": "no-store",
}


class CsrfError(Exception):
    """An unsafe cookie-authenticated request without the session's CSRF token."""


async def blocking(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Runs database work off the event loop."""
    return await asyncio.to_thread(func, *args, **kwargs)


def console_of(request: Request) -> Console:
    """The console bound to the app."""
    return request.app.ctx.console


def bearer(request: Request) -> str:
    """The bearer token of the request, or ''."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def authenticate(request: Request, csrf_value: str | None = None) -> Session:
    """The request's session; unsafe cookie requests must carry the CSRF token.

    Raises:
        AuthError: no or expired session. CsrfError: missing or forged token.
    """
    console = console_of(request)
    token = bearer(request)
    via_cookie = not token
    if via_cookie:
        token = request.cookies.get(COOKIE, "")
    session = await blocking(console.auth.session, token)
    if session.operator.role is Role.NONE:  # role none: no endpoint at all
        await blocking(console.audit.record, session.operator.username, "request", None, "denied")
        raise AccessDenied("your role (none) gives no access")
    if via_cookie and request.method in UNSAFE:
        presented = csrf_value or request.headers.get(CSRF_HEADER)
        if not console.auth.csrf_ok(session, presented):
            await blocking(console.audit.record, session.operator.username, "csrf", None, "refused")
            raise CsrfError("the form is out of date or forged: reload the page")
    return session


def status_of(exc: Exception) -> tuple[int, str]:
    """The HTTP status and the safe message for an error."""
    if isinstance(exc, AuthError):
        return exc.status, exc.reason
    if isinstance(exc, CsrfError):
        return 403, str(exc)
    if isinstance(exc, AccessDenied):
        return 403, str(exc)
    if isinstance(exc, (NotFound, UnknownOperator)):
        return 404, str(exc)
    if isinstance(exc, (FilterError, OperatorError, WeakPassword)):
        return 400, str(exc)
    if isinstance(exc, MetricsUnavailable):
        return 503, str(exc)
    if isinstance(exc, SanicException):
        status = int(getattr(exc, "status_code", 500) or 500)
        message = {400: "malformed request", 404: "no such page", 405: "method not allowed"}
        return status, message.get(status, str(exc) if status < 500 else "internal error")
    logger.error("console request failed: %s", type(exc).__name__)
    return 500, "internal error"


def json_error(exc: Exception) -> HTTPResponse:
    """A JSON error answer: ``{"error": message}``, never a traceback."""
    status, message = status_of(exc)
    return json({"error": message}, status=status)


def body(request: Request) -> dict[str, Any]:
    """The request's JSON object.

    Raises:
        FilterError: no body, not JSON, or not an object.
    """
    try:
        data = request.json
    except SanicException:
        raise FilterError("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise FilterError("the body must be a JSON object")
    return data


def text_field(data: dict[str, Any], name: str, size: int = 1024, required: bool = True) -> str:
    """A string field of a JSON body."""
    value = data.get(name, "" if not required else None)
    if not isinstance(value, str) or len(value) > size or (required and not value):
        raise FilterError(f"{name}: a text of at most {size} characters")
    return value
