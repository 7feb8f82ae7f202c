"""The table of a Cloud PC provisioning policy: what Graph says about each property.

Graph: ``cloudPcProvisioningPolicy`` at ``/deviceManagement/virtualEndpoint/provisioningPolicies``
(https://learn.microsoft.com/graph/api/resources/cloudpcprovisioningpolicy?view=graph-rest-1.0,
and ?view=graph-rest-beta for the beta-only properties listed as unmanaged).
"""

from __future__ import annotations

from typing import Any

from w365_provider.kit import BETA, Adopt, Bool, Enum, Fill, Guid, Int, ListOf, Object, Property, Spec, Str
from w365_provider.kit.spec import Mutability
from w365_provider.lookups.regions import REGION_GROUPS, REGION_GROUPS_BETA
from w365_provider.resources.assignments import GROUP_TARGET_TYPE

__all__ = ["APPLY", "ASSIGNMENT", "GROUP_TARGET_TYPE", "SPEC"]

C, R, U, O = Mutability.COMPUTED, Mutability.REPLACE, Mutability.UPDATABLE, Mutability.CREATE_ONLY
BETA_ONLY = (BETA,)

IMAGE_TYPES = ("gallery", "custom")
PROVISIONING_TYPES_BETA = ("sharedByUser", "sharedByEntraGroup", "reserve")
PROVISIONING_TYPES = ("dedicated", "shared", *PROVISIONING_TYPES_BETA)
"""``cloudPcProvisioningType``; ``shared`` is deprecated in beta in favour of ``sharedByUser``."""
USER_EXPERIENCE_TYPES = ("cloudPc", "cloudApp")
STORAGE_SIZES = ("fourGB", "eightGB", "sixteenGB", "thirtyTwoGB", "sixtyFourGB")
DOMAIN_JOIN_TYPES = ("azureADJoin", "hybridAzureADJoin")
MANAGED_TYPES = ("notManaged", "premiumManaged", "standardManaged", "starterManaged")

FORBIDDEN_NAME_CHARACTERS = '<>&|"^'
DISPLAY_NAME_MAX = 120

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
        Property("region_group", "regionGroup",
                 Enum((*REGION_GROUPS, *REGION_GROUPS_BETA), "cloudPcRegionGroup", beta_only=REGION_GROUPS_BETA),
                 "Geography of the Microsoft-hosted network; Graph derives it when not given", derived=True),
    ),
    unmanaged={
        "geographicLocationType": "beta-only and read-only: Graph derives it from the region",
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
        Property("allotment_display_name", "allotmentDisplayName", Str(non_empty=True),
                 "Assignment name (Frontline shared, Reserve)", versions=BETA_ONLY),
        Property("allotment_licenses_count", "allotmentLicensesCount", Int(),
                 "Number of Cloud PCs of the assignment (Frontline shared, Reserve)", versions=BETA_ONLY),
    ),
)  # fmt: skip

AUTOPILOT = Object(
    graph_type="cloudPcAutopilotConfiguration",
    fields=(
        Property("device_preparation_profile_id", "devicePreparationProfileId", Guid(),
                 "Windows Autopilot device preparation policy", required=True, versions=BETA_ONLY),
        Property("application_timeout_in_minutes", "applicationTimeoutInMinutes", Int(),
                 "Minutes allowed to apply the device preparation policy (30 to 360)", required=True,
                 versions=BETA_ONLY, note=" (30 to 360 minutes)"),
        Property("on_failure_device_access_denied", "onFailureDeviceAccessDenied", Bool(),
                 "Prevent users from connecting to Cloud PCs when installation fails or times out",
                 required=True, versions=BETA_ONLY, default=False, note=" (true or false)"),
    ),
)  # fmt: skip

PERSISTENCE = Object(
    graph_type="cloudPcUserSettingsPersistenceConfiguration",
    fields=(
        Property("user_settings_persistence_enabled", "userSettingsPersistenceEnabled", Bool(),
                 "User Experience Sync: keep users' app settings between sessions", versions=BETA_ONLY, default=False),
        Property("user_settings_persistence_storage_size_category", "userSettingsPersistenceStorageSizeCategory",
                 Enum(STORAGE_SIZES, "cloudPcUserSettingsPersistenceStorageSizeCategory"),
                 "Storage size for the synced settings", versions=BETA_ONLY, default="fourGB"),
    ),
)  # fmt: skip

