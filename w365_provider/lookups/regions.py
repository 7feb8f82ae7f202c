"""Azure regions where Windows 365 provisions Cloud PCs on a Microsoft-hosted network (pure data).

The list is the one Microsoft Learn documents under "Supported Azure regions for Cloud PC
provisioning" (Windows 365 Enterprise and Flex, and Windows 365 Government):
https://learn.microsoft.com/windows-365/enterprise/requirements#supported-azure-regions-for-cloud-pc-provisioning

A provisioning policy's ``regionName`` takes the Azure name of one of them (``westeurope``), or
``automatic`` to let Windows 365 choose within the region group. On the beta endpoint Graph
lists the regions a tenant may use, with their region group, at
``GET /beta/deviceManagement/virtualEndpoint/supportedRegions``
(https://learn.microsoft.com/graph/api/resources/cloudpcsupportedregion?view=graph-rest-beta);
this module is the documented list for ``v1.0``, where that call does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from w365_provider.lookups.closest import closest, either, squash

__all__ = [
    "AUTOMATIC",
    "DOCUMENTATION",
    "REGIONS",
    "REGION_GROUPS",
    "REGION_GROUPS_BETA",
    "REGION_GROUP_NAMES",
    "SupportedRegion",
    "check_region_name",
    "closest_names",
    "closest_region_names",
    "not_a_region",
    "region_names",
]

DOCUMENTATION = (
    "https://learn.microsoft.com/windows-365/enterprise/requirements#supported-azure-regions-for-cloud-pc-provisioning"
)
AUTOMATIC = "automatic"
"""Windows 365 picks the region within the policy's region group."""

# Graph's cloudPcRegionGroup (https://learn.microsoft.com/graph/api/resources/cloudpcregiongroup?view=graph-rest-beta).
REGION_GROUPS = (
    "default", "australia", "canada", "usCentral", "usEast", "usWest", "france", "germany",
    "europeUnion", "unitedKingdom", "japan", "asia", "india", "southAmerica", "euap",
    "usGovernment", "usGovernmentDOD", "norway", "switzerland", "southKorea",
)  # fmt: skip
"""v1.0 ``cloudPcRegionGroup`` members (``unknownFutureValue`` is not a value to send)."""
REGION_GROUPS_BETA = (
    "middleEast", "mexico", "australasia", "europe", "singapore", "hongKong", "ireland", "sweden", "poland",
    "italy", "spain", "netherlands", "brazil", "israel", "automatic", "indonesia", "taiwan", "malaysia",
    "newZealand", "austria", "denmark", "belgium", "kenya",
)  # fmt: skip
"""The beta geography groups (evolvable members: read back only with the Prefer header)."""
REGION_GROUP_NAMES = (*REGION_GROUPS, *REGION_GROUPS_BETA)


@dataclass(frozen=True)
class SupportedRegion:
    """One Azure region of the documented list."""

    name: str
    """The Azure name Graph's ``regionName`` takes, for example ``westeurope``."""
    display_name: str
    """The name the documentation and the admin center show, for example ``West Europe``."""
    region_group: str
    """The documentation's region group (``Netherlands (EU)``, ``US East`` ...)."""
    geography: str
    """The documentation's geography (``Europe``, ``Asia`` ...)."""
    restricted: bool = False
    """Marked "Restricted" in the documentation: ask Microsoft support before provisioning there."""
    government: bool = False
    """Windows 365 Government (GCC, GCC High) only."""


