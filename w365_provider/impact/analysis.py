"""One analysis: read the tenant through Graph, lay the plan over it, apply the rules.

Never raises for Graph trouble: what could not be read is in ``Impact.blind_spots``, and the
rest is analysed. No Pulumi import: it runs in ``w365 impact``, ``w365 report`` and a provider's
``check`` alike.
"""

from __future__ import annotations

from collections.abc import Iterable

from w365_provider.errors import W365Error
from w365_provider.graph.client import runtime
from w365_provider.impact.model import Impact, Plan, Tenant
from w365_provider.impact.plan import PlannedPolicy, build_plan
from w365_provider.impact.reader import DEADLINE_SECONDS, MAX_PAGES, MAX_REQUESTS, Reader
from w365_provider.impact.rules import predict
from w365_provider.settings import Settings

__all__ = ["analyze", "read"]


def read(
    settings: Settings,
    planned: Iterable[PlannedPolicy],
    *,
    max_requests: int = MAX_REQUESTS,
    max_pages: int = MAX_PAGES,
    deadline_seconds: float = DEADLINE_SECONDS,
    reader: Reader | None = None,
) -> tuple[Tenant, Plan]:
    """The tenant (only the groups current or planned assignments name) and the plan over it.

    With ``reader`` (one kept by the caller), what it read before is not read again: only the
    members of groups it has not seen yet (the provider's checks, one reader per process)."""
    planned = list(planned)
    if reader is None:
        try:
            rt = runtime(settings)
        except W365Error as exc:
            return Tenant(blind_spots=[f"Graph could not be reached: {exc}"]), build_plan([], planned)
        reader = Reader(rt, max_requests=max_requests, max_pages=max_pages, deadline_seconds=deadline_seconds)
    rt = reader.rt

    async def go() -> Plan:
        await reader.base()
        plan = build_plan(reader.tenant.policies, planned)
        groups = [a.group_id for p in [*reader.tenant.policies, *plan.policies] for a in p.assignments]
        await reader.groups(groups)
        return plan

    try:
        plan = rt.run(go(), timeout=deadline_seconds + 30)
    except (W365Error, TimeoutError) as exc:
        reader.tenant.blind_spots.append(f"Graph could not be read: {exc or 'timed out'}")
        plan = build_plan(reader.tenant.policies, planned)
    return reader.tenant, plan


def analyze(
    settings: Settings,
    planned: Iterable[PlannedPolicy],
    *,
    max_requests: int = MAX_REQUESTS,
    max_pages: int = MAX_PAGES,
    deadline_seconds: float = DEADLINE_SECONDS,
    reader: Reader | None = None,
) -> Impact:
    """The effect of the planned policies on the people of the tenant ``settings`` points at
    (``reader``: see ``read``)."""
    tenant, plan = read(settings, planned, max_requests=max_requests, max_pages=max_pages,
                        deadline_seconds=deadline_seconds, reader=reader)  # fmt: skip
    return predict(tenant, plan)
