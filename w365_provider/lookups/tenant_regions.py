"""The regions this tenant may provision Cloud PCs in, from Graph's beta ``supportedRegions``.

``GET /beta/deviceManagement/virtualEndpoint/supportedRegions``
(https://learn.microsoft.com/graph/api/virtualendpoint-list-supportedregions?view=graph-rest-beta,
permission CloudPC.Read.All) lists each region with ``regionStatus`` (``available``,
``restricted``: "only for specific tenants", ``unavailable``) and ``supportedSolution``
(``windows365`` or ``devBox``). A policy's ``region_name`` is accepted when it is ``automatic``
(not a region: Windows 365 picks one of the region group) or a ``windows365`` region Graph lists as
``available``.

The policy's ``check`` reads the list only on beta and only when a region is new or changed, at
most once per provider process and Graph root (``SupportedRegions``); a list that cannot be read
(403, 404, no answer) leaves the documented list (``lookups/regions.py``) in charge, with a warning.

UNVERIFIED: the reference's example names a region ``Demo-1``; the tools that read this list
filter ``displayName`` by Azure names (``westeurope``). A display name is compared with
``region_name`` by its letters and digits only, so ``westeurope`` and ``West Europe`` both match.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from w365_provider.graph.client import runtime
from w365_provider.lookups.closest import squash
from w365_provider.lookups.regions import AUTOMATIC, closest_names, not_a_region
from w365_provider.settings import Settings

__all__ = ["AVAILABLE", "SupportedRegions", "TenantRegion", "supported_regions_of", "tenant_region_problem"]

PATH = "/deviceManagement/virtualEndpoint/supportedRegions"
AVAILABLE = "available"
WINDOWS_365 = "windows365"
SOURCE = "the regions Graph's supportedRegions lists as available for this tenant"


@dataclass(frozen=True)
class TenantRegion:
    """One entry of Graph's ``supportedRegions``."""

    name: str
    """The display name's letters and digits, lower-cased: the form ``region_name`` takes."""
    display_name: str
    status: str
    """``regionStatus``: ``available``, ``restricted``, ``unavailable``."""
    solution: str | None = None
    """``supportedSolution``: ``windows365`` or ``devBox``."""

    @classmethod
    def from_graph(cls, body: Mapping[str, Any]) -> TenantRegion:
        shown = str(body.get("displayName") or "")
        solution = body.get("supportedSolution")
        return cls(squash(shown), shown, str(body.get("regionStatus") or "unknown"), solution if solution else None)


def tenant_region_problem(name: str, regions: Sequence[TenantRegion]) -> str | None:
    """``None`` when ``name`` is ``automatic`` or a Windows 365 region ``regions`` lists as
    available; else the reason, naming the closest available regions."""
    if name == AUTOMATIC:
        return None
    own = [r for r in regions if r.solution in (None, WINDOWS_365)]
    match = next((r for r in own if r.name == name), None)
    if match is not None and match.status == AVAILABLE:
        return None
    available = {r.name: r.display_name for r in own if r.status == AVAILABLE}
    close = closest_names(name, available)
    why = (
        f" for this tenant: Graph's supportedRegions lists it as {match.status}"
        if match is not None
        else " for this tenant (Graph's supportedRegions does not list it)"
    )
    return not_a_region(name, close, SOURCE, why)


class SupportedRegions:
    """The tenant's regions, read once per Graph root and remembered (one per provider object)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._found: dict[str, list[TenantRegion] | None] = {}
        self.requests = 0
        """Reads made so far."""

    def get(self, settings: Settings) -> tuple[list[TenantRegion] | None, str | None]:
        """``(regions, warning)``: the regions (``None`` when they cannot be read) and, the one
        time a read fails, a warning saying so."""
        with self._lock:
            if settings.graph_url in self._found:
                return self._found[settings.graph_url], None
            self.requests += 1
            try:
                found: list[TenantRegion] | None = [TenantRegion.from_graph(item) for item in _read(settings)]
                warning = None
            except Exception as exc:  # noqa: BLE001 - an unreadable list must never fail a preview
                found = None
                warning = (
                    f"warning: the tenant's supported regions could not be read from Graph ({type(exc).__name__}: "
                    f"{exc}); region_name is checked against the documented regions instead"
                )
            self._found[settings.graph_url] = found
            return found, warning


def _read(settings: Settings) -> list[dict[str, Any]]:
    url = settings.graph_url.rstrip("/") + PATH + "?$select=id,displayName,regionStatus,supportedSolution"
    rt = runtime(settings)
    return rt.run(
        rt.list(lambda client: client.device_management.virtual_endpoint.with_url(url),
                operation="list the tenant's supported regions")
    )  # fmt: skip


def supported_regions_of(owner: Any) -> SupportedRegions:
    """The ``SupportedRegions`` that ``owner`` (a provider object: one per process in the engine) keeps."""
    found: SupportedRegions = owner.kept("supported_regions", SupportedRegions)
    return found
