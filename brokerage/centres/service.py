from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerage import audit
from brokerage.auth.principal import Principal
from brokerage.errors import Conflict, InvalidInput, NotFound
from brokerage.models import Centre, CentreDistrict, District


def list_districts(session: Session) -> list[District]:
    return list(session.scalars(select(District).order_by(District.name)))


def list_centres(session: Session) -> list[Centre]:
    return list(session.scalars(select(Centre).order_by(Centre.name)))


def _check_districts(session: Session, codes: list[str]) -> list[str]:
    known = set(session.scalars(select(District.gss_code)))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput(f"Unknown district: {', '.join(unknown)}. Use GSS codes from GET /districts.", field="districts")
    return sorted(set(codes))


def save_centre(session: Session, principal: Principal, data: dict, centre_id: int | None = None) -> Centre:
    clash = select(Centre.id).where(Centre.name == data["name"])
    if centre_id is not None:
        clash = clash.where(Centre.id != centre_id)
    if session.scalar(clash):
        raise Conflict("A volunteer centre with this name already exists.")
    if centre_id is None:
        centre = Centre()
        session.add(centre)
    else:
        found = session.get(Centre, centre_id)
        if found is None:
            raise NotFound("There is no volunteer centre with that id.")
        centre = found
    centre.name, centre.is_lead, centre.email, centre.phone = data["name"], data["is_lead"], data.get("email"), data.get("phone")
    centre.district_links = [CentreDistrict(district_gss=c) for c in _check_districts(session, data["districts"])]
    session.flush()
    audit.record(session, principal, "centre.create" if centre_id is None else "centre.update", "centre", centre.id)
    return centre


def centre_for_district(session: Session, district_gss: str | None) -> Centre | None:
    """The centre that covers a district, else the lead centre."""
    if district_gss:
        centre = session.scalars(
            select(Centre)
            .join(CentreDistrict, CentreDistrict.centre_id == Centre.id)
            .where(CentreDistrict.district_gss == district_gss)
            .order_by(Centre.is_lead, Centre.id)
        ).first()
        if centre is not None:
            return centre
    return session.scalars(select(Centre).where(Centre.is_lead.is_(True)).order_by(Centre.id)).first()
