"""Read the tenant for the analysis: read-only, paged, bounded Graph calls through the Graph runtime.

The cost does not grow with the number of people, only with groups and pages:

==========================================================  =====================================
``beta …/provisioningPolicies?$expand=assignments``         1 (+ pages); ``Prefer`` shows new types
``…/groups/{id}/transitiveMembers/microsoft.graph.user``    1 per group (+ pages of 999 members)
``beta …/cloudPCs?$select=…&$top=999``                      1 (+ pages of 999)
``…/servicePlans``, ``beta …/frontLineServicePlans``        1 each
``/subscribedSkus?$select=…``                               1
==========================================================  =====================================

A refusal (401/403), a missing group (404) or any other failure becomes a *blind spot*: a
sentence saying what could not be seen and why; the rest of the analysis goes on. Reads stop at
``max_requests`` requests, ``max_pages`` pages per collection or ``deadline`` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from w365_provider.errors import GraphError
from w365_provider.graph.client import GraphRuntime, Locate
from w365_provider.impact.model import ACTIVE, ACTIVE_STATUSES, GRACE, Assignment, CloudPc, Person, Policy, Tenant

__all__ = ["MEMBER_SELECT", "PERMISSIONS", "Reader"]

MEMBER_SELECT = "id,displayName,userPrincipalName,assignedPlans"
CLOUD_PC_SELECT = "id,userPrincipalName,provisioningPolicyId,provisioningPolicyName,servicePlanId,status,gracePeriodEndDateTime"
SKU_SELECT = "skuId,skuPartNumber,prepaidUnits,consumedUnits,servicePlans"
PAGE_SIZE = 999
MAX_PAGES = 200
MAX_REQUESTS = 2000
DEADLINE_SECONDS = 120.0

PERMISSIONS = {
    "policies": "CloudPC.Read.All",
    "cloudPCs": "CloudPC.Read.All",
    "servicePlans": "CloudPC.Read.All",
    "frontLineServicePlans": "CloudPC.Read.All",
    "members": "GroupMember.Read.All and User.Read.All (or Directory.Read.All)",
    "subscribedSkus": "LicenseAssignment.Read.All (or Organization.Read.All, Directory.Read.All)",
}
"""The read-only permission each read needs (see docs/impact.md)."""

_ENABLED_PLAN = frozenset({"enabled", "warning"})


class _WithHeaders:
    """A request builder whose adapter adds headers (``Prefer``) to each request it sends."""

    def __init__(self, builder: Any, headers: Mapping[str, str]) -> None:
        self.url_template = builder.url_template
        self.path_parameters = builder.path_parameters
        self.request_adapter = _HeaderAdapter(builder.request_adapter, headers)


class _HeaderAdapter:
    def __init__(self, inner: Any, headers: Mapping[str, str]) -> None:
        self._inner = inner
        self._headers = dict(headers)

    async def send_primitive_async(self, info: Any, response_type: str, error_map: Any) -> Any:
        for name, value in self._headers.items():
            info.headers.try_add(name, value)
        return await self._inner.send_primitive_async(info, response_type, error_map)


def _at(url: str, headers: Mapping[str, str] | None = None) -> Locate:
    """The runtime's ``Locate`` for an absolute URL (with its query), optionally with headers."""

    def locate(client: Any) -> Any:
        builder = client.device_management.virtual_endpoint.with_url(url)
        return _WithHeaders(builder, headers) if headers else builder

    return locate


