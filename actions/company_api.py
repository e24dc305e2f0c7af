"""The one client of the company API (contract: docs/architecture.md, "The company API").

Time budget: every request has a connect timeout (``min(1 s, timeout)``) and a read timeout
(``timeout``, default 3 s). Reads (GET) are retried on connection errors and 502/503/504,
at most ``retries`` times with exponential back-off, never on a read timeout (a slow API
stays slow, and waiting twice would break the budget). POSTs are never replayed, except
the payment: it carries an ``Idempotency-Key``, so the API answers a replay with the first
result instead of charging again; it is retried once, on a connection error only.

Calls block: from async actions run them with ``asyncio.to_thread``. Exceptions never hold
a card number or TIN (nor the URL, whose query carries the TIN), and a log filter keeps
``tin=`` values out of urllib3's own log lines.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry

from actions.company_api_models import (
    CardDeclined,
    CardToken,
    CompanyApiBadResponse,
    CompanyApiError,
    CompanyApiUnauthorized,
    CompanyApiUnavailable,
    Customer,
    CustomerNotFound,
    Handoff,
    InvalidCard,
    Invoice,
    InvoiceAlreadyPaid,
    InvoiceNotFound,
    Payment,
    error_from_answer,
)

__all__ = [
    "DEFAULT_URL",
    "DEMO_TOKEN",
    "ENV_TIMEOUT",
    "ENV_TOKEN",
    "ENV_URL",
    "CardDeclined",
    "CardToken",
    "CompanyApiBadResponse",
    "CompanyApiClient",
    "CompanyApiError",
    "CompanyApiSettings",
    "CompanyApiUnauthorized",
    "CompanyApiUnavailable",
    "Customer",
    "CustomerNotFound",
    "Handoff",
    "InvalidCard",
    "Invoice",
    "InvoiceAlreadyPaid",
    "InvoiceNotFound",
    "Payment",
]

log = logging.getLogger(__name__)

ENV_URL, ENV_TOKEN, ENV_TIMEOUT = (
    "SIGILO_COMPANY_API_URL",
    "SIGILO_COMPANY_API_TOKEN",
    "SIGILO_COMPANY_API_TIMEOUT",
)
DEFAULT_URL = "http://127.0.0.1:8800"
DEMO_TOKEN = "demo-token"  # the demo API's default; never valid against a real API


@dataclass(frozen=True)
class CompanyApiSettings:
    """Where the API is and how long to wait for it."""

    url: str = DEFAULT_URL
    token: str = field(default=DEMO_TOKEN, repr=False)
    timeout: float = 3.0
    retries: int = 2
    backoff: float = 0.2

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> CompanyApiSettings:
        """Read ``SIGILO_COMPANY_API_URL``, ``..._TOKEN`` and ``..._TIMEOUT`` (seconds)."""
        env = os.environ if environ is None else environ
        raw_timeout = env.get(ENV_TIMEOUT, "").strip() or "3"
        try:
            timeout = float(raw_timeout)
        except ValueError:
            raise ValueError(f"{ENV_TIMEOUT} must be a number of seconds") from None
        if not 0.1 <= timeout <= 30:
            raise ValueError(f"{ENV_TIMEOUT} must be between 0.1 and 30 seconds")
        token = env.get(ENV_TOKEN, "").strip()
        if not token:
            log.warning("%s is not set: using the demo API token", ENV_TOKEN)
        url = env.get(ENV_URL, "").strip() or DEFAULT_URL
        return cls(url=url.rstrip("/"), token=token or DEMO_TOKEN, timeout=timeout)


class _ReadRetry(Retry):
    """urllib3 retries connection errors whatever the method; this one spares POSTs."""

    def increment(  # type: ignore[override]
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Retry:
        connection_error = error is not None and self._is_connection_error(error)
        if connection_error and method and not self._is_method_retryable(method):
            # give up at once, the way an exhausted Retry does (requests maps it); read
            # errors need nothing: read=False already re-raises them as they are
            raise MaxRetryError(_pool, url or "", error)
        return super().increment(method, url, response, error, _pool, _stacktrace)


class _RedactTin(logging.Filter):
    """urllib3 logs request URLs (warning on retries): hide the ``tin=`` query value."""

    pattern = re.compile(r"(tin=)[^&\s'\"]+", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's business, not ours
            return True
        if "tin=" in message.lower():
            record.msg, record.args = self.pattern.sub(r"\1[redacted]", message), None
        return True


def _install_log_redaction() -> None:
    logger = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(f, _RedactTin) for f in logger.filters):
        logger.addFilter(_RedactTin())


class CompanyApiClient:
    """Blocking client; one ``requests.Session`` per instance, created on first use."""

    def __init__(self, settings: CompanyApiSettings | None = None) -> None:
        self.settings = settings or CompanyApiSettings.from_env()
        self._http: requests.Session | None = None
        self._lock = threading.Lock()

    @property
    def session(self) -> requests.Session:
        """The HTTP session (token header, retry policy for reads)."""
        with self._lock:
            if self._http is None:
                _install_log_redaction()
                retry = _ReadRetry(
                    total=self.settings.retries,
                    connect=self.settings.retries,
                    status=self.settings.retries,
                    read=False,  # never wait twice for a slow server
                    redirect=False,
                    backoff_factor=self.settings.backoff,
                    backoff_max=1.0,
                    status_forcelist=(502, 503, 504),
                    allowed_methods=frozenset({"GET"}),
                    raise_on_status=False,
                    respect_retry_after_header=False,
                )
                session = requests.Session()
                adapter = HTTPAdapter(max_retries=retry)
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                session.headers["Authorization"] = f"Bearer {self.settings.token}"
                session.headers["Accept"] = "application/json"
                self._http = session
            return self._http

    def close(self) -> None:
        """Close pooled connections."""
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None

    def __enter__(self) -> CompanyApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send one request and return its JSON body, or raise a typed error."""
        timeout = (min(1.0, self.settings.timeout), self.settings.timeout)
        failure: CompanyApiUnavailable | None = None
        try:
            response = self.session.request(
                method, self.settings.url + path, timeout=timeout, allow_redirects=False, **kwargs
            )
        except requests.ConnectionError:
            # raised outside this block so the exception (URL, query, TIN) is not chained
            failure = _ConnectionLost("company API unreachable")
        except (requests.RequestException, Urllib3Error):
            failure = CompanyApiUnavailable("company API timed out or failed")
        if failure is not None:
            raise failure
        try:
            body = response.json()
        except ValueError:
            body = None
        if 200 <= response.status_code < 300:
            if body is None:
                raise CompanyApiBadResponse(
                    f"unexpected non-JSON answer ({response.status_code}) from the company API"
                )
            return body
        raise error_from_answer(response.status_code, body)

    def find_customer(self, country: str, tin: str) -> Customer:
        """Look a customer up by ISO country code and compact tax id."""
        body = self._call(
            "GET", "/v1/customers/lookup", params={"country": country.upper(), "tin": tin}
        )
        return Customer.from_json(body)

    def open_invoices(self, customer_id: str) -> list[Invoice]:
        """Unpaid invoices (``open`` and ``overdue``) of a customer, earliest due first."""
        body = self._call(
            "GET", f"/v1/customers/{_segment(customer_id, CustomerNotFound)}/invoices?status=open"
        )
        return Invoice.list_from_json(body)

    def tokenize_card(self, number: str, exp_month: int, exp_year: int, cvc: str) -> CardToken:
        """Exchange card data for a token; two-digit years mean 20xx."""
        year = exp_year + 2000 if 0 <= exp_year < 100 else exp_year
        payload = {
            "number": re.sub(r"[\s-]", "", number),
            "exp_month": exp_month,
            "exp_year": year,
            "cvc": cvc.strip(),
        }
        body = self._call("POST", "/v1/payment-tokens", json=payload)
        return CardToken.from_json(body)

    def pay_invoice(self, invoice_id: str, token: str, idempotency_key: str) -> Payment:
        """Pay an invoice with a card token; replays with the same key never charge twice."""
        path = f"/v1/invoices/{_segment(invoice_id, InvoiceNotFound)}/payments"
        kwargs = {"json": {"token": token}, "headers": {"Idempotency-Key": idempotency_key}}
        try:
            body = self._call("POST", path, **kwargs)
        except _ConnectionLost:
            body = None  # retried below, outside the handler: nothing chained
        if body is None:
            # safe: the server dedups on the key (see the module docstring)
            body = self._call("POST", path, **kwargs)
        return Payment.from_json(body)

    def open_handoff(
        self, channel: str, language: str, reason: str, transcript: Any = None
    ) -> Handoff:
        """Queue a hand-off; the transcript is sent only when given (consumer agreed)."""
        payload = {
            "channel": channel,
            "language": language,
            "reason": reason,
            "include_transcript": transcript is not None,
            "transcript": transcript,
        }
        body = self._call("POST", "/v1/handoffs", json=payload)
        return Handoff.from_json(body)

    def health(self) -> bool:
        """True when ``GET /health`` answers ``{"status": "ok"}``; never raises."""
        try:
            return self._call("GET", "/health") == {"status": "ok"}
        except CompanyApiError:
            return False


class _ConnectionLost(CompanyApiUnavailable):
    """The connection failed (refused, reset): the only case a payment is retried."""


def _segment(value: str, missing: type[CompanyApiError]) -> str:
    """An id used as a path segment (it may come from a button payload): no path tricks."""
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_\-]{1,100}", value):
        raise missing("malformed id", code="malformed_id")
    return value
