"""``python -m sigilo.console.http``: serves the console API and page (``make run``)."""

from __future__ import annotations

import argparse
import os
import sys

from sigilo.keys import MissingKeyError
from sigilo.tracker_store.db import SchemaError


def main(argv: list[str] | None = None) -> int:
    """Parses the options, checks keys and schema, serves until stopped."""
    parser = argparse.ArgumentParser(prog="python -m sigilo.console.http")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("SIGILO_CONSOLE_PORT", 8090))
    )
    parser.add_argument("--url", help="database URL (default: $SIGILO_TRACKER_STORE_URL)")
    parser.add_argument("--metrics-url", help="metrics database URL (default: $SIGILO_METRICS_URL)")
    parser.add_argument(
        "--secure-cookies",
        action="store_true",
        default=os.environ.get("SIGILO_CONSOLE_SECURE_COOKIES", "").lower() in ("1", "true"),
        help="mark cookies Secure (behind HTTPS)",
    )
    args = parser.parse_args(argv)
    from sigilo.console.http.app import create_app
    from sigilo.console.metrics_view import MetricsReader
    from sigilo.console.service import Console
    from sigilo.log_filter import install as install_log_filter

    install_log_filter()
    try:
        console = Console.from_env(args.url)
    except (MissingKeyError, SchemaError) as exc:
        print(f"sigilo console: {exc}", file=sys.stderr)
        return 2
    metrics = MetricsReader(args.metrics_url)  # opened on first use
    app = create_app(console, secure_cookies=args.secure_cookies, metrics=metrics)
    # access_log off: no operator IP addresses or URLs in the logs
    app.run(host=args.host, port=args.port, access_log=False, motd=False, workers=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
