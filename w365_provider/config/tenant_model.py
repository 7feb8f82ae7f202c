"""Stack-config entries of the rest of a tenant's Windows 365 configuration:
``w365:userSettings``, ``w365:networkConnections`` and ``w365:organizationSettings``.

Enumerations and properties are Graph's:
- https://learn.microsoft.com/graph/api/resources/cloudpcusersetting (and ?view=graph-rest-beta)
- https://learn.microsoft.com/graph/api/resources/cloudpconpremisesconnection
- https://learn.microsoft.com/graph/api/resources/cloudpcorganizationsettings?view=graph-rest-beta
Field names are the snake_case arguments of ``UserSetting``, ``NetworkConnection`` and
``OrganizationSettings``, so ``model_dump`` gives resource arguments.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import ConfigDict, Field, StrictInt, StrictStr, WithJsonSchema

from w365_provider.config.model import Adopt, Flag, Guid, Text, _Entry

__all__ = [
    "DisasterRecoveryEntry",
    "NetworkConnectionEntry",
    "NotificationEntry",
    "OrganizationSettingsEntry",
    "RestorePointEntry",
    "UserSettingEntry",
    "WindowsSettingsEntry",
]

FREQUENCY_TYPES = ("default", "fourHours", "sixHours", "twelveHours", "sixteenHours", "twentyFourHours")
DISASTER_RECOVERY_TYPES = ("notConfigured", "crossRegion", "premium")
CONNECTION_TYPES = ("hybridAzureADJoin", "azureADJoin")
OS_VERSIONS = ("windows10", "windows11")
USER_ACCOUNT_TYPES = ("standardUser", "administrator")
ARM_ID = r"^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+(/.+)?$"

ArmId = Annotated[StrictStr, Field(pattern=ARM_ID, examples=["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg"])]
class SecureValue(_Entry):
    """A secret as the stack file holds it (``secure: v1:...``), when read without decrypting."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    secure: StrictStr


Secret = Annotated[
    Union[StrictStr, SecureValue],
    WithJsonSchema({"type": "object", "properties": {"secure": {"type": "string"}}, "required": ["secure"],
                    "additionalProperties": False,
                    "description": "A secret: pulumi config set --secret --path 'w365:networkConnections.<key>.adDomainPassword'"}),
]  # fmt: skip


# -- user settings ------------------------------------------------------------------------------


class RestorePointEntry(_Entry):
    """Point-in-time restore service."""

    frequency_type: Literal[FREQUENCY_TYPES] | None = Field(  # type: ignore[valid-type]
        None, description="How often restore points are taken (default: every 12 hours)."
    )
    user_restore_enabled: Flag | None = Field(None, description="Allow user to restore Cloud PC.")
    frequency_in_hours: StrictInt | None = Field(None, description="Beta: hours between restore points (4, 6, 12, 16, 24).")


class DisasterRecoveryEntry(_Entry):
    """Cross-region disaster recovery (beta)."""

    cross_region_disaster_recovery_enabled: Flag | None = Field(None, description="Deprecated by Graph.")
    disaster_recovery_type: Literal[DISASTER_RECOVERY_TYPES] | None = Field(  # type: ignore[valid-type]
        None, description="notConfigured, crossRegion or premium."
    )
    maintain_cross_region_restore_point_enabled: Flag | None = Field(None, description="Keep restore points.")
    user_initiated_disaster_recovery_allowed: Flag | None = Field(None, description="Only with premium.")


class NotificationEntry(_Entry):
    """Restart notifications (beta)."""

    restart_prompts_disabled: Flag | None = Field(None, description="Hide restart notifications from users.")


class UserSettingEntry(_Entry):
    """A user setting; ``assignments`` are keys of w365:groups."""

    display_name: Text = Field(description="Name; unique within the stack.")
    local_admin_enabled: Flag | None = Field(None, description="Enable Local admin.")
    reset_enabled: Flag | None = Field(None, description="Allow user to initiate reset.")
    restore_point_setting: RestorePointEntry | None = Field(None, description="Point-in-time restore service.")
    self_service_enabled: Flag | None = Field(None, description="Beta, deprecated by Graph.")
    cross_region_disaster_recovery_setting: DisasterRecoveryEntry | None = Field(None, description="Beta.")
    notification_setting: NotificationEntry | None = Field(None, description="Beta: restart notifications.")
    provisioning_source_type: Literal["image", "snapshot"] | None = Field(None, description="Beta.")
    assignments: list[Text] | None = Field(
        None, description="Keys of w365:groups; omit to leave assignments unmanaged, [] to remove them all."
    )
    adopt: Adopt | None = Field(
        None,
        description="Take over an existing user setting instead of creating one: true (the one setting of this name) "
        "or its Graph id (what w365 export writes).",
    )


# -- network connections ------------------------------------------------------------------------


class NetworkConnectionEntry(_Entry):
    """An Azure network connection; a policy's domainJoinConfigurations name it by key."""

    display_name: Text = Field(description="Name; unique within the stack.")
    connection_type: Literal[CONNECTION_TYPES] | None = Field(  # type: ignore[valid-type]
        None, description="hybridAzureADJoin (Graph's default) or azureADJoin."
    )
    subscription_id: Guid = Field(description="Azure subscription of the virtual network.")
    resource_group_id: ArmId = Field(description="Azure resource id of the resource group.")
    virtual_network_id: ArmId = Field(description="Azure resource id of the virtual network.")
    subnet_id: ArmId = Field(description="Azure resource id of the subnet.")
    ad_domain_name: Text | None = Field(None, description="Active Directory domain (hybrid join).")
    ad_domain_username: Text | None = Field(None, description="Account that joins Cloud PCs to the domain.")
    ad_domain_password: Secret | None = Field(None, description="Its password: a secret (secure: ...).")
    organizational_unit: Text | None = Field(None, description="Organizational unit for the computer accounts.")
    adopt: Adopt | None = Field(
        None,
        description="Take over an existing connection instead of creating one: true (the one connection of this "
        "name) or its Graph id (what w365 export writes); the password given is taken as the connection's.",
    )


# -- organization settings ----------------------------------------------------------------------


class WindowsSettingsEntry(_Entry):
    """Windows language of new Cloud PCs."""

    language: Text = Field(description="A language tag such as en-US.")


class OrganizationSettingsEntry(_Entry):
    """The tenant's Windows 365 organization settings (one per tenant)."""

    os_version: Literal[OS_VERSIONS] | None = Field(None, description="windows10 or windows11.")  # type: ignore[valid-type]
    user_account_type: Literal[USER_ACCOUNT_TYPES] | None = Field(  # type: ignore[valid-type]
        None, description="standardUser or administrator."
    )
    enable_single_sign_on: Flag | None = Field(None, description="Single sign-on for new policies by default.")
    enable_mem_auto_enroll: Flag | None = Field(
        None, alias="enableMEMAutoEnroll", description="Enroll Cloud PCs in Microsoft Intune automatically."
    )
    windows_settings: WindowsSettingsEntry | None = Field(None, description="Windows language.")