APPLY = Object(
    graph_type="applyToExistingCloudPcs",
    fields=(
        Property("reserve_percentage", None, Int(),
                 "Percentage of Cloud PCs kept available while a region change is applied (0 to 99)"),
        Property("force_user_logoff", None, Bool(),
                 "Sign users out to apply the change now instead of at their next sign-in", default=False),
    ),
)  # fmt: skip
"""The provider's own ``apply_to_existing_cloud_pcs`` input: the options of Graph's beta ``apply``
action (https://learn.microsoft.com/graph/api/cloudpcprovisioningpolicy-apply?view=graph-rest-beta)."""


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
        Property("image_display_name", "imageDisplayName", Str(), "Image name; Graph fills it when not given", U,
                 derived=True),
        Property("image_type", "imageType", Enum(IMAGE_TYPES, "cloudPcProvisioningPolicyImageType"),
                 "Image type: gallery or custom", U, required=True, default="gallery"),
        Property("provisioning_type", "provisioningType",
                 Enum(PROVISIONING_TYPES, "cloudPcProvisioningType", beta_only=PROVISIONING_TYPES_BETA),
                 "License type: Enterprise (dedicated), Frontline dedicated (sharedByUser; shared, deprecated), "
                 "Frontline shared (sharedByEntraGroup) or Reserve (reserve)", R, default="dedicated",
                 fill=Fill.NORMALIZE),
        Property("user_experience_type", "userExperienceType",
                 Enum(USER_EXPERIENCE_TYPES, "cloudPcUserExperienceType"),
                 "Experience: full Cloud PC (cloudPc) or Cloud Apps (cloudApp, Frontline shared only)", R,
                 versions=BETA_ONLY, default="cloudPc"),
        Property("domain_join_configurations", "domainJoinConfigurations",
                 ListOf(DOMAIN_JOIN, min_items=1, expect="a list with at least one domain join configuration",
                        label_entries=True),
                 "Network: how Cloud PCs join, in order of priority", U, required=True),
        Property("enable_single_sign_on", "enableSingleSignOn", Bool(), "Single sign-on", U, default=False,
                 reset=True),
        Property("local_admin_enabled", "localAdminEnabled", Bool(), "Local admin (Graph's update does not take it)",
                 R, default=False, fill=Fill.CHECK),
        Property("windows_setting", "windowsSetting", WINDOWS_SETTING, "Language & region", U,
                 default={"locale": "en-US"}),
        Property("cloud_pc_naming_template", "cloudPcNamingTemplate", Str(), "Naming template of new Cloud PCs", U,
                 reset=True),
        Property("microsoft_managed_desktop", "microsoftManagedDesktop", MANAGED_DESKTOP,
                 "Microsoft Managed Desktop enrolment", U, default={"managed_type": "notManaged"}),
        Property("autopatch", "autopatch", AUTOPATCH, "Windows Autopatch group the Cloud PCs join", U, reset=True),
        Property("autopilot_configuration", "autopilotConfiguration", AUTOPILOT,
                 "Windows Autopilot device preparation", U, versions=BETA_ONLY, reset=True),
        Property("user_settings_persistence_configuration", "userSettingsPersistenceConfiguration", PERSISTENCE,
                 "User Experience Sync (Frontline shared only)", U, versions=BETA_ONLY, reset=True),
        Property("scope_ids", "scopeIds", ListOf(Str(non_empty=True), expect="a list of scope tag ids such as [\"0\"]"),
                 "Scope tags (Intune role-based access); 0 is Default", U, versions=BETA_ONLY, default=["0"]),
        Property("assignments", "assignments",
                 ListOf(ASSIGNMENT, expect="a list of {group_id, service_plan_id, allotment_display_name, "
                        "allotment_licenses_count} objects", sort_by=("group_id", "service_plan_id")),
                 "Assignments: the groups (and Frontline sizes) whose users get Cloud PCs; written with the "
                 "assign action, read with $expand", U, action=True, absent=[]),
        Property("adopt", None, Adopt(),
                 "Take over an existing policy instead of creating one: true (by name) or its Graph id",
                 O, default=False, fill=Fill.CHECK),
        Property("apply_to_existing_cloud_pcs", None, APPLY,
                 "Apply to existing Cloud PCs: when region or single sign-on changes, Graph's beta apply action "
                 "runs after the update", U, versions=BETA_ONLY),
        Property("grace_period_in_hours", "gracePeriodInHours", Int(),
                 "Hours before Cloud PCs of removed users are deprovisioned", C),
        Property("cloud_pc_group_display_name", "cloudPcGroupDisplayName", Str(), "Cloud PC group name", C),
        Property("alternate_resource_url", "alternateResourceUrl", Str(),
                 "Set for partner-managed policies (Dev Box); empty for Windows 365", C),
    ),
    owns_unset=True,
    unmanaged={
        "managedBy": "beta-only: the service the policy belongs to (windows365; devBox for Dev Box), set by "
                     "the service, not a Windows 365 admin setting",
        "snapshotResetMode": "beta-only, undocumented (no description on the Graph reference page) and not in the "
                             "admin center's policy wizard",
        "createdBy": "beta-only, read-only audit field; not an output yet",
        "createdDateTime": "beta-only, read-only audit field; not an output yet",
        "lastModifiedBy": "beta-only, read-only audit field; not an output yet",
        "lastModifiedDateTime": "beta-only, read-only audit field; not an output yet",
        "windowsSettings": "beta-only and deprecated (replaced by windowsSetting, no longer returned)",
    },
)  # fmt: skip
"""The provisioning policy's table: v1.0 and the beta surface (beta rows refused against v1.0)."""
