"""The table of an Azure network connection: what Graph says about each property.

Graph: ``cloudPcOnPremisesConnection`` at ``/deviceManagement/virtualEndpoint/onPremisesConnections``
(https://learn.microsoft.com/graph/api/resources/cloudpconpremisesconnection?view=graph-rest-1.0,
https://learn.microsoft.com/graph/api/virtualendpoint-post-onpremisesconnections?view=graph-rest-1.0,
https://learn.microsoft.com/graph/api/cloudpconpremisesconnection-update?view=graph-rest-1.0).
"""

from __future__ import annotations

import re
from typing import Any

from w365_provider.kit import Adopt, Bool, Enum, Fill, Guid, ListOf, Property, Spec, Str
from w365_provider.kit.spec import Mutability

__all__ = ["CHECKED_ON_CHANGE", "PASSWORD", "SPEC"]

C, O, R, U = Mutability.COMPUTED, Mutability.CREATE_ONLY, Mutability.REPLACE, Mutability.UPDATABLE
CONNECTION_TYPES = ("hybridAzureADJoin", "azureADJoin")
PASSWORD = "ad_domain_password"
"""Write-only in Graph; a Pulumi secret here (``additional_secret_outputs``)."""
ARM = re.compile(r"^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+(/.+)?$")
ARM_REASON = "must be an Azure resource id such as /subscriptions/<id>/resourceGroups/<name>/..."


def _arm(label: str) -> Str:
    return Str(non_empty=True, pattern=ARM, pattern_reason=ARM_REASON, expect=f"the Azure resource id of the {label}")


CHECKED_ON_CHANGE = (
    "subscription_id", "resource_group_id", "virtual_network_id", "subnet_id", "ad_domain_name",
    "ad_domain_username", PASSWORD, "organizational_unit",
)  # fmt: skip
"""Network and domain properties: a change runs the health checks again."""


def _connections(client: Any) -> Any:
    return client.device_management.virtual_endpoint.on_premises_connections


def _connection(client: Any, connection_id: str) -> Any:
    return _connections(client).by_cloud_pc_on_premises_connection_id(connection_id)


SPEC = Spec(
    graph_type="cloudPcOnPremisesConnection",
    noun="Azure network connection",
    plural="Azure network connections",
    short="connection",
    short_plural="connections",
    id_name="connection_id",
    id_label="Graph id of the Azure network connection",
    collection=_connections,
    item=_connection,
    admin_center="the Microsoft Intune admin center (Devices > Windows 365 > Azure network connection)",
    properties=(
        Property("display_name", "displayName", Str(non_empty=True, max_length=60), "Name", U, required=True),
        Property("connection_type", "connectionType", Enum(CONNECTION_TYPES, "cloudPcOnPremisesConnectionType"),
                 "Join type: Microsoft Entra hybrid join (the default) or Microsoft Entra join", R,
                 default="hybridAzureADJoin", fill=Fill.NORMALIZE),
        Property("subscription_id", "subscriptionId", Guid(), "Azure subscription", U, required=True),
        Property("resource_group_id", "resourceGroupId", _arm("resource group"), "Resource group", U, required=True),
        Property("virtual_network_id", "virtualNetworkId", _arm("virtual network"), "Virtual network", U,
                 required=True),
        Property("subnet_id", "subnetId", _arm("subnet"), "Subnet", U, required=True),
        Property("ad_domain_name", "adDomainName", Str(non_empty=True, max_length=255),
                 "AD DNS domain name (hybrid join)", U),
        Property("ad_domain_username", "adDomainUsername", Str(non_empty=True),
                 "AD username: the account that joins Cloud PCs to the domain", U),
        Property(PASSWORD, "adDomainPassword", Str(non_empty=True), "AD domain password (write-only; a secret)", U),
        Property("organizational_unit", "organizationalUnit", Str(non_empty=True),
                 "Organizational unit (OU) of the computer accounts", U),
        Property("adopt", None, Adopt(),
                 "Take over an existing connection instead of creating one: true (by name) or its Graph id", O,
                 default=False),
        Property("subscription_name", "subscriptionName", Str(), "Subscription name", C),
        Property("virtual_network_location", "virtualNetworkLocation", Str(), "Region of the virtual network", C),
        Property("health_check_status", "healthCheckStatus", Str(), "Status of the last health checks", C),
        Property("health_check_paused", "healthCheckPaused", Bool(), "Health checks paused", C),
        Property("in_use_by_cloud_pc", "inUseByCloudPc", Bool(), "Used by a Cloud PC", C),
        Property("alternate_resource_url", "alternateResourceUrl", Str(), "Set for partner-managed connections", C),
        Property("scope_ids", "scopeIds", ListOf(Str()), "Scope tags", C),
    ),
    unmanaged={
        "healthCheckStatusDetail": "read while waiting for health checks, never an output (it changes each run)",
        "inUse": "read on a refused delete, to name the policies that use the connection",
        "managedBy": "beta-only; not managed",
        "type": "beta-only and deprecated (replaced by connectionType)",
        "healthCheckStatusDetails": "beta-only and deprecated (replaced by healthCheckStatusDetail)",
        "subnetPrivateIpDetail": "beta-only, read-only",
    },
)  # fmt: skip
"""The network connection's table."""
