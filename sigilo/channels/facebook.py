"""Sigilo's Messenger connector, built on Rasa 3.6.21's ``FacebookInput``.

Named in ``credentials.yml`` as ``sigilo.channels.facebook.SigiloFacebookInput``;
the webhook stays ``/webhooks/facebook/webhook``. Over the stock connector it:

- verifies ``X-Hub-Signature-256`` (SHA-1 ``X-Hub-Signature`` only when it is the
  only one sent) with :func:`hmac.compare_digest`; the header never picks the hash;
- answers 403 to unsigned or wrongly signed requests and 400 to malformed JSON,
  before anything reaches Rasa (so nothing is stored);
- handles every event of a batch, ignores echoes, delivery and read receipts, and
  turns attachments and stickers into ``/out_of_scope`` (never their URLs);
- reads the first name and locale once, at the first interaction, from the Graph
  API and passes them as message metadata (``customer_first_name``, ``locale``);
- sends buttons as quick replies, through :class:`~sigilo.channels.graph.GraphClient`
  (configurable base URL, timeouts) without blocking the event loop.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput
from rasa.shared.core.events import Restarted, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from sigilo.channels.graph import GraphClient
from sigilo.channels.inbound import ATTACHMENT_PAYLOAD, MAX_TEXT_CHARS, cut_text, valid_sender_id
from sigilo.channels.messenger_format import quick_reply_message, text_chunks
from sigilo.channels.signature import verify_signature

logger = logging.getLogger(__name__)

__all__ = ["ATTACHMENT_PAYLOAD", "MAX_TEXT_CHARS", "SigiloFacebookInput", "SigiloMessengerBot"]
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class SigiloMessengerBot(OutputChannel):
    """Sends the bot's replies with the Send API; buttons become quick replies."""

    @classmethod
    def name(cls) -> str:
        """Channel name."""
        return "facebook"

    def __init__(self, client: GraphClient) -> None:
        """Wraps a :class:`GraphClient`."""
        super().__init__()
        self.client = client

    async def _send(self, recipient_id: str, message: dict[str, Any]) -> None:
        await asyncio.to_thread(self.client.send_message, recipient_id, message)

    async def send_action(self, recipient_id: str, sender_action: str) -> None:
        """Sends a sender action such as ``typing_on``."""
        await asyncio.to_thread(self.client.send_action, recipient_id, sender_action)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Sends text, split into Messenger-sized parts."""
        for part in text_chunks(text):
            await self._send(recipient_id, {"text": part})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Sends the buttons as quick replies (up to 13)."""
        await self._send(recipient_id, quick_reply_message(text, buttons))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Sends quick replies."""
        await self._send(recipient_id, quick_reply_message(text, quick_replies))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Sends an image by URL."""
        attachment = {"type": "image", "payload": {"url": image, "is_reusable": False}}
        await self._send(recipient_id, {"attachment": attachment})

    async def send_elements(self, recipient_id: str, elements: Any, **kwargs: Any) -> None:
        """Sends a generic template."""
        payload = {"template_type": "generic", "elements": list(elements)}
        await self._send(recipient_id, {"attachment": {"type": "template", "payload": payload}})

    async def send_custom_json(self, recipient_id: str, json_message: Any, **kwargs: Any) -> None:
        """Sends a custom Messenger message object as is."""
        if isinstance(json_message, dict):
            await self._send(recipient_id, json_message)


def event_text(event: dict[str, Any]) -> str | None:
    """The text Rasa should see for one ``messaging`` event, or ``None`` to ignore it.

    Quick replies and postbacks give their payload; attachments and stickers
    give ``/out_of_scope`` (their URLs are never passed on); echoes, delivery
    and read receipts and unknown event kinds are ignored.
    """
    message = event.get("message")
    if isinstance(message, dict):
        if message.get("is_echo"):
            return None
        quick_reply = message.get("quick_reply")
        if isinstance(quick_reply, dict) and isinstance(quick_reply.get("payload"), str):
            return cut_text(quick_reply["payload"])
        text = message.get("text")
        if isinstance(text, str) and text.strip():
            return cut_text(text)
        if message.get("attachments") or message.get("sticker_id"):
            return ATTACHMENT_PAYLOAD
        return None
    postback = event.get("postback")
    if isinstance(postback, dict) and isinstance(postback.get("payload"), str):
        return cut_text(postback["payload"])
    return None


def event_message_id(event: dict[str, Any]) -> str | None:
    """Messenger's ``mid`` of a message or postback, if it looks like one.

    Passed to Rasa as the message id, so a webhook Meta delivers twice is
    recognised as the same message (anonymous metrics count it once).
    """
    for key in ("message", "postback"):
        part = event.get(key)
        mid = part.get("mid") if isinstance(part, dict) else None
        if isinstance(mid, str) and 0 < len(mid) <= 256 and mid.isprintable():
            return mid
    return None


