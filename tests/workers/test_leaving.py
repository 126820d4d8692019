"""Leaving well: four weeks into a placement the volunteer is asked one question, once; the reasons
placements ended (each side's) and the satisfaction answers appear in the pilot lead's report, with
small numbers shown as "<5"."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from html import unescape
from datetime import date, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from brokerage.auth.service import build_principal
from brokerage.hours import leaving
from brokerage.models import Placement, User
from tests.factories import ASHFORD, Factory
from tests.workers.conftest import settle


def _placement(session, v, role, started: date, ended: date | None = None, **kw) -> Placement:
    p = Placement(
        volunteer_id=v.id, role_id=role.id, organisation_id=role.organisation_id, started_on=started, ended_on=ended, **kw
    )
    session.add(p)
    session.flush()
    return p


def test_the_satisfaction_question_is_asked_once_four_weeks_in(inproc, session, smtp, worker_engine):
    from brokerage import outbox
    from brokerage.events import SatisfactionQuestionsDue

    f = Factory(session)
    role = f.role(f.organisation(ASHFORD, name="Tenterden Talking Books"), title="Audio reader")
    today = date.today()
    asked = f.volunteer(ASHFORD)
    _placement(session, asked, role, today - timedelta(days=30))
    _placement(session, f.volunteer(ASHFORD), role, today - timedelta(days=10))  # too soon
    _placement(session, f.volunteer(ASHFORD), role, today - timedelta(days=30), today - timedelta(days=2))  # ended
    _placement(session, f.volunteer(ASHFORD, consent=False), role, today - timedelta(days=30))  # no contact
    session.commit()
    for day in (today, today, today + timedelta(days=1)):
        outbox.enqueue(session, SatisfactionQuestionsDue(day=day.isoformat()))
        session.commit()
        settle(worker_engine)
    letters = smtp.of_kind("satisfaction_question")
    assert [m.to for m in letters] == [asked.email]
    assert "Tenterden Talking Books" in letters[0].subject and re.search(r"/my/placements/\d+/satisfaction", letters[0].text)


def export_figures(client, query: str) -> dict[str, dict]:
    """The report's CSV and spreadsheet as {(section, dimension, key or label, metric): value}, and its printable copy."""
    got: dict[str, dict] = {}
    body = client.get(f"/pilot/reports/export?{query}&format=csv").text
    got["csv"] = {(r["section"], r["dimension"], r["key"], r["metric"]): r["value"] for r in csv.DictReader(io.StringIO(body))}
    sheet = load_workbook(io.BytesIO(client.get(f"/pilot/reports/export?{query}&format=xlsx").content))[
        "Leaving and re-engagement"
    ]
    got["xlsx"] = {(a, b, c, d): str(v) for a, b, c, d, _unit, v in sheet.iter_rows(min_row=2, values_only=True)}
    got["html"] = client.get(f"/pilot/reports/export?{query}&format=html").text
    return got


def printed(html: str, label: str) -> list[str]:
    """The figures of one row of a table of the printable report."""
    row = re.search(rf"<tr><td>{re.escape(label)}</td>((?:<td class=\"num\">[^<]*</td>)+)", html)
    assert row, label
    return [unescape(c) for c in re.findall(r'<td class="num">([^<]*)</td>', row[1])]


def _cells(html: str, label: str) -> list[str]:
    row = re.search(rf'<th scope="row">{re.escape(label)}</th>((?:<td class="num">[^<]*</td>)+)', html)
    assert row, label
    return [unescape(c) for c in re.findall(r'<td class="num">([^<]*)</td>', row[1])]


