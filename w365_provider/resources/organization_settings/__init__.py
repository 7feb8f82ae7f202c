"""OrganizationSettings: the tenant's Windows 365 organization settings (``cloudPcOrganizationSettings``,
Graph beta), a singleton per tenant.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Optional, TypedDict

import pulumi

from w365_provider.errors import ConfigurationError
from w365_provider.kit import checks, mapping
from w365_provider.kit.resource import register, resource_options, resource_props

from .provider import DELETE_NOTE, SINGLETON_ID, OrganizationSettingsProvider
from .spec import SPEC

__all__ = ["DELETE_NOTE", "SINGLETON_ID", "SPEC", "OrganizationSettings", "OrganizationSettingsProvider",
           "WindowsSettingsArgs", "normalize", "validate"]  # fmt: skip

_declared: dict[tuple[str, str], str] = {}
_lock = threading.Lock()


class WindowsSettingsArgs(TypedDict):
    """Windows language of new Cloud PCs."""

    language: str
    """A language tag such as ``en-US``."""


def normalize(props: dict[str, Any]) -> dict[str, Any]:
    """Inputs in their canonical form."""
    return mapping.normalize(SPEC, props)


def validate(props: dict[str, Any]) -> list[Any]:
    """Every rule (normalized) ``props`` break, as ``CheckFailure``s."""
    return checks.validate(SPEC, props)


class OrganizationSettings(pulumi.dynamic.Resource, module="w365", name="OrganizationSettings"):
    """The tenant's Windows 365 organization settings (``pulumi-python:dynamic/w365:OrganizationSettings``):
    the defaults of new Cloud PCs (operating system, user account type, single sign-on, Intune
    enrolment, Windows language). There is one per tenant, so a stack declares it at most once
    (a second declaration is refused at preview).

    Creating the resource takes the settings over (one PATCH of what is set); properties left
    out stay as the tenant has them. Deleting it stops managing the settings and leaves the
    tenant as it is: Graph has no delete for them, and the preview says so.

    :param os_version: ``windows10`` or ``windows11``.
    :param user_account_type: ``standardUser`` or ``administrator``.
    :param enable_single_sign_on: Single sign-on by default.
    :param enable_mem_auto_enroll: Enroll Cloud PCs in Microsoft Intune automatically.
    :param windows_settings: ``{"language": "en-US"}``.
    """

    if TYPE_CHECKING:  # the outputs, for type checkers and readers only (see w365_provider.kit.resource)
        settings_id: pulumi.Output[str]
        os_version: pulumi.Output[Optional[str]]
        user_account_type: pulumi.Output[Optional[str]]
        enable_single_sign_on: pulumi.Output[Optional[bool]]
        enable_mem_auto_enroll: pulumi.Output[Optional[bool]]
        windows_settings: pulumi.Output[Optional[dict[str, Any]]]

    def __init__(
        self,
        resource_name: str,
        *,
        os_version: Optional[pulumi.Input[str]] = None,
        user_account_type: Optional[pulumi.Input[str]] = None,
        enable_single_sign_on: Optional[pulumi.Input[bool]] = None,
        enable_mem_auto_enroll: Optional[pulumi.Input[bool]] = None,
        windows_settings: Optional[pulumi.Input[WindowsSettingsArgs]] = None,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        given = dict(locals())
        _claim(resource_name)
        props = resource_props(SPEC, given)
        register(self, OrganizationSettingsProvider, resource_name, props, resource_options(SPEC, opts))


def _claim(resource_name: str) -> None:
    """Refuse a second declaration in the same stack (the program runs once per stack)."""
    key = (pulumi.get_project(), pulumi.get_stack())
    with _lock:
        first = _declared.setdefault(key, resource_name)
    if first != resource_name:
        raise ConfigurationError(
            f"OrganizationSettings '{resource_name}': the stack already declares OrganizationSettings '{first}'; "
            "a tenant has one set of organization settings, so declare it once"
        )
