"""The table of a Cloud PC provisioning policy: what Graph says about each property.

Graph: ``cloudPcProvisioningPolicy`` at ``/deviceManagement/virtualEndpoint/provisioningPolicies``
(https://learn.microsoft.com/graph/api/resources/cloudpcprovisioningpolicy?view=graph-rest-1.0,
and ?view=graph-rest-beta for the beta-only properties listed as unmanaged).
"""

from __future__ import annotations

from typing import Any

from w365_provider.kit import Adopt, Bool, Enum, Fill, Guid, Int, ListOf, Object, Property, Spec, Str
from w365_provider.kit.spec import Mutability

__all__ = ["ASSIGNMENT", "GROUP_TARGET_TYPE", "SPEC"]

C, R, U, O = Mutability.COMPUTED, Mutability.REPLACE, Mutability.UPDATABLE, Mutability.CREATE_ONLY

IMAGE_TYPES = ("gallery", "custom")
PROVISIONING_TYPES = ("dedicated", "shared")
DOMAIN_JOIN_TYPES = ("azureADJoin", "hybridAzureADJoin")
MANAGED_TYPES = ("notManaged", "premiumManaged", "standardManaged", "starterManaged")
REGION_GROUPS = (
    "default", "australia", "canada", "usCentral", "usEast", "usWest", "france", "germany",
    "europeUnion", "unitedKingdom", "japan", "asia", "india", "southAmerica", "euap",
    "usGovernment", "usGovernmentDOD", "norway", "switzerland", "southKorea",
)  # fmt: skip
"""v1.0 ``cloudPcRegionGroup`` members (``unknownFutureValue`` is not a value to send)."""

FORBIDDEN_NAME_CHARACTERS = '<>&|"^'
DISPLAY_NAME_MAX = 120
GROUP_TARGET_TYPE = "#microsoft.graph.cloudPcManagementGroupAssignmentTarget"
BETA_LATER = "beta-only; not managed yet, see the beta-surface issue"

DOMAIN_JOIN = Object(
    graph_type="cloudPcDomainJoinConfiguration",
    fields=(
        Property("domain_join_type", "domainJoinType", Enum(DOMAIN_JOIN_TYPES, "cloudPcDomainJoinType"),
                 "Join type: Microsoft Entra join or Microsoft Entra hybrid join", required=True,
                 note=" (azureADJoin or hybridAzureADJoin)"),
        Property("on_premises_connection_id", "onPremisesConnectionId", Guid(),
                 "Azure network connection (required for hybrid join)"),
        Property("region_name", "regionName",
                 Str(non_empty=True, expect="a non-empty string such as westeurope or automatic",
                     blank="must be a non-empty string such as westeurope or automatic"),
                 "Microsoft-hosted network region, or automatic"),
        Property("region_group", "regionGroup", Enum(REGION_GROUPS, "cloudPcRegionGroup"),
                 "Geography of the Microsoft-hosted network; Graph derives it when not given"),
    ),
    unmanaged={
        "geographicLocationType": BETA_LATER,
        "type": "beta-only and deprecated (replaced by domainJoinType, no longer returned)",
    },
)  # fmt: skip

WINDOWS_SETTING = Object(
    graph_type="cloudPcWindowsSetting",
    fields=(
        Property("locale", "locale",
                 Str(non_empty=True, expect="a language tag such as en-US", blank="must be a language tag such as en-US",
                     echo=True),
                 "Language & region of new Cloud PCs", required=True, default="en-US", note=", for example en-US"),
    ),
)  # fmt: skip

MANAGED_DESKTOP = Object(
    graph_type="microsoftManagedDesktop",
    fields=(
        Property("managed_type", "managedType", Enum(MANAGED_TYPES, "microsoftManagedDesktopType"),
                 "Microsoft Managed Desktop plan", default="notManaged"),
        Property("profile", "profile", Str(), "Microsoft Managed Desktop profile"),
    ),
    unmanaged={"type": "beta-only and deprecated (replaced by managedType)"},
)  # fmt: skip

AUTOPATCH = Object(
    graph_type="cloudPcProvisioningPolicyAutopatch",
    fields=(
        Property("autopatch_group_id", "autopatchGroupId", Guid(), "Windows Autopatch group", required=True),
    ),
)  # fmt: skip

ASSIGNMENT = Object(
    graph_type="cloudPcManagementGroupAssignmentTarget",
    fields=(
        Property("group_id", "groupId", Guid(), "Microsoft Entra group the policy is assigned to", required=True,
                 note=" in every assignment"),
        Property("service_plan_id", "servicePlanId", Guid(), "Cloud PC size (service plan), for Frontline policies"),
    ),
    unmanaged={
        "allotmentDisplayName": BETA_LATER,
        "allotmentLicensesCount": BETA_LATER,
    },
)  # fmt: skip


