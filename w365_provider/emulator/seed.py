"""The seeded catalogue: gallery images, Azure network connections and Entra groups.

Gallery images are a read-only catalogue and are re-written on every start. Connections and
groups are seeded once per database (and again by ``POST /_emulator/reset``); their ids are
fixed because tests and the sample program refer to them.

Gallery image ids follow Graph's ``{publisherName}_{offerName}_{skuName}`` form. Dates follow
the Windows 11 Enterprise servicing calendar; ``status`` is stored as of late 2026
(``supportedWithWarning`` after ``endDate``, ``notSupported`` after ``expirationDate``).
"""

from __future__ import annotations

from typing import Any

PUBLISHER = "MicrosoftWindowsDesktop"
OFFER = "windows-ent-cpc"

GROUP_PILOT_USERS = "5f0c3c9e-8f57-4a8e-9d3c-1a2b3c4d5e01"
GROUP_FINANCE = "5f0c3c9e-8f57-4a8e-9d3c-1a2b3c4d5e02"
GROUP_ENGINEERING = "5f0c3c9e-8f57-4a8e-9d3c-1a2b3c4d5e03"

CONNECTION_HYBRID_WEU = "a1b2c3d4-0000-4000-8000-000000000001"
CONNECTION_ENTRA_EUS = "a1b2c3d4-0000-4000-8000-000000000002"

#: A supported image, handy as a default in tests and samples.
GALLERY_WIN11_24H2_M365 = f"{PUBLISHER}_{OFFER}_win11-24h2-ent-cpc-m365"

_SUBSCRIPTION = "0b7e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b"


def _image(
    sku: str,
    display_name: str,
    os_version: str,
    start: str,
    end: str,
    expiration: str,
    status: str,
) -> dict[str, Any]:
    return {
        "id": f"{PUBLISHER}_{OFFER}_{sku}",
        "displayName": display_name,
        "publisherName": PUBLISHER,
        "offerName": OFFER,
        "skuName": sku,
        "osVersionNumber": os_version,
        "sizeInGB": 64,
        "startDate": start,
        "endDate": end,
        "expirationDate": expiration,
        "status": status,
    }


GALLERY_IMAGES: list[dict[str, Any]] = [
    _image("win11-25h2-ent-cpc-m365", "Windows 11 Enterprise + Microsoft 365 Apps 25H2",
           "10.0.26200.7171", "2025-10-14", "2028-10-10", "2029-04-10", "supported"),
    _image("win11-25h2-ent-cpc", "Windows 11 Enterprise 25H2",
           "10.0.26200.7171", "2025-10-14", "2028-10-10", "2029-04-10", "supported"),
    _image("win11-24h2-ent-cpc-m365", "Windows 11 Enterprise + Microsoft 365 Apps 24H2",
           "10.0.26100.7171", "2024-10-01", "2027-10-12", "2028-04-12", "supported"),
    _image("win11-24h2-ent-cpc", "Windows 11 Enterprise 24H2",
           "10.0.26100.7171", "2024-10-01", "2027-10-12", "2028-04-12", "supported"),
    _image("win11-23h2-ent-cpc-m365", "Windows 11 Enterprise + Microsoft 365 Apps 23H2",
           "10.0.22631.6199", "2023-10-31", "2026-11-10", "2027-05-10", "supportedWithWarning"),
    _image("win11-23h2-ent-cpc", "Windows 11 Enterprise 23H2",
           "10.0.22631.6199", "2023-10-31", "2026-11-10", "2027-05-10", "supportedWithWarning"),
    _image("win11-22h2-ent-cpc-m365", "Windows 11 Enterprise + Microsoft 365 Apps 22H2",
           "10.0.22621.4317", "2022-10-18", "2025-10-14", "2026-04-14", "notSupported"),
    _image("win10-22h2-ent-cpc-m365", "Windows 10 Enterprise + Microsoft 365 Apps 22H2",
           "10.0.19045.6456", "2022-10-18", "2025-10-14", "2026-04-14", "notSupported"),
]


def _arm(rg: str, vnet: str, subnet: str) -> dict[str, str]:
    sub = f"/subscriptions/{_SUBSCRIPTION}"
    vnet_id = f"{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{vnet}"
    return {
        "subscriptionId": _SUBSCRIPTION,
        "subscriptionName": "Contoso Windows 365",
        "resourceGroupId": f"{sub}/resourceGroups/{rg}",
        "virtualNetworkId": vnet_id,
        "subnetId": f"{vnet_id}/subnets/{subnet}",
    }


ON_PREMISES_CONNECTIONS: list[dict[str, Any]] = [
    {
        "id": CONNECTION_HYBRID_WEU,
        "displayName": "ANC Hybrid West Europe",
        "connectionType": "hybridAzureADJoin",
        **_arm("rg-w365-weu", "vnet-w365-weu", "snet-cloudpc"),
        "virtualNetworkLocation": "westeurope",
        "adDomainName": "corp.contoso.com",
        "adDomainUsername": "svc-w365-join",
        "organizationalUnit": "OU=CloudPCs,DC=corp,DC=contoso,DC=com",
        "healthCheckStatus": "passed",
        "healthCheckPaused": False,
        "inUseByCloudPc": False,
        "alternateResourceUrl": None,
        "scopeIds": ["0"],
    },
    {
        "id": CONNECTION_ENTRA_EUS,
        "displayName": "ANC Entra East US",
        "connectionType": "azureADJoin",
        **_arm("rg-w365-eus", "vnet-w365-eus", "snet-cloudpc"),
        "virtualNetworkLocation": "eastus",
        "adDomainName": None,
        "adDomainUsername": None,
        "organizationalUnit": None,
        "healthCheckStatus": "passed",
        "healthCheckPaused": False,
        "inUseByCloudPc": False,
        "alternateResourceUrl": None,
        "scopeIds": ["0"],
    },
]


def _group(group_id: str, name: str, nickname: str) -> dict[str, Any]:
    return {
        "id": group_id,
        "displayName": name,
        "description": f"{name} (seeded by the W365 emulator)",
        "mailEnabled": False,
        "mailNickname": nickname,
        "securityEnabled": True,
        "groupTypes": [],
        "visibility": None,
        "isAssignableToRole": False,
        "createdDateTime": "2026-01-05T09:00:00Z",
    }


GROUPS: list[dict[str, Any]] = [
    _group(GROUP_PILOT_USERS, "W365 Pilot Users", "w365-pilot-users"),
    _group(GROUP_FINANCE, "W365 Finance", "w365-finance"),
    _group(GROUP_ENGINEERING, "W365 Engineering", "w365-engineering"),
]
