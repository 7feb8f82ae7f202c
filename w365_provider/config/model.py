"""The stack config of the w365 program as one pydantic model: ``w365:groups``, ``w365:images``
and ``w365:policies``, with the keys a stack file uses (camelCase, as Graph names them).

Every entry forbids keys it does not know, images are a union tagged by ``type``, and values
Graph enumerates are enums, so one validation finds every problem of a stack file and the JSON
Schema generated from these classes (``w365 schema``) lets an editor complete and check keys.
The field names are the snake_case arguments of the resources (``ProvisioningPolicy``,
``DeviceImage``), so an entry turns into resource arguments with ``model_dump``.

Enumerations are Graph v1.0's:
- ``provisioningType``: https://learn.microsoft.com/graph/api/resources/cloudpcprovisioningpolicy
- ``domainJoinType``, ``regionGroup``: https://learn.microsoft.com/graph/api/resources/cloudpcdomainjoinconfiguration
  and https://learn.microsoft.com/graph/api/resources/cloudpcregiongroup (``unknownFutureValue`` is not a
  value to send)
- ``managedType``: https://learn.microsoft.com/graph/api/resources/microsoftmanageddesktop
- ``regionName``: the documented regions, see ``w365_provider.lookups.regions``.
- ``windowsSetting.locale``: the Windows languages, see ``w365_provider.lookups.locales``.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    StrictBool,
    StrictStr,
    Tag,
    WithJsonSchema,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from w365_provider.lookups.locales import check_locale, locale_tags
from w365_provider.lookups.regions import check_region_name, is_region_group, region_names
from w365_provider.resources.provisioning_policy import spec as policy_spec

__all__ = [
    "AssignmentEntry",
    "AutopatchEntry",
    "CustomImageEntry",
    "DomainJoinEntry",
    "GalleryImageEntry",
    "GroupEntry",
    "KEY_PATTERN",
    "ManagedDesktopEntry",
    "PolicyEntry",
    "StackConfigModel",
    "WindowsSettingEntry",
]

GUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
"""A section key: it becomes the Pulumi resource name."""
NOT_BLANK_PATTERN = r"\S"

# The policy's enums, as its spec writes them down (one list; the config offers every member, the
# provider refuses the beta-only ones on v1.0 at preview).
PROVISIONING_TYPES = policy_spec.PROVISIONING_TYPES
"""Enterprise, Frontline dedicated (shared is its deprecated name), Frontline shared, Reserve; the
last three need w365:graphUrl on /beta (the provider refuses them on v1.0 at preview)."""
USER_EXPERIENCE_TYPES = policy_spec.USER_EXPERIENCE_TYPES
STORAGE_SIZES = policy_spec.STORAGE_SIZES
DOMAIN_JOIN_TYPES = policy_spec.DOMAIN_JOIN_TYPES
MANAGED_TYPES = policy_spec.MANAGED_TYPES
REGION_GROUPS = (*policy_spec.REGION_GROUPS, *policy_spec.REGION_GROUPS_BETA)


def _flag(value: Any) -> Any:
    """``true``/``false`` given as text (``pulumi config set --path`` stores them so) -> bool."""
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


TENANT_REGIONS: ContextVar[bool] = ContextVar("w365_tenant_regions", default=False)
"""True while a stack file for Graph's beta is read (``parse_stack_config(api_version="beta")``):
the tenant's ``supportedRegions`` decide which regions exist, and the policy's check reads them at
preview, so a region the documentation does not list yet is left to it; a name that cannot be an
Azure region (or is a region group) is still refused here."""
_AZURE_NAME = re.compile(r"^[a-z][a-z0-9]*$")


def _region(value: str) -> str:
    reason = check_region_name(value)
    if reason is not None and TENANT_REGIONS.get() and _AZURE_NAME.match(value) and not is_region_group(value):
        return value  # beta: the tenant's list decides, at preview
    if reason is not None:
        raise PydanticCustomError("region_name", reason)
    return value


def _locale(value: str) -> str:
    reason = check_locale(value)
    if reason is not None:
        raise PydanticCustomError("locale", reason)
    return value


Text = Annotated[StrictStr, Field(min_length=1, pattern=NOT_BLANK_PATTERN)]
Guid = Annotated[StrictStr, Field(pattern=GUID_PATTERN, examples=["00000000-0000-0000-0000-000000000000"])]
Flag = Annotated[StrictBool, BeforeValidator(_flag)]
RegionName = Annotated[StrictStr, AfterValidator(_region), Field(examples=list(region_names()))]
Locale = Annotated[StrictStr, AfterValidator(_locale), Field(examples=list(locale_tags()))]
Key = Annotated[str, Field(pattern=KEY_PATTERN)]


def _adopt(value: Any) -> bool | str:
    """``adopt``: ``true``/``false`` (also as text) or an object's Graph id."""
    value = _flag(value)
    if isinstance(value, bool) or (isinstance(value, str) and re.match(GUID_PATTERN, value)):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("bool_type", "must be true or false")
    raise PydanticCustomError(
        "adopt", "must be true or false, or an object's Graph id (GUID), got the text {value}", {"value": repr(value)}
    )


