"""The public catalogue: every published role, held in this process with its JSON already encoded.

Published roles are public and change rarely, so the anonymous (and volunteer) role list is answered
from memory instead of the database: filters are set operations on position arrays and a page is the
role's pre-encoded JSON joined together. The answer is byte for byte what the database path
(``service.list_`` + ``RoleOut``) gives for the same query (``tests/api/test_catalogue.py`` holds
both paths side by side).

It is kept current the way the matching index is (``brokerage/matches/index_holder.py``): before
answering, at most once a second, it catches up from ``Role.updated_at`` (and ``Organisation.updated_at``,
whose name every role shows); every few minutes it is rebuilt from scratch, which also drops roles
deleted outright. A change flushed in this process marks it stale at once, so a writer reads its own
change on the next request; changes made by other processes show within about a second.

Staff and managers, who also see drafts, keep the database path.
"""

from __future__ import annotations

import logging
import threading
from sys import intern
import time
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from brokerage.changes import ChangeWindow
from brokerage.vocab.roles import PUBLIC_ROLE_STATUSES
from brokerage.db import utcnow
from brokerage.models import Activity, Organisation, Role, RoleCause, RoleSession, RoleSkill
from brokerage.roles.views import RoleSummary, role_out

logger = logging.getLogger(__name__)

FULL_REFRESH_SECONDS = 300
SYNC_EVERY_SECONDS = 1.0
_LIKE_SPECIALS = ("%", "_", "\\", "\x00")
_EMPTY = np.zeros(0, np.int64)


@dataclass(frozen=True, slots=True)
class _Entry:
    id: int
    sort_key: tuple
    blob: bytes
    organisation_id: int
    district_gss: str | None
    mode: str
    one_off: bool
    emergency: bool
    causes: tuple[str, ...]
    skills: tuple[str, ...]
    text: str  # lower(title) NUL lower(description): what the database's LIKE looks at
    odd_case: bool  # a character whose lower case Python and the database may fold differently
    summary: RoleSummary


def _odd_case(text: str) -> bool:
    """True when a non-ASCII character lower-cases to something containing ASCII (e.g. 'İ', the Kelvin
    sign): the database's lower() and Python's may then disagree about an ASCII search."""
    if text.isascii():
        return False
    return any(ord(c) > 127 and any(ord(x) < 128 for x in c.lower()) for c in text)


