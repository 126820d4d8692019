"""Every link to a page of the service, built in one place.

Emails, the data standard feed and the pages all take their addresses from here, so a link always
opens the HTML page for the thing it is about, for the person it is sent to:

* a role, to a volunteer or the public: ``/opportunities/{id}``;
* a role, to the organisation that posted it (to refresh or reopen it): ``/manage/roles/{id}``;
* a referral, to the organisation: ``/manage/referrals/{id}``; to the volunteer centre:
  ``/centre/referrals/{id}``;
* an invitation, to the invited volunteer: ``/my/invitations/{id}``; to one with no account, a signed
  link that works without signing in: ``/invited/{token}``;
* hours waiting for approval: ``/manage/hours``; a volunteer's profile: ``/my/profile``;
* signing in: ``/sign-in?next=…``, where ``next`` is only ever a path on this site (``local_path``).

A page that needs a signed-in user sends a signed-out visitor to sign in with ``next`` set to the
page, and signing in goes straight back there.

Absolute addresses start with ``base_url()``: ``BROKERAGE_BASE_URL`` when it is set, else the address
``brokerage serve`` listens on (it sets the variable from ``--host``/``--port``).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from brokerage.config import get_settings

# -- paths ------------------------------------------------------------------------------------------------
SIGN_IN = "/sign-in"
PROFILE = "/my/profile"
HOURS_TO_APPROVE = "/manage/hours"
MY_HOURS = "/my/hours"
MY_INTEREST = "/my/interest"
MY_MILESTONES = "/my/milestones"
MY_INVITATIONS = "/my/invitations"
CENTRE_REFERRALS = "/centre/referrals"
CENTRE_HOME = "/centre"
CENTRE_VOLUNTEERS = "/centre/volunteers"
CENTRE_QUIET = "/centre/volunteers/quiet"
CENTRE_INVITATIONS = "/centre/invitations"
ORGANISATION_REFERRALS = "/manage/referrals"
PILOT_DASHBOARD = "/pilot"
RATES_ADMIN = "/admin/rates"
SAFEGUARDING_CASES = "/centre/safeguarding"
CENTRE_GUIDANCE = "/centre/guidance"
ORGANISATION_SUPPORT = "/manage/support"
MY_EMERGENCY = "/my/emergency"
CENTRE_CALLOUTS = "/centre/callouts"
NEW_CALLOUT = "/centre/callouts/new"


def centre_resource_page(resource_id: int) -> str:
    """A guidance resource as its centre's staff edit it."""
    return f"/centre/guidance/resources/{int(resource_id)}"


def centre_training_page(event_id: int) -> str:
    """A training event as its centre's staff edit it, with who is booked."""
    return f"/centre/guidance/training/{int(event_id)}"


def support_resource_page(resource_id: int) -> str:
    """A guidance resource as an organisation reads it."""
    return f"/manage/support/resources/{int(resource_id)}"


def support_training_page(event_id: int) -> str:
    """A training event as an organisation sees it, with its place and the button to book."""
    return f"/manage/support/training/{int(event_id)}"


def role_page(role_id: int) -> str:
    """A role as volunteers and the public see it (with the button to say they are interested)."""
    return f"/opportunities/{int(role_id)}"


def role_interest_page(role_id: int) -> str:
    return f"/opportunities/{int(role_id)}/interest"


def role_admin_page(role_id: int) -> str:
    """A role as its organisation and the volunteer centre see it: status, closing date, referrals."""
    return f"/manage/roles/{int(role_id)}"


def role_edit_page(role_id: int) -> str:
    return f"/manage/roles/{int(role_id)}/edit"


def organisation_referral_page(referral_id: int) -> str:
    """A referral as the organisation sees it (contact details shared, moving it on)."""
    return f"/manage/referrals/{int(referral_id)}"


def centre_referral_page(referral_id: int) -> str:
    """A referral as volunteer centre staff see it (waiting time, history, moving it on)."""
    return f"/centre/referrals/{int(referral_id)}"


def safeguarding_case_page(concern_id: int) -> str:
    """A safeguarding lead's case page."""
    return f"/centre/safeguarding/{concern_id}"


