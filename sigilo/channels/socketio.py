"""Sigilo's web chat channel, built on Rasa 3.6.21's ``SocketIOInput``.

Named in ``credentials.yml`` as ``sigilo.channels.socketio.SigiloSocketIOInput``
with the stock settings (``user_message_evt``, ``session_persistence``,
``metadata_key``…); the channel is still called ``socketio`` and the widget still
connects to ``/socket.io``. Over the stock connector it:

- cuts text at 2,000 characters, as the Messenger connector does, and turns
  attachments and any other non-text message into ``/out_of_scope`` (a clear
  "I can't help with that" reply with the menu; contents are never passed on);
- keeps only the language from the channel metadata (``language``, ``lang``,
  ``locale``): whatever else a page sends — a name, IP address, user agent,
  referrer — never reaches the tracker;
- drops, with a one-line warning and nothing stored, payloads that are not an
  object, carry no valid session id, or cannot be decoded at all (malformed
  Socket.IO or Engine.IO packets), where python-socketio/python-engineio would log
  a traceback or drop the connection; unknown events are ignored;
- awaits ``enter_room`` when it is a coroutine (python-socketio 5.10+), so the
  replies keep reaching the widget whichever python-socketio is installed
  (the lock pins 5.9.0, where it is a plain call).
"""

from __future__ import annotations

import inspect
import json
import logging
import sys
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from engineio import packet as eio_packet
from engineio.async_drivers.sanic import WebSocket as SanicWebSocket
from rasa.core.channels.channel import UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from sigilo.channels.inbound import ATTACHMENT_PAYLOAD, cut_text, valid_sender_id

logger = logging.getLogger(__name__)

# The metadata keys Rasa may see (the language, for actions/language.py); values
# longer than a locale tag are dropped.
METADATA_KEYS = ("language", "lang", "locale")
MAX_METADATA_VALUE = 16
# Fields a socket.io client could use for non-text content.
_ATTACHMENT_FIELDS = ("attachment", "attachments", "file", "files", "image", "sticker")
OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def safe_metadata(raw: Any) -> dict[str, str]:
    """The language keys of a message's metadata (a dict or its JSON text), nothing else."""
    if isinstance(raw, (str, bytes)):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            return {}
    if not isinstance(raw, dict):
        return {}
    kept = {}
    for key in METADATA_KEYS:
        value = raw.get(key)
        if isinstance(value, str) and 0 < len(value.strip()) <= MAX_METADATA_VALUE:
            kept[key] = value.strip()
    return kept


def message_text(data: dict[str, Any]) -> str | None:
    """The text Rasa should see for one user message, or ``None`` to ignore it.

    Text is cut at 2,000 characters; attachments and non-text messages give
    ``/out_of_scope``; an empty message is ignored.
    """
    message = data.get("message")
    if isinstance(message, str) and message.strip():
        return cut_text(message)
    if any(data.get(field) for field in _ATTACHMENT_FIELDS):
        return ATTACHMENT_PAYLOAD
    if message is None or isinstance(message, str):
        return None
    return ATTACHMENT_PAYLOAD  # a number, list or object where text belongs


# binascii.Error is a ValueError; RecursionError comes from deeply nested JSON.
_DECODE_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError)


class _WarningsOnly:
    """The Engine.IO server's logger: warnings and errors in one line, nothing below.

    Engine.IO logs every packet's data at INFO (the visitor's text: never logged
    here) and a traceback for a client's bad packet (a one-line warning here).
    """

    def __init__(self, target: logging.Logger) -> None:
        self._target = target
        self.level = logging.WARNING

    def debug(self, *args: Any, **kwargs: Any) -> None:
        """Dropped."""

    info = debug

    def warning(self, msg: str, *args: Any, **kwargs: Any) -> None:
        """One line, at WARNING."""
        self._target.warning(msg, *args)

    def error(self, msg: str, *args: Any, **kwargs: Any) -> None:
        """One line, at ERROR."""
        self._target.error(msg, *args)

    def exception(self, msg: str, *args: Any, **kwargs: Any) -> None:
        """One line with the error's type, at WARNING: a client's bad packet, not a bug here."""
        error = sys.exc_info()[1]
        self._target.warning(f"{msg} ({type(error).__name__})", *args)


