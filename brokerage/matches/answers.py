"""Anonymous answers of the public role list and the ranked search, kept ready to send.

A visitor who is not signed in sees the same answer for the same query as every other visitor, as
long as the catalogue and the index have not changed: ``GET /roles`` is a page of the public
catalogue, and ``GET /search/roles`` ranks it for a neutral visitor. This ASGI middleware keeps the
bytes of each such answer (status 200, no cookie set, made from memory alone), tagged with the versions of the catalogue and
the index it was made from and the day it was made, and sends them again for the same path and
query string until either changes, without running FastAPI's routing, validation and dependencies.

Anything else goes through the app as usual: a request with a bearer token or a session cookie, a
query not seen before, and every request once this process has changed a role (so a writer reads
its own change). When the catalogue or the index is due to look for changes made elsewhere (about
once a second), one request goes through the app, which catches up, while the others are answered
as before; a change found then reaches the kept answers at once (their versions no longer match).
Answers are forgotten after a minute, and there are at most ``MAX_ANSWERS`` of them.
"""

from __future__ import annotations

import time
from datetime import date

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from brokerage.matches.index_holder import holder
from brokerage.roles.catalogue import catalogue

PATHS = ("/roles", "/search/roles")
MAX_ANSWERS = 4_000
MAX_BYTES = 64 * 1024 * 1024
MAX_AGE_SECONDS = 60.0
_PRIVATE_HEADERS = (b"authorization", b"cookie")
MEMORY_FLAG = "answered_from_memory"


def answered_from_memory(request: Request) -> None:
    """Called by a route whose anonymous answer came from the catalogue and the index alone."""
    request.state.answered_from_memory = True


def _versions(path: str, *, settled: bool = True) -> tuple | None:
    """What an anonymous answer on ``path`` is made from, or None when the app must answer itself.
    ``settled=False``: as held now, even when the catalogue or the index is due to look for changes."""
    roles = catalogue.settled_version() if settled else catalogue.known_version()
    if roles is None:
        return None
    if path == "/roles":
        return (roles,)
    ranking = holder.settled_version() if settled else holder.known_version()
    return None if ranking is None else (roles, ranking, date.today())


class PublicAnswers:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._answers: dict[tuple[str, bytes], tuple[tuple, float, list, bytes]] = {}
        self._bytes = 0
        self._looking: tuple | None = None  # the request that is catching up, while others are answered

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or scope["path"] not in PATHS
            or any(name in _PRIVATE_HEADERS for name, _ in scope["headers"])
        ):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        key = (path, scope["query_string"])
        versions = _versions(path)
        kept = self._answers.get(key)
        if kept is not None and time.monotonic() < kept[1]:
            if versions is not None and kept[0] == versions:
                await self._send(send, kept)
                return
            if versions is None and self._looking is None and kept[0] == _versions(path, settled=False):
                # Time to look for changes made elsewhere: this request goes through the app (which
                # catches up) while the others are answered as before, instead of all of them ranking
                # afresh at once.
                self._looking = key
                try:
                    await self._answer_and_keep(scope, receive, send, key, versions)
                finally:
                    self._looking = None
                return
            if versions is None and self._looking is not None and kept[0] == _versions(path, settled=False):
                await self._send(send, kept)
                return
        await self._answer_and_keep(scope, receive, send, key, versions)

    @staticmethod
    async def _send(send: Send, kept: tuple) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": kept[2]})
        await send({"type": "http.response.body", "body": kept[3]})

    async def _answer_and_keep(self, scope: Scope, receive: Receive, send: Send, key, versions) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        state = scope.setdefault("state", {})
        await self.app(scope, receive, capture)
        # Kept only when the route answered from memory (``answered_from_memory``, set by the route) and
        # the catalogue and the index did not move meanwhile.
        if versions is None or start is None or start["status"] != 200 or not state.get(MEMORY_FLAG):
            return
        if _versions(key[0]) != versions:
            return
        headers = list(start.get("headers", []))
        if any(name.lower() == b"set-cookie" for name, _ in headers):
            return
        body = b"".join(chunks)
        if len(self._answers) >= MAX_ANSWERS or self._bytes + len(body) > MAX_BYTES:
            self._answers, self._bytes = {}, 0
        old = self._answers.get(key)
        if old is not None:
            self._bytes -= len(old[3])
        self._answers[key] = (versions, time.monotonic() + MAX_AGE_SECONDS, headers, body)
        self._bytes += len(body)