class Snapshot:
    """One immutable view of the catalogue; readers never lock."""

    def __init__(self, entries: dict[int, _Entry]) -> None:
        ordered = sorted(entries.values(), key=lambda e: e.sort_key, reverse=True)
        self.size = len(ordered)
        self.blobs = [e.blob for e in ordered]
        self.summaries = {e.id: e.summary for e in ordered}
        by_district: dict[str | None, list[int]] = defaultdict(list)
        by_cause: dict[str, list[int]] = defaultdict(list)
        by_skill: dict[str, list[int]] = defaultdict(list)
        by_org: dict[int, list[int]] = defaultdict(list)
        by_mode: dict[str, list[int]] = defaultdict(list)
        one_off: list[int] = []
        emergency: list[int] = []
        starts: list[int] = []
        texts: list[str] = []
        offset = 0
        odd = False
        for i, e in enumerate(ordered):
            by_district[e.district_gss].append(i)
            by_org[e.organisation_id].append(i)
            by_mode[e.mode].append(i)
            for c in e.causes:
                by_cause[c].append(i)
            for s in e.skills:
                by_skill[s].append(i)
            if e.one_off:
                one_off.append(i)
            if e.emergency:
                emergency.append(i)
            starts.append(offset)
            texts.append(e.text)
            offset += len(e.text) + 1
            odd = odd or e.odd_case

        def arrays(d):
            return {k: np.asarray(v, np.int64) for k, v in d.items()}

        self.by_district = arrays(by_district)
        self.by_cause = arrays(by_cause)
        self.by_skill = arrays(by_skill)
        self.by_org = arrays(by_org)
        self.by_mode = arrays(by_mode)
        self.one_off = np.zeros(self.size, bool)
        self.one_off[one_off] = True
        self.emergency = np.zeros(self.size, bool)
        self.emergency[emergency] = True
        self.text = "\x00".join(texts) + "\x00"
        self.starts = starts
        self.odd_case = odd

    def _text_positions(self, needle: str) -> np.ndarray:
        out: list[int] = []
        text, starts, find = self.text, self.starts, self.text.find
        at = find(needle)
        while at >= 0:
            i = bisect_right(starts, at) - 1
            out.append(i)
            nxt = starts[i + 1] if i + 1 < len(starts) else len(text)
            at = find(needle, nxt)
        return np.asarray(out, np.int64)

    def page_json(
        self,
        *,
        district: str | None = None,
        cause: str | None = None,
        skill: str | None = None,
        status: str | None = None,
        organisation_id: int | None = None,
        mode: str | None = None,
        one_off: bool | None = None,
        emergency: bool | None = None,
        q: str | None = None,
        page: int = 1,
        page_size: int = 20,
    ) -> bytes | None:
        """The JSON body of ``Page[RoleOut]`` for this query, or None when only the database can answer
        it exactly (a text query with LIKE wildcards or non-ASCII letters)."""
        needle = None
        if q:
            if not q.isascii() or any(ch in q for ch in _LIKE_SPECIALS) or self.odd_case:
                return None
            needle = q.lower()
        picks: list[np.ndarray] = []
        empty = bool(status) and status not in PUBLIC_ROLE_STATUSES
        if district:
            picks.append(self.by_district.get(district, _EMPTY))
        if cause:
            picks.append(self.by_cause.get(cause, _EMPTY))
        if skill:
            picks.append(self.by_skill.get(skill, _EMPTY))
        if organisation_id:
            picks.append(self.by_org.get(organisation_id, _EMPTY))
        if mode:
            picks.append(self.by_mode.get(mode, _EMPTY))
        if needle is not None:
            picks.append(self._text_positions(needle))
        if empty:
            positions = _EMPTY
        elif not picks and one_off is None and emergency is None:
            positions = None  # everything
        else:
            mask = np.ones(self.size, bool) if one_off is None else (self.one_off if one_off else ~self.one_off)
            if emergency is not None:
                mask = mask & (self.emergency if emergency else ~self.emergency)
            for p in picks:
                m = np.zeros(self.size, bool)
                m[p] = True
                mask = mask & m
            positions = np.flatnonzero(mask)
        start = (page - 1) * page_size
        if positions is None:
            total = self.size
            chosen = self.blobs[start : start + page_size]
        else:
            total = int(positions.size)
            chosen = [self.blobs[i] for i in positions[start : start + page_size].tolist()]
        return b'{"items":[%b],"total":%d,"page":%d,"page_size":%d}' % (b",".join(chosen), total, page, page_size)


