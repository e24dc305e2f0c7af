"""The console's operations, each checking the operator's role and writing the audit log.

The CLI and the HTTP API are thin layers over :class:`Console`: the role check and
the audit entry happen here, once, whatever the interface.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, BinaryIO

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sigilo.console import conversations, export, retention
from sigilo.console.audit import AuditLog, VerifyResult, chain_key
from sigilo.console.auth import Authenticator, Session
from sigilo.console.roles import AccessDenied, Permission, allowed
from sigilo.console.schema import conversation_index
from sigilo.console.search import FilterError, parse_filters, run_search, summary
from sigilo.keys import KeyRing, pseudonym_key
from sigilo.tracker_store.db import check_schema, make_engine
from sigilo.tracker_store.hooks import build_hooks
from sigilo.tracker_store.repository import ConversationUnreadable, Repository
from sigilo.tracker_store.schema import events

MAX_BATCH = 500
_PSEUDONYM = re.compile(r"^[0-9a-f]{64}$")


class NotFound(LookupError):
    """No stored conversation has that pseudonym."""


@dataclass
class DeleteReport:
    """What happened to one consumer in a (bulk) delete."""

    conversation: str
    status: str  # erased | not_found | failed (untouched)
    events_deleted: int = 0
    erased_at: str = ""
    receipt: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return dict(self.__dict__)


def check_pseudonyms(values: Any) -> list[str]:
    """A de-duplicated list of 1 to :data:`MAX_BATCH` pseudonyms (64 hex characters)."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list) or not values:
        raise FilterError("conversations: a non-empty list of pseudonyms")
    if len(values) > MAX_BATCH:
        raise FilterError(f"conversations: at most {MAX_BATCH} at once")
    if not all(isinstance(v, str) and _PSEUDONYM.match(v) for v in values):
        raise FilterError("conversations: each a pseudonym of 64 hexadecimal characters")
    return list(dict.fromkeys(values))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Console:
    """Operators' access to the stored conversations of one database."""

    def __init__(self, engine: Engine, ring: KeyRing, pseudonym_secret: bytes, **auth: Any):
        """Binds the database and the store's keys; ``auth``: session lifetimes."""
        self.engine = engine
        self.repository = Repository(engine, ring, pseudonym_secret, build_hooks({}))
        self.audit = AuditLog(engine, chain_key(pseudonym_secret))
        self.auth = Authenticator(engine, ring, self.audit, **auth)
        self.personal = conversations.personal_slots()

    @classmethod
    def from_env(cls, url: str | None = None, **auth: Any) -> Console:
        """The console on ``url`` (else ``$SIGILO_TRACKER_STORE_URL``) with the store's keys.

        Raises:
            sigilo.keys.MissingKeyError, sigilo.tracker_store.db.SchemaError.
        """
        engine = make_engine(url)
        check_schema(engine)
        return cls(engine, KeyRing.from_env(), pseudonym_key(), **auth)

    def require(
        self, session: Session, permission: Permission, action: str, pseudonym: str | None = None
    ) -> None:
        """Raises :class:`AccessDenied` (and audits the refusal) unless the role allows."""
        if not allowed(session.operator.role, permission):
            self.audit.record(session.operator.username, action, pseudonym, "denied")
            raise AccessDenied(f"your role ({session.operator.role.value}) may not do this")

    def _invalid(self, session: Session, action: str, error: Exception) -> None:
        self.audit.record(session.operator.username, action, None, "invalid", str(error)[:200])

    # --- search and read ---------------------------------------------------------------

    def search(self, session: Session, raw: dict[str, Any]) -> dict[str, Any]:
        """One page of conversations matching the filters (index only: nothing personal)."""
        self.require(session, Permission.SEARCH, "search")
        try:
            filters = parse_filters(raw)
        except FilterError as exc:
            self._invalid(session, "search", exc)
            raise
        pseudonym = self.repository.pseudonym(filters.sender_id) if filters.sender_id else None
        found = run_search(self.engine, filters, pseudonym)
        detail = f"{found['total']} result(s)" + (" by sender id" if pseudonym else "")
        self.audit.record(session.operator.username, "search", pseudonym, "ok", detail)
        return found

    def _sender(self, session: Session, action: str, pseudonym: str) -> str:
        """The sender id of a conversation that has stored events, else NotFound."""
        sender = None
        if _PSEUDONYM.match(pseudonym):
            with self.engine.connect() as conn:
                stored = conn.execute(
                    sa.select(events.c.id).where(events.c.pseudonym == pseudonym).limit(1)
                ).first()
            try:
                sender = self.repository.sender_id(pseudonym) if stored else None
            except ConversationUnreadable:
                sender = None
        if sender is None:
            self.audit.record(session.operator.username, action, None, "not_found")
            raise NotFound("no stored conversation with that pseudonym")
        return sender

    def show(self, session: Session, pseudonym: str) -> dict[str, Any]:
        """The stored transcript; personal data masked for roles that may not see it."""
        self.require(session, Permission.READ, "read", None)
        sender = self._sender(session, "read", pseudonym)
        masked = not allowed(session.operator.role, Permission.READ_PERSONAL)
        loaded = self.repository.load(sender, all_sessions=True)
        stored = loaded[1] if loaded else []
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(conversation_index).where(conversation_index.c.pseudonym == pseudonym)
            ).first()
        values = conversations.personal_values(stored, self.personal)
        self.audit.record(session.operator.username, "read_masked" if masked else "read", pseudonym)
        return {
            "conversation": summary(row._mapping) if row else {"pseudonym": pseudonym},
            "masked": masked,
            "sender_id": conversations.MASK if masked else sender,
            "personal_data": {k: conversations.MASK for k in values} if masked else values,
            "transcript": conversations.transcript(stored, self.personal, masked, sender),
        }

    # --- export and delete -------------------------------------------------------------

    def documents(
        self, session: Session, pseudonyms: Any, progress: Callable[[int], None] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Portability documents, one per pseudonym, each export audited.

        Every pseudonym is checked before the first document is built.
        """
        self.require(session, Permission.EXPORT, "export")
        try:
            wanted = check_pseudonyms(pseudonyms)
        except FilterError as exc:
            self._invalid(session, "export", exc)
            raise
        senders = [self._sender(session, "export", p) for p in wanted]

        def generate() -> Iterator[dict[str, Any]]:
            for done, (pseudonym, sender) in enumerate(zip(wanted, senders, strict=True), 1):
                document = conversations.DOCUMENT_BUILDER(self.repository, sender)
                self.audit.record(session.operator.username, "export", pseudonym)
                yield document
                if progress:
                    progress(done)

        return generate()

    def export(
        self,
        session: Session,
        pseudonyms: Any,
        fmt: str,
        out: BinaryIO,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Writes the documents to ``out`` as JSON, CSV or Excel; returns how many."""
        try:
            fmt = export.check_format(fmt)
        except export.ExportError as exc:
            self.require(session, Permission.EXPORT, "export")
            self._invalid(session, "export", exc)
            raise FilterError(str(exc)) from None
        return export.write(self.documents(session, pseudonyms, progress), fmt, out)

    def delete(self, session: Session, pseudonyms: Any) -> list[DeleteReport]:
        """Erases each consumer through the store's one erasure path, atomically each.

        A consumer whose erasure fails is rolled back (untouched) and reported as
        ``failed``; the others go on. Metrics and the audit log are not touched.
        """
        self.require(session, Permission.DELETE, "delete")
        try:
            wanted = check_pseudonyms(pseudonyms)
        except FilterError as exc:
            self._invalid(session, "delete", exc)
            raise
        reports = []
        for pseudonym in wanted:
            try:
                deleted = self.repository.erase_pseudonym(pseudonym)
            except Exception as exc:  # rolled back: report it, go on with the others
                self.audit.record(
                    session.operator.username, "delete", pseudonym, "failed", type(exc).__name__
                )
                reports.append(DeleteReport(pseudonym, "failed"))
                continue
            if deleted < 0:
                self.audit.record(session.operator.username, "delete", None, "not_found")
                reports.append(DeleteReport(pseudonym, "not_found"))
                continue
            entry = self.audit.record(
                session.operator.username, "delete", pseudonym, "ok", f"{deleted} event(s)"
            )
            receipt = f"{entry.seq}:{entry.hash[:16]}"
            reports.append(DeleteReport(pseudonym, "erased", deleted, _now(), receipt))
        return reports

    # --- retention, operators, audit ---------------------------------------------------

    def retention(self, session: Session) -> dict[str, Any]:
        """The period and the latest sweeps."""
        self.require(session, Permission.RETENTION_READ, "retention_read")
        return {
            "months": retention.stored_period(self.engine),
            "runs": retention.last_runs(self.engine),
        }

    def set_retention(self, session: Session, months: Any) -> int:
        """Sets the period (1 to 36 months)."""
        self.require(session, Permission.RETENTION_WRITE, "retention_set")
        try:
            value = retention.set_period(self.engine, retention.check_months(months))
        except ValueError as exc:
            self._invalid(session, "retention_set", exc)
            raise FilterError(str(exc)) from None
        self.audit.record(session.operator.username, "retention_set", None, "ok", f"{value}")
        return value

    def operators(self, session: Session) -> list[dict[str, Any]]:
        """Every operator (admin only)."""
        self.require(session, Permission.OPERATORS, "operators_list")
        return self.auth.list()

    def create_operator(
        self, session: Session, username: str, role: str, password: str
    ) -> tuple[str, str]:
        """Creates an operator (admin only); returns its username and TOTP URI."""
        self.require(session, Permission.OPERATORS, "operator_create")
        operator, uri = self.auth.create(username, role, password)
        self.audit.record(
            session.operator.username, "operator_create", None, "ok", operator.username
        )
        return operator.username, uri

    def set_role(self, session: Session, username: str, role: str) -> None:
        """Changes an operator's role (admin only)."""
        self.require(session, Permission.OPERATORS, "operator_role")
        self.auth.set_role(username, role)
        self.audit.record(
            session.operator.username, "operator_role", None, "ok", f"{username[:64]}={role}"
        )

    def unlock(self, session: Session, username: str) -> None:
        """Lifts an operator's lockout (admin only)."""
        self.require(session, Permission.OPERATORS, "operator_unlock")
        self.auth.unlock(username)
        self.audit.record(session.operator.username, "operator_unlock", None, "ok", username[:64])

    def audit_entries(
        self, session: Session, limit: int = 100, before: int | None = None
    ) -> list[dict[str, Any]]:
        """The latest audit entries, newest first (admin only)."""
        self.require(session, Permission.AUDIT, "audit_read")
        return [e.__dict__ for e in self.audit.entries(limit, before, newest_first=True)]

    def audit_verify(
        self, session: Session, expect_head: tuple[int, str] | None = None
    ) -> VerifyResult:
        """Verifies the chain (admin only); see :meth:`AuditLog.verify`."""
        self.require(session, Permission.AUDIT, "audit_verify")
        result = self.audit.verify(expect_head)
        self.audit.record(session.operator.username, "audit_verify", None, "ok", result.reason)
        return result
