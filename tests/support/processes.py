"""Start a real service as a subprocess for tests, wait until it is healthy, stop it cleanly.

Reusable for the demo API, the action server and Rasa (tests and ``bench/``)::

    with start_service([sys.executable, "-m", "client_api", ...], health_url) as svc:
        ...  # svc.process, svc.log_text()
    command = rasa_command(port, endpoints=..., credentials=..., token=...)
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# Rasa loads TensorFlow and the model: ~40 s on an idle 2-core machine, several minutes
# when other jobs share it. Only start-up waits this long, never a conversation turn.
RASA_START_TIMEOUT = float(os.environ.get("SIGILO_RASA_START_TIMEOUT", "600"))


class ServiceError(RuntimeError):
    """The service died or never became healthy; the message ends with its log tail."""


@dataclass
class RunningService:
    """A started service: its process and the file collecting stdout and stderr."""

    process: subprocess.Popen[bytes]
    log_path: Path

    def log_text(self, tail: int = 4000) -> str:
        """The last ``tail`` characters of the service's output."""
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (the usual small race is accepted)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def repo_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The current environment with the repository on ``PYTHONPATH`` plus ``extra``."""
    env = dict(os.environ)
    paths = [str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    # Privacy: no telemetry or crash report ever leaves a test run.
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.update(extra or {})
    return env


def trained_model() -> Path:
    """The model trained from this repository (trained on first use, then cached)."""
    sys.path.insert(0, str(REPO_ROOT / "scripts"))
    try:
        from model import ensure_model
    finally:
        sys.path.pop(0)
    return ensure_model()


def rasa_command(
    port: int,
    *,
    endpoints: Path | str,
    credentials: Path | str,
    token: str | None = None,
    enable_api: bool = True,
    model: Path | str | None = None,
    extra: Sequence[str] = (),
) -> list[str]:
    """The ``rasa run`` command line of a test or benchmark server.

    Args:
        port: HTTP port of the server.
        endpoints: ``endpoints.yml`` to use (tracker store, lock store, broker, actions).
        credentials: ``credentials.yml`` (channels).
        token: the HTTP API's auth token (``--auth-token``), if any.
        enable_api: add ``--enable-api`` (Rasa's HTTP API).
        model: the model archive; default: :func:`trained_model`.
        extra: more arguments, appended as given.
    """
    command = [sys.executable, "-m", "rasa", "run", "--model", str(model or trained_model())]
    command += ["--port", str(port), "--endpoints", str(endpoints)]
    command += ["--credentials", str(credentials)]
    if enable_api:
        command.append("--enable-api")
    if token is not None:
        # "=" form: a random token may start with "-", which argparse reads as a flag
        command.append(f"--auth-token={token}")
    return [*command, *extra]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1.0) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_until_healthy(service: RunningService, health_url: str, timeout: float) -> None:
    """Poll ``health_url`` until it answers 2xx.

    Raises:
        ServiceError: The process exited, or ``timeout`` seconds passed.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise ServiceError(
                f"service exited with code {service.process.returncode} before becoming "
                f"healthy:\n{service.log_text()}"
            )
        if _healthy(health_url):
            return
        time.sleep(0.1)
    raise ServiceError(f"{health_url} not healthy after {timeout:.0f} s:\n{service.log_text()}")


def stop(service: RunningService, timeout: float = 10.0) -> None:
    """SIGTERM the service's process group, then SIGKILL it after ``timeout`` seconds."""
    process = service.process
    if process.poll() is not None:
        return
    # the child leads its own session, so its group id is its pid: signals reach only
    # the processes this helper started (and their children), never the test runner
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)


@contextlib.contextmanager
def start_service(
    cmd: Sequence[str],
    health_url: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 20.0,
    *,
    cwd: Path | str | None = None,
    log_path: Path | str | None = None,
    stop_timeout: float = 10.0,
    wait: bool = True,
) -> Iterator[RunningService]:
    """Run ``cmd`` until the block ends; yield once ``health_url`` answers 2xx.

    Args:
        cmd: Command line (use ``sys.executable`` for Python modules).
        health_url: URL polled until it answers 2xx.
        env: Full environment for the child (see :func:`repo_env`); default: inherited.
        timeout: Seconds to wait for health.
        cwd: Working directory (default: the repository root).
        log_path: Where stdout and stderr go; default: a temporary file removed after a
            clean stop (kept, and quoted in the error, when start-up fails).
        stop_timeout: Seconds between SIGTERM and SIGKILL.
        wait: wait for health before yielding; False lets the caller start several
            services at once, then call :func:`wait_until_healthy` on each.
    """
    owns_log = log_path is None
    if log_path is None:
        handle, name = tempfile.mkstemp(prefix="sigilo-service-", suffix=".log")
        os.close(handle)
        log_path = name
    log_file = Path(log_path)
    with log_file.open("ab") as sink:
        process = subprocess.Popen(
            list(cmd),
            cwd=str(cwd or REPO_ROOT),
            env=dict(env) if env is not None else None,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    service = RunningService(process=process, log_path=log_file)
    try:
        if wait:
            wait_until_healthy(service, health_url, timeout)
        yield service
    finally:
        stop(service, stop_timeout)
    if owns_log:
        log_file.unlink(missing_ok=True)


@contextlib.contextmanager
def run_action_server(
    env: Mapping[str, str], *, port: int | None = None, timeout: float = 120.0
) -> Iterator[str]:
    """The action server (``rasa_sdk --actions actions``) until the block ends.

    Args:
        env: its whole environment (company API URL and token, store settings…).
        port: the port, when the caller already wrote it into an ``endpoints.yml``.
        timeout: seconds to wait for ``/health``.

    Yields:
        The webhook URL Rasa's ``action_endpoint`` takes.
    """
    port = port or free_port()
    command = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    with start_service(command, f"http://127.0.0.1:{port}/health", env=env, timeout=timeout):
        yield f"http://127.0.0.1:{port}/webhook"
