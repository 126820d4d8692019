"""What each import needs (its fields), the TeamKinetic column presets, and the column-mapping
step for any other CSV or XLSX file (a suggested mapping the user confirms or corrects)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from brokerage.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()


VOLUNTEER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("source_id", "Their id for the volunteer", False, ("volid", "volunteer id", "id", "ref", "reference", "member id")),
    FieldSpec("first_name", "First name", True, ("firstname", "forename", "given name", "first")),
    FieldSpec("last_name", "Surname", True, ("surname", "lastname", "family name", "last")),
    FieldSpec("date_of_birth", "Date of birth", False, ("dob", "birth date", "birthday", "date of birth")),
    FieldSpec("email", "Email", False, ("email address", "e-mail", "mail")),
    FieldSpec("phone", "Phone", False, ("telephone", "mobile", "phone number", "tel", "contact number")),
    FieldSpec("postcode", "Postcode", False, ("post code", "postal code", "zip")),
    FieldSpec("registered_on", "Date registered", False, ("dateregistered", "registered", "joined", "date joined", "start date")),
    FieldSpec("gender", "Gender", False, ("sex",)),
    FieldSpec("ethnicity", "Ethnicity", False, ("ethnic group", "ethnic origin")),
    FieldSpec("disability", "Disability", False, ("disabled", "has a disability")),
    FieldSpec("dbs_check", "Criminal record (DBS) check", False, ("criminalcheck", "dbs", "dbs check", "criminal record check")),
    FieldSpec("dbs_enhanced", "Enhanced DBS check", False, ("criminalcheckenhanced", "enhanced dbs", "enhanced")),
    FieldSpec("dbs_expires", "DBS check renewal date", False, ("checkexpires", "dbs expiry", "dbs expires")),
    FieldSpec("contact_consent", "Agrees to emails", False, ("sendemails", "consent", "email consent", "marketing")),
    FieldSpec("status", "Status", False, ("active", "volunteer status")),
    FieldSpec("hours_total_logged", "Total hours the volunteer logged", False, ("totalvolhours", "total hours", "hours total")),
    FieldSpec(
        "hours_total_confirmed", "Total hours the organisations confirmed", False, ("totalprohours", "confirmed hours total")
    ),
)

SESSION_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("volunteer_ref", "Their id for the volunteer", False, ("volid", "volunteer id", "member id", "ref")),
    FieldSpec("opportunity_ref", "Their id for the opportunity", False, ("placementid", "opportunity id", "role id")),
    FieldSpec("volunteer_email", "Volunteer's email", False, ("email", "volunteer email", "email address")),
    FieldSpec("organisation", "Organisation", True, ("providername", "provider", "organisation name", "organization", "charity")),
    FieldSpec("opportunity", "Role or opportunity", True, ("name", "opportunity", "role", "role title", "opportunity name")),
    FieldSpec("event", "Activity or event", False, ("eventname", "event", "activity", "project")),
    FieldSpec("postcode", "Postcode of the role", False, ("postalcode", "postcode", "post code", "venue postcode")),
    FieldSpec("opportunity_type", "Type (one-off or regular)", False, ("opptype", "type", "opportunity type")),
    FieldSpec("starts_on", "Role start date", False, ("startdate", "start date")),
    FieldSpec("ends_on", "Role end date", False, ("enddate", "end date")),
    FieldSpec("status", "Status", False, ("status",)),
    FieldSpec("session_date", "Date of the session", True, ("sessiondate", "date", "session date", "date worked")),
    FieldSpec("start_time", "Start time", False, ("sessionstarttime", "start time", "time")),
    FieldSpec("session_hours", "Planned hours", False, ("sessionhours", "planned hours", "session length")),
    FieldSpec("hours_logged", "Hours logged by the volunteer", False, ("hourslogged", "hours", "hours worked")),
    FieldSpec(
        "hours_confirmed",
        "Hours confirmed by the organisation",
        False,
        ("hoursloggedprovider", "approved hours", "confirmed hours"),
    ),
    FieldSpec("attended", "Attended", False, ("attended", "attendance")),
    FieldSpec("checked", "Checked by the organisation", False, ("providerchecked", "approved", "checked", "verified")),
)

ROLE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "source_id", "Their id for the role", False, ("placementid", "opportunity id", "role id", "id", "ref", "reference")
    ),
    FieldSpec(
        "title", "Role title", True, ("name", "role", "role title", "opportunity", "opportunity name", "job title", "title")
    ),
    FieldSpec(
        "organisation", "Organisation", False, ("providername", "provider", "organisation name", "organization", "charity")
    ),
    FieldSpec("description", "Description", False, ("description", "details", "about the role", "what you will do")),
    FieldSpec("postcode", "Postcode", False, ("postalcode", "post code", "venue postcode", "location postcode")),
    FieldSpec("location_name", "Where (place name)", False, ("location", "venue", "place", "site")),
    FieldSpec("city", "Town", False, ("city", "town")),
    FieldSpec("location_type", "Kind of place", False, ("locationtype", "location type", "remote", "where")),
    FieldSpec("opportunity_type", "Type (one-off or regular)", False, ("opptype", "type", "opportunity type", "frequency")),
    FieldSpec("starts_on", "First day", False, ("startdate", "start date", "from")),
    FieldSpec("ends_on", "Last day", False, ("enddate", "end date", "closing date", "until")),
    FieldSpec("link", "Web page", False, ("weblink", "url", "link", "apply link", "website")),
    FieldSpec("tags", "Tags", False, ("tags", "keywords", "categories")),
    FieldSpec("places", "Places", False, ("places", "volunteers needed", "vacancies", "number of places")),
    FieldSpec("authorised", "Approved to publish", False, ("authorised", "authorized", "approved", "published", "live")),
)

ORGANISATION_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("source_id", "Their id for the organisation", False, ("providerid", "organisation id", "id", "ref")),
    FieldSpec("name", "Name", True, ("providername", "organisation", "organisation name", "organization", "name", "charity")),
    FieldSpec("contact_name", "Contact name", False, ("providercontact", "contact", "contact name")),
    FieldSpec("email", "Email", False, ("provideremail", "email", "contact email", "email address")),
    FieldSpec("phone", "Phone", False, ("providerphone", "phone", "telephone", "contact number")),
    FieldSpec("address", "Address", False, ("provideraddress", "address", "street")),
    FieldSpec("postcode", "Postcode", False, ("providerpostcode", "postcode", "post code", "postal code")),
    FieldSpec("city", "Town", False, ("providercity", "city", "town")),
    FieldSpec("website", "Website", False, ("url", "website", "web site", "web")),
    FieldSpec("charity_number", "Charity number", False, ("charity number", "registered charity number", "charity no")),
    FieldSpec("removed", "Removed", False, ("removed", "deleted", "archived")),
)

FIELDS = {"volunteers": VOLUNTEER_FIELDS, "sessions": SESSION_FIELDS, "roles": ROLE_FIELDS, "organisations": ORGANISATION_FIELDS}

TEAMKINETIC: dict[str, dict[str, str | tuple[str, ...]]] = {
    "volunteers": {
        "source_id": "VOLID",
        "first_name": "FIRSTNAME",
        "last_name": "SURNAME",
        "date_of_birth": "DOB",
        "gender": "GENDER",
        "ethnicity": "ETHNICITY",
        "postcode": "POSTCODE",
        "email": "EMAIL",
        "registered_on": "DATEREGISTERED",
        "dbs_check": "CRIMINALCHECK",
        "dbs_enhanced": "CRIMINALCHECKENHANCED",
        "dbs_expires": "CHECKEXPIRES",
        "disability": "DISABLED",
        "contact_consent": "SENDEMAILS",
        "status": "STATUS",
        "phone": ("MOBILE", "PHONE", "TELEPHONE", "MOBILENUMBER", "LANDLINE"),
        "hours_total_logged": "TOTALVOLHOURS",
        "hours_total_confirmed": "TOTALPROHOURS",
    },
    "sessions": {
        "opportunity": "NAME",
        "postcode": "POSTALCODE",
        "opportunity_type": "OPPTYPE",
        "organisation": "PROVIDERNAME",
        "event": "EVENTNAME",
        "starts_on": "STARTDATE",
        "ends_on": "ENDDATE",
        "status": "STATUS",
        "volunteer_ref": "VOLID",
        "opportunity_ref": "PLACEMENTID",
        "session_date": "SESSIONDATE",
        "start_time": "SESSIONSTARTTIME",
        "session_hours": "SESSIONHOURS",
        "hours_logged": "HOURSLOGGED",
        "hours_confirmed": "HOURSLOGGEDPROVIDER",
        "attended": "ATTENDED",
        "checked": "PROVIDERCHECKED",
    },
}
TEAMKINETIC["roles"] = {
    "source_id": "PLACEMENTID",
    "title": "NAME",
    "description": "DESCRIPTION",
    "tags": "TAGS",
    "location_type": "LOCATIONTYPE",
    "location_name": "LOCATION",
    "city": "CITY",
    "postcode": "POSTALCODE",
    "opportunity_type": "OPPTYPE",
    "link": "WEBLINK",
    "starts_on": "STARTDATE",
    "ends_on": "ENDDATE",
    "authorised": "AUTHORISED",
    "organisation": "PROVIDERNAME",
}
TEAMKINETIC["organisations"] = {
    "source_id": "PROVIDERID",
    "name": "PROVIDERNAME",
    "phone": "PROVIDERPHONE",
    "contact_name": "PROVIDERCONTACT",
    "email": "PROVIDEREMAIL",
    "address": "PROVIDERADDRESS",
    "postcode": "PROVIDERPOSTCODE",
    "city": "PROVIDERCITY",
    "website": "URL",
    "removed": "REMOVED",
}
TEAMKINETIC_REQUIRED = {
    "roles": ("PLACEMENTID", "NAME"),
    "organisations": ("PROVIDERID", "PROVIDERNAME"),
    "volunteers": ("VOLID", "FIRSTNAME", "SURNAME"),
    "sessions": ("NAME", "PROVIDERNAME", "VOLID", "SESSIONDATE"),
}


def expected_names(kind: str) -> list[tuple[str, ...]]:
    """Per field, the names its column may have (the reader uses them to find the header and the sheet)."""
    presets = TEAMKINETIC.get(kind, {})
    out = []
    for spec in FIELDS[kind]:
        preset = presets.get(spec.name, ())
        names = (preset,) if isinstance(preset, str) else tuple(preset)
        out.append((spec.name.replace("_", " "), spec.label, *spec.aliases, *names))
    return out


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def teamkinetic_mapping(kind: str, columns: list[str]) -> tuple[dict[str, str], list[str]]:
    """The preset mapping for the columns present, and the required TeamKinetic columns missing."""
    by_upper = {c.strip().upper(): c for c in columns if c}
    missing = [c for c in TEAMKINETIC_REQUIRED[kind] if c not in by_upper]
    mapping: dict[str, str] = {}
    for field, column in TEAMKINETIC[kind].items():
        for candidate in (column,) if isinstance(column, str) else column:
            if candidate in by_upper:
                mapping[field] = by_upper[candidate]
                break
    return mapping, missing


def suggest_mapping(kind: str, columns: list[str]) -> dict[str, str]:
    """Our best guess for each field from the column names (the user confirms or corrects it)."""
    named = [c for c in columns if c]
    suggestion: dict[str, str] = {}
    used: set[str] = set()
    for spec in FIELDS[kind]:
        best, best_score = None, 0.0
        for column in named:
            if column in used:
                continue
            names = (spec.name.replace("_", " "), spec.label, *spec.aliases)
            score = max(fuzz.ratio(_norm(column), _norm(n)) for n in names)
            if score > best_score:
                best, best_score = column, score
        if best is not None and best_score >= 85:
            suggestion[spec.name] = best
            used.add(best)
    return suggestion


def check_mapping(kind: str, columns: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """Refuse a mapping that names unknown fields or columns, or leaves a required field unmapped."""
    specs = {s.name: s for s in FIELDS[kind]}
    problems = []
    clean: dict[str, str] = {}
    for field, column in (mapping or {}).items():
        if field not in specs:
            problems.append(
                {
                    "field": f"mapping.{field}",
                    "message": f"“{field}” is not a field of this import; use one of: {', '.join(specs)}.",
                }
            )
            continue
        if not column:
            continue
        if column not in columns:
            problems.append({"field": f"mapping.{field}", "message": f"The file has no column called “{column}”."})
            continue
        clean[field] = column
    for spec in specs.values():
        if spec.required and spec.name not in clean:
            problems.append({"field": f"mapping.{spec.name}", "message": f"Choose the column that holds “{spec.label}”."})
    if kind == "sessions" and "volunteer_ref" not in clean and "volunteer_email" not in clean:
        problems.append(
            {
                "field": "mapping.volunteer_ref",
                "message": "Choose the column that identifies the volunteer (their id or their email).",
            }
        )
    if problems:
        raise InvalidInput(problems[0]["message"], details=problems)
    return clean


def fields_for(kind: str) -> list[dict[str, object]]:
    return [{"name": s.name, "label": s.label, "required": s.required} for s in FIELDS[kind]]
