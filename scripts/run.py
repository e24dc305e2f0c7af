"""Runs Sigilo locally: demo company API, action server and Rasa server.

Started by ``make run``. Prints what runs where and where the logs go;
Ctrl-C stops everything cleanly. Settings come from the environment and an
optional ``.env`` file (see ``.env.example``).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
LOGS = VAR / "log"


def load_dotenv(path: Path) -> None:
    """Loads ``KEY=value`` lines into the environment without overriding it."""
    if not path.exists():
        return
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


def persistent_secret(env_name: str, file_name: str) -> str:
    """Returns the secret from the environment, else one generated on first run.

    Generated secrets live in ``var/`` (git-ignored), readable by the owner only.
    """
    value = os.environ.get(env_name)
    if value:
        return value
    path = VAR / file_name
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(32)
    VAR.mkdir(exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(value)
    return value


@dataclass
class Service:
    """One child process and how to tell it is ready."""

    name: str
    command: list[str]
    health_url: str
    log: Path
    process: subprocess.Popen | None = None

    def start(self, env: dict[str, str]) -> None:
        """Starts the process with its output in its log file."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        handle = self.log.open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float) -> bool:
        """Polls the health URL until it answers 2xx or the process dies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.health_url, timeout=2) as answer:
                    if 200 <= answer.status < 300:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        return False

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def prepare_tracker_store(env: dict[str, str]) -> int:
    """Keys on first run, the endpoints check, the store and metrics migrations."""
    env.setdefault("SIGILO_TRACKER_STORE_URL", "sqlite:///var/sigilo.db")
    env.setdefault("SIGILO_PRIVACY_MODE", "true")
    env.setdefault("SIGILO_METRICS_URL", "sqlite:///var/metrics.db")
    if not env.get("SIGILO_ENCRYPTION_KEYS"):
        env.setdefault("SIGILO_KEY_FILE", str(VAR / "keys" / "sigilo.keys"))
        key_file = Path(env["SIGILO_KEY_FILE"])
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            subprocess.run(
                [sys.executable, "-m", "sigilo.cli", "keys", "init", "--file", str(key_file)],
                cwd=ROOT,
                env=env,
                check=False,
            )
    for step in (
        ["db", "check-endpoints", "endpoints.yml"],
        ["db", "upgrade"],
        ["metrics", "check"],
        ["metrics", "db", "upgrade"],
    ):
        done = subprocess.run([sys.executable, "-m", "sigilo.cli", *step], cwd=ROOT, env=env)
        if done.returncode != 0:
            print(f"error: `sigilo {' '.join(step)}` failed; see above", file=sys.stderr)
            return 1
    return 0


def build_services(model: str, env: dict[str, str]) -> list[Service]:
    """The processes ``make run`` supervises, in start order."""
    py = sys.executable
    api_port = env["SIGILO_COMPANY_API_PORT"]
    rasa_port = env.get("SIGILO_RASA_PORT", "5005")
    actions_port = env.get("SIGILO_ACTIONS_PORT", "5055")
    services = []
    if env.get("SIGILO_START_DEMO_API", "true").lower() != "false":
        services.append(
            Service(
                "demo company API",
                [
                    py,
                    "-m",
                    "client_api",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    api_port,
                    "--db",
                    str(VAR / "company.db"),
                ],
                f"http://127.0.0.1:{api_port}/health",
                LOGS / "company-api.log",
            )
        )
    services.append(
        Service(
            "action server",
            # through sigilo.log_filter: every log line of the actions is redacted
            [
                py,
                "-m",
                "sigilo.log_filter",
                "rasa_sdk",
                "--actions",
                "actions",
                "--port",
                actions_port,
            ],
            f"http://127.0.0.1:{actions_port}/health",
            LOGS / "actions.log",
        )
    )
    services.append(
        Service(
            "Rasa server",
            [
                py,
                "-m",
                "rasa",
                "run",
                "--model",
                model,
                "--port",
                rasa_port,
                "--enable-api",
                # "=" form: a token may start with "-", which argparse reads as a flag.
                f"--auth-token={env['SIGILO_RASA_AUTH_TOKEN']}",
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                str(VAR / "credentials.yml"),
                "--cors",
                *cors_origins(env),
            ],
            f"http://127.0.0.1:{rasa_port}/",
            LOGS / "rasa.log",
        )
    )
    web_port = env.get("SIGILO_WEB_PORT", "8080")
    services.append(
        Service(
            "web chat page",
            [
                py,
                "-m",
                "sigilo.channels.webpage",
                "--port",
                web_port,
                "--socket-url",
                f"http://127.0.0.1:{rasa_port}",
            ],
            f"http://127.0.0.1:{web_port}/healthz",
            LOGS / "web.log",
        )
    )
    console_port = env.get("SIGILO_CONSOLE_PORT", "8090")
    services.append(
        Service(
            "operators' console",
            [py, "-m", "sigilo.console.http", "--port", console_port],
            f"http://127.0.0.1:{console_port}/healthz",
            LOGS / "console.log",
        )
    )
    return services


def cors_origins(env: dict[str, str]) -> list[str]:
    """Browser origins Rasa allows: ``SIGILO_CORS_ORIGINS`` plus the web chat page's.

    The page's origins are both ``http://127.0.0.1:PORT`` and ``http://localhost:PORT``:
    a browser sends the name the visitor typed, and socket.io needs CORS for it.
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from sigilo.channels.webpage import page_origins

    configured = env.get("SIGILO_CORS_ORIGINS") or "http://127.0.0.1:5005"
    origins = configured.replace(",", " ").split()
    pages = page_origins(env.get("SIGILO_WEB_PORT", "8080"))
    return [*origins, *(page for page in pages if page not in origins)]


