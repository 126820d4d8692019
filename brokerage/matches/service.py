"""Matching wired into the brokerage: recommendations, ranked search, "why not", candidates for a
role and tag suggestions. The ranking itself lives in the ``matching`` library."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, lazyload

from brokerage import changes
from brokerage.auth import policy
from brokerage.auth.principal import Principal
from brokerage.config import get_settings
from brokerage.errors import Forbidden, NotFound
from brokerage.geo.lookup import locate, locations_are_approximate
from brokerage.vocab import taxonomies
from brokerage.matches.features import role_features, volunteer_features, volunteer_features_of
from brokerage.matches.index_holder import holder
from brokerage.models import Delivery, Organisation, Referral, Role, Volunteer, VolunteerCause, VolunteerSkill
from brokerage.roles import views
from brokerage.roles.catalogue import catalogue
from brokerage.roles.views import RoleSummary
from matching import FLAG_MESSAGES, MatchResult, RoleFeatures, VolunteerFeatures, default_vocabulary, rank_volunteers
from matching import score as _score_pair
from matching import suggest_tags as _suggest_tags
from matching import why_not as _why_not
from matching.eligibility import describe_distance, distance_miles, profile_volunteer, role_timing
from matching.scoring import Audience, flags_for
from matching.types import Weights

CANDIDATE_POOL = 1_000  # volunteers ranked for a role: the first by id of those who could be put forward
_ALL_SKILLS = tuple(taxonomies.skills())
MAX_RADIUS_MILES = 30.0
_WITHOUT_LINKS = (lazyload(Volunteer.skill_links), lazyload(Volunteer.cause_links))


@dataclass
class RoleMatch:
    """A role found for a volunteer (or a search), with its score, the why and what a list shows."""

    role_id: int
    title: str
    organisation_id: int
    organisation_name: str
    score: float
    explanation: str
    contributions: dict[str, float] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    distance_miles: float | None = None
    distance_words: str | None = None  # "about 3 miles away", as every page and email says it
    district_gss: str | None = None
    mode: str | None = None
    one_off: bool = False
    notes: list[dict] = field(default_factory=list)  # each flag's sentence: {"code", "message"}
    close_match: dict | None = None  # the one soft condition a close match misses: {"code", "message", "change"}


def notes_of(flags: list[str] | tuple[str, ...]) -> list[dict]:
    """The one sentence for each flag (as explanations say them)."""
    return [{"code": f, "message": FLAG_MESSAGES[f]} for f in flags if f in FLAG_MESSAGES]


@dataclass
class VolunteerCandidate:
    """A volunteer who would suit a role, as the role's managers and its centre may see them."""

    volunteer_id: int
    display_name: str
    district_gss: str | None
    score: float
    explanation: str
    flags: list[str] = field(default_factory=list)
    distance_miles: float | None = None
    distance_words: str | None = None  # "about 3 miles away", as every page and email says it


@dataclass
class ReasonOut:
    code: str
    message: str
    soft: bool = False
    change: str = ""


@dataclass
class RoleFit:
    """How one role suits one volunteer: every reason it does not (empty when it does), any flags,
    and the sentence the recommendations would give for it."""

    reasons: list[ReasonOut]
    flags: list[str]
    explanation: str


def _decorate(session: Session, results: list[MatchResult], known: dict[int, RoleSummary] | None = None) -> list[RoleMatch]:
    """Results with their roles' titles and organisations: from ``known`` (the public catalogue's, on
    the HTTP paths) where it has the role, from the database otherwise."""
    if not results:
        return []
    info = {} if known is None else {r.role_id: known[r.role_id] for r in results if r.role_id in known}
    info.update(views.summaries(session, [r.role_id for r in results if r.role_id not in info]))
    out = []
    for r in results:
        row = info.get(r.role_id)
        if row is None:
            continue
        out.append(
            RoleMatch(
                role_id=r.role_id,
                title=row.title,
                organisation_id=row.organisation_id,
                organisation_name=row.organisation_name,
                score=round(r.score, 4),
                explanation=worded(session, r.explanation, r.distance_miles),
                contributions={k: round(v, 4) for k, v in r.contributions.items()},
                flags=list(r.flags),
                distance_miles=None if r.distance_miles is None else round(r.distance_miles, 1),
                distance_words=distance_words(session, r.distance_miles),
                district_gss=row.district_gss,
                mode=row.mode,
                one_off=row.one_off,
                notes=notes_of(r.flags),
                close_match=None
                if r.close is None
                else {
                    "code": r.close.code,
                    "message": worded(session, r.close.message, r.distance_miles),
                    "change": r.close.change,
                },
            )
        )
    return out