Adopt = Annotated[
    Union[bool, str],
    PlainValidator(_adopt),
    WithJsonSchema({"anyOf": [{"type": "boolean"}, {"type": "string", "pattern": GUID_PATTERN}]}),
]
"""``adopt``: true (the one object of the display name) or an object's Graph id."""


class _Entry(BaseModel):
    """An entry of the stack file: camelCase keys only, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, frozen=True)


# -- groups ------------------------------------------------------------------------------------


class GroupEntry(_Entry):
    """An Entra group: an existing one by ``objectId``, or a security group this stack creates
    (``displayName`` and optionally ``description``, ``owners``, ``members``)."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["objectId"]}, {"required": ["displayName"]}]}
    )

    object_id: Guid | None = Field(None, description="Object id of an existing Entra group (referenced, not managed).")
    display_name: Text | None = Field(None, description="Name of a security group this stack creates.")
    description: Text | None = Field(None, description="Description of the created group.")
    owners: list[Guid] | None = Field(None, description="Object ids of the created group's owners.")
    members: list[Guid] | None = Field(None, description="Object ids of the created group's members.")

    @model_validator(mode="after")
    def _one_kind(self) -> GroupEntry:
        if self.object_id is not None:
            extra = [to_camel(k) for k in ("display_name", "description", "owners", "members") if getattr(self, k)]
            if extra:
                raise PydanticCustomError(
                    "group_kind",
                    "objectId references an existing group, so {extra} cannot be set "
                    "(to create a group, give displayName and no objectId)",
                    {"extra": ", ".join(extra)},
                )
        elif self.display_name is None:
            raise PydanticCustomError(
                "group_kind", "needs objectId (an existing group) or displayName (a group to create)"
            )
        return self


# -- images ------------------------------------------------------------------------------------


class GalleryImageEntry(_Entry):
    """The newest supported Windows 365 gallery image whose sku matches ``sku``."""

    type: Literal["gallery"] = Field(description="gallery: a gallery image looked up by sku.")
    publisher: Text = Field(description="Publisher, for example MicrosoftWindowsDesktop.")
    offer: Text = Field(description="Offer, for example windows-ent-cpc.")
    sku: Text = Field(description="A sku name or shell pattern (* ? [..]), case-insensitive: win11-*-ent-cpc-m365.")
    allow_supported_with_warning: Flag = Field(False, description="Also accept images past their end date.")


