"""SQLite storage for the demo company API.

One short-lived connection per call (run in a worker thread by the handlers): sqlite3
connections must not cross threads, and opening a local file costs microseconds.
The card tables hold a token, brand and last four digits only.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from client_api.errors import ApiProblem
from client_api.seed import DEMO_CUSTOMERS, from_minor, to_minor

_SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (
    id TEXT PRIMARY KEY, country TEXT NOT NULL, kind TEXT NOT NULL, tin TEXT NOT NULL,
    first_name TEXT NOT NULL, UNIQUE (country, tin));
CREATE TABLE IF NOT EXISTS invoices (
    id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id),
    number TEXT NOT NULL UNIQUE, amount_minor INTEGER NOT NULL, currency TEXT NOT NULL,
    due_date TEXT NOT NULL, paid_at TEXT);
CREATE TABLE IF NOT EXISTS payment_tokens (
    token TEXT PRIMARY KEY, brand TEXT NOT NULL, last4 TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS charges (
    id TEXT PRIMARY KEY, invoice_id TEXT NOT NULL REFERENCES invoices(id),
    token TEXT NOT NULL REFERENCES payment_tokens(token), amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    key TEXT PRIMARY KEY, invoice_id TEXT NOT NULL, token TEXT NOT NULL,
    response TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS handoffs (
    id TEXT PRIMARY KEY, channel TEXT NOT NULL, language TEXT NOT NULL, reason TEXT NOT NULL,
    transcript TEXT, status TEXT NOT NULL, created_at TEXT NOT NULL);
"""

UNPAID = frozenset({"open", "overdue"})
_CONTACTS = {
    "pt": "suporte@sigilo.example",
    "es": "soporte@sigilo.example",
    "en": "support@sigilo.example",
}


