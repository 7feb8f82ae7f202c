"""``servicePlans`` (Cloud PC sizes) and beta ``frontLineServicePlans`` (Frontline licences and their use).

Both are a read-only catalogue from ``people_seed``, re-written on every start. A Frontline plan's
``totalCount`` is the units bought of its SKU; ``usedCount`` the licences its Cloud PCs hold.

Graph reference:
- [plans] https://learn.microsoft.com/en-us/graph/api/virtualendpoint-list-serviceplans?view=graph-rest-1.0
  ("doesn't support OData query parameters")
- [plan] https://learn.microsoft.com/en-us/graph/api/resources/cloudpcserviceplan?view=graph-rest-beta
  (beta: ``type``, ``userProfileInGB``, ``supportedSolution``, ``provisioningType``)
- [frontline] https://learn.microsoft.com/en-us/graph/api/resources/cloudpcfrontlineserviceplan?view=graph-rest-beta
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from .. import people_seed
from ..provisioning import frontline_allotments, frontline_licenses_in_use, reconcile
from ..routing import Call, Node
from ..schema import EntityType, EnumType, enum_prop, int_prop, string_prop
from ..wire import json_response
from .base import EntitySet

PLAN_TYPE = EnumType("microsoft.graph.cloudPcServicePlanType", ("enterprise", "business", "unknownFutureValue"))
PROVISIONING_TYPE = EnumType(
    "microsoft.graph.cloudPcProvisioningType",
    ("dedicated", "shared", "unknownFutureValue"),
    ("sharedByUser", "sharedByEntraGroup", "reserve"),
)
SOLUTION = EnumType("microsoft.graph.cloudPcManagementService", (), ("windows365", "devBox", "unknownFutureValue"))

SERVICE_PLAN = EntityType(
    "microsoft.graph.cloudPcServicePlan",
    {
        "id": string_prop(read_only=True),
        "displayName": string_prop(),
        "vCpuCount": int_prop(),
        "ramInGB": int_prop(),
        "storageInGB": int_prop(),
        "type": enum_prop(PLAN_TYPE, beta=True),
        "userProfileInGB": int_prop(beta=True),
        "supportedSolution": enum_prop(SOLUTION, beta=True),
        "provisioningType": enum_prop(PROVISIONING_TYPE, beta=True),
    },
)
FRONTLINE_PLAN = EntityType(
    "microsoft.graph.cloudPcFrontLineServicePlan",
    {
        "id": string_prop(read_only=True),
        "displayName": string_prop(),
        "totalCount": int_prop(),
        "usedCount": int_prop(),
        "allotmentLicensesCount": int_prop(),
    },
)


class ServicePlans(EntitySet):
    """[plans]: every Cloud PC size, Enterprise and Frontline; no query options."""

    name = "servicePlans"
    entity_type = SERVICE_PLAN

    def seed(self, *, first: bool) -> None:
        for plan in people_seed.PLANS:
            self.store.upsert(
                self.name,
                {
                    "id": plan.plan_id,
                    "displayName": plan.display_name,
                    "vCpuCount": plan.vcpu,
                    "ramInGB": plan.ram_gb,
                    "storageInGB": plan.storage_gb,
                    "type": "enterprise",
                    "userProfileInGB": 0,
                    "supportedSolution": "windows365",
                    "provisioningType": "sharedByUser" if plan.frontline else "dedicated",
                },
            )

    def routes(self) -> Node:
        node = self.collection()
        node.methods["GET"] = self.handle_all
        return node

    def handle_all(self, call: Call) -> Response:
        self.options(call, frozenset())
        body = {"@odata.context": self.context(call, entity=False), "value": [self.render(call, p) for p in self.list()]}
        return json_response(200, body)


class FrontLineServicePlans(EntitySet):
    """[frontline] (beta only): Frontline plans with ``totalCount`` bought and ``usedCount`` in use."""

    name = "frontLineServicePlans"
    entity_type = FRONTLINE_PLAN

    def seed(self, *, first: bool) -> None:
        for plan in people_seed.FRONTLINE_PLANS:
            self.store.upsert(
                self.name,
                {"id": plan.plan_id, "displayName": plan.display_name, "_skuId": plan.sku_id,
                 "totalCount": 0, "usedCount": 0, "allotmentLicensesCount": 0},
            )  # fmt: skip

    def routes(self) -> Node:
        return self.beta_only_collection()


    def list(self) -> list[dict[str, Any]]:
        with self.store.transaction():
            reconcile(self.backend)
            plans = self.store.list(self.name)
            units = {s["skuId"].lower(): int(s["prepaidUnits"]["enabled"]) for s in self.store.list("subscribedSkus")}
            used = frontline_licenses_in_use(self.store)
            allotted = frontline_allotments(self.store)
        for plan in plans:
            sku = plan["_skuId"].lower()
            plan.update(totalCount=units.get(sku, 0), usedCount=used.get(sku, 0),
                        allotmentLicensesCount=allotted.get(plan["id"].lower(), 0))  # fmt: skip
        return plans

    def get(self, entity_id: str) -> dict[str, Any]:
        for plan in self.list():
            if plan["id"].lower() == entity_id.lower():
                return plan
        raise self.not_found(entity_id)