def _load(session: Session, role_ids: list[int] | None = None) -> dict[int, _Entry]:
    """Published roles (all, or those named) with everything ``RoleOut`` shows, in a few queries."""
    public = Role.status.in_(PUBLIC_ROLE_STATUSES)
    out: dict[int, _Entry] = {}
    if role_ids is None:  # every one, a chunk at a time: the rows of a county at once would all be held together
        role_ids = list(session.scalars(select(Role.id).where(public).order_by(Role.id)))
    chunks = [role_ids[i : i + 5_000] for i in range(0, len(role_ids), 5_000)]
    for ids in chunks:
        if ids is not None and not ids:
            continue

        def scoped(stmt, column):
            stmt = stmt.join(Role, Role.id == column).where(public)
            return stmt if ids is None else stmt.where(column.in_(ids))

        stmt = (
            select(
                *Role.__table__.columns,
                Organisation.name.label("organisation_name"),
                Activity.requires_emergency_participation.label("requires_emergency_participation"),
            )
            .join(Organisation, Organisation.id == Role.organisation_id)
            .join(Activity, Activity.id == Role.activity_id)
            .where(public)
        )
        if ids is not None:
            stmt = stmt.where(Role.id.in_(ids))
        rows = session.execute(stmt).all()
        if not rows:
            continue
        causes: dict[int, list[str]] = defaultdict(list)
        for rid, cid in session.execute(scoped(select(RoleCause.role_id, RoleCause.cause_id), RoleCause.role_id)):
            causes[rid].append(cid)
        required: dict[int, list[str]] = defaultdict(list)
        desired: dict[int, list[str]] = defaultdict(list)
        essential: dict[int, list[str]] = defaultdict(list)
        for rid, sid, req, ess in session.execute(
            scoped(select(RoleSkill.role_id, RoleSkill.skill_id, RoleSkill.required, RoleSkill.essential), RoleSkill.role_id)
        ):
            (required if req or ess else desired)[rid].append(sid)
            if ess:
                essential[rid].append(sid)
        sessions: dict[int, list[dict]] = defaultdict(list)
        for rid, s, e in session.execute(
            scoped(select(RoleSession.role_id, RoleSession.starts_at, RoleSession.ends_at), RoleSession.role_id).order_by(
                RoleSession.starts_at, RoleSession.id
            )
        ):
            sessions[rid].append({"starts_at": s, "ends_at": e})
        for r in rows:
            out[r.id] = _entry(
                r,
                sorted(causes.get(r.id, ())),
                sorted(required.get(r.id, ())),
                sorted(desired.get(r.id, ())),
                sessions.get(r.id, []),
                sorted(essential.get(r.id, ())),
            )
    return out


def _entry(
    r, causes: list[str], required: list[str], desired: list[str], sessions: list[dict], essential: list[str] | None = None
) -> _Entry:
    out = role_out(r, r.organisation_name, causes, required, desired, sessions, essential)
    # ORDER BY published_at DESC NULLS LAST, id DESC (sorted in reverse).
    sort_key = (r.published_at is not None, r.published_at or datetime.min, r.id)
    text = f"{r.title.lower()}\x00{r.description.lower()}"
    # A county's roles repeat a few districts, modes, organisations and codes: each is held once.
    district, mode = _shared(r.district_gss), intern(r.mode)
    return _Entry(
        id=r.id,
        sort_key=sort_key,
        blob=out.__pydantic_serializer__.to_json(out),
        organisation_id=r.organisation_id,
        district_gss=district,
        mode=mode,
        one_off=bool(r.one_off),
        emergency=bool(r.requires_emergency_participation),
        causes=tuple(intern(c) for c in causes),
        skills=tuple(intern(s) for s in sorted(set(required) | set(desired))),
        text=text,
        odd_case=_odd_case(r.title + r.description),
        summary=RoleSummary(
            id=r.id,
            title=r.title,
            organisation_id=r.organisation_id,
            organisation_name=intern(r.organisation_name),
            district_gss=district,
            mode=mode,
            one_off=bool(r.one_off),
        ),
    )


def _shared(value: str | None) -> str | None:
    return None if value is None else intern(value)


