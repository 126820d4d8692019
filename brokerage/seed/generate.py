"""Generate a synthetic Kent county: centres, staff, organisations, roles, volunteers, and a year
of referrals, placements and hours. Deterministic for a given ``seed``; bulk inserts with a
progress bar. Everything is invented (see ``corpus.py``)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from time import perf_counter
from typing import cast

from psycopg.types.json import Jsonb
from sqlalchemy import JSON, Column, Table, delete, func, insert, select, text
from sqlalchemy.orm import Session
from tqdm import tqdm

from brokerage.auth.passwords import hash_password
from brokerage.config import get_settings
from brokerage.db import Base, get_engine, session_scope
from brokerage.models import (
    Activity,
    Centre,
    CentreDistrict,
    Delivery,
    GuidanceResource,
    HoursEntry,
    Organisation,
    OrganisationCause,
    OrganisationManager,
    Placement,
    Referral,
    ReferralEvent,
    Role,
    RoleCause,
    RoleSession,
    RoleSkill,
    RoleStatusChange,
    TrainingBooking,
    TrainingEvent,
    User,
    Volunteer,
    VolunteerCause,
    VolunteerSkill,
)
from brokerage.hours import leaving
from brokerage.hours import reminders as hours_reminders
from brokerage.interop import dedup
from brokerage.hours import service as hours_service
from brokerage.organisations import service as organisations_service
from brokerage.referrals.service import WAITING_STATUSES, chase_key, working_days_since
from brokerage.reports import rollups
from brokerage.seed import corpus
from brokerage.seed import guidance as seed_guidance
from brokerage.volunteers import quiet
from brokerage.volunteers import reminders as volunteer_reminders

SCALES = {
    "tiny": {"organisations": 24, "roles": 90, "volunteers": 300, "referral_share": 0.5},
    "demo": {"organisations": 300, "roles": 1_500, "volunteers": 5_000, "referral_share": 0.45},
    "county": {"organisations": 2_800, "roles": 50_000, "volunteers": 400_000, "referral_share": 0.12},
}
DEMO_PASSWORD = "kent-volunteering-demo"
DEMO_LOGINS = {
    "password": DEMO_PASSWORD,
    "accounts": [
        ("volunteer", "volunteer@demo.example.org"),
        ("organisation manager", "manager@demo.example.org"),
        ("centre staff (Ashford, lead)", "ashford.staff@demo.example.org"),
        ("centre staff (Canterbury)", "canterbury.staff@demo.example.org"),
        ("pilot lead", "pilot.lead@demo.example.org"),
        ("admin", "admin@demo.example.org"),
    ],
}
ASHFORD = "E07000105"
CANTERBURY = "E07000106"
BATCH = 5_000
TODAY_OFFSET_DAYS = 0


@dataclass
class SeedResult:
    scale: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        parts = ", ".join(f"{v:,} {k}" for k, v in self.counts.items())
        return f"Seeded the {self.scale} county in {self.seconds:.1f} s: {parts}."


class _Writer:
    """Buffers rows per table and inserts them in batches, children after parents."""

    ORDER = [
        Centre,
        CentreDistrict,
        User,
        Organisation,
        OrganisationCause,
        OrganisationManager,
        GuidanceResource,
        TrainingEvent,
        TrainingBooking,
        Activity,
        Role,
        RoleSkill,
        RoleCause,
        RoleSession,
        RoleStatusChange,
        Volunteer,
        VolunteerSkill,
        VolunteerCause,
        Referral,
        ReferralEvent,
        Placement,
        HoursEntry,
    ]

    def __init__(self, session: Session, bar: tqdm):
        self.session = session
        self.bar = bar
        self.rows: dict[type[Base], list[dict]] = {m: [] for m in self.ORDER}
        self.counts: dict[str, int] = {}

    def add(self, model: type[Base], row: dict) -> None:
        buf = self.rows[model]
        buf.append(row)
        if len(buf) >= BATCH:
            self.flush_upto(model)

    def flush_upto(self, model: type[Base]) -> None:
        # Parents first, so foreign keys always point at rows already written.
        for m in self.ORDER:
            self._flush(m)
            if m is model:
                break

    def _flush(self, model: type[Base]) -> None:
        buf = self.rows[model]
        if not buf:
            return
        if self.session.get_bind().dialect.name == "postgresql":
            _copy(self.session, cast(Table, model.__table__), buf)
        else:
            self.session.execute(insert(model), buf)
        name = model.__tablename__
        self.counts[name] = self.counts.get(name, 0) + len(buf)
        self.bar.update(len(buf))
        buf.clear()

    def flush_all(self) -> None:
        for m in self.ORDER:
            self._flush(m)


def _copy(session: Session, table: Table, rows: list[dict]) -> None:
    """``COPY … FROM STDIN`` on PostgreSQL (several times faster than INSERTs for a county): the
    columns the rows name, with the model's Python-side defaults for those a row leaves out."""
    names = sorted({key for row in rows for key in row}, key=lambda n: list(table.c.keys()).index(n))
    defaults = [c for c in table.columns if c.key not in names and c.default is not None and not c.primary_key]
    columns = [table.c[n] for n in names] + defaults
    is_json = [isinstance(c.type, JSON) for c in columns]

    def default_of(column: Column) -> object:
        default = column.default
        if getattr(default, "is_scalar", False):
            return default.arg  # type: ignore[union-attr]
        if getattr(default, "is_callable", False):
            return default.arg(None)  # type: ignore[union-attr]
        return None

    fill = {c.key: default_of(c) for c in columns}
    connection = session.connection().connection.driver_connection
    quoted = ", ".join('"' + c.name + '"' for c in columns)
    sql = f"COPY {table.name} ({quoted}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
        for row in rows:
            values = [row.get(c.key, fill[c.key]) for c in columns]
            copy.write_row([Jsonb(v) if j and v is not None else v for v, j in zip(values, is_json)])


