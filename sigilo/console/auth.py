"""Operators, sign-in (password + TOTP), lockout and expiring sessions.

Sessions are random bearer tokens; only their SHA-256 is stored. A session expires
after ``idle_seconds`` without use or ``max_seconds`` after sign-in, whichever comes
first. Five failed sign-ins in a row lock the operator for 15 minutes. Every sign-in,
successful or not, goes to the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.exc
from sqlalchemy.engine import Engine

from sigilo import crypto
from sigilo.console import passwords
from sigilo.console.audit import AuditLog
from sigilo.console.roles import TWO_FACTOR_ROLES, Role, parse_role
from sigilo.console.schema import operator_sessions, operators
from sigilo.keys import KeyRing

MAX_FAILED = 5
LOCK_SECONDS = 15 * 60
IDLE_SECONDS = 15 * 60
MAX_SECONDS = 8 * 3600
_USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


class AuthError(Exception):
    """Sign-in or session refused; ``reason`` is safe to show, ``status`` an HTTP code."""

    def __init__(self, reason: str, status: int = 401) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class OperatorError(ValueError):
    """An operator cannot be created or changed as asked; the message says why."""


class UnknownOperator(OperatorError):
    """No operator has that username."""


@dataclass(frozen=True)
class Operator:
    """A signed-in (or looked-up) operator."""

    id: int
    username: str
    role: Role


@dataclass(frozen=True)
class Session:
    """A valid session: its operator, CSRF token and expiry."""

    operator: Operator
    csrf_token: str
    expires_at: float
    token: str = ""


def check_username(username: str) -> str:
    """The normalised username (lower case, 3-64 of a-z 0-9 . _ -)."""
    name = (username or "").strip().lower()
    if not 3 <= len(name) <= 64 or not set(name) <= _USERNAME_CHARS:
        raise OperatorError("a username has 3 to 64 characters: a-z, 0-9, '.', '_' or '-'")
    return name


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Authenticator:
    """Operators and sessions of one database."""

    def __init__(
        self,
        engine: Engine,
        ring: KeyRing,
        audit: AuditLog,
        idle_seconds: float = IDLE_SECONDS,
        max_seconds: float = MAX_SECONDS,
    ) -> None:
        """Binds the database, the key ring (TOTP secrets are encrypted) and the log."""
        self.engine = engine
        self.ring = ring
        self.audit = audit
        self.idle_seconds = idle_seconds
        self.max_seconds = max_seconds

    # --- operators ---------------------------------------------------------------------

    def _seal(self, username: str, secret: str) -> bytes:
        aad = crypto.associated_data(username, "totp")
        return crypto.encrypt(self.ring, secret.encode(), aad)

    def _unseal(self, username: str, token: bytes) -> str:
        return crypto.decrypt(self.ring, token, crypto.associated_data(username, "totp")).decode()

    def create(self, username: str, role: Role | str, password: str) -> tuple[Operator, str]:
        """Creates an operator; returns it and its TOTP provisioning URI (shown once).

        Raises:
            OperatorError: bad username or role, taken username.
            passwords.WeakPassword: the password fails the policy.
        """
        name = check_username(username)
        try:
            role = parse_role(role) if isinstance(role, str) else role
        except ValueError as exc:
            raise OperatorError(str(exc)) from None
        passwords.check_policy(password)
        secret = passwords.new_totp_secret()
        values = {
            "username": name,
            "role": role.value,
            "password_hash": passwords.hash_password(password),
            "totp_secret": self._seal(name, secret),
            "created_at": time.time(),
        }
        try:
            with self.engine.begin() as conn:
                new_id = conn.execute(sa.insert(operators).values(**values)).inserted_primary_key[0]
        except sqlalchemy.exc.IntegrityError:
            raise OperatorError(f"operator {name!r} exists already") from None
        return Operator(int(new_id), name, role), passwords.provisioning_uri(secret, name)

    def list(self) -> list[dict[str, object]]:
        """Every operator: username, role, lock state (no hashes, no secrets)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(operators).order_by(operators.c.username)).all()
        now = time.time()
        return [
            {
                "username": r.username,
                "role": r.role,
                "locked": r.locked_until > now,
                "failed_attempts": r.failed_attempts,
            }
            for r in rows
        ]

    def has_admin(self) -> bool:
        """Whether any admin exists (the first one is created by a command)."""
        with self.engine.connect() as conn:
            return bool(
                conn.execute(
                    sa.select(sa.func.count()).where(operators.c.role == Role.ADMIN.value)
                ).scalar_one()
            )

    def set_role(self, username: str, role: Role | str) -> None:
        """Changes a role; ends the operator's sessions (new rights need a new sign-in)."""
        name = check_username(username)
        try:
            role = parse_role(role) if isinstance(role, str) else role
        except ValueError as exc:
            raise OperatorError(str(exc)) from None
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(operators).where(operators.c.username == name)).first()
            if row is None:
                raise UnknownOperator(f"no operator {name!r}")
            conn.execute(
                sa.update(operators).where(operators.c.id == row.id).values(role=role.value)
            )
            ended = operator_sessions.c.operator_id == row.id
            conn.execute(sa.delete(operator_sessions).where(ended))

    def unlock(self, username: str) -> None:
        """Clears a lockout."""
        name = check_username(username)
        with self.engine.begin() as conn:
            done = conn.execute(
                sa.update(operators)
                .where(operators.c.username == name)
                .values(failed_attempts=0, locked_until=0)
            ).rowcount
        if not done:
            raise UnknownOperator(f"no operator {name!r}")

    # --- sign-in -----------------------------------------------------------------------

    def sign_in(self, username: str, password: str, code: str = "") -> Session:
        """Checks password and TOTP code; returns a new session.

        Raises:
            AuthError: wrong credentials (401, same message whatever was wrong),
                locked operator (429), role ``none`` (403).
        """
        try:
            name = check_username(username)
        except OperatorError:
            name = ""
        now = time.time()
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(operators).where(operators.c.username == name)).first()
        if row is None:
            passwords.verify_password(password or "", passwords.DUMMY_HASH)
            self.audit.record("(unknown)", "sign_in", outcome="failed", detail="unknown operator")
            raise AuthError("wrong username, password or code")
        if row.locked_until > now:
            self.audit.record(row.username, "sign_in", outcome="locked")
            raise AuthError("too many failed sign-ins: try again later", status=429)
        role = Role(row.role)
        step = None
        ok = passwords.verify_password(password or "", row.password_hash)
        if ok and (role in TWO_FACTOR_ROLES or code):
            secret = self._unseal(row.username, row.totp_secret)
            step = passwords.totp_step(secret, code, row.totp_last_step, now)
            ok = step is not None
        if not ok:
            self._failed(row.id, row.failed_attempts + 1, now)
            self.audit.record(row.username, "sign_in", outcome="failed", detail="bad credentials")
            raise AuthError("wrong username, password or code")
        if role is Role.NONE:
            self.audit.record(row.username, "sign_in", outcome="denied", detail="role none")
            raise AuthError("this operator has no access", status=403)
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(operators)
                .where(operators.c.id == row.id)
                .values(
                    failed_attempts=0,
                    locked_until=0,
                    totp_last_step=step if step is not None else row.totp_last_step,
                )
            )
        session = self.issue(Operator(row.id, row.username, role), now)
        self.audit.record(row.username, "sign_in")
        return session

    def issue(self, operator: Operator, now: float | None = None) -> Session:
        """A new session for ``operator`` (after the checks of :meth:`sign_in`)."""
        now = time.time() if now is None else now
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = now + min(self.idle_seconds, self.max_seconds)
        with self.engine.begin() as conn:
            conn.execute(sa.delete(operator_sessions).where(operator_sessions.c.expires_at < now))
            conn.execute(
                sa.insert(operator_sessions).values(
                    token_hash=_token_hash(token),
                    operator_id=operator.id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires,
                )
            )
        return Session(operator, csrf, expires, token)

    def find(self, username: str) -> Operator | None:
        """The operator named ``username``, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(operators).where(operators.c.username == check_username(username))
            ).first()
        return Operator(row.id, row.username, Role(row.role)) if row else None

    def _failed(self, operator_id: int, attempts: int, now: float) -> None:
        locked = now + LOCK_SECONDS if attempts >= MAX_FAILED else 0
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(operators)
                .where(operators.c.id == operator_id)
                .values(failed_attempts=0 if locked else attempts, locked_until=locked)
            )

    def session(self, token: str) -> Session:
        """The session of ``token``, its idle expiry pushed back.

        Raises:
            AuthError: unknown, expired or signed-out session (401).
        """
        if not token or len(token) > 128:
            raise AuthError("sign in first")
        now = time.time()
        digest = _token_hash(token)
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(operator_sessions, operators.c.username, operators.c.role)
                .join(operators, operators.c.id == operator_sessions.c.operator_id)
                .where(operator_sessions.c.token_hash == digest)
            ).first()
            if row is None:
                raise AuthError("sign in first")
            expired = row.expires_at <= now
            if expired:
                conn.execute(
                    sa.delete(operator_sessions).where(operator_sessions.c.token_hash == digest)
                )
            else:
                expires = min(now + self.idle_seconds, row.created_at + self.max_seconds)
                conn.execute(
                    sa.update(operator_sessions)
                    .where(operator_sessions.c.token_hash == digest)
                    .values(last_seen_at=now, expires_at=expires)
                )
        if expired:
            self.audit.record(row.username, "session", outcome="expired")
            raise AuthError("your session expired: sign in again")
        operator = Operator(row.operator_id, row.username, Role(row.role))
        return Session(operator, row.csrf_token, expires, token)

    def sign_out(self, token: str) -> None:
        """Ends the session of ``token`` (unknown tokens are ignored)."""
        with self.engine.begin() as conn:
            conn.execute(
                sa.delete(operator_sessions).where(
                    operator_sessions.c.token_hash == _token_hash(token)
                )
            )

    @staticmethod
    def csrf_ok(session: Session, presented: str | None) -> bool:
        """Whether ``presented`` is the session's CSRF token (constant time)."""
        return bool(presented) and hmac.compare_digest(session.csrf_token, str(presented))
