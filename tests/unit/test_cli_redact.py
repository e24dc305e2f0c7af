"""``sigilo redact`` as a subprocess: text and JSON Lines on stdin, errors, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sigilo.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "sigilo.cli", "redact", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_text_lines() -> None:
    result = _run([], "meu cartão 4111 1111 1111 1111\nnada aqui\nmail a@b.com\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "meu cartão [card visa ••••1111]\nnada aqui\nmail [email]\n"


def test_json_lines_auto_detected_and_other_fields_kept() -> None:
    lines = [
        json.dumps({"id": 1, "text": "cpf 529.982.247-25"}),
        "texto normal, tel (11) 98765-4321",
        json.dumps({"id": 2, "text": "senha: abc123", "lang": "pt"}, ensure_ascii=False),
    ]
    result = _run([], "\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    assert json.loads(out[0]) == {"id": 1, "text": "cpf [tax id]"}
    assert out[1] == "texto normal, tel [phone]"
    assert json.loads(out[2]) == {"id": 2, "text": "senha: [password]", "lang": "pt"}


def test_invalid_json_line_is_an_error_naming_the_line() -> None:
    result = _run(["--jsonl"], '{"text": "a@b.com"}\n{broken\n{"text": "x"}\n')
    assert result.returncode == 2
    assert "line 2" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == '{"text": "[email]"}\n'


def test_auto_mode_broken_json_is_an_error_too() -> None:
    result = _run([], "{not json\n")
    assert result.returncode == 2 and "line 1" in result.stderr


def test_skip_invalid_goes_on() -> None:
    result = _run(["--jsonl", "--skip-invalid"], '{broken\n{"text": "a@b.com"}\n[1]\n{"no": 1}\n')
    assert result.returncode == 0
    assert result.stdout == '{"text": "[email]"}\n'
    assert "line 1" in result.stderr
    assert "line 3: not a JSON object" in result.stderr
    assert 'line 4: no string "text" field' in result.stderr


def test_text_mode_and_types() -> None:
    result = _run(["--text", "--types", "email"], '{"text": "a@b.com 4111111111111111"}\n')
    assert result.returncode == 0
    assert result.stdout == '{"text": "[email] 4111111111111111"}\n'


def test_unknown_type_is_a_usage_error() -> None:
    result = _run(["--types", "nope"], "x\n")
    assert result.returncode == 2 and "NOPE" in result.stderr


def test_last_line_without_newline() -> None:
    result = _run([], "a@b.com\nc@d.com")
    assert result.stdout == "[email]\n[email]"


def test_main_without_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "redact" in capsys.readouterr().err
