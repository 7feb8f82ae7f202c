"""ProvisioningPolicy: a Windows 365 Cloud PC provisioning policy on Microsoft Graph.

The package: ``spec.py`` (the table), ``rules.py`` (what the table cannot say), ``provider.py``
(assign, unassign before delete, the image name after an image change) and, here, the typed
arguments and the public resource class. Changes of region/network, image or single sign-on
reach only Cloud PCs provisioned afterwards; ``check`` warns when such a change is planned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NotRequired, Optional, Required, TypedDict

import pulumi

from w365_provider.kit.resource import register, resource_options, resource_props

from .provider import ProvisioningPolicyProvider
from .spec import SPEC

__all__ = [
    "ApplyToExistingCloudPcsArgs",
    "AssignmentArgs",
    "AutopilotConfigurationArgs",
    "AutopatchArgs",
    "DomainJoinConfigurationArgs",
    "MicrosoftManagedDesktopArgs",
    "ProvisioningPolicy",
    "ProvisioningPolicyProvider",
    "SPEC",
    "UserSettingsPersistenceConfigurationArgs",
    "WindowsSettingArgs",
]


class DomainJoinConfigurationArgs(TypedDict, total=False):
    """One way to join Cloud PCs to a domain; the list is ordered by priority."""

    domain_join_type: Required[str]
    """``azureADJoin`` or ``hybridAzureADJoin``."""
    on_premises_connection_id: NotRequired[str]
    """Azure network connection id (GUID). Required for hybrid join."""
    region_name: NotRequired[str]
    """Microsoft-hosted network region (``westeurope`` ...) or ``automatic``; Entra join only."""
    region_group: NotRequired[str]
    """Region group (``europeUnion`` ...); Graph derives it when not given."""


class WindowsSettingArgs(TypedDict):
    """Windows settings of new Cloud PCs."""

    locale: str
    """Language and region tag, for example ``en-US``."""


class MicrosoftManagedDesktopArgs(TypedDict, total=False):
    """Microsoft Managed Desktop enrolment."""

    managed_type: str
    """``notManaged``, ``premiumManaged``, ``standardManaged`` or ``starterManaged``."""
    profile: str
    """Name of the Microsoft Managed Desktop profile."""


class AutopatchArgs(TypedDict):
    """Windows Autopatch group the Cloud PCs join."""

    autopatch_group_id: str
    """Windows Autopatch group id (GUID)."""


class AssignmentArgs(TypedDict, total=False):
    """A group the policy is assigned to."""

    group_id: Required[str]
    """Entra group object id (GUID)."""
    service_plan_id: NotRequired[Optional[str]]
    """Service plan (Cloud PC size) id: required for Frontline and Reserve policies (see
    ``w365_provider.lookups.get_service_plan`` / ``get_frontline_service_plan``)."""
    allotment_display_name: NotRequired[str]
    """Assignment name; Frontline shared (``sharedByEntraGroup``) only, required there. Beta."""
    allotment_licenses_count: NotRequired[int]
    """Number of Cloud PCs of the assignment; Frontline shared only, required there. Beta."""


class AutopilotConfigurationArgs(TypedDict):
    """Windows Autopilot device preparation (beta)."""

    device_preparation_profile_id: str
    """The device preparation policy's id (GUID)."""
    application_timeout_in_minutes: int
    """Minutes allowed for the device preparation policy's apps, 30 to 360."""
    on_failure_device_access_denied: bool
    """Prevent users from connecting when installation fails or times out."""


class UserSettingsPersistenceConfigurationArgs(TypedDict, total=False):
    """User Experience Sync (beta; Frontline shared only)."""

    user_settings_persistence_enabled: bool
    """Keep users' app settings between sessions."""
    user_settings_persistence_storage_size_category: str
    """``fourGB`` (Graph's default), ``eightGB``, ``sixteenGB``, ``thirtyTwoGB`` or ``sixtyFourGB``."""


class ApplyToExistingCloudPcsArgs(TypedDict, total=False):
    """Options of "Apply to existing Cloud PCs" (Graph's beta ``apply`` action)."""

    reserve_percentage: int
    """Percentage of Cloud PCs kept available while a region change is applied (0 to 99)."""
    force_user_logoff: bool
    """Sign users out so the change applies now rather than at their next sign-in."""


