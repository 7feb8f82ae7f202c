"""Beta ``supportedRegions``: the regions the tenant may provision Cloud PCs in (read-only, re-seeded on every start).

Graph reference:
- [list] https://learn.microsoft.com/en-us/graph/api/virtualendpoint-list-supportedregions?view=graph-rest-beta
  (beta only; ``$select`` and ``$filter``; permission CloudPC.Read.All)
- [region] https://learn.microsoft.com/en-us/graph/api/resources/cloudpcsupportedregion?view=graph-rest-beta
  (``displayName``, ``regionStatus`` available/restricted/unavailable, ``supportedSolution``,
  ``regionGroup``, ``geographicLocationType``; all read-only)

The seeded tenant is a commercial one: the regions Microsoft Learn lists under "Supported Azure
regions for Cloud PC provisioning"
(https://learn.microsoft.com/windows-365/enterprise/requirements#supported-azure-regions-for-cloud-pc-provisioning),
``restricted`` where that page says "Restricted", the US Government ones ``unavailable``, and one
Dev Box-only region. Assumptions: ``displayName`` is the Azure region name (the reference's
example shows a made-up name), the region group and location type of each region, and that a
commercial tenant sees the government regions as ``unavailable``.
"""

from __future__ import annotations

import uuid

from ..routing import Node
from ..schema import EntityType, EnumType, enum_prop, string_prop
from .base import EntitySet
from .provisioning_policies import GEOGRAPHIC_LOCATION_TYPE, REGION_GROUP

REGION_STATUS = EnumType(
    "microsoft.graph.cloudPcSupportedRegionStatus", (), ("available", "restricted", "unavailable", "unknownFutureValue")
)
SOLUTION = EnumType("microsoft.graph.cloudPcManagementService", (), ("windows365", "devBox", "unknownFutureValue"))

SUPPORTED_REGION = EntityType(
    "microsoft.graph.cloudPcSupportedRegion",
    {
        "id": string_prop(read_only=True),
        "displayName": string_prop(read_only=True),
        "regionStatus": enum_prop(REGION_STATUS, read_only=True),
        "supportedSolution": enum_prop(SOLUTION, read_only=True),
        "regionGroup": enum_prop(REGION_GROUP, read_only=True),
        "geographicLocationType": enum_prop(GEOGRAPHIC_LOCATION_TYPE, read_only=True),
    },
)

_ID_NAMESPACE = uuid.UUID("7d1c9a52-3f0e-4c55-9b8e-5a0c2e7f4b61")

# (displayName, regionStatus, regionGroup, geographicLocationType, supportedSolution)
REGIONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("southafricanorth", "available", "default", "africa", "windows365"),
    ("eastasia", "available", "asia", "asia", "windows365"),
    ("japaneast", "available", "japan", "asia", "windows365"),
    ("japanwest", "available", "japan", "asia", "windows365"),
    ("koreacentral", "available", "southKorea", "asia", "windows365"),
    ("southeastasia", "available", "asia", "asia", "windows365"),
    ("australiaeast", "available", "australia", "australasia", "windows365"),
    ("newzealandnorth", "available", "newZealand", "australasia", "windows365"),
    ("canadacentral", "available", "canada", "canada", "windows365"),
    ("mexicocentral", "available", "mexico", "centralAmerica", "windows365"),
    ("francecentral", "available", "france", "europe", "windows365"),
    ("germanywestcentral", "available", "germany", "europe", "windows365"),
    ("northeurope", "available", "europeUnion", "europe", "windows365"),
    ("italynorth", "available", "italy", "europe", "windows365"),
    ("westeurope", "available", "europeUnion", "europe", "windows365"),
    ("norwayeast", "available", "norway", "europe", "windows365"),
    ("polandcentral", "available", "poland", "europe", "windows365"),
    ("spaincentral", "available", "spain", "europe", "windows365"),
    ("swedencentral", "available", "sweden", "europe", "windows365"),
    ("switzerlandnorth", "available", "switzerland", "europe", "windows365"),
    ("uksouth", "available", "unitedKingdom", "europe", "windows365"),
    ("centralindia", "available", "india", "india", "windows365"),
    ("qatarcentral", "restricted", "middleEast", "middleEast", "windows365"),
    ("israelcentral", "available", "israel", "middleEast", "windows365"),
    ("uaenorth", "available", "middleEast", "middleEast", "windows365"),
    ("brazilsouth", "available", "southAmerica", "southAmerica", "windows365"),
    ("centralus", "available", "usCentral", "usCentral", "windows365"),
    ("southcentralus", "available", "usCentral", "usCentral", "windows365"),
    ("eastus", "available", "usEast", "usEast", "windows365"),
    ("eastus2", "available", "usEast", "usEast", "windows365"),
    ("westus2", "restricted", "usWest", "usWest", "windows365"),
    ("westus3", "available", "usWest", "usWest", "windows365"),
    ("usgovarizona", "unavailable", "usGovernment", "usGovernment", "windows365"),
    ("usgovvirginia", "unavailable", "usGovernment", "usGovernment", "windows365"),
    ("usgovtexas", "unavailable", "usGovernment", "usGovernment", "windows365"),
    ("westcentralus", "available", "usCentral", "usCentral", "devBox"),
)
"""The seeded tenant's regions, in the documentation's order (the last one is for Dev Box only)."""


class SupportedRegions(EntitySet):
    """[list] (beta only; v1.0: 400 segment not found): list, ``$select``, ``$filter``; no writes."""

    name = "supportedRegions"
    entity_type = SUPPORTED_REGION

    def seed(self, *, first: bool) -> None:
        for display_name, status, group, location, solution in REGIONS:
            self.store.upsert(
                self.name,
                {"id": str(uuid.uuid5(_ID_NAMESPACE, f"{display_name}/{solution}")), "displayName": display_name,
                 "regionStatus": status, "supportedSolution": solution, "regionGroup": group,
                 "geographicLocationType": location},
            )  # fmt: skip

    def routes(self) -> Node:
        return self.beta_only_collection()

