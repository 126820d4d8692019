"""Reading a Volunteering Data Standard feed by what its terms mean.

Any JSON-LD form is accepted: the publishing guide's nested organisations (``graph`` or ``@graph``),
the reference implementation's flat graph whose activities point at their organisation by id,
expanded or flattened JSON-LD, a single object or a list. The document is expanded against the
standard's context (a local copy, see :mod:`brokerage.interop.standard`) and flattened with PyLD;
every node is then read by the IRIs of its properties, never by how a key is spelt. What each node
is (organisation, activity, role, session) comes from its type or, when a publisher leaves the type
out as the guide does, from the property that leads to it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pyld import jsonld

from brokerage.interop.standard import RDF_TYPE, RDFS, SKOS, STANDARD_NS, ContextNotAvailable, document_loader

Node = dict[str, Any]
_SCHEMA = ("http://schema.org/", "https://schema.org/")

# What each part of a node is called, by the local name of its IRI (case does not matter, so the
# reference data's ``applylink`` is the standard's ``applyLink``). Sub-properties are listed with
# the property they refine (``roleTitle`` is a ``title``).
NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "roletitle", "activitytitle", "name", "organisationname", "label", "rolelabel", "activitylabel",
              "organisationlabel", "preflabel"),
    "description": ("description", "roledescription", "activitydescription", "organisationdescription"),
    "activity": ("activity", "organisationactivity"),
    "organisation": ("organisation", "activityorganisation"),
    "role": ("role", "activityrole"),
    "session": ("session", "activitysession"),
    "location": ("location", "sessionlocation", "organisationlocation"),
    "time": ("time", "sessiontime"),
    "place_name": ("name", "locationname", "locationlabel", "label"),
    "address": ("address", "locationaddress"),
    "latitude": ("latitude", "locationlatitude", "lat"),
    "longitude": ("longitude", "locationlongitude", "long", "lon"),
    "postcode": ("postcode", "postalcode"),
    "beginning": ("beginning", "hasbeginning", "start", "startdate"),
    "end": ("end", "hasend", "enddate"),
    "website": ("website", "organisationwebsite", "url"),
    "apply": ("applylink", "roleapplylink", "activityapplylink", "organisationapplylink", "sessionapplylink"),
    "email": ("email",),
    "phone": ("phone", "telephone"),
    "commitment": ("commitment", "rolecommitment"),
    "minimum_age": ("minimumage", "roleminimumage"),
    "maximum_age": ("maximumage", "rolemaximumage"),
    "remote": ("allowsremoteparticipation", "roleallowsremoteparticipation"),
    "emergency": ("requiresemergencyparticipation", "activityrequiresemergencyparticipation"),
    "publish_start": ("publishstartdate", "activitypublishstartdate", "publishstart"),
    "publish_end": ("publishenddate", "activitypublishenddate", "publishend"),
    "charity_number": ("charitynumber", "organisationcharitynumber", "registrationnumber",
                       "charityregistrationregistrationnumber"),
    "charity_registration": ("charityregistration", "organisationcharityregistration"),
    "cause": ("cause", "organisationcause", "rolecause", "activitycause"),
    "skill": ("skill", "roleskill", "activityskill"),
    "requirement": ("requirement", "rolerequirement", "activityrequirement"),
    "reward": ("reward", "rolereward", "activityreward"),
    "accessibility": ("accessibility", "roleaccessibility", "activityaccessibility", "accessbibility"),
}  # fmt: skip


class FeedUnreadable(ValueError):
    pass


def _local(iri: str) -> str | None:
    if iri.startswith(STANDARD_NS):
        return iri[len(STANDARD_NS) :].lower()
    if iri in (RDFS + "label", SKOS + "prefLabel"):
        return "preflabel" if iri.startswith(SKOS) else "label"
    for ns in _SCHEMA:
        if iri.startswith(ns):
            return iri[len(ns) :].lower()
    return None


@dataclass
class Graph:
    """The nodes of a flattened feed, by id, with their properties keyed by local name."""

    nodes: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    types: dict[str, set[str]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)

    def get(self, node_id: str, name: str) -> list[Any]:
        props = self.nodes.get(node_id, {})
        out: list[Any] = []
        for key in NAMES.get(name, (name,)):
            out += props.get(key, [])
        return out

    def text(self, node_id: str, name: str) -> str | None:
        for v in self.get(node_id, name):
            t = value_text(v)
            if t:
                return t
        return None

    def refs(self, node_id: str, name: str) -> list[str]:
        return [v["@id"] for v in self.get(node_id, name) if isinstance(v, dict) and "@id" in v]

    def is_a(self, node_id: str, kind: str) -> bool:
        return kind.lower() in self.types.get(node_id, set())

    def label_of(self, value: Any) -> str | None:
        """A value's label: the text itself, or a referenced node's label."""
        if isinstance(value, dict) and "@id" in value:
            return self.text(value["@id"], "title")
        return value_text(value)


def value_text(value: Any) -> str | None:
    """The text of a value; an IRI for a property the context types as ``@id`` (``website``)."""
    if isinstance(value, dict):
        if "@id" in value and "@value" not in value:
            return None if value["@id"].startswith("_:") else value["@id"]
        if "@value" not in value:
            return None
        value = value["@value"]
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
    text = str(value).strip()
    return text or None


def load(content: bytes) -> Graph:
    """Expand and flatten a feed; raises :class:`FeedUnreadable` with a sentence for a person."""
    try:
        doc = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise FeedUnreadable("This is not a JSON-LD feed: the file is not JSON.") from None
    if not isinstance(doc, (dict, list)):
        raise FeedUnreadable("This is not a JSON-LD feed: it holds a single value, not objects.")
    try:
        flat = jsonld.flatten(doc, None, {"documentLoader": document_loader, "base": "https://id.volunteeringdata.io/"})
    except jsonld.JsonLdError as exc:
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, ContextNotAvailable):
                raise FeedUnreadable(str(cause)) from None
            cause = getattr(cause, "cause", None) or cause.__cause__ or cause.__context__
        raise FeedUnreadable(f"This JSON is not valid JSON-LD ({str(exc.args[0] if exc.args else exc)[:160]}).") from None
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        raise FeedUnreadable(f"This JSON is not valid JSON-LD ({exc.__class__.__name__}).") from None
    items = flat.get("@graph", []) if isinstance(flat, dict) else flat
    graph = Graph()
    for item in items:
        if not isinstance(item, dict) or "@id" not in item:
            continue
        node_id = item["@id"]
        props: dict[str, list[Any]] = {}
        for key, values in item.items():
            if key.startswith("@"):
                continue
            local = _local(key) if key != RDF_TYPE else None
            if local is not None:
                props.setdefault(local, []).extend(values if isinstance(values, list) else [values])
        graph.nodes[node_id] = props
        graph.types[node_id] = {t[len(STANDARD_NS) :].lower() for t in item.get("@type", []) if t.startswith(STANDARD_NS)}
        graph.order.append(node_id)
    return graph


@dataclass
class Shape:
    """What the graph holds: organisations, activities (with their organisation), roles and
    sessions (with their activity), each in the order the feed gives them."""

    organisations: list[str] = field(default_factory=list)
    activities: dict[str, str | None] = field(default_factory=dict)  # activity → organisation id
    roles: dict[str, list[str]] = field(default_factory=dict)  # activity → its roles
    sessions: dict[str, list[str]] = field(default_factory=dict)  # activity or role → its sessions


def _add(mapping: dict[str, list[str]], key: str, value: str) -> None:
    items = mapping.setdefault(key, [])
    if value not in items:  # a node's own list: a handful of items
        items.append(value)


def shape(graph: Graph) -> Shape:
    out = Shape()
    org_ids = [n for n in graph.order if graph.is_a(n, "Organisation")]
    typed_orgs = set(org_ids)
    role_like = {n for n in graph.order if graph.is_a(n, "Role") or graph.is_a(n, "Session")}
    # an untyped node that holds activities is an organisation (the guide leaves types out)
    led_to = {r for n in graph.order for r in graph.refs(n, "activity")}
    org_ids += [
        n
        for n in graph.order
        if n not in typed_orgs and n not in role_like and graph.refs(n, "activity") and not graph.is_a(n, "Activity")
        and n not in led_to
    ]  # fmt: skip
    org_set = set(org_ids)
    for org in org_ids:
        for act in graph.refs(org, "activity"):
            out.activities.setdefault(act, org)
    for n in graph.order:
        if n in org_set or n in role_like:
            continue
        if graph.is_a(n, "Activity") or graph.refs(n, "organisation") or graph.refs(n, "role") or graph.refs(n, "session"):
            parent = next(iter(graph.refs(n, "organisation")), None)
            if out.activities.get(n) is None:
                out.activities[n] = parent
    for act in list(out.activities):
        for role in graph.refs(act, "role"):
            _add(out.roles, act, role)
        for sess in graph.refs(act, "session"):
            _add(out.sessions, act, sess)
    for roles in list(out.roles.values()):
        for role in roles:
            for sess in graph.refs(role, "session"):
                _add(out.sessions, role, sess)
    roles_of_activities = {role for roles in out.roles.values() for role in roles}
    for n in graph.order:
        if n in out.activities:
            continue
        for act in graph.refs(n, "activity"):
            if act in out.activities and graph.is_a(n, "Role"):
                _add(out.roles, act, n)
                roles_of_activities.add(n)
            elif act in out.activities and graph.is_a(n, "Session"):
                _add(out.sessions, act, n)
        if graph.is_a(n, "Role") or n in roles_of_activities:
            for sess in graph.refs(n, "session"):
                _add(out.sessions, n, sess)
    out.organisations = list(dict.fromkeys(org_ids + [o for o in out.activities.values() if o is not None and o in graph.nodes]))
    return out


def as_bool(text: str | None) -> bool | None:
    if text is None:
        return None
    value = text.strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no", ""):
        return False
    return None
