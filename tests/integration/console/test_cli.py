"""The ``sigilo`` console commands end to end on a real database: first admin, login,
search, show, export, delete, retention, operators, audit; errors are one line."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from sigilo.cli.main import main as cli
from sigilo.console.service import Console
from tests.integration.console.conftest import PASSWORD, TIN, code_for, conversation, save


@pytest.fixture
def shell(database: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any):
    """Runs ``sigilo ARGS`` with the password on stdin; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("SIGILO_CONSOLE_SESSION_FILE", str(tmp_path / "session"))
    monkeypatch.setenv("SIGILO_TRACKER_STORE_URL", database.url)
    monkeypatch.delenv("SIGILO_CONSOLE_TOKEN", raising=False)

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _uri(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("otpauth://"))


async def test_console_commands(shell: Any, store: Any, console: Console, tmp_path: Path) -> None:
    await save(store, "2718281828", conversation("oi quero minhas faturas"), "facebook")
    await save(store, "web-9", conversation("hola", "es", personal=False), "socketio")
    code, out, err = shell("search")
    assert code == 3 and "not signed in" in err
    code, out, _ = shell("operators", "create-admin", "root", "--password-stdin", stdin=PASSWORD)
    assert code == 0
    admin_uri = _uri(out)
    code, _, err = shell("operators", "create-admin", "root2", "--password-stdin", stdin=PASSWORD)
    assert code == 2 and "exists already" in err
    code, _, err = shell("operators", "login", "root", "--password-stdin", "--code", "123")
    assert code == 3 and "wrong username, password or code" in err
    login = ("operators", "login", "root", "--password-stdin", "--code", code_for(admin_uri))
    assert shell(*login, stdin=PASSWORD)[0] == 0
    assert (tmp_path / "session").stat().st_mode & 0o077 == 0
    code, out, _ = shell(
        "operators",
        "create",
        "ana",
        "--role",
        "viewer",
        "--password-stdin",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert code == 0 and _uri(out)
    code, out, err = shell("search", "--sender-id", "2718281828")
    assert code == 0 and out.count("\n") == 1 and "facebook" in out and "personal" in out
    pseudonym = out.split()[0]
    assert shell("search", "--page-size", "5000")[0] == 2
    code, out, _ = shell("show", pseudonym)
    assert code == 0 and TIN in out
    assert shell("show", "0" * 64)[0] == 5
    target = tmp_path / "export.xlsx"
    code, out, _ = shell("export", pseudonym, "--format", "xlsx", "-o", str(target))
    assert code == 0 and target.stat().st_size > 1000
    assert shell("export", pseudonym, "-o", str(target))[0] == 2  # never overwrites
    code, listed, _ = shell("search", "--pseudonyms")
    many = tmp_path / "many.csv"
    code, out, err = shell("export", "-", "--format", "csv", "-o", str(many), stdin=listed)
    assert code == 0 and "exported 2 conversation(s)" in out and TIN in many.read_text()
    assert "100%" in err and "2/2" in err  # the progress bar
    assert shell("retention", "set", "40")[0] == 2
    assert shell("retention", "set", "9")[0] == 0
    code, out, _ = shell("retention")
    assert code == 0 and "retention 9 month(s)" in out
    code, out, _ = shell("retention", "show")
    assert "9 month(s)" in out and "0 session(s)" in out
    code, out, _ = shell("delete", pseudonym, "--yes")
    assert code == 0 and json.loads(out)["status"] == "erased"
    code, out, _ = shell("audit", "verify")
    assert code == 0 and "intact" in out
    head = out.split("head ")[1].strip()
    assert shell("audit", "verify", "--expect-head", head)[0] == 0
    assert shell("audit", "verify", "--expect-head", "nonsense")[0] == 2
    code, out, _ = shell("audit", "list", "--limit", "100")
    actions = [json.loads(line)["action"] for line in out.splitlines()]
    assert {"sign_in", "search", "read", "export", "delete", "retention_set"} <= set(actions)
    assert TIN not in out and "2718281828" not in out
    # a viewer signs in without TOTP; may search, may not delete or verify the audit log
    assert (
        shell("operators", "login", "ana", "--password-stdin", "--code", "", stdin=PASSWORD)[0] == 0
    )
    assert shell("search")[0] == 0
    assert shell("delete", pseudonym, "--yes")[0] == 4
    assert shell("audit", "verify")[0] == 4
    assert shell("operators", "logout")[0] == 0
    assert shell("search")[0] == 3


async def test_cli_role_matrix(
    shell: Any, store: Any, console: Console, ops: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from sigilo.console.roles import Role

    admin, editor, viewer = Role.ADMIN, Role.EDITOR, Role.VIEWER
    console.auth.create("target-op", "viewer", PASSWORD)
    for role in Role:
        await save(store, f"cli-{role.value}", conversation("oi"))
    seen = console.repository.pseudonym("cli-viewer")
    commands = [
        (("search",), {admin, editor, viewer}),
        (("show", seen), {admin, editor, viewer}),
        (("export", seen, "-o", "{out}"), {admin, editor}),
        (("delete", "{own}", "--yes"), {admin, editor}),
        (("retention", "show"), {admin, editor, viewer}),
        (("retention", "set", "5"), {admin}),
        (("operators", "list"), {admin}),
        (("operators", "create", "{new}", "--role", "viewer", "--password-stdin"), {admin}),
        (("operators", "set-role", "target-op", "editor"), {admin}),
        (("operators", "unlock", "target-op"), {admin}),
        (("audit", "list"), {admin}),
        (("audit", "verify"), {admin}),
    ]
    for args, allowed in commands:
        for role in Role:
            monkeypatch.setenv("SIGILO_CONSOLE_TOKEN", ops.sessions[role].token)
            values = {
                "out": str(tmp_path / f"{role.value}-{len(args)}.json"),
                "own": console.repository.pseudonym(f"cli-{role.value}"),
                "new": f"new-{role.value}",
            }
            argv = [a.format(**values) for a in args]
            code, _, err = shell(*argv, stdin=f"{PASSWORD}\n{PASSWORD}\n")
            assert code == (0 if role in allowed else 4), (argv, role, code, err)
            assert "Traceback" not in err
