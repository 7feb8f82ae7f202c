"""Adoption: take over an object that already exists instead of creating one.

``adopt`` is ``True`` (the one object with the display name, refused when two share it; see
``ownership.Creator.adoptable``) or an object's Graph id: exactly that object, read with one
GET. ``w365 export`` writes every entry with its id, so adoption never depends on names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from w365_provider.errors import GraphConflictError, GraphNotFoundError
from w365_provider.graph.client import GraphRuntime
from w365_provider.kit import steps
from w365_provider.kit.ownership import Creator
from w365_provider.kit.spec import Spec
from w365_provider.kit.types import GUID

__all__ = ["adoptable", "by_id"]


async def adoptable(rt: GraphRuntime, spec: Spec, creator: Creator, desired: Mapping[str, Any]) -> dict[str, Any] | None:
    """The object ``desired["adopt"]`` names (an id), or the one with the display name
    (``True``; ``None`` when there is none, so the object is created)."""
    adopt = desired.get("adopt")
    if isinstance(adopt, str) and GUID.match(adopt):
        return await by_id(rt, spec, creator, adopt.lower(), desired)
    return await creator.adoptable(str(desired[spec.name_property]), desired)


async def by_id(
    rt: GraphRuntime, spec: Spec, creator: Creator, object_id: str, desired: Mapping[str, Any]
) -> dict[str, Any]:
    """GET the object ``object_id``; a clear error when Graph has none, or when a property
    that cannot change on an existing object differs from the code."""
    name = desired.get(spec.name_property)
    operation = f"adopt {spec.noun} '{name}' by id {object_id}"
    found = await steps.get_confirmed(rt, spec, object_id)
    if found is None:
        raise GraphNotFoundError(
            operation, status=404,
            message=f"Graph has no {spec.short} with the id {object_id} (adopt: {object_id}); check the id in "
            f"{spec.admin_center or 'the admin center'}, or use adopt: true to take over the {spec.short} by name",
        )  # fmt: skip
    observed = creator.observe(found)
    for prop_name in spec.replace_on_changes:
        if prop_name in desired and observed.get(prop_name) is not None and observed[prop_name] != desired[prop_name]:
            raise GraphConflictError(
                operation,
                message=f"{prop_name} is {observed[prop_name]!r} in Graph but {desired[prop_name]!r} in the code, "
                f"and it cannot change on an existing {spec.short}; set it to {observed[prop_name]!r} to adopt "
                f"this {spec.short}, or remove adopt to create a new one",
            )
    if object_id in creator.ledger.claimed:
        raise GraphConflictError(operation, message=f"{object_id} is already managed by another resource of this stack")
    creator.ledger.claim(object_id)
    return found