def main() -> int:
    """Starts everything, prints how to use it, waits for Ctrl-C."""
    load_dotenv(ROOT / ".env")
    env = dict(os.environ)
    # Privacy: Rasa's telemetry and crash reports stay off.
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.setdefault("SIGILO_COMPANY_API_PORT", "8800")
    env.setdefault("SIGILO_COMPANY_API_URL", f"http://127.0.0.1:{env['SIGILO_COMPANY_API_PORT']}")
    env["SIGILO_COMPANY_API_TOKEN"] = persistent_secret(
        "SIGILO_COMPANY_API_TOKEN", "company-api-token"
    )
    env["SIGILO_RASA_AUTH_TOKEN"] = persistent_secret("SIGILO_RASA_AUTH_TOKEN", "rasa-auth-token")
    if prepare_tracker_store(env) != 0:
        return 1
    model = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "model.py")],
        cwd=ROOT,
        check=False,
        stdout=subprocess.PIPE,
        text=True,
    )
    if model.returncode != 0:
        print("error: no model could be trained; see the output above", file=sys.stderr)
        return 1
    # Channels whose settings are unset (Messenger without FACEBOOK_*) are left out.
    sys.path.insert(0, str(ROOT))
    from sigilo.channels.credentials import write_effective_credentials

    for channel, missing in write_effective_credentials(
        ROOT / "credentials.yml", VAR / "credentials.yml", env
    ).items():
        print(f"channel {channel} is off: set {', '.join(missing)} to turn it on", flush=True)
    services = build_services(model.stdout.strip().splitlines()[-1], env)
    stopping = False

    def stop_all(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop_all)
    signal.signal(signal.SIGTERM, stop_all)
    try:
        for service in services:
            print(f"starting {service.name}… (log: {service.log.relative_to(ROOT)})", flush=True)
            service.start(env)
            if not service.wait_ready(timeout=180):
                print(f"error: {service.name} did not start; see {service.log}", file=sys.stderr)
                return 1
        port = env.get("SIGILO_RASA_PORT", "5005")
        print(
            "\nSigilo is running:\n"
            f"  Rasa server   http://127.0.0.1:{port}"
            "  (REST channel: POST /webhooks/rest/webhook)\n"
            "  HTTP API      enabled with the token in var/rasa-auth-token"
            " or $SIGILO_RASA_AUTH_TOKEN\n"
            f"  action server http://127.0.0.1:{env.get('SIGILO_ACTIONS_PORT', '5055')}\n"
            f"  company API   {env['SIGILO_COMPANY_API_URL']}\n"
            f"  web chat      http://127.0.0.1:{env.get('SIGILO_WEB_PORT', '8080')}/"
            "  (or http://localhost:…; socket.io channel; open it in a browser)\n"
            f"  console       http://127.0.0.1:{env.get('SIGILO_CONSOLE_PORT', '8090')}/console"
            "  (first admin: .venv/bin/sigilo operators create-admin NAME)\n"
            f"  logs          {LOGS.relative_to(ROOT)}/\n\n"
            "Talk to it: `make shell` in another terminal, or\n"
            f"  curl -s localhost:{port}/webhooks/rest/webhook "
            '-d \'{"sender": "me", "message": "hola"}\'\n'
            "Ctrl-C stops everything.",
            flush=True,
        )
        while not stopping:
            for service in services:
                if service.process and service.process.poll() is not None:
                    print(f"error: {service.name} stopped; see {service.log}", file=sys.stderr)
                    return 1
            time.sleep(0.5)
        return 0
    finally:
        for service in reversed(services):
            service.stop()
        print("stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
