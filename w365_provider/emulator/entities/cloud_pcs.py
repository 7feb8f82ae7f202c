"""``cloudPCs``: the Cloud PCs the provisioning rules (``provisioning.py``) have made; read-only.

Graph reference:
- [resource] https://learn.microsoft.com/en-us/graph/api/resources/cloudpc?view=graph-rest-1.0
- [beta] https://learn.microsoft.com/en-us/graph/api/resources/cloudpc?view=graph-rest-beta
  (``status``, ``servicePlanType`` are beta only; the v1.0 schema has no ``status``)
- [list] https://learn.microsoft.com/en-us/graph/api/virtualendpoint-list-cloudpcs?view=graph-rest-1.0
- [grace] https://learn.microsoft.com/en-us/graph/api/cloudpc-endgraceperiod?view=graph-rest-1.0
"""

from __future__ import annotations

from typing import Any

from ..errors import BadRequest
from ..provisioning import DEPROVISIONING, GRACE, reconcile
from ..routing import Node
from ..schema import EntityType, EnumType, enum_prop, string_prop
from .base import EntitySet, keyed_handler

NOT_IN_GRACE_PERIOD_MSG = "The Cloud PC '{id}' is not in its grace period."

CLOUD_PC_STATUS = EnumType(
    "microsoft.graph.cloudPcStatus",
    ("notProvisioned", "provisioning", "provisioned", "inGracePeriod", "deprovisioning", "failed",
     "provisionedWithWarnings", "resizing", "restoring", "pendingProvision", "unknownFutureValue"),
    ("movingRegion", "resizePendingLicense", "updatingSingleSignOn", "modifyingSingleSignOn", "preparing"),
)  # fmt: skip
PROVISIONING_TYPE = EnumType(
    "microsoft.graph.cloudPcProvisioningType",
    ("dedicated", "shared", "unknownFutureValue"),
    ("sharedByUser", "sharedByEntraGroup", "reserve"),
)
SERVICE_PLAN_TYPE = EnumType("microsoft.graph.cloudPcServicePlanType", ("enterprise", "business", "unknownFutureValue"))

CLOUD_PC = EntityType(
    "microsoft.graph.cloudPC",
    {
        "id": string_prop(read_only=True),
        "aadDeviceId": string_prop(),
        "displayName": string_prop(),
        "gracePeriodEndDateTime": string_prop(),
        "imageDisplayName": string_prop(),
        "lastModifiedDateTime": string_prop(),
        "managedDeviceId": string_prop(),
        "managedDeviceName": string_prop(),
        "onPremisesConnectionName": string_prop(),
        "provisioningPolicyId": string_prop(),
        "provisioningPolicyName": string_prop(),
        "provisioningType": enum_prop(PROVISIONING_TYPE),
        "servicePlanId": string_prop(),
        "servicePlanName": string_prop(),
        "userPrincipalName": string_prop(),
        "servicePlanType": enum_prop(SERVICE_PLAN_TYPE, beta=True),
        "status": enum_prop(CLOUD_PC_STATUS, beta=True),
    },
)


class CloudPCs(EntitySet):
    """List and get (after applying the provisioning rules), and ``endGracePeriod``."""

    name = "cloudPCs"
    entity_type = CLOUD_PC

    def routes(self) -> Node:
        return self.collection(actions={"endGracePeriod": {"POST": keyed_handler(self.end_grace_period)}})

    def list(self) -> list[dict[str, Any]]:
        with self.store.transaction():
            reconcile(self.backend)
            return super().list()

    def get(self, entity_id: str) -> dict[str, Any]:
        with self.store.transaction():
            reconcile(self.backend)
            return super().get(entity_id)

    def materialize(self, entity: dict[str, Any]) -> dict[str, Any]:
        """``provisioningPolicyName`` follows a renamed policy."""
        policy = self.store.get("provisioningPolicies", str(entity.get("provisioningPolicyId") or ""))
        if policy is not None:
            entity["provisioningPolicyName"] = policy.get("displayName")
        return entity

    def end_grace_period(self, pc_id: str, body: Any, version: str) -> None:
        """[grace]: deprovision a Cloud PC in its grace period now (204); 400 otherwise (assumption)."""
        with self.store.transaction():
            reconcile(self.backend)
            pc = self.require(pc_id)
            if pc.get("status") != GRACE:
                raise BadRequest(NOT_IN_GRACE_PERIOD_MSG.format(id=pc["id"]))
            pc.update(status=DEPROVISIONING, _graceEnd=self.backend.clock())
            self.store.update(self.name, pc)
