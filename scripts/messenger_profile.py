"""Sets the Messenger page's "Get started" button and persistent menu.

The menu holds the start menu and the privacy policy entry, in Spanish,
Portuguese and English (by the consumer's Messenger locale). Reads
``FACEBOOK_PAGE_ACCESS_TOKEN``, ``FACEBOOK_APP_SECRET`` and ``SIGILO_GRAPH_API_URL``.

    python scripts/messenger_profile.py            # set it
    python scripts/messenger_profile.py --dry-run  # print the JSON only
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

GET_STARTED_PAYLOAD = "/greet"
# (title, payload) per language; titles at most 30 characters.
MENU: dict[str, list[tuple[str, str]]] = {
    "es": [
        ("Menú principal", "/open_menu"),
        ("Política de privacidad", "/privacy_policy"),
        ("Hablar con alguien", "/human_handoff"),
    ],
    "pt": [
        ("Menu principal", "/open_menu"),
        ("Política de privacidade", "/privacy_policy"),
        ("Falar com atendente", "/human_handoff"),
    ],
    "en": [
        ("Main menu", "/open_menu"),
        ("Privacy policy", "/privacy_policy"),
        ("Talk to a person", "/human_handoff"),
    ],
}
# Messenger locales per language; "default" answers every other locale.
LOCALES = {"en": ["default"], "es": ["es_ES", "es_LA"], "pt": ["pt_BR", "pt_PT"]}


def messenger_profile() -> dict[str, Any]:
    """The ``/me/messenger_profile`` body: Get started and the persistent menu."""
    menus = [
        {
            "locale": locale,
            "composer_input_disabled": False,
            "call_to_actions": [
                {"type": "postback", "title": title, "payload": payload}
                for title, payload in MENU[language]
            ],
        }
        for language, locales in LOCALES.items()
        for locale in locales
    ]
    return {"get_started": {"payload": GET_STARTED_PAYLOAD}, "persistent_menu": menus}


def main(argv: list[str] | None = None) -> int:
    """Sets the profile (or prints it with ``--dry-run``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the JSON only")
    args = parser.parse_args(argv)
    body = messenger_profile()
    if args.dry_run:
        print(json.dumps(body, indent=2, ensure_ascii=False))
        return 0
    token = os.environ.get("FACEBOOK_PAGE_ACCESS_TOKEN")
    if not token:
        print("error: set FACEBOOK_PAGE_ACCESS_TOKEN", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    from sigilo.channels.graph import GraphApiError, GraphClient

    client = GraphClient(token, app_secret=os.environ.get("FACEBOOK_APP_SECRET"))
    try:
        client.set_messenger_profile(body)
    except GraphApiError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Messenger profile set: Get started + menu in {len(body['persistent_menu'])} locales")
    return 0


if __name__ == "__main__":
    sys.exit(main())