REGIONS: tuple[SupportedRegion, ...] = (
    SupportedRegion("southafricanorth", "South Africa North", "South Africa", "Africa"),
    SupportedRegion("eastasia", "East Asia", "Hong Kong SAR", "Asia"),
    SupportedRegion("japaneast", "Japan East", "Japan", "Asia"),
    SupportedRegion("japanwest", "Japan West", "Japan", "Asia"),
    SupportedRegion("koreacentral", "Korea Central", "South Korea", "Asia"),
    SupportedRegion("southeastasia", "Southeast Asia", "Singapore", "Asia"),
    SupportedRegion("australiaeast", "Australia East", "Australia", "Australia & New Zealand"),
    SupportedRegion("newzealandnorth", "New Zealand North", "New Zealand", "Australia & New Zealand"),
    SupportedRegion("canadacentral", "Canada Central", "Canada", "Canada"),
    SupportedRegion("mexicocentral", "Mexico Central", "Mexico", "Mexico"),
    SupportedRegion("francecentral", "France Central", "France (EU)", "Europe"),
    SupportedRegion("germanywestcentral", "Germany West Central", "Germany (EU)", "Europe"),
    SupportedRegion("northeurope", "North Europe", "Ireland (EU)", "Europe"),
    SupportedRegion("italynorth", "Italy North", "Italy (EU)", "Europe"),
    SupportedRegion("westeurope", "West Europe", "Netherlands (EU)", "Europe"),
    SupportedRegion("norwayeast", "Norway East", "Norway", "Europe"),
    SupportedRegion("polandcentral", "Poland Central", "Poland (EU)", "Europe"),
    SupportedRegion("spaincentral", "Spain Central", "Spain (EU)", "Europe"),
    SupportedRegion("swedencentral", "Sweden Central", "Sweden (EU)", "Europe"),
    SupportedRegion("switzerlandnorth", "Switzerland North", "Switzerland", "Europe"),
    SupportedRegion("uksouth", "UK South", "United Kingdom", "Europe"),
    SupportedRegion("centralindia", "Central India", "India", "India"),
    SupportedRegion("qatarcentral", "Qatar Central", "Qatar", "Middle East", restricted=True),
    SupportedRegion("israelcentral", "Israel Central", "Israel", "Middle East"),
    SupportedRegion("uaenorth", "UAE North", "UAE", "Middle East"),
    SupportedRegion("brazilsouth", "Brazil South", "Brazil", "South America"),
    SupportedRegion("centralus", "Central US", "US Central", "US Central"),
    SupportedRegion("southcentralus", "South Central US", "US Central", "US Central"),
    SupportedRegion("eastus", "East US", "US East", "US East"),
    SupportedRegion("eastus2", "East US 2", "US East", "US East"),
    SupportedRegion("westus2", "West US 2", "US West", "US West", restricted=True),
    SupportedRegion("westus3", "West US 3", "US West", "US West"),
    SupportedRegion("usgovarizona", "US Gov Arizona", "US Government", "US Government", government=True),
    SupportedRegion("usgovvirginia", "US Gov Virginia", "US Government", "US Government", government=True),
    SupportedRegion("usgovtexas", "US Gov Texas", "US Government", "US Government", government=True),
)
"""Documented regions, in the documentation's order."""

_BY_NAME = {region.name: region for region in REGIONS}


def region_names() -> tuple[str, ...]:
    """Every value ``regionName`` accepts: ``automatic`` and each region's Azure name."""
    return (AUTOMATIC, *(region.name for region in REGIONS))


def closest_region_names(name: str, limit: int = 3) -> list[str]:
    """The valid names closest to ``name`` (case, spaces and display names forgiven), best first."""
    return closest_names(name, {r.name: r.display_name for r in REGIONS}, limit)


def closest_names(name: str, regions: Mapping[str, str], limit: int = 3) -> list[str]:
    """Of ``regions`` (Azure name -> display name) and ``automatic``, the names closest to ``name``."""
    squashed = squash(name)
    exact = [n for n, shown in regions.items() if squashed in (n, squash(shown))]
    if exact or squashed == AUTOMATIC:
        return exact or [AUTOMATIC]
    candidates = {n: n for n in regions} | {squash(shown): n for n, shown in regions.items()} | {AUTOMATIC: AUTOMATIC}
    return closest(name, candidates, limit=limit)


def check_region_name(name: str) -> str | None:
    """``None`` when Windows 365 provisions Cloud PCs in ``name`` (or it is ``automatic``); else the
    reason, naming the closest valid names."""
    if name == AUTOMATIC or name in _BY_NAME:
        return None
    return not_a_region(name, closest_region_names(name), f"an Azure region name from {DOCUMENTATION}")


def is_region_group(name: str) -> bool:
    """True when ``name`` is a region group's name (``europeUnion``), ``automatic`` aside."""
    return any(g.lower() == name.lower() and g != AUTOMATIC for g in REGION_GROUP_NAMES)


def not_a_region(name: str, close: list[str], source: str, why: str = "") -> str:
    """The refusal of region ``name``: ``why`` (after "is not a region where Windows 365 provisions
    Cloud PCs"), the closest names, and where the valid ones come from (``source``); a region
    group's name says where it goes instead."""
    group = next((g for g in REGION_GROUP_NAMES if g.lower() == name.lower() and g != AUTOMATIC), None)
    if group is not None:
        return (
            f"{name!r} is a region group, not a region: set region_group {group!r} and region_name 'automatic' "
            f"(Windows 365 then picks a region of the group), or name a region from {source}"
        )
    hint = f"; did you mean {either(close)}?" if close else ""
    return f"{name!r} is not a region where Windows 365 provisions Cloud PCs{why}{hint} (use automatic, or {source})"
