"""Dependencies shared by every route: the database session and the current principal.

The request owns the transaction: it commits once the route function has returned, before the
response goes out, and rolls back on any error.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from brokerage.auth import csrf
from brokerage.auth import service as auth_service
from brokerage.auth.principal import Principal
from brokerage.config import get_settings
from brokerage.db import abandon, finish, new_session
from brokerage.errors import Forbidden, NotAuthenticated

SESSION_COOKIE = "brokerage_session"


# Commits run on threads of their own: a request that has done its work and holds a connection
# never queues for a worker thread behind new requests that are waiting for that connection.
_finish_limiters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _finish_limiter() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _finish_limiters.get(loop)
    if limiter is None:
        limiter = _finish_limiters[loop] = anyio.CapacityLimiter(get_settings().db_pool_size + get_settings().db_max_overflow)
    return limiter


async def _db_session() -> AsyncIterator[Session]:
    """The request's unit of work (``brokerage.db``'s steps): committed once the route has returned.

    Creating a session does no I/O, so it happens on the event loop; the commit (when the route
    used the database at all) runs in the thread pool. A request that never touches the database
    (e.g. an answer from an in-process catalogue) costs no thread hop."""
    session = new_session()
    try:
        yield session
    except BaseException:
        abandon(session)
        raise
    if session.in_transaction():
        await anyio.to_thread.run_sync(finish, session, limiter=_finish_limiter())
    else:
        session.close()


DbSession = Annotated[Session, Depends(_db_session, scope="function")]


@contextmanager
def read_only_session(app: FastAPI) -> Iterator[Session]:
    """A session for an answer made outside FastAPI's dependencies (from memory, reading at most):
    the one routes get, including a replacement in ``app.dependency_overrides`` (a synchronous
    generator, as the tests give). Nothing is written through it; it is closed afterwards."""
    source = app.dependency_overrides.get(_db_session)
    if source is None:
        session = new_session()
        try:
            yield session
        finally:
            session.close()
        return
    steps = source()
    session = next(steps)
    try:
        yield session
    except BaseException as exc:
        steps.throw(exc)
        raise
    next(steps, None)


_bearer = HTTPBearer(auto_error=False, description="A token from POST /auth/token")


async def _optional_principal(
    request: Request,
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    cookie = request.cookies.get(SESSION_COOKIE)
    if credentials is None and not cookie:
        return None  # anonymous: nothing to look up
    # Who a token belongs to is remembered for a moment: then there is no query and no thread hop.
    if credentials is not None:
        remembered = auth_service.remembered_principal(session, token=credentials.credentials)
    else:
        remembered = auth_service.remembered_principal(session, cookie=cookie)
    if isinstance(remembered, Principal):
        if credentials is None:
            csrf.check_cookie_request(request, remembered.user_id)
        request.state.principal = remembered
        return remembered
    return await run_in_threadpool(_principal_from_request, request, session, credentials)


def _principal_from_request(
    request: Request, session: Session, credentials: HTTPAuthorizationCredentials | None
) -> Principal | None:
    principal = None
    if credentials is not None:
        principal = auth_service.principal_from_api_token(session, credentials.credentials)
        if principal is None:
            raise NotAuthenticated("The access token is not valid or has expired. Please sign in again.")
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            principal = auth_service.principal_from_session_cookie(session, cookie)
            if principal is not None:
                csrf.check_cookie_request(request, principal.user_id)
    # The lookup is done: give the connection back to the pool until the route needs one, so a
    # request waiting for a worker thread never holds a connection.
    session.commit()
    request.state.principal = principal
    return principal


async def _required_principal(principal: Annotated[Principal | None, Depends(_optional_principal)]) -> Principal:
    if principal is None:
        raise NotAuthenticated()
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(_optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(_required_principal)]


def require_roles(*roles: str):
    """A dependency that lets only the named roles through (403 for everyone else)."""

    async def _check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden()
        return principal

    return Depends(_check)


StaffPrincipal = Annotated[Principal, require_roles("centre_staff")]
AdminPrincipal = Annotated[Principal, require_roles("admin")]
