"""The table of a Cloud PC user setting: what Graph says about each property.

Graph: ``cloudPcUserSetting`` at ``/deviceManagement/virtualEndpoint/userSettings``
(https://learn.microsoft.com/graph/api/resources/cloudpcusersetting?view=graph-rest-1.0; the
beta-only properties from https://learn.microsoft.com/graph/api/resources/cloudpcusersetting?view=graph-rest-beta,
https://learn.microsoft.com/graph/api/resources/cloudpcrestorepointsetting?view=graph-rest-beta,
https://learn.microsoft.com/graph/api/resources/cloudpccrossregiondisasterrecoverysetting?view=graph-rest-beta,
https://learn.microsoft.com/graph/api/resources/cloudpcnotificationsetting?view=graph-rest-beta).

One table for both versions: requests go to the version ``w365:graphUrl`` names, and a
beta-only property (``versions=BETA_ONLY``) against v1.0 is refused at preview (``kit.checks``).
"""

from __future__ import annotations

from typing import Any

from w365_provider.kit import BETA, Adopt, Bool, Enum, Fill, Guid, Int, ListOf, Object, Property, Spec, Str
from w365_provider.kit.spec import Mutability

__all__ = ["ASSIGNMENT", "FREQUENCY_HOURS", "FREQUENCY_TYPES", "SPEC"]

C, U, O = Mutability.COMPUTED, Mutability.UPDATABLE, Mutability.CREATE_ONLY
BETA_ONLY = (BETA,)

FREQUENCY_TYPES = ("default", "fourHours", "sixHours", "twelveHours", "sixteenHours", "twentyFourHours")
"""``cloudPcRestorePointFrequencyType`` (``default`` is twelve hours)."""
FREQUENCY_HOURS = {"fourHours": 4, "sixHours": 6, "twelveHours": 12, "sixteenHours": 16, "twentyFourHours": 24,
                   "default": 12}  # fmt: skip
"""Hours between restore points of each frequency type (beta's ``frequencyInHours``)."""
DISASTER_RECOVERY_TYPES = ("notConfigured", "crossRegion", "premium")
PROVISIONING_SOURCE_TYPES = ("image", "snapshot")
FORBIDDEN_NAME_CHARACTERS = '<>&|"^'
GROUP_TARGET_TYPE = "#microsoft.graph.cloudPcManagementGroupAssignmentTarget"

RESTORE_POINT = Object(
    graph_type="cloudPcRestorePointSetting",
    fields=(
        Property("frequency_type", "frequencyType", Enum(FREQUENCY_TYPES, "cloudPcRestorePointFrequencyType"),
                 "Frequency of restore-point service (default: every 12 hours)"),
        Property("user_restore_enabled", "userRestoreEnabled", Bool(),
                 "Allow user to restore Cloud PC"),
        Property("frequency_in_hours", "frequencyInHours", Int(),
                 "Hours between restore points: 4, 6, 12, 16 or 24", versions=BETA_ONLY),
    ),
)  # fmt: skip

DISASTER_RECOVERY = Object(
    graph_type="cloudPcCrossRegionDisasterRecoverySetting",
    fields=(
        Property("cross_region_disaster_recovery_enabled", "crossRegionDisasterRecoveryEnabled", Bool(),
                 "Cross-region disaster recovery (deprecated by Graph in favour of disaster_recovery_type)"),
        Property("disaster_recovery_type", "disasterRecoveryType",
                 Enum(DISASTER_RECOVERY_TYPES, "cloudPcDisasterRecoveryType"), "Disaster recovery type"),
        Property("maintain_cross_region_restore_point_enabled", "maintainCrossRegionRestorePointEnabled", Bool(),
                 "Keep restore points in the backup region"),
        Property("user_initiated_disaster_recovery_allowed", "userInitiatedDisasterRecoveryAllowed", Bool(),
                 "Users may start a disaster recovery themselves"),
    ),
    unmanaged={
        "disasterRecoveryNetworkSetting": "polymorphic (Microsoft-hosted or Azure network connection); not managed yet",
    },
)  # fmt: skip

NOTIFICATION = Object(
    graph_type="cloudPcNotificationSetting",
    fields=(
        Property("restart_prompts_disabled", "restartPromptsDisabled", Bool(),
                 "Hide restart notifications from users"),
    ),
)  # fmt: skip

ASSIGNMENT = Object(
    graph_type="cloudPcManagementGroupAssignmentTarget",
    fields=(
        Property("group_id", "groupId", Guid(), "Microsoft Entra group the user setting is assigned to",
                 required=True, note=" in every assignment"),
    ),
    unmanaged={
        "servicePlanId": "provisioning policies only (Frontline sizes)",
        "allotmentDisplayName": "provisioning policies only (beta)",
        "allotmentLicensesCount": "provisioning policies only (beta)",
    },
)  # fmt: skip


def _settings(client: Any) -> Any:
    return client.device_management.virtual_endpoint.user_settings


def _setting(client: Any, setting_id: str) -> Any:
    return _settings(client).by_cloud_pc_user_setting_id(setting_id)


SPEC = Spec(
    graph_type="cloudPcUserSetting",
    noun="user setting",
    plural="user settings",
    short="setting",
    short_plural="settings",
    id_name="setting_id",
    id_label="Graph id of the user setting",
    collection=_settings,
    item=_setting,
    read_query={"$expand": "assignments"},
    admin_center="the Microsoft Intune admin center (Devices > Windows 365 > User settings)",
    properties=(
        Property("display_name", "displayName",
                 Str(non_empty=True, forbidden=FORBIDDEN_NAME_CHARACTERS, max_length=120),
                 "Name", U, required=True),
        Property("local_admin_enabled", "localAdminEnabled", Bool(), "Enable Local admin", U, default=False,
                 reset=True),
        Property("reset_enabled", "resetEnabled", Bool(), "Allow user to initiate reset", U, default=False,
                 reset=True),
        Property("restore_point_setting", "restorePointSetting", RESTORE_POINT,
                 "Point-in-time restore service: frequency and user restore", U),
        Property("self_service_enabled", "selfServiceEnabled", Bool(),
                 "Self-service actions for users (deprecated by Graph)", U, versions=BETA_ONLY),
        Property("cross_region_disaster_recovery_setting", "crossRegionDisasterRecoverySetting", DISASTER_RECOVERY,
                 "Cross-region disaster recovery", U, versions=BETA_ONLY),
        Property("notification_setting", "notificationSetting", NOTIFICATION, "Restart notifications", U,
                 versions=BETA_ONLY),
        Property("provisioning_source_type", "provisioningSourceType",
                 Enum(PROVISIONING_SOURCE_TYPES, "cloudPcProvisioningSourceType"),
                 "Reprovision from the image or from the last snapshot", U, versions=BETA_ONLY),
        Property("assignments", "assignments",
                 ListOf(ASSIGNMENT, expect="a list of {group_id} objects", sort_by=("group_id",)),
                 "Assignments: the groups whose users get these settings; written with the assign action, "
                 "read with $expand", U, action=True, absent=[]),
        Property("adopt", None, Adopt(),
                 "Take over an existing user setting instead of creating one: true (by name) or its Graph id",
                 O, default=False, fill=Fill.CHECK),
        Property("created_date_time", "createdDateTime", Str(), "Created", C),
        Property("last_modified_date_time", "lastModifiedDateTime", Str(), "Last modified", C),
    ),
)  # fmt: skip
"""The user setting's table (requests to the version ``w365:graphUrl`` names)."""