def _public_summaries(session: Session) -> dict[int, RoleSummary]:
    return catalogue.current(session).summaries


def _volunteer(session: Session, volunteer_id: int) -> VolunteerFeatures:
    features = volunteer_features(session, [volunteer_id])
    if not features:
        raise NotFound("There is no volunteer with that id.")
    return features[0]


def recommend_for_volunteer(
    session: Session, volunteer_id: int, *, limit: int = 10, today: date | None = None
) -> list[RoleMatch]:
    """The volunteer's best eligible roles, spread so no organisation takes over the list (for emails:
    full matches only, never a close one)."""
    v = _volunteer(session, volunteer_id)
    index = holder.get(session)
    return _decorate(session, index.rank(v, k=limit, today=today or date.today(), close=False))


# A volunteer's features (and what the access check reads), remembered for two seconds so that the
# matches and a volunteer's searches need no query; a change through this process forgets them at once.
_VOLUNTEERS = changes.Memo("volunteers", (Volunteer, VolunteerSkill, VolunteerCause, Referral, Delivery), ttl=2.0)


def _remembered_volunteer(session: Session, volunteer_id: int) -> tuple[Volunteer, VolunteerFeatures] | None:
    hit = _VOLUNTEERS.get((id(session.get_bind()), volunteer_id))
    return None if hit is changes.MISSING else hit  # type: ignore[return-value]


def _volunteer_and_features(session: Session, volunteer_id: int) -> tuple[Volunteer | None, VolunteerFeatures | None]:
    """The volunteer as the access check reads them (a detached copy) and their features."""
    hit = _remembered_volunteer(session, volunteer_id)
    if hit is not None:
        return hit
    # The record loaded for the access check also gives the features (skills and causes come in the
    # one query of volunteer_features_of, so the relationships are not loaded here).
    volunteer = session.get(Volunteer, volunteer_id, options=_WITHOUT_LINKS)
    if volunteer is None:
        return None, None
    features = volunteer_features_of(session, [volunteer])[0]
    seen = Volunteer(
        id=volunteer.id,
        status=volunteer.status,
        district_gss=volunteer.district_gss,
        registering_centre_id=volunteer.registering_centre_id,
    )
    _VOLUNTEERS.put((id(session.get_bind()), volunteer_id), (seen, features))
    return seen, features


def recommendations_need_database(session: Session, volunteer_id: int) -> bool:
    """Whether ``recommendations`` would query the database (when not, it can run on the event loop)."""
    return _remembered_volunteer(session, volunteer_id) is None or holder.due(session) or catalogue.due(session)


def recommendations(session: Session, principal: Principal, volunteer_id: int, *, limit: int = 10) -> list[RoleMatch]:
    volunteer, v = _volunteer_and_features(session, volunteer_id)
    policy.require_volunteer(principal, volunteer)
    assert v is not None
    index = holder.get(session)
    return _decorate(session, index.rank(v, k=limit, today=date.today()), _public_summaries(session))


def search(
    session: Session,
    principal: Principal | None,
    *,
    q: str = "",
    postcode: str | None = None,
    miles: float | None = None,
    causes: list[str] | None = None,
    skills: list[str] | None = None,
    slots_mask: int = 0,
    mode: str | None = None,
    one_off: bool | None = None,
    limit: int = 20,
) -> list[RoleMatch]:
    """Ranked search. A signed-in volunteer is searched for as themself (eligibility and fit); anyone
    else as a neutral visitor at the postcode they give (or anywhere, remote roles included)."""
    return search_page(
        session,
        principal,
        q=q,
        postcode=postcode,
        miles=miles,
        causes=causes,
        skills=skills,
        slots_mask=slots_mask,
        mode=mode,
        one_off=one_off,
        offset=0,
        limit=limit,
    )[0]


