"""Sign-in, lockout, sessions, and the audit chain under tampering, on SQLite and
PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

import pytest
import sqlalchemy as sa

from sigilo.console.auth import LOCK_SECONDS, MAX_FAILED, AuthError, OperatorError
from sigilo.console.passwords import WeakPassword
from sigilo.console.roles import Role
from sigilo.console.schema import audit_log, operators
from sigilo.console.service import Console
from tests.integration.console.conftest import PASSWORD, code_for


def test_sign_in_needs_password_and_totp_and_refuses_replays(console: Console) -> None:
    _, uri = console.auth.create("dpo", "editor", PASSWORD)
    with pytest.raises(AuthError) as missing:
        console.auth.sign_in("dpo", PASSWORD, "")
    assert missing.value.status == 401
    with pytest.raises(AuthError):
        console.auth.sign_in("dpo", PASSWORD, "000000" if code_for(uri) != "000000" else "111111")
    code = code_for(uri)
    session = console.auth.sign_in("DPO ", PASSWORD, code)
    assert session.operator.role is Role.EDITOR and session.token and session.csrf_token
    with pytest.raises(AuthError):  # the same code cannot be used twice
        console.auth.sign_in("dpo", PASSWORD, code)
    assert console.auth.session(session.token).operator.username == "dpo"
    console.auth.sign_out(session.token)
    with pytest.raises(AuthError):
        console.auth.session(session.token)
    with pytest.raises(AuthError):
        console.auth.sign_in("nobody", PASSWORD, code)
    outcomes = [(e.operator, e.outcome) for e in console.audit.entries() if e.action == "sign_in"]
    assert outcomes == [
        ("dpo", "failed"),
        ("dpo", "failed"),
        ("dpo", "ok"),
        ("dpo", "failed"),
        ("(unknown)", "failed"),
    ]


def test_viewer_may_skip_totp_but_role_none_is_refused(console: Console) -> None:
    console.auth.create("reader", "viewer", PASSWORD)
    assert console.auth.sign_in("reader", PASSWORD).operator.role is Role.VIEWER
    console.auth.create("gone", "none", PASSWORD)
    with pytest.raises(AuthError) as refused:
        console.auth.sign_in("gone", PASSWORD)
    assert refused.value.status == 403


def test_no_weak_passwords_or_bad_names(console: Console) -> None:
    for password in ("short", "a" * 20, ""):
        with pytest.raises(WeakPassword):
            console.auth.create("someone", "viewer", password)
    for name, role in (("x", "viewer"), ("white space", "viewer"), ("ok-name", "root")):
        with pytest.raises(OperatorError):
            console.auth.create(name, role, PASSWORD)
    console.auth.create("ok-name", "viewer", PASSWORD)
    with pytest.raises(OperatorError):
        console.auth.create("OK-name", "viewer", PASSWORD)
    with console.engine.connect() as conn:
        row = conn.execute(sa.select(operators)).first()
    assert row.password_hash.startswith("scrypt$") and PASSWORD not in row.password_hash
    assert b"otpauth" not in bytes(row.totp_secret)


def test_lockout_after_repeated_failures(console: Console) -> None:
    _, uri = console.auth.create("admin", "admin", PASSWORD)
    for _ in range(MAX_FAILED):
        with pytest.raises(AuthError):
            console.auth.sign_in("admin", "wrong password!", code_for(uri))
    with pytest.raises(AuthError) as locked:  # even the right password is refused now
        console.auth.sign_in("admin", PASSWORD, code_for(uri))
    assert locked.value.status == 429
    assert console.auth.list()[0]["locked"] is True
    with console.engine.begin() as conn:  # 15 minutes later
        conn.execute(sa.update(operators).values(locked_until=time.time() - 1))
    assert LOCK_SECONDS == 900
    assert console.auth.sign_in("admin", PASSWORD, code_for(uri)).operator.username == "admin"


def test_sessions_expire(database: Any) -> None:
    console = Console.from_env(database.url, idle_seconds=0.5)
    _, uri = console.auth.create("admin", "admin", PASSWORD)
    session = console.auth.sign_in("admin", PASSWORD, code_for(uri))
    assert console.auth.session(session.token)
    time.sleep(0.7)
    with pytest.raises(AuthError) as expired:
        console.auth.session(session.token)
    assert "expired" in expired.value.reason
    short = Console.from_env(database.url, max_seconds=0.3)
    session = short.auth.sign_in("admin", PASSWORD, code_for(uri, 1))
    time.sleep(0.4)
    with pytest.raises(AuthError):  # idle or not, sessions end after max_seconds
        short.auth.session(session.token)


def _fill(console: Console, count: int = 6) -> None:
    for number in range(count):
        console.audit.record("admin", "read", f"{number:064x}")


def _drop_guard(console: Console) -> None:
    """What an attacker with database rights does first: remove the append-only triggers."""
    with console.engine.begin() as conn:
        if console.engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP TRIGGER sigilo_audit_log_append_only ON sigilo_audit_log"))
        else:
            conn.execute(sa.text("DROP TRIGGER sigilo_audit_log_no_update"))
            conn.execute(sa.text("DROP TRIGGER sigilo_audit_log_no_delete"))


def test_audit_log_is_append_only_in_the_database(console: Console) -> None:
    _fill(console, 2)
    for statement in (sa.update(audit_log).values(operator="x"), sa.delete(audit_log)):
        with pytest.raises(sa.exc.DatabaseError), console.engine.begin() as conn:
            conn.execute(statement)
    assert console.audit.verify().ok and console.audit.verify().entries == 2


@pytest.mark.parametrize("tamper", ["edit", "remove", "reorder", "truncate", "forge"])
def test_audit_verify_detects_tampering(console: Console, tamper: str) -> None:
    _fill(console)
    intact = console.audit.verify()
    assert intact.ok and intact.entries == 6
    _drop_guard(console)
    seq = audit_log.c.seq
    with console.engine.begin() as conn:
        if tamper == "edit":
            conn.execute(sa.update(audit_log).where(seq == 3).values(operator="someone-else"))
        elif tamper == "remove":
            conn.execute(sa.delete(audit_log).where(seq == 3))
        elif tamper == "reorder":
            conn.execute(sa.update(audit_log).where(seq == 3).values(seq=100))
            conn.execute(sa.update(audit_log).where(seq == 4).values(seq=3))
            conn.execute(sa.update(audit_log).where(seq == 100).values(seq=4))
        elif tamper == "truncate":
            conn.execute(sa.delete(audit_log).where(seq == 6))
        else:  # recompute an edited entry's hash without the key: plain SHA-256
            import hashlib

            conn.execute(
                sa.update(audit_log)
                .where(seq == 6)
                .values(operator="x", hash=hashlib.sha256(b"forged").hexdigest())
            )
    result = console.audit.verify(expect_head=(6, intact.head.split(":")[1]))
    assert not result.ok, tamper
    assert result.broken_at in {3, 4, 6, 7}
    if tamper != "truncate":
        assert not console.audit.verify().ok


def test_concurrent_writers_never_fork_the_chain(console: Console) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def write(worker: int) -> None:
        for number in range(10):
            console.audit.record(f"worker-{worker}", "read", f"{worker:032x}{number:032x}")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, range(4)))
    result = console.audit.verify()
    assert result.ok and result.entries == 40, result