def _reset(session: Session) -> None:
    keep = {"districts", "alembic_version", "valuation_rates"}
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in keep:
            session.execute(delete(table))


def _fix_sequences(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement:
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )


def seed(
    scale: str = "demo", seed: int = 2026, progress: bool = True, reset: bool = False, today: date | None = None
) -> SeedResult:
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    cfg = SCALES[scale]
    rng = random.Random(seed)
    today = today or date.today()
    started = perf_counter()
    # Rows per organisation, role and volunteer, measured on earlier runs (for the progress bar).
    estimate = int(cfg["organisations"] * 4.2 + cfg["roles"] * 9.2 + cfg["volunteers"] * (6.9 + 12.7 * cfg["referral_share"]))
    bar = tqdm(total=estimate, unit="rows", desc=f"Seeding the {scale} data set", disable=not progress, mininterval=0.5)
    with session_scope() as session:
        existing = session.scalar(select(func.count(Volunteer.id))) or 0
        if existing and not reset:
            raise SystemExit("The database already has volunteers in it; run with --reset to replace them.")
        if reset:
            _reset(session)
            session.flush()
        w = _Writer(session, bar)
        counts = _generate(w, rng, cfg, today, scale)
        w.flush_all()
        _fix_sequences(session)
        if session.get_bind().dialect.name == "postgresql":
            # The planner's figures for the tables just filled (in this transaction), so that the
            # county-wide queries of the periodic emails join rather than loop.
            session.execute(text("ANALYZE"))
        _already_sent(session, today)
    bar.close()
    # The report rollups follow the seeded hours at once: the dashboard shows them from the first minute.
    rollups.rebuild_all(session_scope)
    # The centre's duplicates review holds the people who signed up twice, as a nightly scan would
    # have left it, so staff can try a merge without first pressing "Look for duplicates now".
    with session_scope() as session:
        dedup.scan(session, None)
    if get_engine().dialect.name == "postgresql":
        with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    return SeedResult(scale=scale, counts={**w.counts, **counts}, seconds=perf_counter() - started)


