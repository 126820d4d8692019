from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response, status
from pydantic import EmailStr, Field

from brokerage import throttle
from brokerage.auth import service
from brokerage.deps import CurrentPrincipal, DbSession
from brokerage.schemas import Input, Name, Output

router = APIRouter(prefix="/auth", tags=["accounts"])


class Credentials(Input):
    email: EmailStr
    password: Annotated[str, Field(min_length=1, max_length=200)]


class TokenOut(Output):
    access_token: str
    token_type: str = "bearer"
    role: str
    user_id: int


class ResetRequest(Input):
    email: EmailStr


class ResetConfirm(Input):
    token: Annotated[str, Field(min_length=10, max_length=500)]
    new_password: Annotated[str, Field(min_length=10, max_length=200)]


class ManagerSignup(Input):
    """An organisation manager's account; they then register their organisation."""

    full_name: Name
    email: EmailStr
    password: Annotated[str, Field(min_length=10, max_length=200)]


class MeOut(Output):
    user_id: int
    email: str
    full_name: str
    role: str
    centre_id: int | None
    organisation_ids: list[int]
    volunteer_id: int | None


@router.post("/token", response_model=TokenOut, responses={429: {"description": "Too many attempts: wait Retry-After seconds"}})
def get_token(body: Credentials, session: DbSession, request: Request):
    """Exchange an email and password for a bearer token. Attempts are limited per address and per
    account (429 with ``Retry-After``)."""
    user = service.sign_in(session, request, body.email, body.password)
    return TokenOut(access_token=service.issue_api_token(user), role=user.role, user_id=user.id)


@router.get("/me", response_model=MeOut)
def me(principal: CurrentPrincipal):
    return MeOut(
        user_id=principal.user_id,
        email=principal.email,
        full_name=principal.full_name,
        role=principal.role,
        centre_id=principal.centre_id,
        organisation_ids=sorted(principal.organisation_ids),
        volunteer_id=principal.volunteer_id,
    )


@router.post(
    "/signup/organisation-manager",
    response_model=TokenOut,
    status_code=status.HTTP_201_CREATED,
    dependencies=[throttle.per_address("sign_up")],
)
def signup_manager(body: ManagerSignup, session: DbSession):
    from brokerage.users.service import create_account

    user = create_account(
        session, email=body.email, full_name=body.full_name, password=body.password, role="organisation_manager"
    )
    return TokenOut(access_token=service.issue_api_token(user), role=user.role, user_id=user.id)


@router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED, dependencies=[throttle.per_address("password_reset")])
def request_reset(body: ResetRequest, session: DbSession):
    """Always 202: whether the address has an account is not revealed (a few requests an hour per
    address and per email address, then 429)."""
    throttle.check_account("password_reset", body.email)
    service.request_password_reset(session, body.email)
    return {"message": "If that address has an account, we have sent it a link to reset the password."}


@router.post(
    "/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT, dependencies=[throttle.per_address("password_reset")]
)
def confirm_reset(body: ResetConfirm, session: DbSession):
    service.reset_password(session, body.token, body.new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class EmailChange(Input):
    email: EmailStr
    password: Annotated[str, Field(min_length=1, max_length=200)]


class EmailChangeConfirm(Input):
    token: Annotated[str, Field(min_length=10, max_length=800)]


@router.post(
    "/email-change",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Change the email you sign in with: needs your password; a link goes to the new address",
)
def request_email_change(body: EmailChange, session: DbSession, principal: CurrentPrincipal, request: Request):
    service.request_email_change(session, request, principal.user_id, str(body.email), body.password)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post("/email-change/confirm", status_code=status.HTTP_204_NO_CONTENT, summary="Confirm a new sign-in email")
def confirm_email_change(body: EmailChangeConfirm, session: DbSession):
    service.confirm_email_change(session, body.token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="Sign out: this account's tokens and cookies end")
@router.post("/logout-everywhere", status_code=status.HTTP_204_NO_CONTENT)
def logout_everywhere(session: DbSession, principal: CurrentPrincipal):
    service.end_sessions(session, principal.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
