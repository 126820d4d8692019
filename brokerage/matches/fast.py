"""A volunteer's matches answered from memory, without FastAPI's routing and dependencies.

``GET /volunteers/{id}/matches`` with a bearer token is what a volunteer's home page and app ask
again and again. When everything the answer needs is already in this process (who the token belongs
to, the volunteer's features and what the access check reads, the role index and the public
catalogue, none of them due to look at the database), this ASGI middleware answers it on the event
loop with the same bytes and headers the route would send. It uses the same functions as the route
(``service.recommendations`` with its access check, ``endpoints._matches_json``), so least privilege
is the route's: a volunteer sees only their own matches, centre staff only volunteers in their
districts. Anything else goes through the app as usual: no token or a session cookie, a token not
remembered, a query other than ``limit``, an id out of range, a volunteer not remembered, an index or
catalogue due to catch up (so this process's own change, and another process's within a second,
shows in the next answer as before), and every refusal (401, 403, 404 and 422 come from the app).

The encoded answer for a volunteer is kept while the index, the catalogue, the day and the
remembered volunteer (the object itself: a change to them makes a new one) are the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date

from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from brokerage.auth import service as auth_service
from brokerage.auth.principal import Principal
from brokerage.auth import policy
from brokerage.errors import BrokerageError
from brokerage.geo.lookup import locations_are_approximate
from brokerage.matches import service
from brokerage.matches.endpoints import _matches_json
from brokerage.matches.index_holder import holder
from brokerage.roles.catalogue import catalogue

_PATH = re.compile(r"/volunteers/([1-9][0-9]{0,9})/matches")
_LIMIT = re.compile(rb"limit=([1-9][0-9]?)")
MAX_ID = 2**31 - 1
MAX_KEPT = 10_000
DEFAULT_LIMIT = 10
MAX_LIMIT = 50


def _request(scope: Scope) -> tuple[int, int, str] | None:
    """(volunteer id, limit, token) when the request is one the fast path may answer."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    m = _PATH.fullmatch(scope["path"])
    if m is None:
        return None
    volunteer_id = int(m.group(1))
    if volunteer_id > MAX_ID:
        return None
    query = scope["query_string"]
    if not query:
        limit = DEFAULT_LIMIT
    else:
        q = _LIMIT.fullmatch(query)
        if q is None or int(q.group(1)) > MAX_LIMIT:
            return None
        limit = int(q.group(1))
    token = None
    for name, value in scope["headers"]:
        if name == b"cookie":
            return None  # a signed-in page: the app checks its session
        if name == b"authorization":
            if token is not None:
                return None
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer" or not credentials:
                return None
            token = credentials
    if token is None:
        return None
    return volunteer_id, limit, token


class MatchesFromMemory:
    def __init__(self, app: ASGIApp, sessions: Callable[[], AbstractContextManager[Session]]) -> None:
        self.app = app
        self.sessions = sessions
        self._kept: dict[tuple[int, int], tuple[tuple, object, bytes]] = {}
        self.answered = 0  # how many answers came this way (for tests and benchmarks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        wanted = _request(scope)
        body = None if wanted is None else self._answer(*wanted)
        if body is None:
            await self.app(scope, receive, send)
            return
        self.answered += 1
        headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _answer(self, volunteer_id: int, limit: int, token: str) -> bytes | None:
        with self.sessions() as session:
            principal = auth_service.remembered_principal(session, token=token)
            if not isinstance(principal, Principal):
                return None
            remembered = service._remembered_volunteer(session, volunteer_id)
            if remembered is None or holder.due(session) or catalogue.due(session):
                return None
            versions = (holder.version, catalogue.version, date.today(), locations_are_approximate(session))
            key = (volunteer_id, limit)
            kept = self._kept.get(key)
            try:
                if kept is not None and kept[0] == versions and kept[1] is remembered:
                    # The same answer as last time for someone who may see it: the check still runs.
                    policy.require_volunteer(principal, remembered[0])
                    return kept[2]
                body = bytes(_matches_json(service.recommendations(session, principal, volunteer_id, limit=limit)).body)
            except BrokerageError:
                return None  # refused: the app says so, in its own words
            if len(self._kept) >= MAX_KEPT:
                self._kept = {}
            self._kept[key] = (versions, remembered, body)
            return body
