"""Reading a tenant and turning it into the stack file's sections (``w365 export``).

Graph requests are proportional to the kinds, not the objects: one list call per kind (with
``$expand`` where Graph nests what the kind needs, such as assignments; every page followed),
one of the gallery when policies are read, and one list of groups (``$select=id,displayName``)
for the names of the groups the objects reference. Every request is a GET.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from w365_provider.config.problems import NAMESPACE
from w365_provider.export.kinds import Entry, Kind, LeftOut, entry, slug
from w365_provider.graph.client import GraphRuntime, Locate

__all__ = ["Context", "Reader", "Section", "Tenant", "build", "read"]

GROUPS_QUERY = {"$select": "id,displayName", "$top": "999"}
ASSIGNMENT_KEYS = (("service_plan_id", "servicePlanId"), ("allotment_display_name", "allotmentDisplayName"),
                   ("allotment_licenses_count", "allotmentLicensesCount"))  # fmt: skip
"""An assignment's values besides its group, as the stack file names them."""


class Reader:
    """GET requests through the Graph runtime, counted."""

    def __init__(self, rt: GraphRuntime) -> None:
        self.rt = rt
        self.requests = 0

    async def get(self, at: Locate, *, operation: str, query: Mapping[str, str] | None = None) -> Any:
        """One GET."""
        self.requests += 1
        return await self.rt.send("GET", at, operation=operation, query=dict(query or {}) or None)

    async def list(self, at: Locate, *, operation: str, query: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        """Every item of a collection, following ``@odata.nextLink``."""
        items: list[dict[str, Any]] = []
        page = await self.get(at, operation=operation, query=query)
        while True:
            items += (page or {}).get("value") or []
            link = (page or {}).get("@odata.nextLink")
            if not link:
                return items
            page = await self.get(lambda client, url=link: at(client).with_url(url), operation=operation)  # type: ignore[attr-defined]


@dataclass
class Tenant:
    """What was read: each kind's objects, the gallery and the groups (id -> display name)."""

    objects: dict[str, list[dict[str, Any]]]
    gallery: list[dict[str, Any]] = field(default_factory=list)
    groups: dict[str, str] = field(default_factory=dict)


async def read(reader: Reader, kinds: Sequence[Kind], *, gallery: bool) -> Tenant:
    """Read every object of ``kinds``, the gallery (when asked) and the groups."""
    objects: dict[str, list[dict[str, Any]]] = {}
    for kind in kinds:
        spec = kind.spec
        if kind.singleton:
            body = await reader.get(spec.collection, operation=f"read the {spec.noun}", query=kind.query)
            objects[kind.section] = [body] if body else []
        else:
            query = dict(kind.query or spec.read_query)
            objects[kind.section] = await reader.list(spec.collection, operation=f"list {spec.plural}", query=query)
    tenant = Tenant(objects)
    if gallery:
        tenant.gallery = await reader.list(
            lambda c: c.device_management.virtual_endpoint.gallery_images, operation="list gallery images"
        )
    if any(objects.values()):
        found = await reader.list(lambda c: c.groups, operation="list groups", query=GROUPS_QUERY)
        tenant.groups = {str(g["id"]).lower(): str(g.get("displayName") or "") for g in found if g.get("id")}
    return tenant


@dataclass
class Section:
    """One section of the stack file: entries by key and notes on what was left out."""

    name: str
    entries: dict[str, Entry] = field(default_factory=dict)
    footer: list[str] = field(default_factory=list)
    singleton: bool = False


def _unique_keys(items: Sequence[tuple[str, str]]) -> dict[str, str]:
    """``(id, wanted key)`` pairs -> id -> key; a key wanted twice gets the id's start appended
    for every id after the first (ids in sorted order, so the result is stable)."""
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for object_id, wanted in sorted(items, key=lambda item: (item[1], item[0])):
        key = wanted if wanted not in taken else f"{wanted}-{object_id[:8]}"
        taken.add(key)
        keys[object_id] = key
    return keys


@dataclass
class Context:
    """What entries refer to: group keys, gallery image keys and the exported custom images."""

    tenant: Tenant
    group_keys: dict[str, str] = field(default_factory=dict)
    gallery: dict[str, dict[str, Any]] = field(default_factory=dict)
    images: dict[str, str] = field(default_factory=dict)
    """Exported custom image id -> its key in ``w365:images``."""
    image_names: dict[str, str] = field(default_factory=dict)
    connections: dict[str, str] = field(default_factory=dict)
    """Exported Azure network connection id -> its key in ``w365:networkConnections``."""
    gallery_entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.group_keys = _unique_keys([(i, slug(n or f"group-{i[:8]}")) for i, n in self.tenant.groups.items()])
        self.gallery = {str(g.get("id")).lower(): g for g in self.tenant.gallery}

    def group_key(self, group_id: str) -> str:
        """The ``w365:groups`` key of a group (one not found in Graph gets ``group-<id start>``)."""
        group_id = group_id.lower()
        return self.group_keys.setdefault(group_id, f"group-{group_id[:8]}")

    def group_ref(self, item: Mapping[str, Any]) -> Any:
        """An assignment as the stack file writes it: a group key, or ``{group, servicePlanId}``
        with a Frontline shared allotment's ``allotmentDisplayName`` and ``allotmentLicensesCount``."""
        key = self.group_key(str(item["group_id"]))
        extra = {camel: item[name] for name, camel in ASSIGNMENT_KEYS if item.get(name) is not None}
        return {"group": key, **extra} if extra else key


def build(kinds: Sequence[Kind], ctx: Context) -> dict[str, Section]:
    """The sections for what was read, entries in key order, left-out objects noted."""
    sections: dict[str, Section] = {}
    for kind in kinds:
        section = sections[kind.section] = Section(kind.section, singleton=kind.singleton)
        bodies = ctx.tenant.objects.get(kind.section) or []
        wanted = [(str(b.get("id") or ""), (kind.key or (lambda b, k=kind: slug(k.name(b))))(b)) for b in bodies]
        keys = _unique_keys(wanted)
        for body in sorted(bodies, key=lambda b: keys[str(b.get("id") or "")]):
            key = keys[str(body.get("id") or "")]
            try:
                section.entries[key] = entry(kind, ctx, body, key)
            except LeftOut as exc:
                section.footer.append(left_out_note(kind, body, str(exc)))
    return sections


def left_out_note(kind: Kind, body: Mapping[str, Any], reason: str) -> str:
    """The comment for an object the file leaves out."""
    return f"left out: {kind.spec.noun} '{kind.name(body)}' ({body.get('id')}): {reason}"


def references(sections: Mapping[str, Section]) -> tuple[set[str], set[str]]:
    """The ``w365:images`` and ``w365:groups`` keys the other sections' entries refer to."""
    images: set[str] = set()
    groups: set[str] = set()
    for name, section in sections.items():
        if name in ("images", "groups"):
            continue
        for item in section.entries.values():
            if isinstance(item.value.get("image"), str):
                images.add(item.value["image"])
            for ref in item.value.get("assignments") or []:
                groups.add(ref["group"] if isinstance(ref, Mapping) else ref)
    return images, groups


def section_name(name: str) -> str:
    """``policies`` -> ``w365:policies``."""
    return f"{NAMESPACE}:{name}"
