from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status
from pydantic import EmailStr, Field
from brokerage.centres import service
from brokerage.deps import AdminPrincipal, DbSession
from brokerage.vocab import slots, taxonomies
from brokerage.schemas import Input, Output, Phone, Title
from brokerage.models import Centre

router = APIRouter(tags=["centres and reference data"])


class CentreIn(Input):
    name: Title
    is_lead: bool = False
    email: EmailStr | None = None
    phone: Phone | None = None
    districts: Annotated[list[str], Field(min_length=1, max_length=14)]


class CentreOut(Output):
    id: int
    name: str
    is_lead: bool
    email: str | None
    phone: str | None
    districts: list[str]


class DistrictOut(Output):
    gss_code: str
    name: str
    main_town: str | None


class TermOut(Output):
    id: str
    label: str
    synonyms: list[str]


def _centre_out(c: Centre) -> CentreOut:
    return CentreOut(id=c.id, name=c.name, is_lead=c.is_lead, email=c.email, phone=c.phone, districts=c.district_codes)


@router.get("/districts", response_model=list[DistrictOut])
def list_districts(session: DbSession):
    return service.list_districts(session)


@router.get("/centres", response_model=list[CentreOut])
def list_centres(session: DbSession):
    return [_centre_out(c) for c in service.list_centres(session)]


@router.post("/centres", response_model=CentreOut, status_code=status.HTTP_201_CREATED)
def create_centre(body: CentreIn, session: DbSession, principal: AdminPrincipal):
    centre = service.save_centre(session, principal, body.model_dump())
    return _centre_out(centre)


@router.put("/centres/{centre_id}", response_model=CentreOut)
def update_centre(centre_id: int, body: CentreIn, session: DbSession, principal: AdminPrincipal):
    centre = service.save_centre(session, principal, body.model_dump(), centre_id)
    return _centre_out(centre)


@router.get("/taxonomies/causes", response_model=list[TermOut])
def list_causes():
    return [TermOut(id=t.id, label=t.label, synonyms=list(t.synonyms)) for t in taxonomies.causes().values()]


@router.get("/taxonomies/skills", response_model=list[TermOut])
def list_skills():
    return [TermOut(id=t.id, label=t.label, synonyms=list(t.synonyms)) for t in taxonomies.skills().values()]


@router.get("/taxonomies/time-slots", response_model=list[str])
def list_slots():
    return list(slots.SLOT_NAMES)
