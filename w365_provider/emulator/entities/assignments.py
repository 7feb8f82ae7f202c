"""The ``assign`` action shared by provisioning policies and user settings: group targets.

Graph reference:
- https://learn.microsoft.com/en-us/graph/api/cloudpcprovisioningpolicy-assign?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/cloudpcusersetting-assign?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/resources/cloudpcmanagementgroupassignmenttarget?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/resources/cloudpcprovisioningpolicyassignment?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/resources/cloudpcusersettingassignment?view=graph-rest-1.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from ..errors import BadRequest, NotFound
from ..messages import (
    INVALID_JSON_MSG,
    INVALID_VALUE_MSG,
    REQUIRED_PROPERTY_MSG,
    RESOURCE_NOT_FOUND_MSG,
    UNKNOWN_PARAMETER_MSG,
    UNKNOWN_PROPERTY_MSG,
)
from ..routing import Call, Node
from ..schema import EntityType, Prop, check_object, int_prop, string_prop
from ..store import Store

ASSIGNMENT_TARGET_REQUIRED_MSG = "Each assignment needs a target."
ASSIGNMENT_TARGET_TYPE_MSG = "Assignment target type '{value}' is not supported; use microsoft.graph.cloudPcManagementGroupAssignmentTarget."
ASSIGNMENT_DUPLICATE_GROUP_MSG = "The group '{id}' is assigned more than once."
ASSIGNMENT_GROUP_NOT_FOUND_MSG = "The group '{id}' does not exist."

GROUP_TARGET_TYPE = "#microsoft.graph.cloudPcManagementGroupAssignmentTarget"
GROUP_TARGET_FIELDS: dict[str, Prop] = {
    "groupId": string_prop(),
    "servicePlanId": string_prop(),
    "allotmentDisplayName": string_prop(beta=True),
    "allotmentLicensesCount": int_prop(beta=True),
}
TARGET = Prop("object", fields=GROUP_TARGET_FIELDS, type_name="microsoft.graph.cloudPcManagementGroupAssignmentTarget")

POLICY_ASSIGNMENT = EntityType(
    "microsoft.graph.cloudPcProvisioningPolicyAssignment", {"id": string_prop(read_only=True), "target": TARGET}
)
USER_SETTING_ASSIGNMENT = EntityType(
    "microsoft.graph.cloudPcUserSettingAssignment",
    {"id": string_prop(read_only=True), "createdDateTime": string_prop(read_only=True), "target": TARGET},
)


def assignment_item(get_owner: Callable[[str], Any], read: Callable[[Call, dict[str, Any], str], Response]) -> Node:
    """``GET …/{id}/assignments/{assignmentId}``: an unknown owner answers its own 404 first; then
    ``read(call, owner, assignment_id)`` answers (each entity set decides, see its module); other
    methods 405."""

    def not_found(_assignment_id: str) -> NotFound:
        return NotFound(RESOURCE_NOT_FOUND_MSG)

    def handler(call: Call) -> Response:
        return read(call, get_owner(call.keys[-2]), call.keys[-1])

    return Node(methods={"GET": handler}, not_found=not_found)


def find_assignment(assignments: list[dict[str, Any]], assignment_id: str) -> dict[str, Any]:
    """The assignment ``assignment_id`` (``{ownerId}_{groupId}``, any case) or 404 ``ResourceNotFound``."""
    for assignment in assignments:
        if str(assignment.get("id", "")).lower() == assignment_id.lower():
            return assignment
    raise NotFound(RESOURCE_NOT_FOUND_MSG)


def _assignments(body: Any) -> list[Any]:
    """The ``assignments`` parameter of an ``assign`` body; any other parameter is refused."""
    if not isinstance(body, dict):
        raise BadRequest(INVALID_JSON_MSG)
    for key in body:
        if key != "assignments" and not key.startswith("@odata."):
            raise BadRequest(UNKNOWN_PARAMETER_MSG.format(name=key, action="assign"))
    if "assignments" not in body:
        raise BadRequest(REQUIRED_PROPERTY_MSG.format(name="assignments"))
    assignments = body["assignments"]
    if not isinstance(assignments, list):
        raise BadRequest(INVALID_VALUE_MSG.format(value=assignments, type=f"Collection({POLICY_ASSIGNMENT.name})"))
    return assignments


def _target(assignment: Any, version: str) -> dict[str, Any]:
    """One assignment's group target (``@odata.type`` with or without ``#``, any case, or absent)."""
    if not isinstance(assignment, dict):
        raise BadRequest(INVALID_VALUE_MSG.format(value=assignment, type=POLICY_ASSIGNMENT.name))
    for key in assignment:
        if key not in ("id", "target") and not key.startswith("@odata."):
            raise BadRequest(UNKNOWN_PROPERTY_MSG.format(name=key, type=POLICY_ASSIGNMENT.name))
    raw = assignment.get("target")
    if not isinstance(raw, dict):
        raise BadRequest(ASSIGNMENT_TARGET_REQUIRED_MSG)
    odata_type = raw.get("@odata.type")
    if odata_type is not None and (
        not isinstance(odata_type, str) or odata_type.lstrip("#").lower() != GROUP_TARGET_TYPE.lstrip("#").lower()
    ):
        raise BadRequest(ASSIGNMENT_TARGET_TYPE_MSG.format(value=odata_type))
    return check_object(TARGET, raw, version)


def assignment_targets(store: Store, body: Any, version: str) -> list[dict[str, Any]]:
    """Parse an ``assign`` body into group targets; every group must exist, and be listed once."""
    targets: list[dict[str, Any]] = []
    seen: set[str] = set()
    for assignment in _assignments(body):
        target = _target(assignment, version)
        group_id = target.get("groupId")
        if not group_id:
            raise BadRequest(REQUIRED_PROPERTY_MSG.format(name="groupId"))
        group = store.get("groups", group_id)
        if group is None:
            raise BadRequest(ASSIGNMENT_GROUP_NOT_FOUND_MSG.format(id=group_id))
        if group["id"].lower() in seen:
            raise BadRequest(ASSIGNMENT_DUPLICATE_GROUP_MSG.format(id=group_id))
        seen.add(group["id"].lower())
        targets.append(
            {
                "@odata.type": GROUP_TARGET_TYPE,
                "groupId": group["id"],
                "servicePlanId": target.get("servicePlanId"),
                "allotmentDisplayName": target.get("allotmentDisplayName"),
                "allotmentLicensesCount": target.get("allotmentLicensesCount"),
            }
        )
    return targets
