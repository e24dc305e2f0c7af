"""Serves the web chat page (``web/``) on loopback with a strict Content-Security-Policy.

Only the page's own files are served, plus the rasa-webchat bundle from
``web/node_modules`` (installed by ``npm ci``) and a generated ``config.js``
that tells the page where Rasa's socket.io channel is. The CSP lets the page
talk to this server and to Rasa only: the widget's Google Fonts request, and
any other third-party request, is blocked by the browser. Nothing about
visitors (IP address, user agent, referrer) is logged.

On loopback the page works at ``127.0.0.1`` and at ``localhost`` alike: it talks
to Rasa under the same name it was opened with (so every request stays on that
host), and Rasa's CORS must allow both origins (:func:`page_origins`).

    python -m sigilo.channels.webpage --port 8080 --socket-url http://127.0.0.1:5005
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

WEB_ROOT = Path(__file__).resolve().parents[2] / "web"
WIDGET_BUNDLE = Path("node_modules/rasa-webchat/lib/index.js")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
}
# Names a browser may use for this machine's loopback address.
LOOPBACK_NAMES = ("127.0.0.1", "localhost")


def page_origins(port: int | str, host: str = "127.0.0.1") -> list[str]:
    """The origins the page has in a browser: on loopback, both ``127.0.0.1`` and ``localhost``."""
    names = LOOPBACK_NAMES if host in LOOPBACK_NAMES else (host,)
    return [f"http://{name}:{port}" for name in names]


def socket_url_for(socket_url: str, host_header: str | None) -> str:
    """The Rasa URL for a page opened under ``host_header``.

    When both are loopback names, Rasa is reached under the page's own name
    (``localhost`` page → ``localhost`` Rasa); any other ``Host`` is ignored.
    """
    parts = urlsplit(socket_url)
    try:
        page_host = urlsplit(f"//{host_header or ''}").hostname
    except ValueError:
        return socket_url
    if parts.hostname not in LOOPBACK_NAMES or page_host not in LOOPBACK_NAMES:
        return socket_url
    netloc = f"{page_host}:{parts.port}" if parts.port else page_host
    return urlunsplit(parts._replace(netloc=netloc))


def content_security_policy(socket_url: str) -> str:
    """The page's CSP: itself and the Rasa socket only; no inline scripts."""
    parts = urlsplit(socket_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    websocket = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            # the widget injects its stylesheet as <style> elements
            "style-src 'self' 'unsafe-inline'",
            "font-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' {origin} {websocket}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(socket_url: str) -> dict[str, str]:
    """Headers sent with every answer."""
    return {
        "Content-Security-Policy": content_security_policy(socket_url),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        "Cache-Control": "no-store",
    }


def resolve(web_root: Path, path: str) -> Path | None:
    """The file for a URL path: top-level page files and the widget bundle only."""
    if path in ("/", ""):
        return web_root / "index.html"
    if path == "/vendor/rasa-webchat.js":
        return web_root / WIDGET_BUNDLE
    name = path.lstrip("/")
    if "/" in name or name.startswith(".") or Path(name).suffix not in CONTENT_TYPES:
        return None
    return web_root / name


class PageHandler(BaseHTTPRequestHandler):
    """GET/HEAD for the page, ``/config.js`` and ``/healthz``."""

    server_version = "sigilo-web"
    sys_version = ""

    def __init__(self, *args: object, web_root: Path, socket_url: str, **kwargs: object) -> None:
        self.web_root = web_root
        self.socket_url = socket_url
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def _socket_url(self) -> str:
        return socket_url_for(self.socket_url, self.headers.get("Host"))

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        for name, value in security_headers(self._socket_url()).items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        """Serves one file, the generated config, or 404."""
        path = urlsplit(self.path).path
        if path == "/healthz":
            self._answer(200, b'{"status": "ok"}', "application/json")
            return
        if path == "/config.js":
            config = json.dumps({"socketUrl": self._socket_url()})
            body = f"window.SIGILO_CONFIG = {config};\n".encode()
            self._answer(200, body, CONTENT_TYPES[".js"])
            return
        file = resolve(self.web_root, path)
        if file is None or not file.is_file():
            hint = b" (run: make web-deps)" if path == "/vendor/rasa-webchat.js" else b""
            self._answer(404, b"not found" + hint, "text/plain; charset=utf-8")
            return
        self._answer(200, file.read_bytes(), CONTENT_TYPES[file.suffix])

    do_HEAD = do_GET

    def log_message(self, format: str, *args: object) -> None:
        """Logs nothing: no visitor IP address, user agent or referrer is kept."""


def make_server(
    host: str, port: int, socket_url: str, web_root: Path = WEB_ROOT
) -> ThreadingHTTPServer:
    """A threading HTTP server for the page (not started)."""
    handler = partial(PageHandler, web_root=web_root, socket_url=socket_url.rstrip("/"))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> int:
    """CLI: serve the page until interrupted."""
    parser = argparse.ArgumentParser(description="Serve Sigilo's web chat page.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--socket-url", default="http://127.0.0.1:5005")
    args = parser.parse_args(argv)
    if not (WEB_ROOT / WIDGET_BUNDLE).is_file():
        print(f"warning: {WIDGET_BUNDLE} missing in web/; run `make web-deps`", file=sys.stderr)
    server = make_server(args.host, args.port, args.socket_url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