class Reader:
    """Reads what the analysis needs, counting requests and collecting blind spots in ``tenant``."""

    def __init__(
        self,
        rt: GraphRuntime,
        *,
        max_requests: int = MAX_REQUESTS,
        max_pages: int = MAX_PAGES,
        deadline_seconds: float = DEADLINE_SECONDS,
    ) -> None:
        self.rt = rt
        root = rt.settings.graph_url.rstrip("/")
        base, _, version = root.rpartition("/")
        self.v1 = root if version != "beta" else f"{base}/v1.0"
        self.beta = f"{base}/beta"
        self.max_requests = max_requests
        self.max_pages = max_pages
        self.deadline = time.monotonic() + deadline_seconds
        self.tenant = Tenant()
        self._groups_read: set[str] = set()
        self._base_read = False

    def extend(self, *, max_requests: int, deadline_seconds: float) -> None:
        """Another analysis on what this reader has read: ``max_requests`` more requests and a
        new deadline (a process that keeps one reader for its checks)."""
        self.max_requests = self.tenant.requests.total + max_requests
        self.deadline = time.monotonic() + deadline_seconds

    async def base(self) -> None:
        """Policies, Cloud PCs and service plans, once per reader (the groups come on demand)."""
        if self._base_read:
            return
        self._base_read = True
        await self.policies()
        await self.cloud_pcs()
        await self.service_plans()

    # -- the reads ----------------------------------------------------------------------------

    async def policies(self) -> list[Policy]:
        """Every provisioning policy with its assignments (beta first: it shows Frontline details)."""
        url = f"{self.beta}/deviceManagement/virtualEndpoint/provisioningPolicies?$expand=assignments"
        items = await self._pages(url, "provisioning policies", "policies", {"Prefer": "include-unknown-enum-members"})
        if items is None:
            items = await self._pages(url.replace(self.beta, self.v1, 1), "provisioning policies (v1.0)", "policies")
        policies = [_policy(item) for item in items or []]
        self.tenant.policies = policies
        return policies

    async def groups(self, group_ids: list[str]) -> None:
        """Transitive user members of each group, with the plans their licences enable."""
        for gid in dict.fromkeys(g.lower() for g in group_ids):
            if gid in self._groups_read:
                continue  # read before by this reader (or refused: said once in the blind spots)
            self._groups_read.add(gid)
            self.tenant.requests.groups += 1
            url = (f"{self.v1}/groups/{quote(gid)}/transitiveMembers/microsoft.graph.user"
                   f"?$select={MEMBER_SELECT}&$top={PAGE_SIZE}")  # fmt: skip
            items = await self._pages(url, f"the members of group {gid}", "members")
            if items is None:
                continue
            ids = []
            if items and all(item.get("assignedPlans") is None for item in items):
                self.tenant.licenses_visible = False
                self._blind(f"the licences of the members of group {gid}: not returned; grant {PERMISSIONS['members']}")
            for item in items:
                person = _person(item)
                self.tenant.people.setdefault(person.id, person)
                ids.append(person.id)
            self.tenant.members[gid] = ids

    async def cloud_pcs(self) -> None:
        url = f"{self.beta}/deviceManagement/virtualEndpoint/cloudPCs?$select={CLOUD_PC_SELECT}&$top={PAGE_SIZE}"
        items = await self._pages(url, "Cloud PCs", "cloudPCs", {"Prefer": "include-unknown-enum-members"})
        if items is None:
            v1_select = CLOUD_PC_SELECT.replace(",status", "")
            url = f"{self.v1}/deviceManagement/virtualEndpoint/cloudPCs?$select={v1_select}&$top={PAGE_SIZE}"
            items = await self._pages(url, "Cloud PCs (v1.0)", "cloudPCs")
        self.tenant.cloud_pcs = [pc for item in items or [] if (pc := _cloud_pc(item)) is not None]

    async def service_plans(self) -> None:
        """Cloud PC sizes (which licences are Windows 365 ones) and the Frontline licences bought."""
        frontline = await self._pages(f"{self.beta}/deviceManagement/virtualEndpoint/frontLineServicePlans",
                                      "Frontline service plans", "frontLineServicePlans")  # fmt: skip
        for item in frontline or []:
            plan = str(item.get("id", "")).lower()
            self.tenant.frontline_capacity[plan] = item.get("totalCount")
            self.tenant.plan_names[plan] = str(item.get("displayName") or plan)
        plans = await self._pages(f"{self.v1}/deviceManagement/virtualEndpoint/servicePlans",
                                  "Cloud PC service plans", "servicePlans")  # fmt: skip
        if plans is None:  # the sizes in use are Cloud PC plans at least
            plans = [{"id": pc.plan_id} for pc in self.tenant.cloud_pcs if pc.plan_id]
        for item in plans:
            plan = str(item.get("id", "")).lower()
            self.tenant.plan_names.setdefault(plan, str(item.get("displayName") or plan))
            if plan not in self.tenant.frontline_capacity:
                self.tenant.enterprise_plans.add(plan)
        skus = await self._pages(f"{self.v1}/subscribedSkus?$select={SKU_SELECT}", "licences bought", "subscribedSkus")
        for sku in skus or []:
            free = int((sku.get("prepaidUnits") or {}).get("enabled") or 0) - int(sku.get("consumedUnits") or 0)
            for plan in sku.get("servicePlans") or []:
                pid = str(plan.get("servicePlanId", "")).lower()
                if pid in self.tenant.enterprise_plans:
                    self.tenant.unassigned_licenses[pid] = self.tenant.unassigned_licenses.get(pid, 0) + max(0, free)

    # -- paging -------------------------------------------------------------------------------

    async def _pages(
        self, url: str, what: str, source: str, headers: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]] | None:
        """Every item of a collection, following ``@odata.nextLink``; ``None`` when it could not be read."""
        items: list[dict[str, Any]] = []
        pages = 0
        next_url: str | None = url
        while next_url:
            if self.tenant.requests.total >= self.max_requests or time.monotonic() > self.deadline:
                self._blind(f"{what}: stopped after {self.tenant.requests.total} Graph requests (the analysis' bound); "
                            "the rest was not read")  # fmt: skip
                return items if items else None
            if pages >= self.max_pages:
                self._blind(f"{what}: more than {self.max_pages} pages; only the first {len(items)} entries were read")
                return items
            self.tenant.requests.total += 1
            try:
                page = await self.rt.send("GET", _at(next_url, headers), operation=f"read {what}")
            except GraphError as exc:
                self._refused(what, source, exc)
                return None
            pages += 1
            self.tenant.requests.pages += 1
            items.extend((page or {}).get("value") or [])
            next_url = (page or {}).get("@odata.nextLink")
        return items

    def _refused(self, what: str, source: str, exc: GraphError) -> None:
        if exc.status in (401, 403):
            self.tenant.requests.denied += 1
            self._blind(f"{what}: not allowed (HTTP {exc.status}); grant {PERMISSIONS[source]}")
        elif exc.status == 404:
            self._blind(f"{what}: not found (HTTP 404)")
        else:
            answer = f"HTTP {exc.status} {exc.code or ''}".strip() if exc.status else "no answer from Graph"
            self._blind(f"{what}: could not be read ({answer})")

    def _blind(self, sentence: str) -> None:
        if sentence not in self.tenant.blind_spots:
            self.tenant.blind_spots.append(sentence)