def _already_sent(session: Session, today: date) -> None:
    """Leave the periodic emails as a running service would have left them by the end of ``today``:
    this week's digest sent, this week's reminders about hours waiting for approval sent, every DBS
    reminder whose day has come sent, organisations chased about referrals that have waited, the
    four-week question asked of placements that reached it, and volunteers who had gone quiet sent
    their one re-engagement email. So the first start of the demo mails only what falls due
    from then on, not a backlog of the seeded year (the same rules and keys as the jobs)."""
    sent_at = _dt(today, 8)
    session.add(
        Delivery(key=volunteer_reminders.digest_week_key(volunteer_reminders.iso_week(today)), kind="fanout", status="done")
    )
    end_of_day = datetime.combine(today, time.max)
    due_hours = hours_reminders.due(session, today, end_of_day)
    after, before = hours_reminders.window(end_of_day)
    for org_id in sorted({r.organisation_id for r in due_hours}):
        hours_service.count_reminder(session, org_id, before, after)
    dbs = volunteer_reminders.dbs_reminders_due(session, today)
    chases = []
    waiting = session.execute(
        select(Referral.id, Referral.status_changed_at, Role.id, Role.organisation_id)
        .join(Role, Role.id == Referral.role_id)
        .where(Referral.status.in_(WAITING_STATUSES), Referral.escalated_at.is_(None))
    ).all()
    for referral_id, changed, role_id, org_id in waiting:
        if working_days_since(changed, today) >= get_settings().follow_up_working_days:
            for email, _name in organisations_service.recipients(session, org_id):
                chases.append(
                    Delivery(
                        key=chase_key(referral_id, changed, email),
                        kind="referral_chase",
                        recipient=email,
                        role_id=role_id,
                        created_at=sent_at,
                        sent_at=sent_at,
                    )
                )
    session.add_all(
        [Delivery(key=r.key, kind="hours_reminder", recipient=r.email, created_at=sent_at, sent_at=sent_at) for r in due_hours]
        + [
            Delivery(
                key=r.key,
                kind="dbs_reminder",
                recipient=r.email,
                volunteer_id=r.volunteer_id,
                created_at=sent_at,
                sent_at=sent_at,
            )
            for r in dbs
        ]
        + chases
        + [
            Delivery(
                key=f"satisfaction_question:{q.placement_id}",
                kind="satisfaction_question",
                recipient=q.email,
                volunteer_id=q.volunteer_id,
                created_at=sent_at,
                sent_at=sent_at,
            )
            for q in leaving.satisfaction_due(session, today)
        ]
        + [
            Delivery(
                key=quiet.spell_key(r.id, r.last_active),
                kind=quiet.REENGAGEMENT,
                recipient=r.email,
                volunteer_id=r.id,
                created_at=sent_at,
                sent_at=sent_at,
            )
            for r in quiet.to_reengage(session, today)
        ]
    )