def test_exit_reasons_and_satisfaction_show_in_the_report_with_small_numbers_suppressed(
    session, client_for, configure, worker_env
):
    configure(worker_env)  # the pages read this test's database
    f = Factory(session)
    org = f.organisation(ASHFORD, name="Folkestone Harbour Arm Guides")
    manager = build_principal(session, f.user("organisation_manager", organisations=(org,)))
    role = f.role(org)
    pilot = f.user("pilot_lead")
    ended = date.today() - timedelta(days=5)
    # The volunteers say: moved 6, time 5, health 2; the organisation: role ended 7, other 6.
    said = ["moved"] * 6 + ["time"] * 5 + ["health"] * 2
    org_said = ["role_ended"] * 7 + ["other"] * 6
    answers = ["very_satisfied"] * 5 + ["satisfied"] * 6 + ["dissatisfied"]
    people = [f.volunteer(ASHFORD) for _ in range(13)]
    for i, v in enumerate(people):
        p = _placement(session, v, role, ended - timedelta(days=60), ended)
        p.volunteer_exit_reason = said[i]
        session.commit()
        leaving.record_exit(session, manager, p.id, org_said[i], "Thanked them" if i == 0 else None)
        if i < len(answers):
            p.satisfaction, p.satisfaction_at = answers[i], datetime.utcnow() - timedelta(days=30)
    session.commit()

    figures = leaving.report(session, None, ended - timedelta(days=30), ended)
    assert figures["exit_totals"] == {"volunteer": 13, "organisation": 13}
    html = client_for(session.get_one(User, pilot.id)).get("/pilot/reports?show=1&period_kind=last12").text
    assert _cells(html, "Moved away") == ["6", "0"]
    assert _cells(html, "Health") == ["<5", "0"]
    assert _cells(html, "Not enough time") == ["<5", "0"]  # the next smallest too: 13 - 6 - 5 would give health away
    assert _cells(html, "The role ended") == ["0", "7"] and _cells(html, "Another reason") == ["0", "6"]
    assert _cells(html, "Dissatisfied") == ["<5"]
    assert _cells(html, "Very satisfied") == ["<5"] and _cells(html, "Satisfied") == ["6"]
    assert _cells(html, "All answers") == ["12"]

    # The exports carry the same figures as the page: the database's counts, with 1 to 4 shown as "<5".
    by_volunteer = Counter(session.scalars(select(Placement.volunteer_exit_reason).where(Placement.ended_on == ended)))
    by_organisation = Counter(session.scalars(select(Placement.organisation_exit_reason).where(Placement.ended_on == ended)))
    assert (by_volunteer["moved"], by_volunteer["health"], by_organisation["role_ended"]) == (6, 2, 7)
    got = export_figures(client_for(session.get_one(User, pilot.id)), "period_kind=last12")
    rows = got["csv"]
    assert rows[("leaving", "exit_reason", "moved", "volunteer_said")] == str(by_volunteer["moved"])
    assert rows[("leaving", "exit_reason", "health", "volunteer_said")] == "<5"
    assert rows[("leaving", "exit_reason", "time", "volunteer_said")] == "<5"
    assert rows[("leaving", "exit_reason", "role_ended", "organisation_said")] == str(by_organisation["role_ended"])
    assert rows[("leaving", "exit_reason", "", "volunteer_said")] == "13"
    assert rows[("leaving", "satisfaction", "satisfied", "answers")] == "6"
    assert rows[("leaving", "satisfaction", "dissatisfied", "answers")] == "<5"
    assert rows[("leaving", "satisfaction", "", "answers")] == "12"
    sheet = got["xlsx"]  # the spreadsheet names the groups
    assert sheet[("leaving", "exit_reason", "Moved away", "volunteer_said")] == str(by_volunteer["moved"])
    assert sheet[("leaving", "exit_reason", "Health", "volunteer_said")] == "<5"
    assert sheet[("leaving", "exit_reason", "All reasons given", "organisation_said")] == "13"
    assert sheet[("leaving", "satisfaction", "Satisfied", "answers")] == "6"
    assert sheet[("leaving", "satisfaction", "Very satisfied", "answers")] == "<5"
    html = got["html"]
    assert printed(html, "Moved away") == ["6", "0"] and printed(html, "Health") == ["<5", "0"]
    assert printed(html, "The role ended") == ["0", "7"] and printed(html, "All reasons given") == ["13", "13"]
    assert printed(html, "Satisfied") == ["6"] and printed(html, "Dissatisfied") == ["<5"]
