"""ProvisioningPolicy: a Windows 365 Cloud PC provisioning policy on Microsoft Graph.

The package: ``spec.py`` (the table), ``rules.py`` (what the table cannot say), ``provider.py``
(assign, unassign before delete, the image name after an image change) and, here, the typed
arguments and the public resource class. Changes of region/network, image or single sign-on
reach only Cloud PCs provisioned afterwards; ``check`` warns when such a change is planned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NotRequired, Optional, Required, TypedDict

import pulumi

from w365_provider.kit.resource import resource_options, resource_props

from .provider import ProvisioningPolicyProvider
from .spec import SPEC

__all__ = [
    "AssignmentArgs",
    "AutopatchArgs",
    "DomainJoinConfigurationArgs",
    "MicrosoftManagedDesktopArgs",
    "ProvisioningPolicy",
    "ProvisioningPolicyProvider",
    "SPEC",
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
    """Service plan (Cloud PC size) id; only for shared (Frontline) policies."""


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
    :param provisioning_type: ``dedicated`` (default) or ``shared``; a change replaces the policy.
    :param enable_single_sign_on: Single sign-on to Cloud PCs (Graph's default: false).
    :param local_admin_enabled: Users are local administrators (default false); a change replaces
        the policy, as Graph's update does not take it.
    :param windows_setting: ``{"locale": "en-US"}``.
    :param cloud_pc_naming_template: For example ``CPC-%USERNAME:4%-%RAND:5%``.
    :param microsoft_managed_desktop: ``{"managed_type": ..., "profile": ...}``.
    :param autopatch: ``{"autopatch_group_id": ...}``.
    :param assignments: Groups to assign; the whole set is replaced on change. ``None`` leaves
        assignments unmanaged, ``[]`` removes them all.
    :param adopt: Take over an existing policy instead of creating one (the import path, since
        dynamic resources cannot be imported): ``True`` takes the one policy with this display
        name (refused, listing the ids, when two share it); a Graph id (``"<id>"``, what
        ``w365 export`` writes) takes exactly that policy. Settings that differ from the code
        show in the preview and are applied on ``up``.
    :param opts: Resource options; ``replace_on_changes`` and ``ignore_changes=["adopt"]`` are
        added to them.

    Changes of region/network, image or single sign-on reach only Cloud PCs provisioned
    afterwards; a warning says so when such a change is planned.
    """

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
        adopt: bool | str = False,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        given = dict(locals())
        props = resource_props(SPEC, given)
        super().__init__(ProvisioningPolicyProvider(), resource_name, props, resource_options(SPEC, opts))
