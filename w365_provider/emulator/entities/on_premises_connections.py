"""``onPremisesConnections``: Azure network connections (seeded, creatable, health-checked).

Graph reference:
- https://learn.microsoft.com/en-us/graph/api/resources/cloudpconpremisesconnection?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/virtualendpoint-post-onpremisesconnections?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/cloudpconpremisesconnection-update?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/cloudpconpremisesconnection-delete?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/cloudpconpremisesconnection-runhealthcheck?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/graph/api/resources/cloudpconpremisesconnectionstatusdetail?view=graph-rest-1.0
- https://learn.microsoft.com/en-us/windows-365/enterprise/health-checks (the checks' names)
- https://learn.microsoft.com/en-us/graph/api/resources/cloudpconpremisesconnection?view=graph-rest-beta
  (beta: ``managedBy``; deprecated ``type`` = ``connectionType``, ``healthCheckStatusDetails``)

The create page's example sends no ``adDomainPassword`` for a ``hybridAzureADJoin`` connection and
gets 201, so only the domain name and the join account are required. PATCH answers ``200 OK``
with the updated connection, as both update pages show.

Health checks: a new connection's checks start at once (``pending``), ``runHealthChecks`` starts
them again (``running``); after ``health_check_seconds`` they end ``passed``, or ``failed`` when
the ``/_emulator/healthChecks`` fault hook names a check. Creating and updating a connection
needs a delegated sign-in: with ``--app-only`` both are refused (403).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from .. import seed
from ..errors import BadRequest, Forbidden
from ..routing import Call, Node
from ..schema import (
    BETA,
    EntityType,
    EnumType,
    Prop,
    bool_prop,
    check_value,
    enum_prop,
    now_iso,
    require,
    string_prop,
    writable_properties,
)
from ..wire import json_response, no_content
from .base import EntitySet, fold_alias
from .provisioning_policies import MANAGED_BY

CONNECTION_IN_USE_MSG = "The on-premises connection '{id}' is in use by a provisioning policy and can't be deleted."
HYBRID_CONNECTION_DOMAIN_MSG = "A hybridAzureADJoin connection requires {name}."
CONNECTION_TYPE_ALIAS_MSG = (
    "The connection names two different join types: connectionType '{current}' and the deprecated type "
    "'{deprecated}'; send only connectionType."
)
APP_ONLY_MSG = (
    "Application permissions are not supported for this operation; creating or updating an "
    "on-premises connection requires a delegated (work or school account) sign-in."
)
HEALTH_CHECKS = (
    "Azure AD device sync",
    "Azure tenant readiness",
    "Azure virtual network readiness",
    "Azure subnet IP address usage",
    "Active Directory domain join",
    "DNS can resolve Active Directory domain",
    "Endpoint connectivity",
    "Intune enrollment restrictions allow Windows enrollment",
    "First party app permissions",
    "Environment and configuration is ready",
)
"""The checks of https://learn.microsoft.com/en-us/windows-365/enterprise/health-checks."""
HYBRID_ONLY_CHECKS = ("Active Directory domain join", "DNS can resolve Active Directory domain")
NETWORK_PROPERTIES = frozenset(
    {"subscriptionId", "resourceGroupId", "virtualNetworkId", "subnetId", "adDomainName", "adDomainUsername",
     "adDomainPassword", "organizationalUnit"}
)  # fmt: skip

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
        # beta only
        "managedBy": enum_prop(MANAGED_BY, beta=True, read_only=True),
        "type": enum_prop(CONNECTION_TYPE, beta=True, read_only=True),  # deprecated name of connectionType
        "healthCheckStatusDetails": Prop("object", beta=True, read_only=True, select_only=True),  # deprecated
    },
)


def fold_type(body: Any, version: str) -> Any:
    """Beta's deprecated ``type`` is ``connectionType`` (both must agree when both are sent)."""
    if version != BETA:
        return body
    return fold_alias(body, "type", "connectionType", CONNECTION_TYPE_ALIAS_MSG,
                      lambda value: check_value("type", enum_prop(CONNECTION_TYPE), value, version))  # fmt: skip


