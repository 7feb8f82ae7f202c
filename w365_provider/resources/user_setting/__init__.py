"""UserSetting: Windows 365 user settings (``cloudPcUserSetting``) on Microsoft Graph.

The package: ``spec.py`` (the table, v1.0 and beta properties), ``rules.py`` (Graph's combinations),
``provider.py`` (assign, unassign before delete) and, here, the typed arguments and the public
resource class.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Optional, TypedDict

import pulumi

from w365_provider.kit import checks, mapping
from w365_provider.kit.resource import register, resource_options, resource_props

from . import rules as setting_rules
from .provider import UserSettingProvider, setting_from_graph
from .spec import SPEC

__all__ = [
    "SPEC",
    "CrossRegionDisasterRecoveryArgs",
    "NotificationSettingArgs",
    "RestorePointSettingArgs",
    "UserSetting",
    "UserSettingAssignmentArgs",
    "UserSettingProvider",
    "normalize",
    "setting_from_graph",
    "validate",
]


class RestorePointSettingArgs(TypedDict, total=False):
    """Point-in-time restore service."""

    frequency_type: str
    """``default`` (12 hours), ``fourHours``, ``sixHours``, ``twelveHours``, ``sixteenHours``, ``twentyFourHours``."""
    user_restore_enabled: bool
    """Allow user to restore Cloud PC."""
    frequency_in_hours: int
    """Beta: 4, 6, 12, 16 or 24 (agrees with ``frequency_type`` when both are given)."""


class CrossRegionDisasterRecoveryArgs(TypedDict, total=False):
    """Cross-region disaster recovery (beta)."""

    cross_region_disaster_recovery_enabled: bool
    disaster_recovery_type: str
    """``notConfigured``, ``crossRegion`` or ``premium``."""
    maintain_cross_region_restore_point_enabled: bool
    user_initiated_disaster_recovery_allowed: bool
    """Only with ``premium``."""


class NotificationSettingArgs(TypedDict, total=False):
    """Restart notifications (beta)."""

    restart_prompts_disabled: bool


class UserSettingAssignmentArgs(TypedDict):
    """A group the user setting is assigned to."""

    group_id: str
    """Entra group object id (GUID)."""


def normalize(props: dict[str, Any]) -> dict[str, Any]:
    """Inputs in their canonical form (the stack config's checks use it)."""
    return mapping.normalize(SPEC, props)


def validate(props: dict[str, Any]) -> list[Any]:
    """Every rule (normalized) ``props`` break, as ``CheckFailure``s; the Graph version is the
    provider's check (``w365:graphUrl`` decides), so beta-only properties pass here."""
    return checks.validate(SPEC, props, setting_rules.rules)


class UserSetting(pulumi.dynamic.Resource, module="w365", name="UserSetting"):
    """Windows 365 user settings (``pulumi-python:dynamic/w365:UserSetting``): local admin, reset,
    point-in-time restore, and in beta disaster recovery and restart notifications, for the users
    of the groups it is assigned to.

    Example::

        UserSetting(
            "engineering",
            display_name="Engineering users",
            local_admin_enabled=True,
            restore_point_setting={"frequency_type": "sixHours", "user_restore_enabled": True},
            assignments=[{"group_id": "5f0c3c9e-8f57-4a8e-9d3c-1a2b3c4d5e03"}],
        )

    :param display_name: Name; not ``< > & | " ^``.
    :param local_admin_enabled: Enable Local admin (Graph's default: false).
    :param reset_enabled: Allow user to initiate reset (default false).
    :param restore_point_setting: ``RestorePointSettingArgs``.
    :param self_service_enabled: Beta, deprecated by Graph.
    :param cross_region_disaster_recovery_setting: Beta; ``CrossRegionDisasterRecoveryArgs``.
    :param notification_setting: Beta; ``NotificationSettingArgs``.
    :param provisioning_source_type: Beta; ``image`` or ``snapshot``.
    :param assignments: Groups to assign; the whole set is replaced on change. ``None`` leaves
        assignments unmanaged, ``[]`` removes them all.
    :param adopt: Take over an existing user setting instead of creating one: ``True`` takes the
        one setting with this display name (refused, listing the ids, when two share it); a Graph
        id (what ``w365 export`` writes) takes exactly that setting. Read at create only. One
        owner per setting: the provider sees only its own stack, so it cannot tell that another
        stack already adopted the setting. Adopt by id, from ``w365 export``, into exactly one
        stack, and never list the same id in two: the second stack's ``destroy`` would delete the
        setting the first manages, and the first's next ``refresh`` would report it gone.

    Graph's version is the one ``w365:graphUrl`` names: a beta-only property against v1.0 is
    refused at preview, naming it and how to switch. Every property changes in place. Deleting an assigned setting unassigns it first.
    """

    if TYPE_CHECKING:  # the outputs, for type checkers and readers only (see w365_provider.kit.resource)
        setting_id: pulumi.Output[str]
        display_name: pulumi.Output[str]
        local_admin_enabled: pulumi.Output[Optional[bool]]
        reset_enabled: pulumi.Output[Optional[bool]]
        restore_point_setting: pulumi.Output[Optional[dict[str, Any]]]
        self_service_enabled: pulumi.Output[Optional[bool]]
        cross_region_disaster_recovery_setting: pulumi.Output[Optional[dict[str, Any]]]
        notification_setting: pulumi.Output[Optional[dict[str, Any]]]
        provisioning_source_type: pulumi.Output[Optional[str]]
        assignments: pulumi.Output[list[dict[str, Any]]]
        created_date_time: pulumi.Output[Optional[str]]
        last_modified_date_time: pulumi.Output[Optional[str]]
        adopt: pulumi.Output[bool | str]

    def __init__(
        self,
        resource_name: str,
        *,
        display_name: pulumi.Input[str],
        local_admin_enabled: Optional[pulumi.Input[bool]] = None,
        reset_enabled: Optional[pulumi.Input[bool]] = None,
        restore_point_setting: Optional[pulumi.Input[RestorePointSettingArgs]] = None,
        self_service_enabled: Optional[pulumi.Input[bool]] = None,
        cross_region_disaster_recovery_setting: Optional[pulumi.Input[CrossRegionDisasterRecoveryArgs]] = None,
        notification_setting: Optional[pulumi.Input[NotificationSettingArgs]] = None,
        provisioning_source_type: Optional[pulumi.Input[str]] = None,
        assignments: Optional[pulumi.Input[Sequence[pulumi.Input[UserSettingAssignmentArgs]]]] = None,
        adopt: bool | str = False,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        given = dict(locals())
        props = resource_props(SPEC, given)
        register(self, UserSettingProvider, resource_name, props, resource_options(SPEC, opts))
