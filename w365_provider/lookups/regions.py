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

import difflib
from dataclasses import dataclass

__all__ = ["AUTOMATIC", "DOCUMENTATION", "REGIONS", "SupportedRegion", "check_region_name", "closest_region_names", "region_names"]

DOCUMENTATION = (
    "https://learn.microsoft.com/windows-365/enterprise/requirements#supported-azure-regions-for-cloud-pc-provisioning"
)
AUTOMATIC = "automatic"
"""Windows 365 picks the region within the policy's region group."""


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


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def closest_region_names(name: str, limit: int = 3) -> list[str]:
    """The valid names closest to ``name`` (case, spaces and display names forgiven), best first."""
    squashed = _squash(name)
    exact = [r.name for r in REGIONS if squashed in (r.name, _squash(r.display_name))]
    if exact or squashed == AUTOMATIC:
        return exact or [AUTOMATIC]
    candidates = {r.name: r.name for r in REGIONS} | {_squash(r.display_name): r.name for r in REGIONS}
    candidates[AUTOMATIC] = AUTOMATIC
    found = difflib.get_close_matches(squashed, list(candidates), n=limit * 2, cutoff=0.75)
    return list(dict.fromkeys(candidates[c] for c in found))[:limit]


def check_region_name(name: str) -> str | None:
    """``None`` when Windows 365 provisions Cloud PCs in ``name`` (or it is ``automatic``); else the
    reason, naming the closest valid names."""
    if name == AUTOMATIC or name in _BY_NAME:
        return None
    close = closest_region_names(name)
    hint = f"; did you mean {_either(close)}?" if close else ""
    return (
        f"{name!r} is not a region where Windows 365 provisions Cloud PCs{hint} (use automatic, or an Azure "
        f"region name from {DOCUMENTATION})"
    )


def _either(names: list[str]) -> str:
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
