"""A small Messenger Graph API client: profile look-up, Send API, Messenger profile.

``requests`` with timeouts on every call. The base URL is a setting
(``SIGILO_GRAPH_API_URL``) so tests point it at a fake Graph API on loopback.
The page access token travels in the ``Authorization`` header, never in a URL,
with an ``appsecret_proof`` when the app secret is known.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from dataclasses import dataclass
from typing import Any

import requests

logger = logging.getLogger(__name__)

DEFAULT_GRAPH_API_URL = "https://graph.facebook.com/v21.0"
DEFAULT_TIMEOUT = 5.0
# What the bot reads from the profile, and nothing more.
PROFILE_FIELDS = "first_name,locale"
MAX_FIRST_NAME = 50


class GraphApiError(RuntimeError):
    """The Graph API answered with an error or could not be reached."""


@dataclass(frozen=True)
class Profile:
    """The two profile fields Sigilo uses."""

    first_name: str | None
    locale: str | None


def graph_settings_from_env() -> tuple[str, float]:
    """``(base_url, timeout)`` from ``SIGILO_GRAPH_API_URL`` / ``SIGILO_GRAPH_API_TIMEOUT``."""
    url = os.environ.get("SIGILO_GRAPH_API_URL") or DEFAULT_GRAPH_API_URL
    try:
        timeout = float(os.environ.get("SIGILO_GRAPH_API_TIMEOUT") or DEFAULT_TIMEOUT)
    except ValueError:
        timeout = DEFAULT_TIMEOUT
    return url.rstrip("/"), timeout


def clean_first_name(value: Any) -> str | None:
    """A printable, trimmed first name of at most 50 characters, else ``None``."""
    if not isinstance(value, str):
        return None
    name = "".join(ch for ch in value if ch.isprintable()).strip()[:MAX_FIRST_NAME].strip()
    return name or None


class GraphClient:
    """Calls the Graph API on behalf of one page."""

    def __init__(
        self,
        page_access_token: str,
        app_secret: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        session: requests.Session | None = None,
    ) -> None:
        """Creates the client.

        Args:
            page_access_token: The page's access token.
            app_secret: The app secret, for ``appsecret_proof``.
            base_url: Graph API base URL including the version; default from the env.
            timeout: Seconds per call; default from the env.
            session: A ``requests`` session to reuse.
        """
        env_url, env_timeout = graph_settings_from_env()
        self.base_url = (base_url or env_url).rstrip("/")
        self.timeout = timeout if timeout is not None else env_timeout
        self._token = page_access_token or ""
        self._secret = app_secret or ""
        self._session = session or requests.Session()

    def _params(self) -> dict[str, str]:
        if not (self._secret and self._token):
            return {}
        proof = hmac.new(self._secret.encode(), self._token.encode(), hashlib.sha256)
        return {"appsecret_proof": proof.hexdigest()}

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        params = {**self._params(), **kwargs.pop("params", {})}
        try:
            answer = self._session.request(
                method,
                f"{self.base_url}/{path.lstrip('/')}",
                params=params,
                headers={"Authorization": f"Bearer {self._token}"},
                timeout=self.timeout,
                **kwargs,
            )
        except requests.RequestException as error:
            raise GraphApiError(f"{method} {path}: {type(error).__name__}") from None
        try:
            body = answer.json()
        except ValueError:
            body = {}
        if not answer.ok or not isinstance(body, dict) or "error" in body:
            code = body.get("error", {}).get("code") if isinstance(body, dict) else None
            raise GraphApiError(f"{method} {path}: HTTP {answer.status_code} (code {code})")
        return body

    def profile(self, psid: str) -> Profile | None:
        """The consumer's first name and locale, or ``None`` when unavailable."""
        try:
            body = self._call("GET", psid, params={"fields": PROFILE_FIELDS})
        except GraphApiError as error:
            logger.warning("Messenger profile not available: %s", error)
            return None
        locale = body.get("locale")
        return Profile(
            first_name=clean_first_name(body.get("first_name")),
            locale=locale if isinstance(locale, str) else None,
        )

    def send_message(self, psid: str, message: dict[str, Any]) -> bool:
        """Sends one message with the Send API; ``False`` (logged) when it fails."""
        body = {"recipient": {"id": psid}, "messaging_type": "RESPONSE", "message": message}
        try:
            self._call("POST", "me/messages", json=body)
        except GraphApiError as error:
            logger.warning("Messenger send failed: %s", error)
            return False
        return True

    def send_action(self, psid: str, action: str) -> bool:
        """Sends a sender action (``mark_seen``, ``typing_on``, ``typing_off``)."""
        try:
            self._call(
                "POST", "me/messages", json={"recipient": {"id": psid}, "sender_action": action}
            )
        except GraphApiError as error:
            logger.debug("Messenger sender action failed: %s", error)
            return False
        return True

    def set_messenger_profile(self, data: dict[str, Any]) -> dict[str, Any]:
        """Sets page-level Messenger profile properties (menu, Get started).

        Raises:
            GraphApiError: The Graph API refused or could not be reached.
        """
        return self._call("POST", "me/messenger_profile", json=data)
