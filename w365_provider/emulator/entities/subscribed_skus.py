"""``/subscribedSkus``: what the tenant has bought, and how many units are in use.

The units bought come from the people document's ``subscriptions`` (control API); the SKUs and
their service plans from the catalogue in ``people_seed``. Read-only for Graph clients.

Graph reference:
- [sku] https://learn.microsoft.com/en-us/graph/api/resources/subscribedsku?view=graph-rest-1.0
- [list] https://learn.microsoft.com/en-us/graph/api/subscribedsku-list?view=graph-rest-1.0
  (supports ``$select``; no paging)
- [frontline] https://learn.microsoft.com/en-us/graph/api/resources/cloudpcfrontlineserviceplan?view=graph-rest-beta
  (a Frontline licence is not assigned to a user: its units are consumed by Cloud PCs)
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from .. import people_seed
from ..provisioning import frontline_licenses_in_use, reconcile
from ..routing import Call, Node
from ..schema import EntityType, Prop, int_prop, string_prop
from ..wire import json_response
from .base import EntitySet
from .users import SERVICE_PLAN_INFO_FIELDS

SKU = EntityType(
    "microsoft.graph.subscribedSku",
    {
        "id": string_prop(read_only=True),
        "accountId": string_prop(),
        "accountName": string_prop(),
        "appliesTo": string_prop(),
        "capabilityStatus": string_prop(),
        "consumedUnits": int_prop(),
        "prepaidUnits": Prop(
            "object",
            fields={"enabled": int_prop(), "suspended": int_prop(), "warning": int_prop(), "lockedOut": int_prop()},
            type_name="microsoft.graph.licenseUnitsDetail",
        ),
        "servicePlans": Prop("collection", fields=SERVICE_PLAN_INFO_FIELDS, type_name="microsoft.graph.servicePlanInfo"),
        "skuId": string_prop(),
        "skuPartNumber": string_prop(),
        "subscriptionIds": Prop("strings"),
    },
)


def sku_entity(sku: dict[str, Any], units: int) -> dict[str, Any]:
    """The stored form of one bought SKU (``consumedUnits`` is computed when read)."""
    return {
        "id": f"{people_seed.TENANT_ID}_{sku['skuId']}",
        "accountId": people_seed.TENANT_ID,
        "accountName": "Contoso",
        "appliesTo": "User",
        "capabilityStatus": "Enabled",
        "consumedUnits": 0,
        "prepaidUnits": {"enabled": units, "suspended": 0, "warning": 0, "lockedOut": 0},
        "servicePlans": [
            {"servicePlanId": pid, "servicePlanName": name, "provisioningStatus": "Success", "appliesTo": "User"}
            for pid, name in sku["servicePlans"]
        ],
        "skuId": sku["skuId"],
        "skuPartNumber": sku["skuPartNumber"],
        "subscriptionIds": [f"{sku['skuId'][:8]}-5ub5-4000-8000-000000000001"],
    }


class SubscribedSkus(EntitySet):
    """List (``$select`` only) and get; ``consumedUnits``: users holding it, or Frontline licences in use."""

    name = "subscribedSkus"
    parent = ()
    entity_type = SKU

    def routes(self) -> Node:
        node = self.collection()
        node.methods["GET"] = self.handle_all
        return node

    def list(self) -> list[dict[str, Any]]:
        with self.store.transaction():
            reconcile(self.backend)
            skus = self.store.list(self.name)
            held: dict[str, int] = {}
            for user in self.store.list("users"):
                for lic in user.get("assignedLicenses") or []:
                    key = str(lic.get("skuId", "")).lower()
                    held[key] = held.get(key, 0) + 1
            frontline = frontline_licenses_in_use(self.store)
        for sku in skus:
            key = sku["skuId"].lower()
            sku["consumedUnits"] = held.get(key, 0) + frontline.get(key, 0)
        return skus

    def get(self, entity_id: str) -> dict[str, Any]:
        wanted = entity_id.lower()
        for sku in self.list():
            if sku["id"].lower() == wanted:
                return sku
        raise self.not_found(entity_id)

    def handle_all(self, call: Call) -> Response:
        """[list]: every SKU in one response (the list is not paged), ``$select`` honoured."""
        opts = self.options(call, frozenset({"$select"}))
        body = {
            "@odata.context": self.context(call, entity=False, select=opts.select),
            "value": [self.render(call, sku, opts) for sku in self.list()],
        }
        return json_response(200, body)
