"""Talks to the running assistant from the terminal (``make shell``).

Type a message, or the number of a button to press it. ``/restart`` starts a
new conversation id; Ctrl-D quits.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
import uuid


def send(url: str, sender: str, message: str) -> list[dict]:
    """Posts one message to the REST channel and returns the bot's replies."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"[]")


def main() -> int:
    """Reads lines, prints replies with numbered buttons."""
    port = os.environ.get("SIGILO_RASA_PORT", "5005")
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    sender = f"shell-{uuid.uuid4().hex[:8]}"
    buttons: list[dict] = []
    print(f"Talking to {url} as {sender}. Ctrl-D quits.")
    while True:
        try:
            text = input("you> ").strip()
        except EOFError:
            print()
            return 0
        if text == "/restart":
            sender = f"shell-{uuid.uuid4().hex[:8]}"
            print(f"(new conversation {sender})")
            continue
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        try:
            replies = send(url, sender, text)
        except (urllib.error.URLError, OSError) as error:
            print(f"error: cannot reach the assistant at {url} ({error}); is `make run` up?")
            continue
        buttons = []
        for reply in replies:
            if reply.get("text"):
                print(f"bot> {reply['text']}")
            for button in reply.get("buttons", []):
                buttons.append(button)
                print(f"     [{len(buttons)}] {button['title']}")


if __name__ == "__main__":
    sys.exit(main())
