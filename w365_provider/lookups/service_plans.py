"""``get_service_plan`` and ``get_frontline_service_plan``: a Cloud PC size by the name the admin center shows.

Run in the Pulumi program (during ``preview`` too), so a Frontline policy's assignment names its
size as an admin reads it, not as a GUID::

    plan = get_frontline_service_plan(display_name="Cloud PC Frontline 2vCPU/8GB/128GB")
    ProvisioningPolicy(..., provisioning_type="sharedByUser",
                       assignments=[{"group_id": shifts.object_id, "service_plan_id": plan.id}])

Graph, one list each (all pages; neither takes a ``$filter``):

- ``GET /deviceManagement/virtualEndpoint/servicePlans`` (v1.0 and beta): every Cloud PC size
  (https://learn.microsoft.com/graph/api/virtualendpoint-list-serviceplans?view=graph-rest-1.0);
  beta adds ``type``, ``userProfileInGB``, ``provisioningType``
  (https://learn.microsoft.com/graph/api/resources/cloudpcserviceplan?view=graph-rest-beta);
- ``GET /beta/deviceManagement/virtualEndpoint/frontLineServicePlans`` (beta only): the Frontline
  sizes the tenant bought, with how many licences are used
  (https://learn.microsoft.com/graph/api/resources/cloudpcfrontlineserviceplan?view=graph-rest-beta).

The name matches exactly, else ignoring case; no match (or two plans of one name) raises
``NoMatchingServicePlanError``, naming the closest display names. The choice is made by the pure
``select_service_plan``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from w365_provider.errors import ConfigurationError, NoMatchingServicePlanError
from w365_provider.graph.client import runtime
from w365_provider.kit.checks import SWITCH_TO_BETA
from w365_provider.kit.spec import BETA
from w365_provider.lookups.closest import closest, either, squash
from w365_provider.settings import Settings

__all__ = [
    "FrontlineServicePlan",
    "ServicePlan",
    "get_frontline_service_plan",
    "get_service_plan",
    "list_frontline_service_plans",
    "list_service_plans",
    "select_service_plan",
]

PLANS_PATH = "/deviceManagement/virtualEndpoint/servicePlans"
FRONTLINE_PATH = "/deviceManagement/virtualEndpoint/frontLineServicePlans"


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class ServicePlan:
    """A Cloud PC size ("service plan"), as Graph's ``cloudPcServicePlan`` describes it."""

    id: str
    """The plan's id: what an assignment's ``service_plan_id`` takes."""
    display_name: str
    """The name the admin center shows, for example ``Cloud PC Enterprise 2vCPU/8GB/128GB``."""
    vcpu_count: int | None = None
    ram_in_gb: int | None = None
    storage_in_gb: int | None = None
    type: str | None = None
    """Beta: ``enterprise`` or ``business`` (``None`` on v1.0)."""
    provisioning_type: str | None = None
    """Beta: the licence type the size is for (``dedicated``, ``sharedByUser`` ...)."""
    user_profile_in_gb: int | None = None
    """Beta: the user profile storage of the size."""

    @classmethod
    def from_graph(cls, body: Mapping[str, Any]) -> ServicePlan:
        """From Graph's ``cloudPcServicePlan`` JSON."""
        return cls(
            id=str(body.get("id") or ""),
            display_name=str(body.get("displayName") or ""),
            vcpu_count=_int(body.get("vCpuCount")),
            ram_in_gb=_int(body.get("ramInGB")),
            storage_in_gb=_int(body.get("storageInGB")),
            type=body.get("type"),
            provisioning_type=body.get("provisioningType"),
            user_profile_in_gb=_int(body.get("userProfileInGB")),
        )


@dataclass(frozen=True)
class FrontlineServicePlan:
    """A Windows 365 Frontline size the tenant bought, as Graph's ``cloudPcFrontLineServicePlan``
    describes it (beta)."""

    id: str
    """The plan's id: what a Frontline assignment's ``service_plan_id`` takes."""
    display_name: str
    """The name the admin center shows, for example ``Cloud PC Frontline 2vCPU/8GB/128GB``."""
    total_count: int | None = None
    """Licences bought."""
    used_count: int | None = None
    """Licences in use."""
    allotment_licenses_count: int | None = None
    """Licences the Frontline shared assignments allot."""

    @classmethod
    def from_graph(cls, body: Mapping[str, Any]) -> FrontlineServicePlan:
        """From Graph's ``cloudPcFrontLineServicePlan`` JSON."""
        return cls(
            id=str(body.get("id") or ""),
            display_name=str(body.get("displayName") or ""),
            total_count=_int(body.get("totalCount")),
            used_count=_int(body.get("usedCount")),
            allotment_licenses_count=_int(body.get("allotmentLicensesCount")),
        )