def _policies(client: Any) -> Any:
    return client.device_management.virtual_endpoint.provisioning_policies


def _policy(client: Any, policy_id: str) -> Any:
    return _policies(client).by_cloud_pc_provisioning_policy_id(policy_id)


SPEC = Spec(
    graph_type="cloudPcProvisioningPolicy",
    noun="provisioning policy",
    plural="provisioning policies",
    short="policy",
    short_plural="policies",
    id_name="policy_id",
    id_label="Graph id of the policy",
    collection=_policies,
    item=_policy,
    read_query={"$expand": "assignments"},
    admin_center="the Microsoft Intune admin center (Devices > Windows 365 > Provisioning policies)",
    properties=(
        Property("display_name", "displayName",
                 Str(non_empty=True, forbidden=FORBIDDEN_NAME_CHARACTERS, max_length=DISPLAY_NAME_MAX),
                 "Name", U, required=True),
        Property("description", "description", Str(), "Description", U, reset=True),
        Property("image_id", "imageId",
                 Str(non_empty=True, expect="a non-empty string", blank="must be a non-empty string"),
                 "Image: a gallery image id (publisher_offer_sku) or a custom image's id", U, required=True),
        Property("image_display_name", "imageDisplayName", Str(), "Image name; Graph fills it when not given", U),
        Property("image_type", "imageType", Enum(IMAGE_TYPES, "cloudPcProvisioningPolicyImageType"),
                 "Image type: gallery or custom", U, required=True, default="gallery"),
        Property("provisioning_type", "provisioningType", Enum(PROVISIONING_TYPES, "cloudPcProvisioningType"),
                 "License type: Enterprise (dedicated) or Frontline (shared)", R, default="dedicated",
                 fill=Fill.NORMALIZE),
        Property("domain_join_configurations", "domainJoinConfigurations",
                 ListOf(DOMAIN_JOIN, min_items=1, expect="a list with at least one domain join configuration",
                        label_entries=True),
                 "Network: how Cloud PCs join, in order of priority", U, required=True),
        Property("enable_single_sign_on", "enableSingleSignOn", Bool(), "Single sign-on", U, default=False,
                 reset=True),
        Property("local_admin_enabled", "localAdminEnabled", Bool(), "Local admin (Graph's update does not take it)",
                 R, default=False, fill=Fill.CHECK),
        Property("windows_setting", "windowsSetting", WINDOWS_SETTING, "Language & region", U),
        Property("cloud_pc_naming_template", "cloudPcNamingTemplate", Str(), "Naming template of new Cloud PCs", U,
                 reset=True),
        Property("microsoft_managed_desktop", "microsoftManagedDesktop", MANAGED_DESKTOP,
                 "Microsoft Managed Desktop enrolment", U),
        Property("autopatch", "autopatch", AUTOPATCH, "Windows Autopatch group the Cloud PCs join", U, reset=True),
        Property("assignments", "assignments",
                 ListOf(ASSIGNMENT, expect="a list of {group_id, service_plan_id} objects",
                        sort_by=("group_id", "service_plan_id")),
                 "Assignments: the groups (and Frontline sizes) whose users get Cloud PCs; written with the "
                 "assign action, read with $expand", U, action=True, absent=[]),
        Property("adopt", None, Adopt(),
                 "Take over an existing policy instead of creating one: true (by name) or its Graph id",
                 O, default=False, fill=Fill.CHECK),
        Property("grace_period_in_hours", "gracePeriodInHours", Int(),
                 "Hours before Cloud PCs of removed users are deprovisioned", C),
        Property("cloud_pc_group_display_name", "cloudPcGroupDisplayName", Str(), "Cloud PC group name", C),
        Property("alternate_resource_url", "alternateResourceUrl", Str(),
                 "Set for partner-managed policies (Dev Box); empty for Windows 365", C),
    ),
    unmanaged={
        "autopilotConfiguration": BETA_LATER,
        "userExperienceType": BETA_LATER,
        "userSettingsPersistenceConfiguration": BETA_LATER,
        "managedBy": BETA_LATER,
        "scopeIds": BETA_LATER,
        "snapshotResetMode": BETA_LATER,
        "createdBy": "beta-only, read-only audit field; not an output yet",
        "createdDateTime": "beta-only, read-only audit field; not an output yet",
        "lastModifiedBy": "beta-only, read-only audit field; not an output yet",
        "lastModifiedDateTime": "beta-only, read-only audit field; not an output yet",
        "windowsSettings": "beta-only and deprecated (replaced by windowsSetting, no longer returned)",
    },
)  # fmt: skip
"""The provisioning policy's table. Every property it manages exists in both Graph versions."""
