"""Builds the effective ``credentials.yml``: channels whose settings are unset are left out.

Rasa refuses to start when ``credentials.yml`` names an unset ``${VARIABLE}``.
The repository's file lists every channel (Messenger included); ``make run``
and the tests pass Rasa a copy without the sections whose variables are unset,
so Messenger is on exactly when its three settings are. The copy still holds
``${VARIABLE}`` references, never the secrets themselves.

A stock ``socketio`` or ``facebook`` section is written under Sigilo's connector
(:data:`SIGILO_CONNECTORS`): the stock ones pass unverified Messenger requests
and unbounded web input on to Rasa.

    python -m sigilo.channels.credentials credentials.yml var/credentials.yml
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

_VARIABLE = re.compile(r"\$\{([^}]+)\}")
# Rasa's stock channel name -> Sigilo's connector built on it.
SIGILO_CONNECTORS = {
    "socketio": "sigilo.channels.socketio.SigiloSocketIOInput",
    "facebook": "sigilo.channels.facebook.SigiloFacebookInput",
}


def _variables(value: Any) -> set[str]:
    if isinstance(value, str):
        return set(_VARIABLE.findall(value))
    if isinstance(value, dict):
        return set().union(*(_variables(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_variables(item) for item in value))
    return set()


def effective_credentials(
    source: Mapping[str, Any], env: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Splits channels into kept ones and left-out ones.

    Args:
        source: The parsed ``credentials.yml``.
        env: The environment Rasa will run with.

    Returns:
        ``(credentials, skipped)``: the channels to keep, and for each left-out
        channel the unset variables it needs.
    """
    kept: dict[str, Any] = {}
    skipped: dict[str, list[str]] = {}
    for channel, settings in (source or {}).items():
        channel = SIGILO_CONNECTORS.get(channel, channel)
        missing = sorted(name for name in _variables(settings) if not env.get(name))
        if missing:
            skipped[channel] = missing
        else:
            kept[channel] = settings
    return kept, skipped


def write_effective_credentials(
    source: Path, target: Path, env: Mapping[str, str] | None = None
) -> dict[str, list[str]]:
    """Writes the effective credentials file; returns the left-out channels."""
    parsed = yaml.safe_load(source.read_text()) or {}
    kept, skipped = effective_credentials(parsed, os.environ if env is None else env)
    target.parent.mkdir(parents=True, exist_ok=True)
    header = f"# Generated from {source.name}; channels with unset settings left out.\n"
    target.write_text(header + yaml.safe_dump(kept, sort_keys=False, allow_unicode=True))
    return skipped


def main(argv: list[str] | None = None) -> int:
    """CLI: ``SOURCE TARGET``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m sigilo.channels.credentials SOURCE TARGET", file=sys.stderr)
        return 2
    for channel, missing in write_effective_credentials(Path(args[0]), Path(args[1])).items():
        print(f"{channel}: off (unset: {', '.join(missing)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