def callout_page(callout_id: int) -> str:
    """A call-out's live page, for centre staff and pilot leads."""
    return f"{CENTRE_CALLOUTS}/{int(callout_id)}"


def raise_concern_page(*, volunteer_id: int | None = None, role_id: int | None = None) -> str:
    if volunteer_id is not None:
        return f"/concerns/new?volunteer_id={volunteer_id}"
    return f"/concerns/new?role_id={role_id}"


def volunteer_referral_page(referral_id: int) -> str:
    """A referral as the volunteer sees it (where it has got to, the conversation)."""
    return f"{MY_INTEREST}/{int(referral_id)}"


def invitation_page(invitation_id: int) -> str:
    """An invitation to a role, as the invited volunteer sees it (and answers it)."""
    return f"{MY_INVITATIONS}/{int(invitation_id)}"


def invitation_link_page(token: str) -> str:
    """An invitation, opened from its email by a volunteer with no account: a signed, expiring link
    (brokerage/invitations/service.py) to answer it and to set up an account."""
    return f"/invited/{quote(token)}"


def invitation_link_account_page(token: str) -> str:
    return f"{invitation_link_page(token)}/account"


def referral_page_for(side: str, referral_id: int) -> str:
    """The referral's page for one side of it: the volunteer, the organisation or the centre."""
    if side == "volunteer":
        return volunteer_referral_page(referral_id)
    if side == "centre":
        return centre_referral_page(referral_id)
    return organisation_referral_page(referral_id)


def organisation_page(organisation_id: int) -> str:
    return f"/manage/organisations/{int(organisation_id)}"


def rates_admin_page(method: str | None = None) -> str:
    """Where a pilot lead adds a valuation rate (``method``: the valuation method it is for)."""
    return f"{RATES_ADMIN}?{urlencode({'method': method})}" if method else RATES_ADMIN


def certificate_page(code: str) -> str:
    """Where anyone checks that a certificate of volunteering is genuine (no sign-in)."""
    return f"/certificates/{quote(code)}"


def certificate_file(code: str) -> str:
    """A volunteer's own certificate as a PDF."""
    return f"/my/certificates/{quote(code)}.pdf"


def satisfaction_page(placement_id: int) -> str:
    """The one question asked four weeks into a placement."""
    return f"/my/placements/{int(placement_id)}/satisfaction"


def volunteer_leaving_page(placement_id: int) -> str:
    return f"/my/placements/{int(placement_id)}/leaving"


def organisation_leaving_page(placement_id: int) -> str:
    return f"/manage/placements/{int(placement_id)}/leaving"


def reset_password_page(token: str) -> str:
    return f"/reset-password?token={quote(token)}"


def email_change_confirm_page(token: str) -> str:
    return f"/account/email/confirm?token={quote(token)}"


def unsubscribe_page(token: str) -> str:
    return f"/unsubscribe?token={quote(token)}"


def local_path(url: str | None) -> str | None:
    """``url`` if it is a path on this site (``/…``, not ``//host``, no backslash, no control
    characters or spaces a browser would strip), else None."""
    if not url or not url.startswith("/") or url.startswith("//") or len(url) > 2000:
        return None
    if "\\" in url or any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        return None
    return url


def sign_in_page(next_path: str | None = None) -> str:
    """The sign-in page; afterwards the person goes on to ``next_path`` (a local path)."""
    target = local_path(next_path)
    return f"{SIGN_IN}?{urlencode({'next': target})}" if target else SIGN_IN


# -- absolute addresses -----------------------------------------------------------------------------------
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def base_url() -> str:
    return (get_settings().base_url or DEFAULT_BASE_URL).rstrip("/")


def absolute(path: str) -> str:
    """``path`` (from this module) as a full address, for emails and the feed."""
    return base_url() + path


def serve_base_url(host: str, port: int) -> str:
    """The address ``brokerage serve --host --port`` is reached at (a wildcard host means this machine)."""
    shown = "127.0.0.1" if host in ("", "0.0.0.0") else ("[::1]" if host == "::" else host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{int(port)}"
