"""Dependencies shared by every route: the database session and the current principal.

The request owns the transaction: it commits once the route function has returned, before the
response goes out, and rolls back on any error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from brokerage.auth import service as auth_service
from brokerage.auth.principal import Principal
from brokerage.db import abandon, finish, new_session
from brokerage.errors import Forbidden, NotAuthenticated

SESSION_COOKIE = "brokerage_session"


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
        await run_in_threadpool(finish, session)
    else:
        session.close()


DbSession = Annotated[Session, Depends(_db_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="A token from POST /auth/token")


async def _optional_principal(
    request: Request,
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    if credentials is None and not request.cookies.get(SESSION_COOKIE):
        return None  # anonymous: nothing to look up
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