def messaging_events(payload: Any) -> list[tuple[str, str, str | None]]:
    """``(sender_id, text, message_id)`` for every event of a webhook body Rasa should see."""
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        return []
    found = []
    for entry in payload["entry"]:
        events = entry.get("messaging") if isinstance(entry, dict) else None
        for event in events if isinstance(events, list) else []:
            if not isinstance(event, dict):
                continue
            sender = event.get("sender")
            sender_id = valid_sender_id(sender.get("id") if isinstance(sender, dict) else None)
            text = event_text(event)
            if sender_id and text is not None:
                found.append((sender_id, text, event_message_id(event)))
    return found


class SigiloFacebookInput(FacebookInput):
    """Messenger input channel with verified signatures and profile metadata."""

    @classmethod
    def name(cls) -> str:
        """Channel name (and webhook path ``/webhooks/facebook``)."""
        return "facebook"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SigiloFacebookInput:
        """Reads ``verify``, ``secret`` and ``page-access-token``."""
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            str(credentials.get("verify") or ""),
            str(credentials.get("secret") or ""),
            str(credentials.get("page-access-token") or ""),
        )

    def __init__(
        self,
        fb_verify: str,
        fb_secret: str,
        fb_access_token: str,
        graph_client: GraphClient | None = None,
    ) -> None:
        """Creates the channel; the Graph API settings come from the environment."""
        super().__init__(fb_verify, fb_secret, fb_access_token)
        self.graph = graph_client or GraphClient(fb_access_token, app_secret=fb_secret)

    def get_output_channel(self) -> OutputChannel:
        """The output channel for proactive messages."""
        return SigiloMessengerBot(self.graph)

    async def _needs_profile(self, request: Request, sender_id: str) -> bool:
        """Whether this is the conversation's first interaction: no name, no user turn ever.

        A conversation that restarted — what "delete my data" leaves — never reads
        the name again: the consumer asked for it to be erased.
        """
        agent = getattr(request.app.ctx, "agent", None)
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return True
        latest = await store.retrieve(sender_id)  # what Rasa loads anyway: the usual answer
        if latest is None:
            return True
        if latest.get_slot("customer_first_name"):
            return False
        if any(isinstance(event, (UserUttered, Restarted)) for event in latest.events):
            return False
        # the latest session is new (after an erasure Rasa starts one at once): look back
        full = await store.retrieve_full_tracker(sender_id)
        events = full.events if full is not None else []
        return not any(isinstance(event, (UserUttered, Restarted)) for event in events)

    async def _profile_metadata(self, request: Request, sender_id: str) -> dict[str, str]:
        try:
            if not await self._needs_profile(request, sender_id):
                return {}
        except Exception:  # a broken store must not cost the consumer the reply
            logger.exception("could not read the tracker before the profile look-up")
            return {}
        profile = await asyncio.to_thread(self.graph.profile, sender_id)
        metadata: dict[str, str] = {}
        if profile and profile.first_name:
            metadata["customer_first_name"] = profile.first_name
        if profile and profile.locale:
            metadata["locale"] = profile.locale
        return metadata

    async def _handle(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        if not verify_signature(self.fb_secret, request.body or b"", request.headers):
            logger.warning("Messenger webhook refused: missing or wrong signature")
            return response.json({"error": "invalid signature"}, status=403)
        try:
            payload = json.loads(request.body)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            return response.json({"error": "malformed JSON"}, status=400)
        if not isinstance(payload, dict) or payload.get("object") != "page":
            return response.json({"error": "not a page event"}, status=400)
        out_channel = self.get_output_channel()
        for sender_id, text, message_id in messaging_events(payload):
            metadata = await self._profile_metadata(request, sender_id)
            message = UserMessage(
                text,
                out_channel,
                sender_id,
                input_channel=self.name(),
                message_id=message_id,
                metadata=metadata,
            )
            await out_channel.send_action(sender_id, "typing_on")
            try:
                await on_new_message(message)
            except Exception:
                logger.exception("Messenger message could not be handled")
            finally:
                await out_channel.send_action(sender_id, "typing_off")
        return response.text("EVENT_RECEIVED")

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Health, verification (GET) and event (POST) routes."""
        webhook = Blueprint("sigilo_fb_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token") or ""
            good = bool(self.fb_verify) and hmac.compare_digest(
                token.encode(), self.fb_verify.encode()
            )
            if request.args.get("hub.mode") == "subscribe" and good:
                return response.text(request.args.get("hub.challenge") or "")
            return response.text("forbidden", status=403)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self._handle(request, on_new_message)

        return webhook
