"""The API's error type: one JSON shape, ``{"error": {"code": ..., "message": ...}}``."""

from __future__ import annotations

from typing import Any

from aiohttp import web


class ApiProblem(Exception):
    """An error answer. Messages are fixed strings: never echo personal data back."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra

    def response(self) -> web.Response:
        """JSON response for this problem."""
        return error_response(self.status, self.code, self.message, **self.extra)


def error_response(status: int, code: str, message: str, **extra: Any) -> web.Response:
    """Build the contract's JSON error body."""
    body = {"error": {"code": code, "message": message, **extra}}
    headers = {"WWW-Authenticate": 'Bearer realm="sigilo"'} if status == 401 else None
    return web.json_response(body, status=status, headers=headers)