def _dt(d: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(d, time(hour, minute))


class _Users:
    """Adds user rows with ids in order (every demo login shares one password)."""

    def __init__(self, w: _Writer, today: date) -> None:
        self.w = w
        self.today = today
        self.password_hash = hash_password(DEMO_PASSWORD)
        self.last_id = 0

    def new(self, email: str, full_name: str, role: str, centre_id: int | None = None) -> int:
        self.last_id += 1
        self.w.add(
            User,
            {
                "id": self.last_id,
                "email": email,
                "email_normalised": email.lower(),
                "full_name": full_name,
                "password_hash": self.password_hash,
                "role": role,
                "centre_id": centre_id,
                "is_active": True,
                "session_version": 1,
                "created_at": _dt(self.today - timedelta(days=400)),
            },
        )
        return self.last_id


def _generate(w: _Writer, rng: random.Random, cfg: dict, today: date, scale: str) -> dict[str, int]:
    users = _Users(w, today)
    centre_by_district = _centres_and_staff(w, rng, today, users)
    orgs = _organisations(w, rng, cfg, today, users)
    # A generator of its own, so the rest of the county comes out as it always has.
    _guidance_and_training(w, random.Random(len(orgs)), today, centre_by_district, orgs)
    roles = _roles(w, rng, cfg, today, orgs)
    volunteers = _volunteers(w, rng, cfg, today, scale, users, centre_by_district)
    _referrals_placements_and_hours(w, rng, cfg, today, roles, volunteers)
    return {}


def _guidance_and_training(
    w: _Writer, rng: random.Random, today: date, centre_by_district: dict[str, int], orgs: list[dict]
) -> None:
    """Each centre's guidance resources and two training events, with places for its verified organisations."""
    names = {i: c.name for i, c in enumerate(corpus.CENTRES, start=1)}
    by_centre: dict[int, list[dict]] = {}
    for o in orgs:
        cid = centre_by_district.get(o["district_gss"] or "")
        if cid is not None and o["status"] == "verified":
            by_centre.setdefault(cid, []).append(o)
    resources, events, bookings = seed_guidance.rows(rng, today, names, by_centre)
    for model, batch in ((GuidanceResource, resources), (TrainingEvent, events), (TrainingBooking, bookings)):
        for row in batch:
            w.add(model, row)
    w.flush_upto(TrainingBooking)


def _centres_and_staff(w: _Writer, rng: random.Random, today: date, users: _Users) -> dict[str, int]:
    """Centres, one per district (Ashford leads the pilot), the demo logins and a staff member per
    centre; returns the centre of each district."""
    centre_by_district: dict[str, int] = {}
    for i, c in enumerate(corpus.CENTRES, start=1):
        w.add(
            Centre,
            {
                "id": i,
                "name": c.name,
                "is_lead": c.name == corpus.PILOT_LEAD_CENTRE,
                "email": f"hello@{c.name.lower().replace(' ', '-')}.example.org",
                "created_at": _dt(today - timedelta(days=500)),
            },
        )
        for gss in c.districts:
            w.add(CentreDistrict, {"centre_id": i, "district_gss": gss})
            centre_by_district[gss] = i
    users.new("admin@demo.example.org", "Alex Admin", "admin")
    users.new("pilot.lead@demo.example.org", "Priya Lead", "pilot_lead")
    users.new("ashford.staff@demo.example.org", "Sam Ashford", "centre_staff", centre_by_district[ASHFORD])
    users.new("canterbury.staff@demo.example.org", "Chris Canterbury", "centre_staff", centre_by_district[CANTERBURY])
    for gss, cid in centre_by_district.items():
        p = corpus.person(rng, district=gss)
        users.new(f"staff.{cid}@centre{cid}.example.org", p["full_name"], "centre_staff", cid)
    w.flush_upto(User)
    return centre_by_district


def _organisations(w: _Writer, rng: random.Random, cfg: dict, today: date, users: _Users) -> list[dict]:
    """Organisations (the first is the demo manager's, in Ashford), their causes and managers."""
    taken: set[str] = set()
    orgs: list[dict] = []
    demo_manager = users.new("manager@demo.example.org", "Morgan Manager", "organisation_manager")
    for oid in range(1, cfg["organisations"] + 1):
        district = ASHFORD if oid == 1 else corpus.choose_district(rng)
        o = corpus.organisation(rng, district, taken=taken)
        r = rng.random()
        status = "verified" if r < 0.9 or oid == 1 else ("pending" if r < 0.97 else "rejected")
        o["id"], o["status"] = oid, status
        orgs.append(o)
        created = _dt(today - timedelta(days=rng.randint(200, 900)))
        w.add(
            Organisation,
            {
                "id": oid,
                "name": o["name"],
                "description": o["description"],
                "website": o["website"],
                "organisation_type": o["organisation_type"],
                "charity_registrar": o["charity_registrar"],
                "charity_number": o["charity_number"],
                "address": f"{o['town']}, Kent",
                "postcode": o["postcode"],
                "latitude": o["latitude"],
                "longitude": o["longitude"],
                "district_gss": o["district_gss"] or "OUTSIDE",
                "contact_name": o["contact_name"],
                "contact_email": o["contact_email"],
                "contact_phone": o["contact_phone"],
                "struggling_to_recruit": o["struggling_to_recruit"],
                "verification_status": status,
                "verification_note": "Could not confirm the charity registration." if status == "rejected" else None,
                "verified_at": created + timedelta(days=3) if status != "pending" else None,
                "created_at": created,
                "updated_at": created,
            },
        )
        for cause in o["causes"]:
            w.add(OrganisationCause, {"organisation_id": oid, "cause_id": cause})
        manager = demo_manager if oid == 1 else users.new(o["contact_email"], o["contact_name"], "organisation_manager")
        w.add(OrganisationManager, {"user_id": manager, "organisation_id": oid})
    w.flush_upto(OrganisationManager)
    return orgs


ROLE_STATUS_WEIGHTS = (
    ("published", 0.8),
    ("draft", 0.04),
    ("pending_review", 0.05),
    ("paused", 0.03),
    ("filled", 0.03),
    ("closed", 0.03),
    ("expired", 0.02),
)
# The statuses a role went through to reach its own (after "draft").
ROLE_HISTORY = {
    "draft": [],
    "pending_review": ["pending_review"],
    "published": ["pending_review", "published"],
    "paused": ["pending_review", "published", "paused"],
    "filled": ["pending_review", "published", "filled"],
    "closed": ["pending_review", "published", "closed"],
    "expired": ["pending_review", "published", "expired"],
}


def _roles(w: _Writer, rng: random.Random, cfg: dict, today: date, orgs: list[dict]) -> list[dict]:
    """Activities and roles (the first four the demo manager's), with skills, causes, dated sessions
    for one-off roles and each role's status history."""
    roles: list[dict] = []
    verified = [o for o in orgs if o["status"] == "verified"]
    statuses, weights = zip(*ROLE_STATUS_WEIGHTS)
    changes = 0
    for rid in range(1, cfg["roles"] + 1):
        o = orgs[0] if rid <= 4 else (rng.choice(verified) if rng.random() < 0.95 else rng.choice(orgs))
        r = corpus.role_from_template(rng, o)
        status = rng.choices(statuses, weights)[0] if o["status"] == "verified" else "draft"
        created = today - timedelta(days=rng.randint(5, 365))
        role = _role_row(rng, today, rid, o, r, status, created)
        w.add(
            Activity,
            {
                "id": rid,
                "organisation_id": o["id"],
                "title": r["activity_title"],
                "description": r["description"],
                "requires_emergency_participation": r["requires_emergency_participation"],
                "created_at": _dt(created),
            },
        )
        w.add(Role, role)
        roles.append(role)
        for s in r["required_skills"]:
            w.add(RoleSkill, {"role_id": rid, "skill_id": s, "required": True, "essential": s in r["essential_skills"]})
        for s in r["desired_skills"]:
            if s not in r["required_skills"]:
                w.add(RoleSkill, {"role_id": rid, "skill_id": s, "required": False, "essential": False})
        for c in r["causes"]:
            w.add(RoleCause, {"role_id": rid, "cause_id": c})
        if r["one_off"]:
            _role_sessions(w, rng, today, rid, r)
        changes = _role_history(w, rid, status, created, changes)
    w.flush_upto(RoleStatusChange)
    return roles


def _role_row(rng: random.Random, today: date, rid: int, o: dict, r: dict, status: str, created: date) -> dict:
    published_at = _dt(created + timedelta(days=2)) if status in ("published", "paused", "filled", "closed", "expired") else None
    publish_end = (
        (today + timedelta(days=rng.randint(20, 180))) if status != "expired" else today - timedelta(days=rng.randint(1, 30))
    )
    return {
        "id": rid,
        "activity_id": rid,
        "organisation_id": o["id"],
        "title": r["title"],
        "description": r["description"],
        "commitment": r["commitment"],
        "hours_per_week": r["hours_per_week"],
        "one_off": r["one_off"],
        "slot_mask": r["slot_mask"],
        "mode": r["mode"],
        "location_name": r["location_name"],
        "address": None,
        "postcode": r["postcode"],
        "latitude": r["latitude"],
        "longitude": r["longitude"],
        "district_gss": r["district_gss"] or "OUTSIDE",
        "dbs_level": r["dbs_level"],
        "requirements": r["requirements"],
        "accessibility": [],
        "rewards": r["rewards"],
        "minimum_age": r["minimum_age"],
        "maximum_age": r["maximum_age"],
        "places_available": r["places_available"],
        "apply_link": None,
        "publish_start": created,
        "publish_end": publish_end,
        "status": status,
        "published_at": published_at,
        "created_by_id": None,
        "created_at": _dt(created),
        "updated_at": _dt(created),
    }


def _role_sessions(w: _Writer, rng: random.Random, today: date, rid: int, r: dict) -> None:
    """One to three dated sessions of a one-off role, in its time slots, in the next two months."""
    bits = [b for b in range(21) if r["slot_mask"] >> b & 1] or [15]
    for _k in range(rng.randint(1, 3)):
        b = rng.choice(bits)
        day = today + timedelta(days=rng.randint(3, 60))
        day += timedelta(days=(b // 3 - day.weekday()) % 7)
        start_hour = (6, 12, 18)[b % 3] + rng.choice((1, 2, 3))
        w.add(
            RoleSession,
            {
                "role_id": rid,
                "starts_at": _dt(day, start_hour),
                "ends_at": _dt(day, start_hour) + timedelta(hours=max(1, r["hours_per_week"])),
            },
        )


def _role_history(w: _Writer, rid: int, status: str, created: date, changes: int) -> int:
    """The status changes that led a role to its status, a day apart; returns the last change's id."""
    prev = None
    for k, st in enumerate(["draft", *ROLE_HISTORY[status]]):
        changes += 1
        w.add(
            RoleStatusChange,
            {
                "id": changes,
                "role_id": rid,
                "from_status": prev,
                "to_status": st,
                "at": _dt(created + timedelta(days=k)),
                "actor_user_id": None,
                "reason": "Past its publish end" if st == "expired" else None,
            },
        )
        prev = st
    return changes


def _volunteers(
    w: _Writer, rng: random.Random, cfg: dict, today: date, scale: str, users: _Users, centre_by_district: dict[str, int]
) -> list[tuple[int, str, date]]:
    """Volunteers (the first is the demo volunteer, in Ashford) with skills and causes; some have a
    login. Returns (id, district, registered on) of each."""
    vols: list[tuple[int, str, date]] = []
    login_share = 0.2 if scale != "county" else 0.0
    twice: list[dict] = []  # people who will sign up a second time
    for vid in range(1, cfg["volunteers"] + 1):
        v = corpus.volunteer(rng, serial=vid, district=ASHFORD if vid == 1 else None)
        email = "volunteer@demo.example.org" if vid == 1 else v["email"]
        user_id = users.new(email, v["full_name"], "volunteer") if (vid == 1 or rng.random() < login_share) else None
        district = v["district_gss"] or "OUTSIDE"
        registered = today - timedelta(days=int(rng.triangular(0, 1100, 60)))
        row = _volunteer_row(rng, vid, v, email, user_id, district, registered, centre_by_district)
        w.add(Volunteer, row)
        if district == ASHFORD and vid > 1 and row["phone"] and min(len(row["first_name"]), len(row["last_name"])) >= 5:
            twice.append(row)
        for s in v["skills"]:
            w.add(VolunteerSkill, {"volunteer_id": vid, "skill_id": s})
        for c in v["causes"]:
            w.add(VolunteerCause, {"volunteer_id": vid, "cause_id": c})
        vols.append((vid, district, registered))
    _planted_duplicates(w, today, cfg["volunteers"], twice[:4])
    w.flush_upto(VolunteerCause)
    return vols


def _swap_inner(word: str) -> str:
    """A typing slip: two letters in the middle of a word swapped ("Thompson" → "Thomspon")."""
    i = len(word) // 2
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :] if len(word) >= 4 and word[i] != word[i - 1] else word + "e"


def _planted_duplicates(w: _Writer, today: date, last_id: int, sources: list[dict]) -> None:
    """A few people who signed up twice in Ashford, as they do: so centre staff can try the
    duplicates review and a merge on the demo. Each second record came later, with no history:
    - a slip in the surname, the same date of birth and phone, another email address;
    - the same person writing their email in other capitals with a "+" tag, no phone given;
    - the same phone and postcode, a letter missing from the first name, no date of birth given;
    - forename and surname the wrong way round, the same date of birth and phone."""
    variants = [
        lambda r: {
            "last_name": _swap_inner(r["last_name"]),
            "email": f"{r['first_name'][0]}{r['last_name']}@post.example".lower(),
        },
        lambda r: {"email": r["email"].split("@")[0].title() + "+Kent@" + r["email"].split("@")[1].upper(), "phone": None},
        lambda r: {
            "first_name": r["first_name"][:2] + r["first_name"][3:],
            "email": f"{r['last_name']}.{r['first_name'][0]}@inbox.example".lower(),
            "date_of_birth": None,
        },
        lambda r: {"first_name": r["last_name"], "last_name": r["first_name"], "email": None},
    ]
    for k, (source, change) in enumerate(zip(sources, variants), start=1):
        registered = min(today, source["registered_on"] + timedelta(days=40 * k))
        row = {
            **source,
            **change(source),
            "id": last_id + k,
            "user_id": None,
            "registered_on": registered,
            "created_at": _dt(registered),
            "updated_at": _dt(registered),
        }
        row["email_normalised"] = row["email"].lower() if row["email"] else None
        w.add(Volunteer, row)


def _volunteer_row(
    rng: random.Random,
    vid: int,
    v: dict,
    email: str,
    user_id: int | None,
    district: str,
    registered: date,
    centre_by_district: dict[str, int],
) -> dict:
    return {
        "id": vid,
        "user_id": user_id,
        "first_name": v["first_name"],
        "last_name": v["last_name"],
        "email": email,
        "email_normalised": email.lower(),
        "phone": v["phone"],
        "date_of_birth": v["date_of_birth"],
        "postcode": v["postcode"],
        "latitude": v["latitude"],
        "longitude": v["longitude"],
        "district_gss": district,
        "travel_radius_miles": v["travel_radius_miles"],
        "mode": v["mode"],
        "availability_mask": v["availability_mask"],
        "max_hours_per_week": v["max_hours_per_week"],
        "preference": v["preference"],
        "skills_text": v["skills_text"],
        "dbs_level": v["dbs_level"],
        "dbs_certificate_date": (registered - timedelta(days=rng.randint(30, 900))) if v["dbs_level"] != "none" else None,
        "dbs_update_service": v["dbs_level"] != "none" and rng.random() < 0.4,
        "dbs_willing": v["dbs_willing"],
        "contact_consent": vid == 1 or rng.random() < 0.85,
        "notification_preference": "instant" if vid == 1 else rng.choices(("instant", "weekly_digest", "none"), (3, 5, 2))[0],
        "registering_centre_id": centre_by_district.get(district, centre_by_district[ASHFORD]),
        "gender": v["gender"] if rng.random() < 0.8 else None,
        "ethnicity": v["ethnicity"] if rng.random() < 0.7 else None,
        "disability": v["disability"] if rng.random() < 0.7 else None,
        "employment_status": v["employment_status"] if rng.random() < 0.7 else None,
        "status": "active" if rng.random() < 0.93 else "inactive",
        "registered_on": registered,
        "created_at": _dt(registered),
        "updated_at": _dt(registered),
    }


REFERRAL_OUTCOME_WEIGHTS = (
    ("interested", 8),
    ("referred", 6),
    ("contacted", 6),
    ("started", 22),
    ("completed", 14),
    ("withdrawn", 6),
    ("unsuccessful", 5),
    ("no_response", 8),
)
# The statuses a referral went through after "interested" to reach its outcome.
REFERRAL_PATH = {
    "interested": [],
    "referred": ["referred"],
    "contacted": ["referred", "contacted"],
    "started": ["contacted", "started"],
    "completed": ["contacted", "started", "completed"],
    "withdrawn": ["withdrawn"],
    "unsuccessful": ["contacted", "unsuccessful"],
    "no_response": ["no_response"],
}


@dataclass
class _Ids:
    """The last id given to each kind of row written in the referrals step."""

    referral: int = 0
    event: int = 0
    placement: int = 0
    hours: int = 0


def _referrals_placements_and_hours(
    w: _Writer, rng: random.Random, cfg: dict, today: date, roles: list[dict], volunteers: list[tuple[int, str, date]]
) -> None:
    """A year of referrals (mostly to roles in the volunteer's district), the placements those that
    started led to, and their hours."""
    open_roles = [r for r in roles if r["status"] in ("published", "filled", "closed", "paused")]
    by_district: dict[str, list[dict]] = {}
    for r in open_roles:
        by_district.setdefault(r["district_gss"], []).append(r)
    ids = _Ids()
    for vid, district, registered in volunteers:
        if vid != 1 and rng.random() > cfg["referral_share"]:
            continue
        pool = by_district.get(district) or open_roles
        for role in rng.sample(pool, k=min(len(pool), 1 if rng.random() < 0.75 else 2)):
            started_on, ended_on = _referral(w, rng, today, ids, vid, role, registered)
            if started_on is not None:
                _placement_and_hours(w, rng, today, ids, vid, role, started_on, ended_on)


def _referral(
    w: _Writer, rng: random.Random, today: date, ids: _Ids, vid: int, role: dict, registered: date
) -> tuple[date | None, date | None]:
    """One referral and its history; returns when a placement it led to started and ended."""
    o_names, o_weights = zip(*REFERRAL_OUTCOME_WEIGHTS)
    ids.referral += 1
    start = max(registered, today - timedelta(days=365))
    created = start + timedelta(days=rng.randint(0, max(0, (today - start).days - 1)))
    final = "interested" if vid == 1 else rng.choices(o_names, o_weights)[0]
    if (today - created).days < 10 and final in ("completed",):
        final = "started"
    t = _dt(created, rng.randint(8, 20), rng.randint(0, 59))
    w.add(
        Referral,
        {
            "id": ids.referral,
            "volunteer_id": vid,
            "role_id": role["id"],
            "status": final,
            "message": None,
            "share_email": True,
            "share_phone": rng.random() < 0.5,
            "created_by_id": None,
            "created_at": t,
            "status_changed_at": t,
            "escalated_at": None,
        },
    )
    prev, started_on, ended_on = None, None, None
    for st in ["interested", *REFERRAL_PATH[final]]:
        if prev is not None:
            t = t + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 6))
            if t.date() > today:
                t = _dt(today, 9)
        ids.event += 1
        w.add(
            ReferralEvent,
            {
                "id": ids.event,
                "referral_id": ids.referral,
                "from_status": prev,
                "to_status": st,
                "at": t,
                "actor_user_id": None,
                "note": None,
            },
        )
        if st == "started":
            started_on = t.date()
        if st == "completed":  # after "started" on every path
            ended_on = max(started_on or t.date(), t.date() + timedelta(days=rng.randint(30, 120)))
            ended_on = min(ended_on, today)
        prev = st
    w.rows[Referral][-1]["status_changed_at"] = t
    if final in ("interested", "referred"):
        # One that has waited past the escalation point went to the centre's queue back then: the
        # first start of the demo does not chase and escalate months of seeded referrals at once.
        waited = working_days_since(t, today)
        if waited >= get_settings().escalate_working_days:
            w.rows[Referral][-1]["escalated_at"] = t + timedelta(days=14)
    return started_on, ended_on


