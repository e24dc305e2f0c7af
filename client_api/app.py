"""Application factory of the demo company API.

``create_app(settings)`` wires routes, bearer authentication, JSON errors and a privacy-safe
access log; the database is created and seeded on start-up, never at import.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

from client_api.db import CompanyRepository
from client_api.errors import ApiProblem, error_response
from client_api.handlers import REPOSITORY, add_routes

log = logging.getLogger("client_api")

PUBLIC_PATHS = frozenset({"/health"})
MAX_BODY_BYTES = 64 * 1024
_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}

Handler = Callable[[web.Request], Awaitable[StreamResponse]]


@dataclass(frozen=True)
class ApiSettings:
    """What the service needs: where the database lives and the bearer token."""

    db_path: Path
    token: str

    def __post_init__(self) -> None:
        if not self.token:
            raise ValueError("the API token must not be empty")


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> StreamResponse:
    """Turn every failure into the contract's JSON error body."""
    try:
        return await handler(request)
    except ApiProblem as problem:
        return problem.response()
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = _HTTP_CODES.get(exc.status, "http_error")
        return error_response(exc.status, code, exc.reason)
    except Exception:
        # the traceback holds no request data: handlers never put it in exceptions
        log.exception("unhandled error on %s", _route(request))
        return error_response(500, "internal_error", "internal error")


def bearer_auth(token: str) -> Callable[[web.Request, Handler], Awaitable[StreamResponse]]:
    """Middleware requiring ``Authorization: Bearer <token>`` outside ``PUBLIC_PATHS``."""
    expected = token.encode()

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> StreamResponse:
        if request.path not in PUBLIC_PATHS:
            scheme, _, given = request.headers.get("Authorization", "").partition(" ")
            # constant-time compare: the answer time must not hint at the token
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                given.strip().encode(), expected
            ):
                return error_response(401, "unauthorized", "missing or invalid bearer token")
        return await handler(request)

    return middleware


def _route(request: BaseRequest) -> str:
    """The route template (``/v1/customers/{customer_id}/invoices``): no ids, no query."""
    match_info = getattr(request, "match_info", None)
    route = getattr(match_info, "route", None)
    resource = getattr(route, "resource", None)
    return resource.canonical if resource is not None else "<unmatched>"


class PrivateAccessLogger(AbstractAccessLogger):
    """Access log without query strings, ids or client addresses (TINs travel in queries)."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        """Write one line: method, route template, status, duration."""
        if self.logger.isEnabledFor(logging.INFO):
            self.logger.info(
                "%s %s -> %d in %.1f ms",
                request.method,
                _route(request),
                response.status,
                time * 1000,
            )


def create_app(settings: ApiSettings) -> web.Application:
    """Build the aiohttp application; the database is prepared on start-up."""
    app = web.Application(
        middlewares=[json_errors, bearer_auth(settings.token)],
        client_max_size=MAX_BODY_BYTES,
    )
    app[REPOSITORY] = CompanyRepository(settings.db_path)
    add_routes(app)

    async def prepare_database(app: web.Application) -> None:
        seeded = await asyncio.to_thread(app[REPOSITORY].initialize)
        log.info("database ready (%s)", "seeded with demo data" if seeded else "existing data")

    app.on_startup.append(prepare_database)
    return app