class Catalogue:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.snapshot: Snapshot | None = None
        self.version = 0  # moves whenever the snapshot is replaced
        self._entries: dict[int, _Entry] = {}
        self._bind_key: int | None = None
        self._roles_changed = ChangeWindow()
        self._orgs_changed = ChangeWindow()
        self._built_at = 0.0
        self._synced_at = 0.0
        self._count_mismatches = 0
        self._building = False  # a rebuild is running on a thread of its own
        self._generation = 0  # moves when the catalogue is reset or built in place
        self.stale = False  # set when this process flushes a change to a role or an organisation

    # -- when to look at the database -------------------------------------------------------------
    def due(self, session: Session) -> bool:
        """Whether ``refresh`` has work to do (no I/O: cheap enough for every request)."""
        return id(session.get_bind()) != self._bind_key or self.settled_version() is None

    def known_version(self) -> int | None:
        """The version of what is held, unless nothing is or this process has changed it since."""
        return None if self.snapshot is None or self.stale else self.version

    def settled_version(self) -> int | None:
        """The snapshot's version when answering from it needs no look at the database first, else None."""
        if self.known_version() is None:
            return None
        if not self._lock.locked():  # (while another request catches up, the current view answers)
            now = time.monotonic()
            if now - self._synced_at >= SYNC_EVERY_SECONDS or now - self._built_at > FULL_REFRESH_SECONDS:
                return None
        return self.version

    def current(self, session: Session) -> Snapshot:
        if self.due(session):
            self.refresh(session)
        if self.snapshot is None:  # refresh builds one before anyone reads it
            raise RuntimeError("the catalogue has not been built")
        return self.snapshot

    def refresh(self, session: Session) -> None:
        bind_key = id(session.get_bind())
        if self.snapshot is None or bind_key != self._bind_key:
            # A first build (or another database): nothing to answer from yet, so everyone waits for it.
            with self._lock:
                if self.snapshot is None or bind_key != self._bind_key:
                    self._rebuild(session, bind_key)
            return
        # Only this process's own change makes a request wait (for a catch-up: a few rows); otherwise
        # whoever is already catching up does it and the others answer from the last complete view.
        if not self._lock.acquire(blocking=self.stale):
            return
        try:
            now = time.monotonic()
            if now - self._built_at > FULL_REFRESH_SECONDS:
                self._rebuild_aside(session, bind_key)
            if self.stale or now - self._synced_at >= SYNC_EVERY_SECONDS:
                self._catch_up(session, bind_key)
        finally:
            self._lock.release()

    def _rebuild(self, session: Session, bind_key: int) -> None:
        self._generation += 1
        self.stale = False
        looked_at = utcnow()
        self._roles_changed.restart(looked_at)
        self._orgs_changed.restart(looked_at)
        self._entries = _load(session)
        self._publish(Snapshot(self._entries))
        self._bind_key = bind_key
        self._built_at = self._synced_at = time.monotonic()
        self._count_mismatches = 0

    def _rebuild_aside(self, session: Session, bind_key: int) -> bool:
        """Rebuild from scratch without keeping anyone waiting: on a thread of its own, from a session
        of its own, while requests answer from the current view, which the new one then replaces. (A
        session bound to one connection, as in tests, cannot be shared with a thread: it rebuilds here.)"""
        bind = session.get_bind()
        if not isinstance(bind, Engine):
            self._rebuild(session, bind_key)
            return True
        self._built_at = time.monotonic()  # (asked for once: the next is due a full period later)
        if not self._building:
            self._building = True
            args = (bind, bind_key, self._generation)
            threading.Thread(target=self._build_and_swap, args=args, name="catalogue-rebuild", daemon=True).start()
        return False

    def _build_and_swap(self, engine: Engine, bind_key: int, generation: int) -> None:
        try:
            looked_at = utcnow()
            with Session(engine) as session:
                entries = _load(session)
            snapshot = Snapshot(entries)
            with self._lock:
                if generation != self._generation or bind_key != self._bind_key:
                    return  # reset or built again meanwhile, or moved to another database
                # What changed since the load began is read again on the next catch-up (the windows
                # go back to the load's start, or to a change of this process flushed before it).
                for window in (self._roles_changed, self._orgs_changed):
                    earlier = window.since
                    window.restart(looked_at)
                    window.reach_back(earlier + window.skew)
                self._entries = entries
                self._publish(snapshot)
                self._built_at = time.monotonic()
                self._synced_at = 0.0
                self._count_mismatches = 0
        except Exception:  # the current view keeps answering; the next period tries again
            logger.exception("rebuilding the role catalogue failed")
        finally:
            self._building = False

    def mark_stale(self, at: datetime) -> None:
        """This process flushed a change to a role or an organisation at ``at``: catch up before the next answer."""
        self._roles_changed.reach_back(at)
        self._orgs_changed.reach_back(at)
        self.stale = True

    def _catch_up(self, session: Session, bind_key: int) -> None:
        self.stale = False
        looked_at = utcnow()
        roles = session.execute(
            select(Role.id, Role.status, Role.updated_at).where(Role.updated_at >= self._roles_changed.since)
        ).all()
        orgs = session.execute(
            select(Organisation.id, Organisation.updated_at).where(Organisation.updated_at >= self._orgs_changed.since)
        ).all()
        moved = self._roles_changed.new((rid, at) for rid, _, at in roles)
        moved_orgs = self._orgs_changed.new(orgs)
        reload = {rid for rid, status, _ in roles if rid in moved and status in PUBLIC_ROLE_STATUSES}
        gone = {rid for rid, status, _ in roles if rid in moved and status not in PUBLIC_ROLE_STATUSES}
        if moved_orgs:
            reload.update(
                session.scalars(
                    select(Role.id).where(Role.organisation_id.in_(sorted(moved_orgs)), Role.status.in_(PUBLIC_ROLE_STATUSES))
                )
            )
        changed = False
        if reload or gone:
            fresh = _load(session, sorted(reload))
            entries = dict(self._entries)
            for rid in gone | (reload - fresh.keys()):
                changed |= entries.pop(rid, None) is not None
            for rid, entry in fresh.items():
                if entries.get(rid) != entry:
                    entries[rid] = entry
                    changed = True
            self._entries = entries
        self._roles_changed.advance(looked_at)
        self._orgs_changed.advance(looked_at)
        # A role deleted outright leaves no updated_at behind: the count tells (twice, to let a commit
        # that landed between the two queries settle), and the catalogue is rebuilt.
        published = session.scalar(select(func.count()).select_from(Role).where(Role.status.in_(PUBLIC_ROLE_STATUSES))) or 0
        self._count_mismatches = self._count_mismatches + 1 if published != len(self._entries) else 0
        if self._count_mismatches >= 2:
            self._count_mismatches = 0
            if self._rebuild_aside(session, bind_key):
                return
        if changed:
            self._publish(Snapshot(self._entries))
        self._synced_at = time.monotonic()

    def _publish(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.version += 1

    def reset(self) -> None:
        with self._lock:
            self.snapshot = None
            self.version += 1
            self._generation += 1
            self._entries = {}
            self._bind_key = None


catalogue = Catalogue()

_WATCHED = (Role, RoleCause, RoleSkill, RoleSession, Organisation)


@event.listens_for(Session, "before_flush")
def _touch_roles_whose_lists_changed(session: Session, _context, _instances) -> None:
    """A role whose causes, skills or sessions changed counts as updated (so every process, reading
    ``updated_at``, picks the change up), even when none of its own columns did."""
    for obj in session.dirty:
        if (
            isinstance(obj, Role)
            and session.is_modified(obj, include_collections=True)
            and not session.is_modified(obj, include_collections=False)
        ):
            obj.updated_at = utcnow()


# Called with the time of a change to a role flushed in this process (the matching index listens too).
ROLE_CHANGE_HOOKS: list[Callable[[datetime], None]] = [catalogue.mark_stale]


def _role_changed(at: datetime) -> None:
    for hook in ROLE_CHANGE_HOOKS:
        hook(at)


@event.listens_for(Session, "after_flush")
def _mark_stale(session: Session, _context) -> None:
    for group in (session.new, session.dirty, session.deleted):
        if any(isinstance(obj, _WATCHED) for obj in group):
            at = utcnow()
            _role_changed(at)
            session.info.setdefault("catalogue_touched", at)
            return


@event.listens_for(Session, "after_commit")
def _mark_stale_after_commit(session: Session) -> None:
    # Seen again once committed, in case another request caught up between the flush and the commit.
    at = session.info.pop("catalogue_touched", None)
    if at is not None:
        _role_changed(at)