def _placement_and_hours(
    w: _Writer, rng: random.Random, today: date, ids: _Ids, vid: int, role: dict, started_on: date, ended_on: date | None
) -> None:
    """A placement and its hours, weekly or fortnightly: approved, or (in the last fortnight) mostly
    still waiting for approval; a few queried."""
    ids.placement += 1
    w.add(
        Placement,
        {
            "id": ids.placement,
            "referral_id": ids.referral,
            "volunteer_id": vid,
            "role_id": role["id"],
            "organisation_id": role["organisation_id"],
            "started_on": started_on,
            "ended_on": ended_on,
            "created_at": _dt(started_on),
        },
    )
    last = ended_on or today
    day = started_on
    per_week = max(0.5, float(role["hours_per_week"] or 2))
    while day <= last:
        ids.hours += 1
        recent = (today - day).days < 14
        status = "submitted" if recent and rng.random() < 0.7 else ("queried" if rng.random() < 0.02 else "approved")
        hours = Decimal(str(round(min(12.0, max(0.5, rng.gauss(per_week, per_week / 4))) * 2) / 2))
        w.add(
            HoursEntry,
            {
                "id": ids.hours,
                "placement_id": ids.placement,
                "volunteer_id": vid,
                "worked_on": day,
                "hours": hours,
                "activity": role["title"],
                "status": status,
                "submitted_by_id": None,
                "reviewed_by_id": None,
                "reviewed_at": _dt(day + timedelta(days=3)) if status == "approved" else None,
                "query_note": "Could you check the date?" if status == "queried" else None,
                "supersedes_id": None,
                "created_at": _dt(day, 18),
                "updated_at": _dt(day, 18),
                "reminder_count": 0,
            },
        )
        day += timedelta(days=rng.choice((7, 7, 7, 14)))
