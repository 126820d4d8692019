from __future__ import annotations

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from brokerage.db import Base

OUTSIDE_KENT = "OUTSIDE"


class District(Base):
    """A Kent district or Medway, keyed by its ONS GSS code, plus ``OUTSIDE`` for the rest of the UK."""

    __tablename__ = "districts"

    gss_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    main_town: Mapped[str | None] = mapped_column(String(80))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)


class Postcode(Base):
    """Exact postcode rows imported from the ONS Postcode Directory; preferred over outcode centroids."""

    __tablename__ = "postcodes"

    postcode: Mapped[str] = mapped_column(String(8), primary_key=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    lad_gss_code: Mapped[str | None] = mapped_column(String(9))
    district_gss: Mapped[str | None] = mapped_column(ForeignKey("districts.gss_code", ondelete="SET NULL"))
