"""``/users``: the people of the tenant, their licences (``licenseDetails``), read-only.

Users, their group memberships and their licences are set through the control API
(``/_emulator/people``, see ``people.py``); Graph clients only read them.

Graph reference:
- [user] https://learn.microsoft.com/en-us/graph/api/resources/user?view=graph-rest-1.0
  (default properties; ``assignedLicenses``, ``accountEnabled``, ``department`` only with ``$select``)
- [list] https://learn.microsoft.com/en-us/graph/api/user-list?view=graph-rest-1.0 (``$top`` 1–999)
- [get] https://learn.microsoft.com/en-us/graph/api/user-get?view=graph-rest-1.0 (by id or userPrincipalName)
- [licenses] https://learn.microsoft.com/en-us/graph/api/user-list-licensedetails?view=graph-rest-1.0
- [assigned] https://learn.microsoft.com/en-us/graph/api/resources/assignedlicense?view=graph-rest-1.0
- [plans] https://learn.microsoft.com/en-us/graph/api/resources/assignedplan?view=graph-rest-1.0
  (``assignedPlans``: the service plans the user's licences enable, derived when licences change)
"""

from __future__ import annotations

import base64
from typing import Any

from starlette.responses import Response

from .. import people_seed
from ..errors import DirectoryNotFound, GraphError
from ..routing import Call, Node
from ..schema import EntityType, Prop, bool_prop, string_prop
from ..wire import json_response
from .base import EntitySet
from .group_members import graft_member_routes

USER_NOT_FOUND_MSG = "Resource '{id}' does not exist or one of its queried reference-property objects are not present."

ASSIGNED_LICENSE = Prop(
    "collection",
    fields={"skuId": string_prop(), "disabledPlans": Prop("strings")},
    type_name="microsoft.graph.assignedLicense",
    select_only=True,
)

ASSIGNED_PLAN = Prop(
    "collection",
    fields={"assignedDateTime": string_prop(), "capabilityStatus": string_prop(), "service": string_prop(),
            "servicePlanId": string_prop()},
    type_name="microsoft.graph.assignedPlan",
    select_only=True,
)

USER = EntityType(
    "microsoft.graph.user",
    {
        "id": string_prop(read_only=True),
        "displayName": string_prop(),
        "givenName": string_prop(),
        "surname": string_prop(),
        "userPrincipalName": string_prop(),
        "mail": string_prop(),
        "jobTitle": string_prop(),
        "businessPhones": Prop("strings"),
        "mobilePhone": string_prop(),
        "officeLocation": string_prop(),
        "preferredLanguage": string_prop(),
        "accountEnabled": bool_prop(select_only=True),
        "department": string_prop(select_only=True),
        "assignedLicenses": ASSIGNED_LICENSE,
        "assignedPlans": ASSIGNED_PLAN,
    },
)

SERVICE_PLAN_INFO_FIELDS: dict[str, Prop] = {
    "servicePlanId": string_prop(),
    "servicePlanName": string_prop(),
    "provisioningStatus": string_prop(),
    "appliesTo": string_prop(),
}
LICENSE_DETAILS = EntityType(
    "microsoft.graph.licenseDetails",
    {
        "id": string_prop(read_only=True),
        "skuId": string_prop(),
        "skuPartNumber": string_prop(),
        "servicePlans": Prop("collection", fields=SERVICE_PLAN_INFO_FIELDS, type_name="microsoft.graph.servicePlanInfo"),
    },
)


def license_details(user: dict[str, Any]) -> list[dict[str, Any]]:
    """[licenses]: one entry per assigned SKU, its plans ``Success`` or ``Disabled`` (``disabledPlans``)."""
    catalogue = {sku["skuId"].lower(): sku for sku in people_seed.sku_catalogue()}
    out = []
    for assigned in user.get("assignedLicenses") or []:
        sku = catalogue.get(str(assigned.get("skuId", "")).lower())
        if sku is None:
            continue
        disabled = {str(p).lower() for p in assigned.get("disabledPlans") or []}
        token = base64.urlsafe_b64encode(f"{user['id']}:{sku['skuId']}".encode()).decode().rstrip("=")
        out.append(
            {
                "id": token,
                "skuId": sku["skuId"],
                "skuPartNumber": sku["skuPartNumber"],
                "servicePlans": [
                    {
                        "servicePlanId": plan_id,
                        "servicePlanName": plan_name,
                        "provisioningStatus": "Disabled" if plan_id.lower() in disabled else "Success",
                        "appliesTo": "User",
                    }
                    for plan_id, plan_name in sku["servicePlans"]
                ],
            }
        )
    return out


class Users(EntitySet):
    """List and get (by id or userPrincipalName), ``licenseDetails``; also grafts the group member routes."""

    name = "users"
    parent = ()
    entity_type = USER

    def routes(self) -> Node:
        node = self.collection()
        assert node.item is not None
        node.item.children["licenseDetails"] = Node(methods={"GET": self.handle_license_details})
        return node

    def seed(self, *, first: bool) -> None:
        """The seeded people (``people_seed.DEFAULT_PEOPLE``), once per database and after a reset."""
        if first:
            from .. import people

            people.replace(self.backend, people_seed.DEFAULT_PEOPLE)

    def graft(self, root: Node) -> None:
        graft_member_routes(root, self)

    def not_found(self, entity_id: str) -> GraphError:
        return DirectoryNotFound(USER_NOT_FOUND_MSG.format(id=entity_id))

    def require(self, entity_id: str) -> dict[str, Any]:
        """[get]: a user is found by object id or by userPrincipalName (case-insensitive)."""
        found = self.store.get(self.name, entity_id)
        if found is None and "@" in entity_id:
            wanted = entity_id.lower()
            found = next(
                (u for u in self.store.list(self.name) if str(u.get("userPrincipalName", "")).lower() == wanted), None
            )
        if found is None:
            raise self.not_found(entity_id)
        return found

    def handle_license_details(self, call: Call) -> Response:
        user = self.get(call.keys[-1])
        context = f"{call.origin}/{call.version}/$metadata#users('{user['id']}')/licenseDetails"
        items = [
            {k: d[k] for k in ("id", "skuId", "skuPartNumber", "servicePlans")} for d in license_details(user)
        ]
        return json_response(200, {"@odata.context": context, "value": items})