class ProvisioningPolicy(pulumi.dynamic.Resource, module="w365", name="ProvisioningPolicy"):
    """A Windows 365 Cloud PC provisioning policy (``pulumi-python:dynamic/w365:ProvisioningPolicy``).

    Example::

        ProvisioningPolicy(
            "engineering",
            display_name="Engineering",
            image_id="MicrosoftWindowsDesktop_windows-ent-cpc_win11-24h2-ent-cpc-m365",
            image_type="gallery",
            domain_join_configurations=[{"domain_join_type": "azureADJoin", "region_name": "automatic"}],
            assignments=[{"group_id": "5f0c3c9e-8f57-4a8e-9d3c-1a2b3c4d5e03"}],
        )

    :param resource_name: Pulumi name of the resource.
    :param display_name: Policy name; not ``< > & | " ^``.
    :param image_id: Gallery image id (``publisher_offer_sku``) or custom device image id (GUID).
    :param image_type: ``gallery`` or ``custom``.
    :param domain_join_configurations: How Cloud PCs join, by priority; see ``DomainJoinConfigurationArgs``.
    :param description: Free text.
    :param image_display_name: Image name shown in Intune; Graph fills it when omitted.
    :param provisioning_type: License type: ``dedicated`` (Enterprise, the default),
        ``sharedByUser`` (Frontline dedicated; ``shared`` is its deprecated v1.0 name),
        ``sharedByEntraGroup`` (Frontline shared) or ``reserve`` (Reserve); the last three need
        ``w365:graphUrl`` on ``/beta``. A change replaces the policy.
    :param user_experience_type: Beta. ``cloudPc`` (full desktop, Graph's default) or ``cloudApp``
        (Cloud Apps, Frontline shared only); a change replaces the policy.
    :param autopilot_configuration: Beta. Windows Autopilot device preparation; see
        ``AutopilotConfigurationArgs``.
    :param user_settings_persistence_configuration: Beta, Frontline shared only. User Experience Sync.
    :param scope_ids: Beta. Scope tag ids (Graph's default ``["0"]``, the Default tag).
    :param apply_to_existing_cloud_pcs: Beta. When set (``{}`` or ``ApplyToExistingCloudPcsArgs``),
        a change of region or single sign-on is applied to existing Cloud PCs after the update
        (Graph's ``apply`` action); otherwise existing Cloud PCs keep their old settings.
    :param enable_single_sign_on: Single sign-on to Cloud PCs (Graph's default: false).
    :param local_admin_enabled: Users are local administrators (default false); a change replaces
        the policy, as Graph's update does not take it.
    :param windows_setting: ``{"locale": "en-US"}``: Language & Region, the tag of a Windows language
        pack (``w365_provider.lookups.locales``).
    :param cloud_pc_naming_template: For example ``CPC-%USERNAME:4%-%RAND:5%``.
    :param microsoft_managed_desktop: ``{"managed_type": ..., "profile": ...}``.
    :param autopatch: ``{"autopatch_group_id": ...}``.
    :param assignments: Groups to assign; the whole set is replaced on change. Left out, the
        policy has no assignments (groups assigned in the portal are removed by ``up``). A
        Frontline or Reserve assignment's ``service_plan_id`` is a size's id: name the size with
        ``get_service_plan`` / ``get_frontline_service_plan`` and pass its ``id``.

    The code owns the whole policy: a writable property left out means Graph's default, so a
    value set in the portal shows as drift after ``refresh`` and is reverted by ``up``. To let
    the portal own a property, name it in ``ignore_changes`` (``opts=pulumi.ResourceOptions(
    ignore_changes=["enable_single_sign_on"])``).
    :param adopt: Take over an existing policy instead of creating one (the import path, since
        dynamic resources cannot be imported): ``True`` takes the one policy with this display
        name (refused, listing the ids, when two share it); a Graph id (``"<id>"``, what
        ``w365 export`` writes) takes exactly that policy. Settings that differ from the code
        show in the preview and are applied on ``up``. One owner per policy: the provider sees
        only its own stack, so it cannot tell that another stack already adopted the policy.
        Adopt by id, from ``w365 export``, into exactly one stack, and never list the same id in
        two: the second stack's ``destroy`` would delete the policy the first manages, and the
        first's next ``refresh`` would report it gone.
    :param opts: Resource options; ``replace_on_changes`` and ``ignore_changes=["adopt"]`` are
        added to them.

    Changes of region/network, image or single sign-on reach only Cloud PCs provisioned
    afterwards; a warning says so when such a change is planned.
    """

    if TYPE_CHECKING:  # the outputs, for type checkers and readers only (see w365_provider.kit.resource)
        policy_id: pulumi.Output[str]
        """Graph id of the policy."""
        display_name: pulumi.Output[str]
        description: pulumi.Output[Optional[str]]
        image_id: pulumi.Output[str]
        image_display_name: pulumi.Output[Optional[str]]
        """The image's display name, as Graph holds it."""
        image_type: pulumi.Output[str]
        provisioning_type: pulumi.Output[str]
        domain_join_configurations: pulumi.Output[list[dict[str, Any]]]
        """As Graph holds them (``DomainJoinConfigurationArgs`` keys), including values Graph derives
        such as ``region_group``."""
        enable_single_sign_on: pulumi.Output[Optional[bool]]
        local_admin_enabled: pulumi.Output[Optional[bool]]
        windows_setting: pulumi.Output[Optional[dict[str, Any]]]
        """``WindowsSettingArgs`` keys."""
        cloud_pc_naming_template: pulumi.Output[Optional[str]]
        microsoft_managed_desktop: pulumi.Output[Optional[dict[str, Any]]]
        """``MicrosoftManagedDesktopArgs`` keys."""
        autopatch: pulumi.Output[Optional[dict[str, Any]]]
        """``AutopatchArgs`` keys."""
        user_experience_type: pulumi.Output[Optional[str]]
        autopilot_configuration: pulumi.Output[Optional[dict[str, Any]]]
        user_settings_persistence_configuration: pulumi.Output[Optional[dict[str, Any]]]
        scope_ids: pulumi.Output[Optional[list[str]]]
        apply_to_existing_cloud_pcs: pulumi.Output[Optional[dict[str, Any]]]
        assignments: pulumi.Output[list[dict[str, Any]]]
        """``AssignmentArgs`` keys; as Graph holds them (sorted by group id)."""
        grace_period_in_hours: pulumi.Output[Optional[int]]
        """Hours before Cloud PCs of removed users are deprovisioned (Graph's value)."""
        cloud_pc_group_display_name: pulumi.Output[Optional[str]]
        alternate_resource_url: pulumi.Output[Optional[str]]
        adopt: pulumi.Output[bool | str]

    def __init__(
        self,
        resource_name: str,
        *,
        display_name: pulumi.Input[str],
        image_id: pulumi.Input[str],
        image_type: pulumi.Input[str],
        domain_join_configurations: pulumi.Input[Sequence[pulumi.Input[DomainJoinConfigurationArgs]]],
        description: Optional[pulumi.Input[str]] = None,
        image_display_name: Optional[pulumi.Input[str]] = None,
        provisioning_type: pulumi.Input[str] = "dedicated",
        enable_single_sign_on: Optional[pulumi.Input[bool]] = None,
        local_admin_enabled: Optional[pulumi.Input[bool]] = None,
        windows_setting: Optional[pulumi.Input[WindowsSettingArgs]] = None,
        cloud_pc_naming_template: Optional[pulumi.Input[str]] = None,
        microsoft_managed_desktop: Optional[pulumi.Input[MicrosoftManagedDesktopArgs]] = None,
        autopatch: Optional[pulumi.Input[AutopatchArgs]] = None,
        assignments: Optional[pulumi.Input[Sequence[pulumi.Input[AssignmentArgs]]]] = None,
        user_experience_type: Optional[pulumi.Input[str]] = None,
        autopilot_configuration: Optional[pulumi.Input[AutopilotConfigurationArgs]] = None,
        user_settings_persistence_configuration: Optional[pulumi.Input[UserSettingsPersistenceConfigurationArgs]] = None,
        scope_ids: Optional[pulumi.Input[Sequence[pulumi.Input[str]]]] = None,
        apply_to_existing_cloud_pcs: Optional[pulumi.Input[ApplyToExistingCloudPcsArgs]] = None,
        adopt: bool | str = False,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        given = dict(locals())
        props = resource_props(SPEC, given)
        register(self, ProvisioningPolicyProvider, resource_name, props, resource_options(SPEC, opts))
