"""``onPremisesConnections``: Azure network connections (seeded, creatable, health-checked).

Graph reference:
- https://learn.microsoft.com/en-us/graph/api/resources/cloudpconpremisesconnection?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/virtualendpoint-post-onpremisesconnections?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/cloudpconpremisesconnection-update?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/cloudpconpremisesconnection-delete?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/cloudpconpremisesconnection-runhealthcheck?view=graph-rest-1.0
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from .. import seed
from ..errors import BadRequest
from ..routing import Call, Node
from ..schema import EntityType, EnumType, Prop, bool_prop, enum_prop, now_iso, require, string_prop, writable_properties
from ..wire import no_content
from .base import EntitySet

CONNECTION_IN_USE_MSG = "The on-premises connection '{id}' is in use by a provisioning policy and can't be deleted."
HYBRID_CONNECTION_DOMAIN_MSG = "A hybridAzureADJoin connection requires {name}."

CONNECTION_TYPE = EnumType(
    "microsoft.graph.cloudPcOnPremisesConnectionType", ("hybridAzureADJoin", "azureADJoin", "unknownFutureValue")
)
CONNECTION_STATUS = EnumType(
    "microsoft.graph.cloudPcOnPremisesConnectionStatus",
    ("pending", "running", "passed", "failed", "warning", "informational", "unknownFutureValue"),
)

CONNECTION = EntityType(
    "microsoft.graph.cloudPcOnPremisesConnection",
    {
        "id": string_prop(read_only=True),
        "displayName": string_prop(nullable=False),
        "connectionType": enum_prop(CONNECTION_TYPE),
        "subscriptionId": string_prop(nullable=False),
        "subscriptionName": string_prop(read_only=True),
        "resourceGroupId": string_prop(nullable=False),
        "virtualNetworkId": string_prop(nullable=False),
        "virtualNetworkLocation": string_prop(read_only=True),
        "subnetId": string_prop(nullable=False),
        "adDomainName": string_prop(),
        "adDomainUsername": string_prop(),
        "adDomainPassword": string_prop(write_only=True),
        "organizationalUnit": string_prop(),
        "healthCheckStatus": enum_prop(CONNECTION_STATUS, read_only=True),
        "healthCheckStatusDetail": Prop("object", read_only=True, select_only=True),
        "healthCheckPaused": bool_prop(read_only=True),
        "inUse": bool_prop(read_only=True, select_only=True),
        "inUseByCloudPc": bool_prop(read_only=True),
        "alternateResourceUrl": string_prop(read_only=True),
        "scopeIds": Prop("strings"),
    },
)


def check_connection(connection: Mapping[str, Any]) -> None:
    """A hybrid join connection needs the domain, the join account and its password."""
    if connection.get("connectionType") == "hybridAzureADJoin":
        for name in ("adDomainName", "adDomainUsername", "adDomainPassword"):
            if not connection.get(name):
                raise BadRequest(HYBRID_CONNECTION_DOMAIN_MSG.format(name=name))


class OnPremisesConnections(EntitySet):
    """CRUD plus ``runHealthChecks``; a connection used by a policy can't be deleted."""

    name = "onPremisesConnections"
    entity_type = CONNECTION

    def seed(self, *, first: bool) -> None:
        if first:
            for connection in seed.ON_PREMISES_CONNECTIONS:
                self.store.upsert(self.name, dict(connection))

    def routes(self) -> Node:
        return self.collection(
            create=self.create,
            update=self.update,
            delete=self.delete,
            actions={"runHealthChecks": {"POST": self.handle_run_health_checks}},
        )

    def materialize(self, entity: dict[str, Any]) -> dict[str, Any]:
        """A running health check passes once its time has come; ``inUse`` is computed."""
        now = self.backend.clock()
        if entity.get("healthCheckStatus") in ("pending", "running") and now >= entity.get("_settleAt", 0):
            entity["healthCheckStatus"] = "passed"
            entity["healthCheckStatusDetail"] = {
                "startDateTime": now_iso(entity.get("_checkStartedAt", now)),
                "endDateTime": now_iso(entity.get("_settleAt", now)),
                "healthChecks": [],
            }
        entity["inUse"] = self.in_use(entity["id"])
        return entity

    def in_use(self, connection_id: str) -> bool:
        """Whether a provisioning policy's domain join configuration names this connection."""
        wanted = connection_id.lower()
        for policy in self.store.list("provisioningPolicies"):
            for config in policy.get("domainJoinConfigurations") or []:
                if (config.get("onPremisesConnectionId") or "").lower() == wanted:
                    return True
        return False

    def create(self, body: Any, version: str) -> dict[str, Any]:
        data = writable_properties(CONNECTION, body, version)
        require(data, ("displayName", "subscriptionId", "resourceGroupId", "virtualNetworkId", "subnetId"))
        now = self.backend.clock()
        connection: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "connectionType": "hybridAzureADJoin",
            "subscriptionName": "Emulated subscription",
            "virtualNetworkLocation": None,
            "adDomainName": None,
            "adDomainUsername": None,
            "organizationalUnit": None,
            "healthCheckStatus": "pending",
            "healthCheckStatusDetail": None,
            "healthCheckPaused": False,
            "inUseByCloudPc": False,
            "alternateResourceUrl": None,
            "scopeIds": ["0"],
            **data,
            "_checkStartedAt": now,
            "_settleAt": now + self.backend.image_ready_seconds,
        }
        check_connection(connection)
        with self.store.transaction():
            return self.materialize(self.store.insert(self.name, connection))

    def update(self, connection_id: str, body: Any, version: str) -> None:
        data = writable_properties(CONNECTION, body, version)
        with self.store.transaction():
            merged = {**self.require(connection_id), **data}
            check_connection(merged)
            self.store.update(self.name, merged)

    def delete(self, connection_id: str) -> None:
        with self.store.transaction():
            connection = self.require(connection_id)
            if self.in_use(connection["id"]):
                raise BadRequest(CONNECTION_IN_USE_MSG.format(id=connection["id"]))
            self.store.delete(self.name, connection_id)

    def run_health_checks(self, connection_id: str) -> None:
        with self.store.transaction():
            connection = self.require(connection_id)
            now = self.backend.clock()
            connection.update(healthCheckStatus="running", _checkStartedAt=now, _settleAt=now + self.backend.image_ready_seconds)
            self.store.update(self.name, connection)

    def handle_run_health_checks(self, call: Call) -> Response:
        self.run_health_checks(call.keys[-1])
        return no_content()
