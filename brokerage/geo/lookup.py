"""Place a postcode for the app: exact ONSPD rows from the database when present, else the
shipped outward-code centroids. Bad or unknown postcodes become a 422 a person understands."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerage.errors import InvalidInput
from brokerage.geo import Gazetteer, Location, PostcodeError, default_gazetteer
from brokerage.models import Postcode


def locate(session: Session, postcode: str, *, field: str = "postcode", allow_outward_only: bool = False) -> Location:
    def exact(canonical: str) -> tuple[float, float, str | None] | None:
        row = session.execute(
            select(Postcode.latitude, Postcode.longitude, Postcode.lad_gss_code).where(Postcode.postcode == canonical)
        ).first()
        return (row.latitude, row.longitude, row.lad_gss_code) if row else None

    gazetteer = Gazetteer(exact_lookup=exact) if _has_exact_rows(session) else default_gazetteer()
    try:
        return gazetteer.locate(postcode, allow_outward_only=allow_outward_only)
    except PostcodeError as exc:
        raise InvalidInput(getattr(exc, "message", str(exc)), field=field) from None


_exact_rows_cache: dict[int, bool] = {}


def _has_exact_rows(session: Session) -> bool:
    bind = session.get_bind()
    key = id(bind)
    if key not in _exact_rows_cache:
        _exact_rows_cache[key] = session.scalar(select(Postcode.postcode).limit(1)) is not None
    return _exact_rows_cache[key]


def locations_are_approximate(session: Session) -> bool:
    """True while places are known by their postcode district's centre only (no exact ONS Postcode
    Directory rows are loaded): distances between them are then "about" so many miles."""
    return not _has_exact_rows(session)


def forget_exact_rows_cache() -> None:
    _exact_rows_cache.clear()
