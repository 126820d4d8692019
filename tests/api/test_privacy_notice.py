"""The privacy notice people read says what docs/security.md says and what the service does: the
retention periods are the settings the schedule runs with, and the rights it promises exist."""

from __future__ import annotations

from pathlib import Path

from brokerage.config import Settings

DOC = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()


def test_the_privacy_notice_matches_the_retention_schedule(client):
    s = Settings(_env_file=None)
    page = client.get("/privacy", headers={"Accept": "text/html"}).text
    for promise in (
        f"{s.retention_inactive_months} months",
        f"{s.retention_erase_after_reminder_days} days",
        f"{s.retention_import_file_days} days",
        f"{s.retention_mail_file_weeks} weeks",
        f"{s.retention_safeguarding_years} years",
    ):
        assert promise in page, promise
        assert promise in DOC, promise
    assert f"within {s.candidate_distance_floor_miles:g} miles" in page
    assert f"under {s.candidate_distance_floor_miles:g} miles" in DOC
    for link in ("/my/data", "/my/delete"):
        assert f'href="{link}"' in page
        assert client.get(link, follow_redirects=False).status_code in (200, 303, 401)