# -- Graph JSON to the model -------------------------------------------------------------------


def _policy(item: Mapping[str, Any]) -> Policy:
    assignments = []
    for assignment in item.get("assignments") or []:
        target = assignment.get("target") or {}
        if target.get("groupId"):
            assignments.append(
                Assignment(
                    group_id=str(target["groupId"]).lower(),
                    service_plan_id=str(target["servicePlanId"]).lower() if target.get("servicePlanId") else None,
                    allotment=target.get("allotmentLicensesCount"),
                )
            )
    policy_id = str(item.get("id", "")).lower()
    return Policy(
        key=policy_id,
        id=policy_id,
        display_name=str(item.get("displayName") or policy_id),
        provisioning_type=str(item.get("provisioningType") or "dedicated"),
        assignments=assignments,
        settings=graph_settings(item),
    )


def graph_settings(item: Mapping[str, Any]) -> dict[str, object]:
    """What a Cloud PC keeps from its policy, from Graph's camelCase policy JSON."""
    joins = [
        (j.get("domainJoinType") or j.get("type"), j.get("onPremisesConnectionId"), j.get("regionName"))
        for j in item.get("domainJoinConfigurations") or []
    ]
    return {"network": joins, "singleSignOn": bool(item.get("enableSingleSignOn")), "image": item.get("imageId")}


def _person(item: Mapping[str, Any]) -> Person:
    plans = frozenset(
        str(p.get("servicePlanId", "")).lower()
        for p in item.get("assignedPlans") or []
        if str(p.get("capabilityStatus", "")).lower() in _ENABLED_PLAN
    )
    return Person(
        id=str(item.get("id", "")).lower(),
        display_name=str(item.get("displayName") or "a user without a name"),
        upn=str(item.get("userPrincipalName") or "").lower(),
        plans=plans,
    )


def _cloud_pc(item: Mapping[str, Any]) -> CloudPc | None:
    status = item.get("status")
    if status is None:  # v1.0 has no status: the grace period shows in its end date
        state = GRACE if item.get("gracePeriodEndDateTime") else ACTIVE
    elif status == "inGracePeriod":
        state = GRACE
    elif status in ACTIVE_STATUSES:
        state = ACTIVE
    else:
        state = "gone"
    return CloudPc(
        id=str(item.get("id", "")),
        upn=str(item["userPrincipalName"]).lower() if item.get("userPrincipalName") else None,
        policy_id=str(item.get("provisioningPolicyId") or "").lower(),
        policy_name=str(item.get("provisioningPolicyName") or ""),
        plan_id=str(item.get("servicePlanId") or "").lower(),
        state=state,
    )
