"""Run the demo company API.

Usage: ``python -m client_api --host 127.0.0.1 --port 8800 --db var/company.db``.

The bearer token comes from ``SIGILO_COMPANY_API_TOKEN``; without it the demo token
``demo-token`` is used and a warning is printed.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from aiohttp import web

from client_api.app import ApiSettings, PrivateAccessLogger, create_app

TOKEN_ENV = "SIGILO_COMPANY_API_TOKEN"
DEMO_TOKEN = "demo-token"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m client_api", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=8800)
    parser.add_argument("--db", type=Path, default=Path("var/company.db"), help="SQLite file")
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Start the service until SIGINT/SIGTERM."""
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    token = os.environ.get(TOKEN_ENV, "")
    if not token:
        token = DEMO_TOKEN
        logging.getLogger("client_api").warning(
            "%s is not set: using the demo token %r. Never do this outside a demo.",
            TOKEN_ENV,
            DEMO_TOKEN,
        )
    app = create_app(ApiSettings(db_path=args.db, token=token))
    web.run_app(
        app,
        host=args.host,
        port=args.port,
        access_log_class=PrivateAccessLogger,
        print=lambda line: print(line, file=sys.stderr, flush=True),
    )


if __name__ == "__main__":
    main()
