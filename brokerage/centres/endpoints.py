from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status
from pydantic import EmailStr, Field
from sqlalchemy import select

from brokerage import audit
from brokerage.deps import AdminPrincipal, DbSession
from brokerage.errors import Conflict, InvalidInput, NotFound
from brokerage.kit import taxonomy
from brokerage.kit.schemas import Input, Output, Phone, Title
from brokerage.models import Centre, CentreDistrict, District

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


def _check_districts(session, codes: list[str]) -> list[str]:
    known = set(session.scalars(select(District.gss_code)))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput(f"Unknown district: {', '.join(unknown)}. Use GSS codes from GET /districts.", field="districts")
    return sorted(set(codes))


@router.get("/districts", response_model=list[DistrictOut])
def list_districts(session: DbSession):
    return list(session.scalars(select(District).order_by(District.name)))


@router.get("/centres", response_model=list[CentreOut])
def list_centres(session: DbSession):
    return [_centre_out(c) for c in session.scalars(select(Centre).order_by(Centre.name))]


@router.post("/centres", response_model=CentreOut, status_code=status.HTTP_201_CREATED)
def create_centre(body: CentreIn, session: DbSession, principal: AdminPrincipal):
    if session.scalar(select(Centre.id).where(Centre.name == body.name)):
        raise Conflict("A volunteer centre with this name already exists.")
    centre = Centre(name=body.name, is_lead=body.is_lead, email=body.email, phone=body.phone)
    centre.district_links = [CentreDistrict(district_gss=c) for c in _check_districts(session, body.districts)]
    session.add(centre)
    session.flush()
    audit.record(session, principal, "centre.create", "centre", centre.id)
    return _centre_out(centre)


@router.put("/centres/{centre_id}", response_model=CentreOut)
def update_centre(centre_id: int, body: CentreIn, session: DbSession, principal: AdminPrincipal):
    centre = session.get(Centre, centre_id)
    if centre is None:
        raise NotFound("There is no volunteer centre with that id.")
    centre.name, centre.is_lead, centre.email, centre.phone = body.name, body.is_lead, body.email, body.phone
    centre.district_links = [CentreDistrict(district_gss=c) for c in _check_districts(session, body.districts)]
    audit.record(session, principal, "centre.update", "centre", centre.id)
    return _centre_out(centre)


@router.get("/taxonomies/causes", response_model=list[TermOut])
def list_causes():
    return [TermOut(id=t.id, label=t.label, synonyms=list(t.synonyms)) for t in taxonomy.causes().values()]


@router.get("/taxonomies/skills", response_model=list[TermOut])
def list_skills():
    return [TermOut(id=t.id, label=t.label, synonyms=list(t.synonyms)) for t in taxonomy.skills().values()]


@router.get("/taxonomies/time-slots", response_model=list[str])
def list_slots():
    return list(taxonomy.SLOT_NAMES)
