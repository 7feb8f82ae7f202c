"""Windows 365 Cloud PC provisioning as code: Pulumi resources over Microsoft Graph.

The names below are loaded on first use (PEP 562): a program that declares policies, user
settings and connections, and the provider process that serves them, load only those resources'
modules, not the gallery, the look-ups or the other resources (about 12 ms less at the start of
each of the two processes, on the path of every command's first Graph request). The names are
listed twice, as imports for type checkers and in ``_WHERE`` for the loader;
``tests/unit/test_kit.py`` keeps the two lists equal.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from w365_provider.device_image import DeviceImage
    from w365_provider.errors import (
        ConfigurationError,
        GraphConflictError,
        GraphError,
        GraphNotFoundError,
        GraphThrottledError,
        GraphTransportError,
        HealthCheckFailedError,
        ImageFailedError,
        NoMatchingImageError,
        NoMatchingServicePlanError,
        ValidationError,
        W365Error,
    )
    from w365_provider.gallery import GalleryImage, get_gallery_image
    from w365_provider.lookups.service_plans import (
        FrontlineServicePlan,
        ServicePlan,
        get_frontline_service_plan,
        get_service_plan,
    )
    from w365_provider.provisioning_policy import ProvisioningPolicy
    from w365_provider.resources.network_connection import NetworkConnection
    from w365_provider.resources.organization_settings import OrganizationSettings
    from w365_provider.resources.user_setting import UserSetting
    from w365_provider.settings import Settings

# public name -> the module that defines it
_WHERE = {
    "DeviceImage": "w365_provider.device_image",
    **dict.fromkeys(
        (
            "ConfigurationError", "GraphConflictError", "GraphError", "GraphNotFoundError",
            "GraphThrottledError", "GraphTransportError", "HealthCheckFailedError", "ImageFailedError",
            "NoMatchingImageError", "NoMatchingServicePlanError", "ValidationError", "W365Error",
        ),
        "w365_provider.errors",
    ),  # fmt: skip
    "GalleryImage": "w365_provider.gallery",
    "get_gallery_image": "w365_provider.gallery",
    **dict.fromkeys(
        ("FrontlineServicePlan", "ServicePlan", "get_frontline_service_plan", "get_service_plan"),
        "w365_provider.lookups.service_plans",
    ),
    "ProvisioningPolicy": "w365_provider.provisioning_policy",
    "NetworkConnection": "w365_provider.resources.network_connection",
    "OrganizationSettings": "w365_provider.resources.organization_settings",
    "UserSetting": "w365_provider.resources.user_setting",
    "Settings": "w365_provider.settings",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'w365_provider' has no attribute {name!r}")
    value = getattr(importlib.import_module(where), name)
    globals()[name] = value  # once loaded, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
