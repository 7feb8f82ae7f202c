"""Group assignments shared by resources with Graph's ``assign`` action (user settings; the
provisioning policy keeps its own): the body of ``assign``, assignments read with ``$expand``,
and unassign-before-delete.

``assign`` replaces the whole set (https://learn.microsoft.com/graph/api/cloudpcusersetting-assign?view=graph-rest-1.0);
it is sent again after a transient failure, as the same set makes the same result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from w365_provider.errors import GraphError, GraphNotFoundError
from w365_provider.graph.client import GraphRuntime, Locate
from w365_provider.kit import steps
from w365_provider.kit.spec import Spec
from w365_provider.kit.types import Object

__all__ = ["GROUP_TARGET_TYPE", "assign", "from_graph", "remove_assigned", "to_graph"]

GROUP_TARGET_TYPE = "#microsoft.graph.cloudPcManagementGroupAssignmentTarget"


def to_graph(target: Object, assignments: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The body of ``POST .../assign`` for ``assignments``."""
    return {"assignments": [{"target": {"@odata.type": GROUP_TARGET_TYPE, **target.to_graph(a)}} for a in assignments]}


def from_graph(target: Object, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Assignments as Pulumi values from the ``assignments`` Graph returns with ``$expand``."""
    result = []
    for item in items:
        value = target.from_graph(item.get("target") or {})
        if "group_id" not in value and isinstance(item.get("id"), str) and "_" in item["id"]:
            value["group_id"] = item["id"].rsplit("_", 1)[1]  # ids are {objectId}_{groupId}
        if value.get("group_id"):
            result.append(value)
    return result


async def assign(
    rt: GraphRuntime, spec: Spec, at: Locate, object_id: str, name: str, target: Object,
    assignments: Sequence[Mapping[str, Any]],
) -> None:  # fmt: skip
    """``POST .../assign`` (``at`` locates the action): replace the assignments."""
    what = "unassign" if not assignments else f"assign {len(assignments)} group(s) to"
    await rt.send(
        "POST", at, operation=f"{what} {spec.noun} '{name}' ({object_id})",
        body=to_graph(target, assignments), idempotent=True,
    )  # fmt: skip


async def remove_assigned(
    rt: GraphRuntime, spec: Spec, at: Locate, object_id: str, name: str, target: Object, assigned: bool
) -> None:
    """Unassign when assigned, then DELETE (404 is done); a DELETE refused while Graph still
    sees assignments (made out of band since the last refresh) unassigns and tries again."""
    unassigned = False
    if assigned:
        try:
            await assign(rt, spec, at, object_id, name, target, [])
        except GraphNotFoundError:
            return
        unassigned = True

    async def refused(_exc: GraphError) -> bool:
        nonlocal unassigned
        if not unassigned:
            current = await steps.get_confirmed(rt, spec, object_id)
            if current is None:
                return False
            if current.get("assignments"):
                await assign(rt, spec, at, object_id, name, target, [])
            unassigned = True
        return True

    await steps.delete_object(rt, spec, object_id, name, refused=refused)