class CustomImageEntry(_Entry):
    """A custom image uploaded from an Azure managed image (``DeviceImage``)."""

    type: Literal["custom"] = Field(description="custom: uploaded from an Azure managed image.")
    display_name: Text = Field(description="Image name shown in the admin center.")
    version: Text = Field(description="major.minor.patch; a new version replaces the image.")
    source_image_resource_id: Text = Field(description="Azure resource id of the managed image.")
    adopt: Adopt | None = Field(
        None,
        description="Take over an existing image instead of uploading one: true (the one image of this name) or "
        "its Graph id (what w365 export writes).",
    )


ImageEntry = Annotated[Union[GalleryImageEntry, CustomImageEntry], Field(discriminator="type")]


# -- policies ----------------------------------------------------------------------------------


class DomainJoinEntry(_Entry):
    """One way to join Cloud PCs (the list is by priority)."""

    domain_join_type: Literal[DOMAIN_JOIN_TYPES] = Field(  # type: ignore[valid-type]
        description="azureADJoin (Microsoft Entra join) or hybridAzureADJoin (Microsoft Entra hybrid join)."
    )
    on_premises_connection_id: Guid | None = Field(None, description="Azure network connection id.")
    network_connection: Text | None = Field(None, description="A key of w365:networkConnections (instead of its id).")
    region_name: RegionName | None = Field(
        None, description="Microsoft-hosted network: automatic or an Azure region name such as westeurope."
    )
    region_group: Literal[REGION_GROUPS] | None = Field(  # type: ignore[valid-type]
        None, description="Region group; Graph derives it when not given."
    )


class WindowsSettingEntry(_Entry):
    """Language and region of new Cloud PCs."""

    locale: Locale = Field(description="A Windows language/region tag such as en-US.")


class ManagedDesktopEntry(_Entry):
    """Microsoft Managed Desktop enrolment."""

    managed_type: Literal[MANAGED_TYPES] | None = Field(None, description="Managed type.")  # type: ignore[valid-type]
    profile: Text | None = Field(None, description="Microsoft Managed Desktop profile name.")


class AutopatchEntry(_Entry):
    """The Windows Autopatch group Cloud PCs join."""

    autopatch_group_id: Guid = Field(description="Windows Autopatch group id.")


class AssignmentEntry(_Entry):
    """An assignment with a service plan (Frontline)."""

    group: Text = Field(description="A key of w365:groups.")
    service_plan_id: Guid | None = Field(None, description="Service plan (Cloud PC size) id; Frontline and Reserve.")
    allotment_display_name: Text | None = Field(None, description="Assignment name (Frontline shared; beta).")
    allotment_licenses_count: int | None = Field(None, description="Number of Cloud PCs (Frontline shared; beta).")


class AutopilotEntry(_Entry):
    """Windows Autopilot device preparation (beta)."""

    device_preparation_profile_id: Guid = Field(description="Device preparation policy id.")
    application_timeout_in_minutes: int = Field(description="Minutes allowed, 30 to 360.")
    on_failure_device_access_denied: Flag = Field(description="Block access when installation fails or times out.")


class PersistenceEntry(_Entry):
    """User Experience Sync (beta; Frontline shared only)."""

    user_settings_persistence_enabled: Flag | None = Field(None, description="Keep users' app settings.")
    user_settings_persistence_storage_size_category: Literal[STORAGE_SIZES] | None = Field(  # type: ignore[valid-type]
        None, description="Storage size; fourGB by default."
    )


class ApplyEntry(_Entry):
    """Apply region and single sign-on changes to existing Cloud PCs (beta apply action)."""

    reserve_percentage: int | None = Field(None, description="Percentage of Cloud PCs kept available (0 to 99).")
    force_user_logoff: Flag | None = Field(None, description="Sign users out to apply the change now.")


def _assignment_kind(value: Any) -> str:
    return "key" if isinstance(value, str) else "entry"


Assignment = Annotated[
    Union[Annotated[Text, Tag("key")], Annotated[AssignmentEntry, Tag("entry")]],
    Discriminator(_assignment_kind),
]


