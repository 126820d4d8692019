"""Factories for test data, written straight to the session (fast, no HTTP)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from brokerage.auth.passwords import hash_password
from brokerage.geo import locate
from brokerage.models import (
    Activity,
    Centre,
    CentreDistrict,
    Organisation,
    OrganisationManager,
    Role,
    RoleCause,
    RoleSkill,
    User,
    Volunteer,
    VolunteerCause,
    VolunteerSkill,
)

ASHFORD = "E07000105"
CANTERBURY = "E07000106"
MAIDSTONE = "E07000110"
THANET = "E07000114"
MEDWAY = "E06000035"
POSTCODES = {ASHFORD: "TN23 1AA", CANTERBURY: "CT1 2AA", MAIDSTONE: "ME14 1XX", THANET: "CT9 1AA", MEDWAY: "ME4 4AA"}
PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)
_seq = itertools.count(1)


class Factory:
    def __init__(self, session: Session):
        self.s = session

    def _n(self) -> int:
        return next(_seq)

    def centre(self, name: str | None = None, districts: tuple[str, ...] = (ASHFORD,), is_lead: bool = False) -> Centre:
        c = Centre(name=name or f"Centre {self._n()}", is_lead=is_lead)
        c.district_links = [CentreDistrict(district_gss=d) for d in districts]
        self.s.add(c)
        self.s.commit()  # releases the test's savepoint; the outer transaction is still rolled back
        return c

    def user(
        self, role: str, *, centre: Centre | None = None, organisations: tuple[Organisation, ...] = (), email: str | None = None
    ) -> User:
        n = self._n()
        u = User(
            email=email or f"{role}{n}@example.org",
            email_normalised=(email or f"{role}{n}@example.org").lower(),
            full_name=f"{role.title()} {n}",
            password_hash=_PASSWORD_HASH,
            role=role,
            centre_id=centre.id if centre else None,
            is_active=True,
            session_version=1,
        )
        self.s.add(u)
        self.s.flush()
        for org in organisations:
            self.s.add(OrganisationManager(user_id=u.id, organisation_id=org.id))
        self.s.commit()  # releases the test's savepoint; the outer transaction is still rolled back
        return u

    def organisation(
        self, district: str = ASHFORD, *, verified: bool = True, name: str | None = None, struggling: bool = False
    ) -> Organisation:
        loc = locate(POSTCODES[district])
        o = Organisation(
            name=name or f"Organisation {self._n()}",
            description="Helps people in Kent.",
            organisation_type="community_group",
            postcode=loc.postcode,
            latitude=loc.latitude,
            longitude=loc.longitude,
            district_gss=loc.district_code,
            verification_status="verified" if verified else "pending",
            contact_name="Pat Contact",
            contact_email="contact@example.org",
            struggling_to_recruit=struggling,
        )
        self.s.add(o)
        self.s.commit()  # releases the test's savepoint; the outer transaction is still rolled back
        return o

    def role(
        self,
        organisation: Organisation,
        *,
        status: str = "published",
        title: str | None = None,
        slot_mask: int = 0b111,
        causes: tuple[str, ...] = ("AnimalWelfare",),
        required_skills: tuple[str, ...] = (),
        desired_skills: tuple[str, ...] = (),
        essential_skills: tuple[str, ...] = (),
        mode: str = "in_person",
        dbs_level: str = "none",
        places: int = 2,
        postcode: str | None = None,
        **kw,
    ) -> Role:
        title = title or f"Role {self._n()}"
        a = Activity(organisation_id=organisation.id, title=title, description="An activity")
        self.s.add(a)
        self.s.flush()
        if postcode:
            loc = locate(postcode)
            lat, lon, district, pc = loc.latitude, loc.longitude, loc.district_code, loc.postcode
        else:
            lat, lon, district, pc = (
                organisation.latitude,
                organisation.longitude,
                organisation.district_gss,
                organisation.postcode,
            )
        r = Role(
            organisation_id=organisation.id,
            activity_id=a.id,
            title=title,
            description="A good role helping out locally.",
            status=status,
            slot_mask=slot_mask,
            mode=mode,
            dbs_level=dbs_level,
            places_available=places,
            postcode=pc if mode != "remote" else None,
            latitude=lat if mode != "remote" else None,
            longitude=lon if mode != "remote" else None,
            district_gss=district,
            requirements=[],
            accessibility=[],
            rewards=[],
            published_at=datetime.utcnow() if status == "published" else None,
            one_off=False,
            **kw,
        )
        r.cause_links = [RoleCause(cause_id=c) for c in causes]
        needed = list(required_skills) + [s for s in essential_skills if s not in required_skills]
        r.skill_links = [RoleSkill(skill_id=s, required=True, essential=s in essential_skills) for s in needed] + [
            RoleSkill(skill_id=s, required=False) for s in desired_skills
        ]
        self.s.add(r)
        self.s.commit()  # releases the test's savepoint; the outer transaction is still rolled back
        return r

    def volunteer(
        self,
        district: str = ASHFORD,
        *,
        with_user: bool = True,
        email: str | None = None,
        centre: Centre | None = None,
        availability: int = (1 << 21) - 1,
        skills: tuple[str, ...] = (),
        causes: tuple[str, ...] = (),
        consent: bool = True,
        notification: str = "instant",
        radius: float = 10.0,
        dob: date | None = None,
        **kw,
    ) -> Volunteer:
        n = self._n()
        email = email or f"volunteer{n}@example.net"
        user = None
        if with_user:
            user = self.user("volunteer", email=email)
        loc = locate(POSTCODES[district])
        fields = dict(
            user_id=user.id if user else None,
            first_name=f"Vol{n}",
            last_name="Tester",
            email=email,
            email_normalised=email.lower(),
            date_of_birth=dob or date(1990, 5, 17),
            postcode=loc.postcode,
            latitude=loc.latitude,
            longitude=loc.longitude,
            district_gss=loc.district_code,
            travel_radius_miles=radius,
            mode="either",
            availability_mask=availability,
            preference="either",
            dbs_level="none",
            dbs_willing=False,
            dbs_update_service=False,
            contact_consent=consent,
            notification_preference=notification,
            registering_centre_id=centre.id if centre else None,
            status="active",
            registered_on=date.today() - timedelta(days=30),
        )
        fields.update(kw)
        v = Volunteer(**fields)
        v.skill_links = [VolunteerSkill(skill_id=s) for s in skills]
        v.cause_links = [VolunteerCause(cause_id=c) for c in causes]
        self.s.add(v)
        self.s.commit()  # releases the test's savepoint; the outer transaction is still rolled back
        return v