def new_id(prefix: str) -> str:
    """Opaque random id such as ``cus_1f3a…``."""
    return f"{prefix}_{secrets.token_hex(8)}"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class CompanyRepository:
    """Data access for customers, invoices, card tokens, charges and hand-offs."""

    def __init__(self, db_path: Path | str) -> None:
        self.db_path = Path(db_path)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # autocommit mode; writes open explicit transactions (BEGIN IMMEDIATE)
        conn = sqlite3.connect(self.db_path, timeout=5.0, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            yield conn
        finally:
            conn.close()

    def initialize(self, today: dt.date | None = None) -> bool:
        """Create the schema and seed demo data when there are no customers.

        Returns:
            True when demo data was inserted (False on a database already seeded).
        """
        today = today or dt.date.today()
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("SELECT 1 FROM customers LIMIT 1").fetchone():
                    conn.execute("ROLLBACK")
                    return False
                self._seed(conn, today)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return True

    @staticmethod
    def _seed(conn: sqlite3.Connection, today: dt.date) -> None:
        sequence = 0
        for customer in DEMO_CUSTOMERS:
            customer_id = new_id("cus")
            conn.execute(
                "INSERT INTO customers VALUES (?, ?, ?, ?, ?)",
                (customer_id, customer.country, customer.kind, customer.compact,
                 customer.first_name),
            )  # fmt: skip
            for invoice in customer.invoices:
                sequence += 1
                due = today + dt.timedelta(days=invoice.due_in_days)
                paid_at = (due - dt.timedelta(days=2)).isoformat() if invoice.paid else None
                conn.execute(
                    "INSERT INTO invoices VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (new_id("inv"), customer_id, f"F-{today.year}-{sequence:04d}",
                     to_minor(invoice.amount, customer.currency), customer.currency,
                     due.isoformat(), paid_at),
                )  # fmt: skip

    def find_customer(self, country: str, tin: str) -> dict[str, Any] | None:
        """Customer by country and compact TIN, or None."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT id, first_name, country FROM customers WHERE country = ? AND tin = ?",
                (country, tin),
            ).fetchone()
        return dict(row) if row else None

    def invoices(
        self, customer_id: str, statuses: frozenset[str] | None, today: dt.date | None = None
    ) -> list[dict[str, Any]] | None:
        """A customer's invoices filtered by status; None when the customer is unknown.

        Status is derived, never stored: ``paid`` when settled, else ``overdue`` once the
        due date has passed, else ``open``.
        """
        today = today or dt.date.today()
        with self._connect() as conn:
            if not conn.execute("SELECT 1 FROM customers WHERE id = ?", (customer_id,)).fetchone():
                return None
            rows = conn.execute(
                "SELECT id, number, amount_minor, currency, due_date, paid_at FROM invoices"
                " WHERE customer_id = ? ORDER BY due_date, number",
                (customer_id,),
            ).fetchall()
        out = []
        for row in rows:
            status = _status(row["paid_at"], dt.date.fromisoformat(row["due_date"]), today)
            if statuses is None or status in statuses:
                out.append(
                    {
                        "id": row["id"],
                        "number": row["number"],
                        "amount": from_minor(row["amount_minor"], row["currency"]),
                        "currency": row["currency"],
                        "due_date": row["due_date"],
                        "status": status,
                    }
                )
        return out

    def create_token(self, brand: str, last4: str) -> dict[str, str]:
        """Store a card token: brand and last four only."""
        token = new_id("tok")
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO payment_tokens VALUES (?, ?, ?, ?)", (token, brand, last4, _now())
            )
        return {"token": token, "brand": brand, "last4": last4}

    def pay_invoice(self, invoice_id: str, token: str, idempotency_key: str) -> dict[str, Any]:
        """Charge an invoice once per idempotency key.

        The whole check-and-charge runs in one ``BEGIN IMMEDIATE`` transaction, so two
        concurrent calls with the same key cannot both charge.

        Raises:
            ApiProblem: 404 invoice_not_found, 422 invalid_token, 409 invoice_already_paid
                or 409 idempotency_key_reused (same key, different invoice or token).
        """
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                body = self._pay(conn, invoice_id, token, idempotency_key)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return body

    @staticmethod
    def _pay(conn: sqlite3.Connection, invoice_id: str, token: str, key: str) -> dict[str, Any]:
        seen = conn.execute(
            "SELECT invoice_id, token, response FROM idempotency_keys WHERE key = ?", (key,)
        ).fetchone()
        if seen:
            if (seen["invoice_id"], seen["token"]) != (invoice_id, token):
                raise ApiProblem(
                    409, "idempotency_key_reused", "key already used for another request"
                )
            return json.loads(seen["response"])
        invoice = conn.execute(
            "SELECT amount_minor, currency, paid_at FROM invoices WHERE id = ?", (invoice_id,)
        ).fetchone()
        if invoice is None:
            raise ApiProblem(404, "invoice_not_found", "no such invoice")
        card = conn.execute(
            "SELECT brand, last4 FROM payment_tokens WHERE token = ?", (token,)
        ).fetchone()
        if card is None:
            raise ApiProblem(422, "invalid_token", "unknown payment token")
        if invoice["paid_at"]:
            raise ApiProblem(409, "invoice_already_paid", "invoice is already paid")
        now = _now()
        charge_id = new_id("pay")
        conn.execute(
            "INSERT INTO charges VALUES (?, ?, ?, ?, ?, 'succeeded', ?)",
            (charge_id, invoice_id, token, invoice["amount_minor"], invoice["currency"], now),
        )
        conn.execute("UPDATE invoices SET paid_at = ? WHERE id = ?", (now, invoice_id))
        body = {
            "id": charge_id,
            "status": "succeeded",
            "amount": from_minor(invoice["amount_minor"], invoice["currency"]),
            "currency": invoice["currency"],
            "brand": card["brand"],
            "last4": card["last4"],
        }
        conn.execute(
            "INSERT INTO idempotency_keys VALUES (?, ?, ?, ?, ?)",
            (key, invoice_id, token, json.dumps(body), now),
        )
        return body

    def create_handoff(
        self, channel: str, language: str, reason: str, transcript: str | None
    ) -> dict[str, Any]:
        """Queue a hand-off; ``transcript`` is None unless the consumer agreed to share it."""
        handoff_id = new_id("hof")
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            queued = conn.execute("SELECT COUNT(*) FROM handoffs WHERE status = 'queued'")
            ahead = queued.fetchone()[0]
            conn.execute(
                "INSERT INTO handoffs VALUES (?, ?, ?, ?, ?, 'queued', ?)",
                (handoff_id, channel, language, reason, transcript, _now()),
            )
            conn.execute("COMMIT")
        return {
            "id": handoff_id,
            "status": "queued",
            # a made-up queue model: 15 minutes plus 5 per hand-off already waiting
            "expected_wait_minutes": min(15 + 5 * ahead, 120),
            "contact": _CONTACTS.get(language, _CONTACTS["en"]),
            "transcript_stored": transcript is not None,
        }


def _status(paid_at: str | None, due: dt.date, today: dt.date) -> str:
    if paid_at:
        return "paid"
    return "overdue" if due < today else "open"
