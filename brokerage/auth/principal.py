"""Who is asking, and what they may see: the one place roles are enforced."""

from __future__ import annotations

from dataclasses import dataclass, field

from brokerage.errors import Forbidden


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int
    role: str
    email: str
    full_name: str
    centre_id: int | None = None
    # Districts a centre's staff may see; None means the whole county (the lead centre).
    district_codes: frozenset[str] | None = field(default=frozenset())
    organisation_ids: frozenset[int] = frozenset()
    volunteer_id: int | None = None
    # Centre staff designated as their centre's safeguarding lead.
    safeguarding_lead: bool = False

    @property
    def is_volunteer(self) -> bool:
        return self.role == "volunteer"

    @property
    def is_manager(self) -> bool:
        return self.role == "organisation_manager"

    @property
    def is_staff(self) -> bool:
        return self.role == "centre_staff"

    @property
    def is_pilot_lead(self) -> bool:
        return self.role == "pilot_lead"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def county_wide(self) -> bool:
        return self.is_staff and self.district_codes is None

    def covers_district(self, district_gss: str | None) -> bool:
        if not self.is_staff:
            return False
        if self.district_codes is None:
            return True
        return district_gss is not None and district_gss in self.district_codes

    def manages(self, organisation_id: int | None) -> bool:
        return self.is_manager and organisation_id in self.organisation_ids

    def require(self, *roles: str) -> None:
        if self.role not in roles:
            raise Forbidden()