def check_connection(connection: Mapping[str, Any]) -> None:
    """A hybrid join connection needs the domain and the join account (the password is optional: the
    create page's example sends none)."""
    if connection.get("connectionType") == "hybridAzureADJoin":
        for name in ("adDomainName", "adDomainUsername"):
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
        node = self.collection(
            create=self.create,
            delete=self.delete,
            actions={"runHealthChecks": {"POST": self.handle_run_health_checks}},
        )
        assert node.item is not None
        node.item.methods["PATCH"] = self.handle_update
        return node

    def handle_update(self, call: Call) -> Response:
        """PATCH: 200 with the updated connection (both update pages' response)."""
        self.update(call.keys[-1], call.body, call.version)
        body = {"@odata.context": self.context(call, entity=True)}
        body.update(self.render(call, self.get(call.keys[-1])))
        return json_response(200, body)

    def materialize(self, entity: dict[str, Any]) -> dict[str, Any]:
        """Running health checks end once their time has come; ``inUse`` is computed."""
        now = self.backend.clock()
        if entity.get("healthCheckStatus") in ("pending", "running") and now >= entity.get("_settleAt", 0):
            self.settle(entity)
            self.store.update(self.name, entity)
        entity["inUse"] = self.in_use(entity["id"])
        entity["type"] = entity.get("connectionType")
        entity.setdefault("managedBy", "windows365")
        return entity

    def settle(self, entity: dict[str, Any]) -> None:
        """The verdict: every check passed, or failed as the fault hook says."""
        started, ended = entity.get("_checkStartedAt", 0), entity.get("_settleAt", 0)
        checks = []
        for name in HEALTH_CHECKS:
            if name in HYBRID_ONLY_CHECKS and entity.get("connectionType") != "hybridAzureADJoin":
                continue
            fault = self.backend.health_faults.get(name)
            check = {"displayName": name, "status": "failed" if fault is not None else "passed",
                     "startDateTime": now_iso(started), "endDateTime": now_iso(ended), "errorType": None,
                     "recommendedAction": None, "additionalDetail": None, "correlationId": str(uuid.uuid4())}  # fmt: skip
            if fault is not None:
                check["errorType"] = fault.get("errorType") or "internalServerUnknownError"
                check["recommendedAction"] = fault.get("recommendedAction") or "Retry the health checks."
                check["additionalDetail"] = fault.get("additionalDetail")
            checks.append(check)
        failed = any(c["status"] == "failed" for c in checks)
        entity["healthCheckStatus"] = "failed" if failed else "passed"
        entity["healthCheckStatusDetail"] = {"startDateTime": now_iso(started), "endDateTime": now_iso(ended),
                                             "healthChecks": checks}  # fmt: skip

    def start_checks(self, entity: dict[str, Any], status: str) -> None:
        now = self.backend.clock()
        duration = self.backend.health_check_seconds
        duration = self.backend.image_ready_seconds if duration is None else duration
        entity.update(healthCheckStatus=status, _checkStartedAt=now, _settleAt=now + duration)

    def require_delegated(self) -> None:
        if self.backend.app_only:
            raise Forbidden(APP_ONLY_MSG)

    def in_use(self, connection_id: str) -> bool:
        """Whether a provisioning policy's domain join configuration names this connection."""
        wanted = connection_id.lower()
        for policy in self.store.list("provisioningPolicies"):
            for config in policy.get("domainJoinConfigurations") or []:
                if (config.get("onPremisesConnectionId") or "").lower() == wanted:
                    return True
        return False

    def create(self, body: Any, version: str) -> dict[str, Any]:
        self.require_delegated()
        data = writable_properties(CONNECTION, fold_type(body, version), version)
        require(data, ("displayName", "subscriptionId", "resourceGroupId", "virtualNetworkId", "subnetId"))
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
        }
        self.start_checks(connection, "pending")
        check_connection(connection)
        with self.store.transaction():
            return self.materialize(self.store.insert(self.name, connection))

    def update(self, connection_id: str, body: Any, version: str) -> None:
        self.require_delegated()
        data = writable_properties(CONNECTION, fold_type(body, version), version)
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
            self.start_checks(connection, "running")
            self.store.update(self.name, connection)

    def handle_run_health_checks(self, call: Call) -> Response:
        self.run_health_checks(call.keys[-1])
        return no_content()
