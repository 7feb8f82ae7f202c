"""The Windows 365 admin center's words for Graph's enum values, in one place: the review report,
the warnings of ``check`` and the docs read them from here (a test pins them).

Sources: https://learn.microsoft.com/windows-365/enterprise/create-provisioning-policy (license
types, join types, networks, experience) and
https://learn.microsoft.com/windows-365/enterprise/introduction-windows-365-frontline (Frontline
in dedicated mode is ``shared``/``sharedByUser``, in shared mode ``sharedByEntraGroup``).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "IMAGE_TYPE_LABELS",
    "JOIN_TYPE_LABELS",
    "MANAGED_TYPE_LABELS",
    "NETWORK_LABELS",
    "PROVISIONING_TYPE_LABELS",
    "STORAGE_SIZE_LABELS",
    "USER_EXPERIENCE_LABELS",
    "license_type",
]

PROVISIONING_TYPE_LABELS: dict[str, str] = {
    "dedicated": "Enterprise",
    "shared": "Frontline dedicated",
    "sharedByUser": "Frontline dedicated",
    "sharedByEntraGroup": "Frontline shared",
    "reserve": "Reserve",
}
"""License types (``provisioningType``) as the admin center names them."""

JOIN_TYPE_LABELS: dict[str, str] = {
    "azureADJoin": "Microsoft Entra join",
    "hybridAzureADJoin": "Microsoft Entra hybrid join",
}
"""Join types (``domainJoinType``)."""

NETWORK_LABELS: dict[str, str] = {
    "region_name": "Microsoft-hosted network",
    "on_premises_connection_id": "Azure network connection",
}
"""Network kinds: a region (Microsoft-hosted network) or an Azure network connection."""

IMAGE_TYPE_LABELS: dict[str, str] = {"gallery": "Gallery image", "custom": "Custom image"}

MANAGED_TYPE_LABELS: dict[str, str] = {
    "notManaged": "Not managed",
    "premiumManaged": "Premium",
    "standardManaged": "Standard",
    "starterManaged": "Starter",
}
"""Microsoft Managed Desktop plans (``managedType``)."""

USER_EXPERIENCE_LABELS: dict[str, str] = {"cloudPc": "Access a full Cloud PC desktop", "cloudApp": "Access only Cloud Apps"}
"""Experience (``userExperienceType``), as the wizard's Experience choice reads."""

STORAGE_SIZE_LABELS: dict[str, str] = {
    "fourGB": "4 GB", "eightGB": "8 GB", "sixteenGB": "16 GB", "thirtyTwoGB": "32 GB", "sixtyFourGB": "64 GB",
}  # fmt: skip
"""User Experience Sync storage sizes."""


def license_type(value: Any) -> str:
    """The admin center's name of a ``provisioningType`` (``dedicated`` when none is given);
    an unknown value as it is."""
    key = "dedicated" if value is None else str(value)
    return PROVISIONING_TYPE_LABELS.get(key, key)
