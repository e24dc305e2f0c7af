"""Start a real service as a subprocess for tests, wait until it is healthy, stop it cleanly.

Reusable for the demo API, the action server and Rasa::

    with start_service([sys.executable, "-m", "client_api", ...], health_url) as svc:
        ...  # svc.process, svc.log_text()
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


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
        wait_until_healthy(service, health_url, timeout)
        yield service
    finally:
        stop(service, stop_timeout)
    if owns_log:
        log_file.unlink(missing_ok=True)