def search_page(
    session: Session,
    principal: Principal | None,
    *,
    q: str = "",
    postcode: str | None = None,
    miles: float | None = None,
    causes: list[str] | None = None,
    skills: list[str] | None = None,
    slots_mask: int = 0,
    mode: str | None = None,
    one_off: bool | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[RoleMatch], int]:
    """One page of :func:`search` (``limit`` roles after the first ``offset``) and how many roles the
    search found in all."""
    audience: Audience = "visitor"
    if principal is not None and principal.is_volunteer and principal.volunteer_id:
        audience = "volunteer"
        _, own = _volunteer_and_features(session, principal.volunteer_id)
        if own is None:
            raise NotFound("There is no volunteer with that id.")
        v = own
        if postcode or miles or slots_mask:
            loc = _locate(session, postcode) if postcode else None
            v = VolunteerFeatures(
                **{
                    **{f: getattr(v, f) for f in VolunteerFeatures.__dataclass_fields__},
                    **({"lat": loc.latitude, "lon": loc.longitude} if loc else {}),
                    **({"travel_radius_miles": miles} if miles else {}),
                    **({"availability_mask": slots_mask} if slots_mask else {}),
                }
            )
    else:
        loc = _locate(session, postcode) if postcode else None
        v = VolunteerFeatures(
            id=0,
            lat=loc.latitude if loc else None,
            lon=loc.longitude if loc else None,
            travel_radius_miles=miles or (10.0 if loc else 500.0),
            mode="either",
            availability_mask=slots_mask,
            dbs_level=3,
            dbs_willing=True,
            date_of_birth=None,
            adult_confirmed=True,  # nor is a visitor's age: no role is hidden from someone just looking
            # A visitor's skills are unknown, so no role is ruled out for a skill they may well have.
            skills=_ALL_SKILLS,
        )
    modes = {"remote": ("remote", "hybrid"), "in_person": ("in_person", "hybrid")}.get(mode or "", ())
    index = holder.get(session)
    results, total = index.search_page(
        v,
        q or "",
        offset,
        limit,
        today=date.today(),
        causes=tuple(causes or ()),
        skills=tuple(skills or ()),
        modes=modes,
        one_off=one_off,
        max_miles=miles,
        audience=audience,
    )
    return _decorate(session, results, _public_summaries(session)), total


_LOCATIONS: dict[tuple[int, str], tuple[float, object]] = {}
LOCATION_TTL_SECONDS = 300.0


def _locate(session: Session, postcode: str):
    """``locate`` for searches, remembered for a few minutes (postcodes change only with an ONSPD import)."""
    key = (id(session.get_bind()), postcode)
    hit = _LOCATIONS.get(key)
    if hit is not None and time.monotonic() - hit[0] < LOCATION_TTL_SECONDS:
        return hit[1]
    loc = locate(session, postcode, allow_outward_only=True)
    if len(_LOCATIONS) >= 10_000:
        _LOCATIONS.clear()
    _LOCATIONS[key] = (time.monotonic(), loc)
    return loc


def search_needs_database(session: Session, principal: Principal | None, postcode: str | None) -> bool:
    """Whether ``search`` would query the database (a volunteer's own features, a catch-up, a postcode
    not seen lately). When it would not, it is pure computation and can run on the event loop."""
    if principal is not None and principal.is_volunteer and principal.volunteer_id:
        if _remembered_volunteer(session, principal.volunteer_id) is None:
            return True
    if holder.due(session) or catalogue.due(session):
        return True
    if postcode:
        hit = _LOCATIONS.get((id(session.get_bind()), postcode))
        return hit is None or time.monotonic() - hit[0] >= LOCATION_TTL_SECONDS
    return False


def why_not(session: Session, principal: Principal, volunteer_id: int, role_id: int) -> tuple[list[ReasonOut], list[str]]:
    """Every reason a role is not a match for a volunteer (empty when it is), and any flags."""
    policy.require_volunteer(principal, session.get(Volunteer, volunteer_id))
    return explain_pair(session, volunteer_id, role_id)


def explain_pair(
    session: Session, volunteer_id: int, role_id: int, today: date | None = None
) -> tuple[list[ReasonOut], list[str]]:
    """Why a role is or is not a match for a volunteer: every failing condition (each says whether it is
    ``soft``, and if so what the volunteer could change) and the flags a match would carry
    (``needs_dbs_check`` for a volunteer willing to get the check the role needs, ``needs_id_check`` …),
    from the same rules the ranking uses."""
    v, role = _pair(session, volunteer_id, role_id)
    return _reasons(v, role, today or date.today())