class _CheckedWebSocket(SanicWebSocket):
    """Skips Engine.IO packets that cannot be decoded.

    python-engineio decodes the next websocket frame outside its error handling:
    one bad frame ends the connection with a traceback.
    """

    async def wait(self) -> Any:
        """The next decodable frame."""
        while True:
            data = await super().wait()
            try:
                kind = eio_packet.Packet(encoded_packet=data).packet_type
            except _DECODE_ERRORS as error:
                logger.warning("engine.io packet refused: %s", type(error).__name__)
                continue
            if 0 <= kind < len(eio_packet.packet_names):
                return data
            logger.warning("engine.io packet refused: unknown type %s", kind)


class SigiloAsyncServer(AsyncServer):
    """``socketio.AsyncServer`` that refuses undecodable packets with a warning."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """As ``AsyncServer``; Engine.IO gets a quiet logger and checked websockets."""
        kwargs.setdefault("engineio_logger", _WarningsOnly(logger))
        super().__init__(*args, **kwargs)
        if self.eio.async_mode == "sanic":
            self.eio._async = {**self.eio._async, "websocket": _CheckedWebSocket}

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        try:
            await super()._handle_eio_message(eio_sid, data)
        except _DECODE_ERRORS as error:
            # python-socketio would log a traceback for a client's malformed packet
            logger.warning("socket.io packet refused: %s", type(error).__name__)


class SigiloSocketIOInput(SocketIOInput):
    """Rasa's socket.io input channel with bounded, privacy-filtered input."""

    @classmethod
    def name(cls) -> str:
        """Channel name (the tracker's ``input_channel``), as the stock one."""
        return "socketio"

    async def _session_request(self, sid: str, *args: Any) -> None:
        data = args[0] if args and isinstance(args[0], dict) else {}
        session_id = valid_sender_id(data.get("session_id")) or uuid.uuid4().hex
        if self.session_persistence and self.sio is not None:
            joined = self.sio.enter_room(sid, session_id, namespace=self.namespace)
            if inspect.isawaitable(joined):  # python-socketio >= 5.10
                await joined
        if self.sio is not None:
            await self.sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

    def _user_message(self, sid: str, args: tuple[Any, ...]) -> UserMessage | None:
        data = args[0] if args else None
        if isinstance(data, str):  # some clients send the object as JSON text
            try:
                data = json.loads(data)
            except (ValueError, RecursionError):
                data = None
        if not isinstance(data, dict):
            logger.warning("web chat message refused: not an object")
            return None
        sender_id = valid_sender_id(data.get("session_id")) if self.session_persistence else sid
        if sender_id is None:
            logger.warning("web chat message refused: no valid session_id")
            return None
        text = message_text(data)
        if text is None:
            return None
        assert self.sio is not None  # set by blueprint() before any event arrives
        return UserMessage(
            text,
            SocketIOOutput(self.sio, self.bot_message_evt),
            sender_id,
            input_channel=self.name(),
            metadata=safe_metadata(data.get(self.metadata_key)),
        )

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The socket.io server and its health route, as Rasa builds them."""
        # Browsers' CORS is Rasa's own (`rasa run --cors`), as in the stock channel.
        sio = SigiloAsyncServer(async_mode="sanic", cors_allowed_origins=[])
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            if not self.jwt_key:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, *args: Any) -> None:
            await self._session_request(sid, *args)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, *args: Any) -> None:
            message = self._user_message(sid, args)
            if message is None:
                return
            try:
                await on_new_message(message)
            except Exception:  # the visitor's next message must still be answered
                logger.exception("web chat message could not be handled")

        return webhook