class PolicyEntry(_Entry):
    """A provisioning policy; ``image`` and ``assignments`` refer to other sections by key."""

    display_name: Text = Field(description="Policy name; unique within the stack.")
    description: Text | None = Field(None, description="Policy description.")
    image: Text = Field(description="A key of w365:images.")
    provisioning_type: Literal[PROVISIONING_TYPES] | None = Field(  # type: ignore[valid-type]
        None, description="License type: dedicated (Enterprise, the default), sharedByUser (Frontline dedicated; "
        "shared is deprecated), sharedByEntraGroup (Frontline shared) or reserve (Reserve); a change replaces the policy."
    )
    user_experience_type: Literal[USER_EXPERIENCE_TYPES] | None = Field(  # type: ignore[valid-type]
        None, description="cloudPc (full desktop, the default) or cloudApp (Cloud Apps; Frontline shared). Beta."
    )
    domain_join_configurations: list[DomainJoinEntry] = Field(
        min_length=1, description="Network and join type, by priority."
    )
    assignments: list[Assignment] | None = Field(
        None,
        description="Keys of w365:groups (or {group, servicePlanId, allotmentDisplayName, allotmentLicensesCount}); "
        "omitted or [], the policy has no assignments.",
    )
    enable_single_sign_on: Flag | None = Field(None, description="Microsoft Entra single sign-on.")
    local_admin_enabled: Flag | None = Field(None, description="Users are local administrators; a change replaces the policy.")
    cloud_pc_naming_template: Text | None = Field(None, description="Naming template, for example CPC-%USERNAME:4%-%RAND:5%.")
    windows_setting: WindowsSettingEntry | None = Field(None, description="Language and region.")
    microsoft_managed_desktop: ManagedDesktopEntry | None = Field(None, description="Microsoft Managed Desktop.")
    autopatch: AutopatchEntry | None = Field(None, description="Windows Autopatch.")
    autopilot_configuration: AutopilotEntry | None = Field(None, description="Windows Autopilot device preparation. Beta.")
    user_settings_persistence_configuration: PersistenceEntry | None = Field(
        None, description="User Experience Sync (Frontline shared). Beta."
    )
    scope_ids: list[Text] | None = Field(None, description="Scope tag ids; [\"0\"] (Default) when omitted. Beta.")
    apply_to_existing_cloud_pcs: ApplyEntry | None = Field(
        None, description="Apply region and single sign-on changes to existing Cloud PCs ({} for Graph's defaults). Beta."
    )
    adopt: Adopt | None = Field(
        None,
        description="Take over an existing policy instead of creating one: true (the one policy of this name) or "
        "its Graph id (what w365 export writes).",
    )


from w365_provider.config.tenant_model import (  # noqa: E402 - they build on the types above
    NetworkConnectionEntry,
    OrganizationSettingsEntry,
    UserSettingEntry,
)

# -- the whole config --------------------------------------------------------------------------


class StackConfigModel(BaseModel):
    """The program's sections of the stack config (without the ``w365:`` prefix)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    groups: dict[Key, GroupEntry] = Field(default_factory=dict, description="Entra groups, by key.")
    images: dict[Key, ImageEntry] = Field(default_factory=dict, description="Images, by key.")
    policies: dict[Key, PolicyEntry] = Field(default_factory=dict, description="Provisioning policies, by key.")
    userSettings: dict[Key, UserSettingEntry] = Field(default_factory=dict, description="User settings, by key.")
    networkConnections: dict[Key, NetworkConnectionEntry] = Field(
        default_factory=dict, description="Azure network connections, by key."
    )
    organizationSettings: OrganizationSettingsEntry | None = Field(
        None, description="The tenant's organization settings (one per tenant)."
    )


SECTION_MODELS: dict[str, Any] = {
    "groups": GroupEntry, "images": ImageEntry, "policies": PolicyEntry,
    "userSettings": UserSettingEntry, "networkConnections": NetworkConnectionEntry,
}  # fmt: skip