def fit(session: Session, principal: Principal, volunteer_id: int, role_id: int) -> RoleFit:
    """``why_not`` with the explanation of the pair, for a role's page seen by a volunteer."""
    policy.require_volunteer(principal, session.get(Volunteer, volunteer_id))
    v, role = _pair(session, volunteer_id, role_id)
    today = date.today()
    reasons, flags = _reasons(v, role, today)
    scored = _score_pair(v, role, today, check_eligible=False)
    miles = distance_miles(v, role)
    for r in reasons:
        r.message = worded(session, r.message, miles)
    return RoleFit(reasons=reasons, flags=flags, explanation=worded(session, scored.explanation, miles) if scored else "")


def _pair(session: Session, volunteer_id: int, role_id: int) -> tuple[VolunteerFeatures, RoleFeatures]:
    role = next(iter(role_features(session, [role_id], statuses=None)), None)
    if role is None:
        raise NotFound("There is no role with that id.")
    return _volunteer(session, volunteer_id), role


def _reasons(v: VolunteerFeatures, role: RoleFeatures, today: date) -> tuple[list[ReasonOut], list[str]]:
    vocab = default_vocabulary()
    w = Weights()
    p = profile_volunteer(v, vocab, w)
    reasons = _why_not(p, role, today, vocab, w)
    flags = list(flags_for(p, role, role_timing(role, today), today, w, distance_miles(v, role)))
    return [ReasonOut(r.code, r.message, r.soft, r.change) for r in reasons], flags


@dataclass
class CandidatePool:
    """A role's features and those of the volunteers who might suit it, read once for both the
    candidates and the reasons told to them (``role_published``)."""

    role: RoleFeatures
    volunteers: list[VolunteerFeatures]


def candidate_pool(session: Session, role_id: int) -> CandidatePool:
    """The role and the consenting volunteers within reach of it (at most ``CANDIDATE_POOL``)."""
    role = next(iter(role_features(session, [role_id], statuses=None)), None)
    if role is None:
        raise NotFound("There is no role with that id.")
    # The pool is read only from volunteers the ranking could put forward: not yet contacted about the
    # role and, for an in-person role, inside a box a little wider than their own travel distance (a
    # degree of latitude is over 68 miles, one of longitude over 40 in and around Kent), so the
    # features of volunteers who are too far away are never built.
    stmt = select(Volunteer.id).where(
        Volunteer.status == "active",
        Volunteer.contact_consent.is_(True),
        ~select(Referral.id).where(Referral.volunteer_id == Volunteer.id, Referral.role_id == role.id).exists(),
        ~select(Delivery.id).where(Delivery.volunteer_id == Volunteer.id, Delivery.role_id == role.id).exists(),
    )
    if role.mode == "in_person" and role.lat is not None and role.lon is not None:
        dlat = MAX_RADIUS_MILES / 69.0
        dlon = MAX_RADIUS_MILES / 43.0  # a degree of longitude is about 43 miles at Kent's latitude
        radius = func.coalesce(Volunteer.travel_radius_miles, 0)
        stmt = stmt.where(
            Volunteer.mode != "remote",
            Volunteer.latitude.between(role.lat - dlat, role.lat + dlat),
            Volunteer.longitude.between(role.lon - dlon, role.lon + dlon),
            func.abs(Volunteer.latitude - role.lat) <= radius / 68.0,
            func.abs(Volunteer.longitude - role.lon) <= radius / 40.0,
        )
    elif role.mode == "remote":
        stmt = stmt.where(Volunteer.mode != "in_person")
    if not role.one_off and role.slot_mask:
        stmt = stmt.where(or_(Volunteer.availability_mask == 0, Volunteer.availability_mask.op("&")(role.slot_mask) != 0))
    ids = list(session.scalars(stmt.order_by(Volunteer.id).limit(CANDIDATE_POOL)))
    return CandidatePool(role, volunteer_features(session, ids))


def candidates_for_role(
    session: Session, role_id: int, *, limit: int = 50, today: date | None = None, pool: CandidatePool | None = None
) -> list[VolunteerCandidate]:
    """Consenting volunteers who fit a role and have not been contacted about it, best first."""
    pool = pool or candidate_pool(session, role_id)
    role = pool.role
    results = rank_volunteers(role, pool.volunteers, today or date.today(), k=limit)
    names = {
        r.id: (r.first_name, r.last_name, r.district_gss)
        for r in session.execute(
            select(Volunteer.id, Volunteer.first_name, Volunteer.last_name, Volunteer.district_gss).where(
                Volunteer.id.in_([m.volunteer_id for m in results])
            )
        )
    }
    out = []
    for m in results:
        first, last, district = names[m.volunteer_id]
        out.append(
            VolunteerCandidate(
                volunteer_id=m.volunteer_id,
                display_name=f"{first} {last[:1]}.",
                district_gss=district,
                score=round(m.score, 4),
                explanation=worded(session, m.explanation, m.distance_miles, for_organisation=True),
                flags=list(m.flags),
                distance_miles=coarse_distance(m.distance_miles),
                distance_words=distance_words(session, m.distance_miles, for_organisation=True),
            )
        )
    return out


