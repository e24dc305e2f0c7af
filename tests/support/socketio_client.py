"""A raw Socket.IO 4 (Engine.IO 4, websocket transport) client for channel tests.

Speaks the wire protocol itself (``0`` open, ``40`` connect, ``42[...]`` events,
``2``/``3`` ping/pong) so tests can send what the widget sends and also what no
library would: malformed packets, unknown events, odd payloads.

    async with SocketChat(rasa_url) as chat:
        replies = await chat.say("hola", metadata={"language": "es"})
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import aiohttp

BOT_EVENT = "bot_uttered"


class SocketChat:
    """One widget-like visitor on Rasa's socket.io channel."""

    def __init__(
        self,
        rasa_url: str,
        session_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Args: the Rasa base URL, the session id to ask for, extra handshake headers."""
        ws_base = rasa_url.replace("http://", "ws://", 1).rstrip("/")
        self.url = f"{ws_base}/socket.io/?EIO=4&transport=websocket"
        self.session_id = session_id or uuid.uuid4().hex
        self.headers = headers or {}
        self._http: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None

    async def __aenter__(self) -> SocketChat:
        self._http = aiohttp.ClientSession()
        self._ws = await self._http.ws_connect(self.url, headers=self.headers, timeout=30)
        opened = await self._ws.receive_str(timeout=30)
        assert opened.startswith("0{"), opened
        await self.send_raw("40")
        connected = await self._next_packet(30)
        assert connected.startswith("40"), connected
        await self.emit("session_request", {"session_id": self.session_id})
        confirmed = await self.events("session_confirm", count=1, timeout=30)
        assert confirmed == [self.session_id], confirmed
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._http is not None:
            await self._http.close()

    async def send_raw(self, packet: str) -> None:
        """Sends one Engine.IO text packet as is."""
        assert self._ws is not None
        await self._ws.send_str(packet)

    async def emit(self, event: str, *args: Any) -> None:
        """Sends a Socket.IO event."""
        await self.send_raw("42" + json.dumps([event, *args]))

    async def _next_packet(self, timeout: float) -> str:
        """The next packet that is not a ping (pings are answered)."""
        assert self._ws is not None
        while True:
            packet = await self._ws.receive_str(timeout=timeout)
            if packet == "2":
                await self.send_raw("3")
                continue
            return packet

    async def events(
        self, name: str = BOT_EVENT, count: int = 1, timeout: float = 90, quiet: float = 0.0
    ) -> list[Any]:
        """Payloads of event ``name``: ``count`` of them, then more until ``quiet`` s pass."""
        found: list[Any] = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            wait = left if len(found) < count else min(quiet, left)
            if wait <= 0:
                break
            try:
                packet = await self._next_packet(wait)
            except asyncio.TimeoutError:
                break
            if packet.startswith("42"):
                event, *args = json.loads(packet[2:])
                if event == name:
                    found.append(args[0] if args else None)
        return found

    async def say(
        self, message: Any, metadata: dict[str, Any] | None = None, **extra: Any
    ) -> list[dict[str, Any]]:
        """Sends a user message as the widget does; returns the bot's replies."""
        data = {"message": message, "session_id": self.session_id, **extra}
        if metadata is not None:
            data["customData"] = metadata
        await self.emit("user_uttered", data)
        return await self.events(BOT_EVENT, count=1, quiet=3.0)

    async def silence(self, seconds: float = 4.0) -> list[Any]:
        """Bot replies that arrive within ``seconds`` (expected: none)."""
        return await self.events(BOT_EVENT, count=0, timeout=seconds, quiet=seconds)
