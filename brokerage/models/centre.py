from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from brokerage.db import Base, utcnow


class Centre(Base):
    """A volunteer centre. The lead centre (Ashford) sees the whole county."""

    __tablename__ = "centres"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    district_links: Mapped[list[CentreDistrict]] = relationship(
        back_populates="centre", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def district_codes(self) -> list[str]:
        return sorted(link.district_gss for link in self.district_links)


class CentreDistrict(Base):
    __tablename__ = "centre_districts"

    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id", ondelete="CASCADE"), primary_key=True)
    district_gss: Mapped[str] = mapped_column(ForeignKey("districts.gss_code"), primary_key=True, index=True)

    centre: Mapped[Centre] = relationship(back_populates="district_links")
