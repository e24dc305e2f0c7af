"""Redaction of Rasa events (as dicts) before they are stored or streamed.

Which slots are secret comes from the data inventory. Secret slot values are
replaced by ``None`` and the event is marked (``"sigilo_secret": true``); free text
goes through :func:`sigilo.redaction.redact`; channel metadata loses technical data
(IP, user agent, referrer, page URLs) in privacy mode.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Collection
from typing import Any

from sigilo.redaction import redact

SECRET_MARK = "sigilo_secret"
_TECHNICAL = re.compile(
    r"(^|_|-)(ip|ips|ip_?address|remote_?addr|x_?forwarded_?for|forwarded|user_?agent|ua|"
    r"referr?er|url|urls|page|pages|page_?url|href|location|headers?|cookies?|origin|host)$",
    re.IGNORECASE,
)


def _redact_strings(value: Any) -> Any:
    """Redacts every string inside ``value`` (dicts and lists walked)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redact_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact_strings(item) for item in value]
    return value


def scrub_metadata(metadata: Any, privacy_mode: bool) -> Any:
    """Drops technical channel data (privacy mode) and redacts the remaining text."""
    if isinstance(metadata, dict):
        return {
            key: scrub_metadata(value, privacy_mode)
            for key, value in metadata.items()
            if not (privacy_mode and _TECHNICAL.search(str(key).replace("-", "_")))
        }
    if isinstance(metadata, list):
        return [scrub_metadata(item, privacy_mode) for item in metadata]
    return _redact_strings(metadata)


def _parse_data(parse_data: dict[str, Any], privacy_mode: bool) -> dict[str, Any]:
    if isinstance(parse_data.get("text"), str):
        parse_data["text"] = redact(parse_data["text"])
    entities = parse_data.get("entities") or []
    for entity in entities:
        if isinstance(entity, dict):
            for key in ("value", "text"):
                if key in entity:
                    entity[key] = _redact_strings(entity[key])
    if "metadata" in parse_data:
        parse_data["metadata"] = scrub_metadata(parse_data["metadata"], privacy_mode)
    return parse_data


def sanitize_event(
    event: dict[str, Any],
    secret_slots: Collection[str],
    personal_slots: Collection[str] = (),
    privacy_mode: bool = True,
    answers_secret: bool = False,
    secret_values: Collection[str] = (),
) -> dict[str, Any]:
    """A redacted copy of one event dict (``Event.as_dict()``), safe to store or stream.

    Args:
        event: the event as a dict.
        secret_slots: slots whose values are never stored.
        personal_slots: slots whose values are kept (encrypted) as they are.
        privacy_mode: drop technical channel metadata.
        answers_secret: a user message typed while a form asked for a secret slot
            (an expiry "12/30" or a code "123" means nothing to a redactor alone):
            its whole text is replaced.
        secret_values: secret slot values known in this turn, replaced wherever they
            appear.
    """
    data = copy.deepcopy(event)
    if answers_secret and data.get("event") == "user":
        data["text"] = "[secret]"
        parse_data = data.get("parse_data")
        if isinstance(parse_data, dict):
            parse_data["text"] = "[secret]"
            parse_data.pop("text_tokens", None)
            parse_data["entities"] = []
    kind = data.get("event")
    if "metadata" in data:
        data["metadata"] = scrub_metadata(data["metadata"], privacy_mode)
    if kind == "user":
        if isinstance(data.get("text"), str):
            data["text"] = redact(data["text"])
        if isinstance(data.get("parse_data"), dict):
            data["parse_data"] = _parse_data(data["parse_data"], privacy_mode)
    elif kind == "bot":
        if isinstance(data.get("text"), str):
            data["text"] = redact(data["text"])
        if "data" in data:
            data["data"] = _redact_strings(data["data"])
    elif kind == "slot":
        name = data.get("name")
        if name in secret_slots:
            if data.get("value") is not None:
                data[SECRET_MARK] = True
            data["value"] = None
        elif name not in personal_slots:
            data["value"] = _redact_strings(data.get("value"))
    elif kind == "action":
        if isinstance(data.get("action_text"), str):
            data["action_text"] = redact(data["action_text"])
    elif kind == "entities":
        data["entities"] = _redact_strings(data.get("entities"))
    needles = sorted({v for v in map(str, secret_values) if len(v) >= 3}, key=len, reverse=True)
    return _replace_values(data, needles, "[secret]") if needles else data


def is_secret_placeholder(event: dict[str, Any]) -> bool:
    """True for a stored slot event whose secret value was removed."""
    return event.get("event") == "slot" and bool(event.get(SECRET_MARK))


def _replace_values(value: Any, needles: list[str], mark: str = "[personal]") -> Any:
    if isinstance(value, str):
        for needle in needles:
            value = value.replace(needle, mark)
        return value
    if isinstance(value, dict):
        return {key: _replace_values(item, needles, mark) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_values(item, needles, mark) for item in value]
    return value


def for_broker(
    event: dict[str, Any], personal_slots: Collection[str], personal_values: Collection[Any]
) -> dict[str, Any]:
    """A stored (already sanitized) event made fit for an event broker.

    Personal slot values are removed too (the store keeps them encrypted; a broker
    is not the place for them), and where they appear in text they are replaced.
    """
    data = {key: value for key, value in event.items() if key != SECRET_MARK}
    if data.get("event") == "slot" and data.get("name") in personal_slots:
        data["value"] = None
    needles = sorted(
        {str(v) for v in personal_values if v is not None and len(str(v)) >= 3},
        key=len,
        reverse=True,
    )
    return _replace_values(data, needles) if needles else data