def reasons_for_volunteers(
    session: Session, role_id: int, volunteer_ids: list[int], today: date | None = None, pool: CandidatePool | None = None
) -> dict[int, str]:
    """Why a role suits each volunteer, said to them ("about 3 miles away · uses your gardening
    skill"), for the email that tells them about it: the words of the role's page. ``pool``: the
    features already read for the candidates (the others are read here)."""
    role = pool.role if pool is not None else next(iter(role_features(session, [role_id], statuses=None)), None)
    if role is None:
        return {}
    today = today or date.today()
    known = {v.id: v for v in pool.volunteers} if pool is not None else {}
    wanted = set(volunteer_ids)
    volunteers = [known[i] for i in volunteer_ids if i in known]
    volunteers += volunteer_features(session, sorted(wanted - known.keys()))
    out = {}
    for v in sorted(volunteers, key=lambda v: v.id):
        scored = _score_pair(v, role, today, check_eligible=False)
        if scored is not None:
            out[v.id] = worded(session, scored.explanation, distance_miles(v, role))
    return out


def coarse_distance(miles: float | None) -> float | None:
    """A candidate's distance as a role's managers see it: whole miles, and nothing below the floor,
    so moving a role's postcode and re-reading distances cannot locate where someone lives."""
    if miles is None or miles < get_settings().candidate_distance_floor_miles:
        return None
    return float(max(1, round(miles)))


def distance_words(session: Session, miles: float | None, *, for_organisation: bool = False) -> str | None:
    """The words for the distance of a volunteer–role pair, the same on every page, email, API answer
    and explanation (:func:`matching.eligibility.describe_distance`): "about" while places are known
    by postcode district only. A role's managers and centre read whole miles, never below the floor."""
    if miles is None:
        return None
    if for_organisation:
        shown = coarse_distance(miles)
        if shown is None:
            return f"within {get_settings().candidate_distance_floor_miles:g} miles"
        return describe_distance(shown, approximate=True)
    return describe_distance(miles, approximate=locations_are_approximate(session))


def worded(session: Session, text: str, miles: float | None, *, for_organisation: bool = False) -> str:
    """An explanation or reason from matching with its distance in :func:`distance_words`."""
    if miles is None or not text:
        return text
    words = distance_words(session, miles, for_organisation=for_organisation)
    return text.replace(describe_distance(miles), words) if words else text


def candidates(session: Session, principal: Principal, role_id: int, *, limit: int = 20) -> list[VolunteerCandidate]:
    role = session.get(Role, role_id)
    org = session.get(Organisation, role.organisation_id) if role is not None else None
    if role is None or org is None:
        raise NotFound("There is no role with that id.")
    if not (principal.manages(role.organisation_id) or policy.can_moderate_role(principal, role, org)):
        if policy.can_see_role(principal, role, org):
            raise Forbidden("Only the organisation's managers and its volunteer centre can look for volunteers for this role.")
        raise NotFound("There is no role with that id.")
    return candidates_for_role(session, role_id, limit=limit)


def read_skills(text: str) -> list[dict]:
    """Skills read from a volunteer's own words, with their strength and whether they meet an essential skill."""
    vocab = default_vocabulary()
    th = Weights().essential_match_threshold
    return [
        {
            "id": vocab.skill_ids[r.skill],
            "label": vocab.skill_labels[r.skill],
            "strength": round(r.strength, 3),
            "words": r.phrase,
            "opens_essential": r.strength >= th,
        }
        for r in vocab.read_skills(text)
    ]


def suggest_tags(title: str, description: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"causes": [], "skills": []}
    for s in _suggest_tags(title, description):
        out["causes" if s.kind == "cause" else "skills"].append(
            {"id": s.id, "label": s.label, "confidence": round(s.confidence, 3)}
        )
    return out
