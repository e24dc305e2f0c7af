"""The OpenAPI 3 document of the console's API (``GET /api/v1/openapi.json``)."""

from __future__ import annotations

from typing import Any

from sigilo.console.export import FORMATS
from sigilo.console.index import CONSENT_STATES
from sigilo.console.metrics_view import MAX_DAYS
from sigilo.console.roles import Role
from sigilo.console.search import MAX_PAGE_SIZE
from sigilo.console.service import MAX_BATCH
from sigilo.metrics.report import DIMENSIONS

_PSEUDONYM = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_ERROR = {
    "description": "error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _answer(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description}
    if schema is not None:
        answer["content"] = _json(schema)
    return answer


def _op(
    summary: str,
    role: str,
    ok: dict[str, Any],
    body: dict[str, Any] | None = None,
    params: list[dict[str, Any]] | None = None,
    public: bool = False,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "description": f"Role needed: {role}.",
        "responses": {
            **ok,
            "400": _ERROR,
            "401": _ERROR,
            "403": _ERROR,
            "404": _ERROR,
            "429": _ERROR,
        },
    }
    if body is not None:
        operation["requestBody"] = {"required": True, "content": _json(body)}
    if params:
        operation["parameters"] = params
    if public:
        operation["security"] = []
    return operation


def _obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    return schema


_STR = {"type": "string", "pattern": "^[a-z0-9._-]{3,64}$"}
_SELECTION = _obj(
    {
        "conversations": {
            "type": "array",
            "items": _PSEUDONYM,
            "minItems": 1,
            "maxItems": MAX_BATCH,
        },
        "format": {"type": "string", "enum": sorted(FORMATS)},
    },
    ["conversations"],
)
_FILTERS = _obj(
    {
        "from": {"type": "string", "format": "date"},
        "to": {"type": "string", "format": "date"},
        "channel": {"type": "string", "maxLength": 32},
        "language": {"type": "string", "maxLength": 8},
        "consent": {"type": "string", "enum": [*CONSENT_STATES, "any"]},
        "personal": {"type": "boolean"},
        "sender_id": {"type": "string", "maxLength": 256},
        "page": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
        "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
    }
)
_ANY = {"type": "object"}
_DAY = {"type": "string", "format": "date"}
_RANGE = [
    {"name": "from", "in": "query", "schema": _DAY, "description": "first day (default: to - 29)"},
    {"name": "to", "in": "query", "schema": _DAY, "description": "last day (default: today)"},
]
_METRICS_NOTE = (
    f" At most {MAX_DAYS} days; 503 when the metrics database is away or unmigrated."
    " Metrics are anonymous: reads are not audited."
)


def _metrics_op(summary: str, ok: dict[str, Any], params: list[dict[str, Any]]) -> dict[str, Any]:
    operation = _op(summary, "viewer", ok, params=params)
    operation["description"] += _METRICS_NOTE
    operation["responses"]["503"] = _ERROR
    return operation


def document() -> dict[str, Any]:
    """The OpenAPI document."""
    pseudonym_param = {"name": "pseudonym", "in": "path", "required": True, "schema": _PSEUDONYM}
    limit = {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}}
    before = {"name": "before", "in": "query", "schema": {"type": "integer", "minimum": 1}}
    username = {"name": "username", "in": "path", "required": True, "schema": _STR}
    paths = {
        "/api/v1/session": {
            "post": _op(
                "Sign in (password and TOTP code); returns a bearer token",
                "any operator whose role is not none",
                {"200": _answer("signed in", _ANY)},
                _obj(
                    {
                        "username": _STR,
                        "password": {"type": "string", "maxLength": 1024},
                        "code": {"type": "string", "maxLength": 16},
                    },
                    ["username", "password"],
                ),
                public=True,
            ),
            "get": _op("The signed-in operator", "viewer", {"200": _answer("session", _ANY)}),
            "delete": _op("Sign out", "viewer", {"204": _answer("signed out")}),
        },
        "/api/v1/conversations/search": {
            "post": _op(
                "Search conversations (no personal data in the answer)",
                "viewer",
                {"200": _answer("a page of conversations", _ANY)},
                _FILTERS,
            )
        },
        "/api/v1/conversations/{pseudonym}": {
            "get": _op(
                "Read one conversation; personal data masked for viewers",
                "viewer",
                {"200": _answer("the transcript", _ANY)},
                params=[pseudonym_param],
            )
        },
        "/api/v1/conversations/export": {
            "post": _op(
                "Export conversations (JSON portability documents, CSV or Excel)",
                "editor",
                {"200": {"description": "the export file"}},
                _SELECTION,
            )
        },
        "/api/v1/conversations/delete": {
            "post": _op(
                "Erase conversations; one report (receipt) per consumer",
                "editor",
                {"200": _answer("reports", _ANY)},
                _obj(
                    {"conversations": _SELECTION["properties"]["conversations"]}, ["conversations"]
                ),
            )
        },
        "/api/v1/retention": {
            "get": _op(
                "Retention period and latest sweeps", "viewer", {"200": _answer("state", _ANY)}
            ),
            "put": _op(
                "Set the retention period",
                "admin",
                {"200": _answer("the new period", _ANY)},
                _obj({"months": {"type": "integer", "minimum": 1, "maximum": 36}}, ["months"]),
            ),
        },
        "/api/v1/operators": {
            "get": _op("Every operator", "admin", {"200": _answer("operators", _ANY)}),
            "post": _op(
                "Create an operator; the TOTP provisioning URI is returned once",
                "admin",
                {"201": _answer("created", _ANY)},
                _obj(
                    {
                        "username": _STR,
                        "role": {"type": "string", "enum": [r.value for r in Role]},
                        "password": {"type": "string", "minLength": 12, "maxLength": 1024},
                    },
                    ["username", "role", "password"],
                ),
            ),
        },
        "/api/v1/operators/{username}/role": {
            "put": _op(
                "Change an operator's role (ends its sessions)",
                "admin",
                {"200": _answer("changed", _ANY)},
                _obj({"role": {"type": "string", "enum": [r.value for r in Role]}}, ["role"]),
                params=[username],
            )
        },
        "/api/v1/audit": {
            "get": _op(
                "Audit entries, newest first",
                "admin",
                {"200": _answer("entries", _ANY)},
                params=[limit, before],
            )
        },
        "/api/v1/metrics": {
            "get": _metrics_op(
                "Anonymous counters: clicks and features tables split by one dimension",
                {"200": _answer("the tables", _ANY)},
                [
                    *_RANGE,
                    {
                        "name": "by",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(DIMENSIONS)},
                    },
                ],
            )
        },
        "/api/v1/metrics/chart.png": {
            "get": _metrics_op(
                "The metrics chart (PNG)",
                {"200": {"description": "the chart", "content": {"image/png": {}}}},
                _RANGE,
            )
        },
        "/api/v1/audit/verify": {
            "get": _op("Verify the audit hash chain", "admin", {"200": _answer("result", _ANY)})
        },
    }
    for path, operations in paths.items():
        slug = "_".join(part.strip("{}") for part in path.split("/")[3:]).replace(".", "_")
        for method, operation in operations.items():
            operation["operationId"] = f"{method}_{slug}"
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Sigilo operators' console API",
            "version": "1",
            "description": "Answer access and erasure requests. Every call is role-checked; "
            "every touch of personal data is audited (anonymous metrics reads are not). "
            "Authenticate with `Authorization: Bearer <token>` from "
            "`POST /api/v1/session`.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": _obj({"error": {"type": "string"}}, ["error"]),
            },
        },
        "security": [{"bearer": []}],
    }