Plan = TypeVar("Plan", ServicePlan, FrontlineServicePlan)


def get_service_plan(display_name: str, *, settings: Settings | None = None) -> ServicePlan:
    """The Cloud PC size (service plan) named ``display_name`` in the admin center.

    :param display_name: The size's name, for example ``Cloud PC Enterprise 2vCPU/8GB/128GB``.
    :param settings: Where Graph is; by default from the stack config (``w365:graphUrl`` ...)
        and the environment.
    :raises NoMatchingServicePlanError: when no size has that name (it names the closest ones).
    :raises GraphError: when the sizes cannot be read.
    """
    return select_service_plan(list_service_plans(settings), display_name, ServicePlan, "Cloud PC size (service plan)")


def get_frontline_service_plan(display_name: str, *, settings: Settings | None = None) -> FrontlineServicePlan:
    """The Windows 365 Frontline size named ``display_name`` in the admin center, with how many
    licences the tenant bought and uses. Needs Graph's beta API (``w365:graphUrl`` ending in ``/beta``).

    :param display_name: The size's name, for example ``Cloud PC Frontline 2vCPU/8GB/128GB``.
    :param settings: Where Graph is; by default from the stack config and the environment.
    :raises ConfigurationError: when ``w365:graphUrl`` is a v1.0 root.
    :raises NoMatchingServicePlanError: when no Frontline size has that name (it names the closest ones).
    :raises GraphError: when the Frontline sizes cannot be read.
    """
    plans = list_frontline_service_plans(settings)
    return select_service_plan(plans, display_name, FrontlineServicePlan, "Windows 365 Frontline size (service plan)")


def list_service_plans(settings: Settings | None = None) -> list[dict[str, Any]]:
    """Every Cloud PC size as Graph JSON (one GET, following ``@odata.nextLink``)."""
    return _list(settings or Settings.from_pulumi_config(), PLANS_PATH, "list Cloud PC service plans")


def list_frontline_service_plans(settings: Settings | None = None) -> list[dict[str, Any]]:
    """Every Frontline size as Graph JSON (beta only: refused on v1.0 before any call)."""
    settings = settings or Settings.from_pulumi_config()
    if settings.api_version != BETA:
        raise ConfigurationError(
            "get_frontline_service_plan reads frontLineServicePlans (Windows 365 Frontline sizes), which exists only "
            f"in Microsoft Graph's beta API; the Graph root uses {settings.api_version}{SWITCH_TO_BETA}"
        )
    return _list(settings, FRONTLINE_PATH, "list Windows 365 Frontline service plans")


def _list(settings: Settings, path: str, operation: str) -> list[dict[str, Any]]:
    url = settings.graph_url.rstrip("/") + path
    rt = runtime(settings)
    return rt.run(rt.list(lambda client: client.device_management.virtual_endpoint.with_url(url), operation=operation))


def select_service_plan(
    plans: Iterable[Mapping[str, Any] | Plan], display_name: str, kind: type[Plan], noun: str
) -> Plan:
    """The one plan of ``plans`` (Graph JSON or ``kind``) named ``display_name``: exactly, else
    ignoring case; ``noun`` names what is looked up in the error."""
    catalogue = [p if isinstance(p, kind) else kind.from_graph(p) for p in plans]  # type: ignore[arg-type]
    found = [p for p in catalogue if p.display_name == display_name] or [
        p for p in catalogue if p.display_name.lower() == display_name.lower()
    ]
    if len({p.id.lower() for p in found}) == 1:
        return found[0]
    if found:
        ids = ", ".join(sorted(p.id for p in found))
        raise NoMatchingServicePlanError(
            f"{len(found)} of the tenant's {noun}s are named {display_name!r} ({ids}); use the id of the one you mean"
        )
    raise NoMatchingServicePlanError(_explain(catalogue, display_name, noun))


def _explain(catalogue: list[Any], display_name: str, noun: str) -> str:
    head = f"no {noun} is named {display_name!r}"
    names = sorted({p.display_name for p in catalogue if p.display_name})
    if not names:
        return f"{head}: the tenant has none"
    close = closest(display_name, {squash(n): n for n in names}, cutoff=0.6)
    hint = f"; did you mean {either(close)}?" if close else ""
    return f"{head}{hint} (the tenant has {', '.join(repr(n) for n in names)})"
