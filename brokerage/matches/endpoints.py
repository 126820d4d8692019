from __future__ import annotations

import dataclasses
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import Field, TypeAdapter

from brokerage.deps import CurrentPrincipal, DbSession, OptionalPrincipal
from brokerage.vocab import slots, taxonomies
from brokerage.schemas import Input, Output
from brokerage.matches import interest, service
from brokerage.matches.answers import answered_from_memory

router = APIRouter(tags=["matching"])


class NoteOut(Output):
    code: str
    message: str


class CloseMatchOut(Output):
    code: str
    message: str
    change: str


class RoleMatchOut(Output):
    role_id: int
    title: str
    organisation_id: int
    organisation_name: str
    score: float
    explanation: str
    contributions: dict[str, float]
    flags: list[str]
    distance_miles: float | None
    distance_words: str | None = Field(
        default=None, description='The distance in words, as the pages say it: "about 3 miles away"'
    )
    district_gss: str | None
    mode: str | None
    one_off: bool
    notes: list[NoteOut] = []
    close_match: CloseMatchOut | None = None


class VolunteerCandidateOut(Output):
    volunteer_id: int
    display_name: str
    district_gss: str | None
    score: float
    explanation: str
    flags: list[str]
    distance_miles: float | None
    distance_words: str | None = Field(default=None, description='The distance in words: "about 3 miles away", "within 2 miles"')


class ReasonOut(Output):
    code: str
    message: str
    soft: bool
    change: str


class WhyNotOut(Output):
    volunteer_id: int
    role_id: int
    eligible: bool
    can_apply: bool
    reasons: list[ReasonOut]
    flags: list[str]
    notes: list[NoteOut]


class SkillReadingOut(Output):
    id: str
    label: str
    strength: float
    words: str
    opens_essential: bool


class ReadSkillsRequest(Input):
    text: Annotated[str, Field(max_length=5_000)]


class TagRequest(Input):
    title: Annotated[str, Field(min_length=3, max_length=200)]
    description: Annotated[str, Field(max_length=10_000)] = ""


# The matches are encoded straight from the service's dataclasses, with no validation on the way out:
# the bytes are what FastAPI would send for ``response_model=list[RoleMatchOut]`` (the response model
# stays for the documentation), since the two list the same fields in the same order.
_MATCH_LIST = TypeAdapter(list[service.RoleMatch])
if [f.name for f in dataclasses.fields(service.RoleMatch)] != list(RoleMatchOut.model_fields):
    raise TypeError("RoleMatch and RoleMatchOut must list the same fields in the same order")


def _matches_json(matches: list[service.RoleMatch]) -> Response:
    """What FastAPI would send for ``response_model=list[RoleMatchOut]``, encoded once."""
    return Response(content=_MATCH_LIST.dump_json(matches), media_type="application/json")


@router.get("/volunteers/{volunteer_id}/matches", response_model=list[RoleMatchOut])
async def volunteer_matches(
    volunteer_id: int, session: DbSession, principal: CurrentPrincipal, limit: Annotated[int, Query(ge=1, le=50)] = 10
):
    """Recommended roles for a volunteer, each with its score, components and a short explanation."""
    if service.recommendations_need_database(session, volunteer_id):
        return await run_in_threadpool(
            lambda: _matches_json(service.recommendations(session, principal, volunteer_id, limit=limit))
        )
    return _matches_json(service.recommendations(session, principal, volunteer_id, limit=limit))  # in memory: no thread hop


@router.get("/volunteers/{volunteer_id}/why-not/{role_id}", response_model=WhyNotOut)
def volunteer_why_not(volunteer_id: int, role_id: int, session: DbSession, principal: CurrentPrincipal):
    """Why a role is (or is not) a match for this volunteer, in plain words. ``eligible``: it passes every
    condition; ``can_apply``: the volunteer may say they are interested (the one interest rule: hard gates
    block; times, distance and skills are ``soft`` and only warn, saying what the volunteer could change). ``flags`` are what a match would carry, such as
    ``needs_dbs_check`` for a volunteer willing to get the check the role needs; ``notes`` say them."""
    reasons, flags = service.why_not(session, principal, volunteer_id, role_id)
    rule = interest.classify(reasons, flags)
    return WhyNotOut(
        volunteer_id=volunteer_id,
        role_id=role_id,
        eligible=not reasons,
        can_apply=rule.allowed,
        reasons=[ReasonOut(code=r.code, message=r.message, soft=interest.is_soft(r), change=r.change) for r in reasons],
        flags=flags,
        notes=[NoteOut(**n) for n in service.notes_of(flags)],
    )


@router.post("/skills/read", response_model=list[SkillReadingOut])
def read_skills(body: ReadSkillsRequest, principal: CurrentPrincipal):
    """The skills a volunteer's own words show, each with its strength: 1.0 when the words say it plainly
    (it can then meet an essential skill), less for a likely typo (it counts towards a match only)."""
    return [SkillReadingOut(**r) for r in service.read_skills(body.text)]


@router.get("/roles/{role_id}/candidates", response_model=list[VolunteerCandidateOut])
def role_candidates(
    role_id: int, session: DbSession, principal: CurrentPrincipal, limit: Annotated[int, Query(ge=1, le=100)] = 20
):
    """Volunteers who fit a hard-to-fill role, agreed to be contacted and have not been asked already."""
    return [
        VolunteerCandidateOut.model_validate(c.__dict__) for c in service.candidates(session, principal, role_id, limit=limit)
    ]


@router.get("/search/roles", response_model=list[RoleMatchOut])
async def search_roles(
    request: Request,
    session: DbSession,
    principal: OptionalPrincipal,
    q: Annotated[str, Query(max_length=200)] = "",
    postcode: Annotated[str | None, Query(max_length=10)] = None,
    miles: Annotated[float | None, Query(gt=0, le=100)] = None,
    cause: Annotated[list[str] | None, Query(max_length=20)] = None,
    skill: Annotated[list[str] | None, Query(max_length=20)] = None,
    slot: Annotated[list[str] | None, Query(max_length=21)] = None,
    mode: Literal["remote", "in_person"] | None = None,
    one_off: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    """Search open roles: a text query and filters blended with the match ranking. ``limit`` roles a
    page; ``page`` numbers the pages from 1; the ``X-Total-Count`` header says how many roles the search
    found in all (a page past the last is empty, with the same total)."""
    if cause:
        taxonomies.check_causes(cause, field="cause")
    if skill:
        taxonomies.check_skills(skill, field="skill")
    mask = slots.slots_to_mask(slot) if slot else 0
    search = partial(
        service.search_page,
        session,
        principal,
        q=q,
        postcode=postcode,
        miles=miles,
        causes=cause,
        skills=skill,
        slots_mask=mask,
        mode=mode,
        one_off=one_off,
        offset=(page - 1) * limit,
        limit=limit,
    )
    if service.search_needs_database(session, principal, postcode):
        results, total = await run_in_threadpool(search)
    else:
        results, total = search()  # in memory only: no thread hop
        if principal is None:
            answered_from_memory(request)
    response = _matches_json(results)
    response.headers["X-Total-Count"] = str(total)
    return response


@router.post("/roles/suggest-tags")
def suggest_role_tags(body: TagRequest, principal: CurrentPrincipal):
    """Causes and skills from the shared vocabulary for a role being drafted."""
    return service.suggest_tags(body.title, body.description)
