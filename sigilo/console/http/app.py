"""The console's Sanic application: API, page, security headers, errors without traces."""

from __future__ import annotations

import itertools
import logging

from sanic import Request, Sanic
from sanic.handlers import ErrorHandler
from sanic.response import HTTPResponse, json

from sigilo.console.http import api, page
from sigilo.console.http.common import SECURITY_HEADERS, json_error, status_of
from sigilo.console.metrics_view import MetricsReader
from sigilo.console.service import Console

logger = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024
_names = itertools.count()


class _Errors(ErrorHandler):
    """JSON for the API, an HTML page for the console; never a traceback."""

    def default(self, request: Request, exception: Exception) -> HTTPResponse:
        status, message = status_of(exception)
        if status >= 500:
            logger.error("console: %s on %s", type(exception).__name__, request.path[:100])
        if request.path.startswith("/api/") or not request.path.startswith("/console"):
            response = json_error(exception)
        else:
            response = page.page_error(exception, status, message)
        response.headers.update(SECURITY_HEADERS)
        return response


def create_app(
    console: Console, secure_cookies: bool = False, metrics: MetricsReader | None = None
) -> Sanic:
    """The app serving ``console``; ``secure_cookies`` when behind HTTPS.

    ``metrics``: the metrics database to show (default: ``$SIGILO_METRICS_URL``).
    """
    app = Sanic(f"sigilo_console_{next(_names)}", error_handler=_Errors())
    app.config.REQUEST_MAX_SIZE = MAX_BODY
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.KEEP_ALIVE_TIMEOUT = 5
    app.ctx.console = console
    app.ctx.secure_cookies = secure_cookies
    app.ctx.metrics = metrics or MetricsReader()

    @app.get("/healthz")
    async def health(request: Request) -> HTTPResponse:
        return json({"status": "ok"})

    api.register(app)
    page.register(app)

    @app.middleware("response")
    async def security_headers(request: Request, response: HTTPResponse) -> None:
        response.headers.update(SECURITY_HEADERS)

    return app
