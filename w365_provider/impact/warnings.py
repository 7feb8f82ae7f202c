"""One line per policy for the preview: members who get no Cloud PC from it, and why.

For ``ProvisioningPolicyProvider.check`` (the provider process, during a preview): call
:func:`policy_warnings` only when a policy's assignments change, so a no-op preview still makes
no Graph request, and print what it returns to stderr (the engine shows a dynamic provider's
stderr as the preview's warnings). It never raises and gives up after ``deadline_seconds``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from w365_provider.errors import W365Error
from w365_provider.graph.client import runtime
from w365_provider.impact.analysis import analyze
from w365_provider.impact.plan import PlannedPolicy, input_settings, parse_assignments
from w365_provider.impact.reader import Reader
from w365_provider.settings import Settings

__all__ = ["TenantReads", "assignments_change", "policy_warnings"]

MAX_REQUESTS = 200
"""Graph requests one policy's warning may add (the members of its new groups, pages)."""


@dataclass
class TenantReads:
    """One provider process's reads of the tenant for the people warnings: the policies, Cloud
    PCs and plans once, each group's members once, shared by every ``check`` of the process
    (a stack of 200 new policies reads the tenant once, not 200 times). Like the preview itself,
    the warnings describe the tenant as the command found it; a read older than
    ``fresh_seconds`` is taken again."""

    fresh_seconds: float = 30.0
    clock: Callable[[], float] = time.monotonic
    _reader: Reader | None = None
    _started: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reader(self, settings: Settings, deadline_seconds: float) -> Reader:
        """The process's reader, with ``MAX_REQUESTS`` more requests and a new deadline (call under ``lock``)."""
        now = self.clock()
        if self._reader is None or self._reader.rt.settings != settings or now - self._started > self.fresh_seconds:
            self._reader = Reader(runtime(settings), max_requests=MAX_REQUESTS, deadline_seconds=deadline_seconds)
            self._started = now
        else:
            self._reader.extend(max_requests=MAX_REQUESTS, deadline_seconds=deadline_seconds)
        return self._reader


def assignments_change(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """True when the planned assignments differ from the last ones (or the policy is new and assigned)."""
    before, _ = parse_assignments(olds.get("assignments") if olds else None, "assignments")
    after, unknown = parse_assignments(news.get("assignments"), "assignments")
    if after is None and not unknown:
        return False
    return {(a.group_id, a.service_plan_id) for a in after or []} != {(a.group_id, a.service_plan_id) for a in before or []}


def policy_warnings(
    settings: Settings,
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    *,
    deadline_seconds: float = 20.0,
    reads: TenantReads | None = None,
) -> list[str]:
    """``warning: provisioning policy 'X': …`` when some members get no Cloud PC from it; else ``[]``.
    ``reads``: the process's shared reads of the tenant (else the tenant is read for this call)."""
    try:
        if not assignments_change(olds, news):
            return []
        name = str(news.get("display_name") or "")
        assignments, unknown = parse_assignments(news.get("assignments"), "assignments")
        planned = PlannedPolicy(
            name=name, display_name=str((olds or {}).get("display_name") or name),
            action="update" if olds else "create", provisioning_type=news.get("provisioning_type") or "dedicated",
            assignments=assignments, settings=input_settings(news), adopt=bool(news.get("adopt")), unknown=unknown,
        )  # fmt: skip
        if reads is None:
            impact = analyze(settings, [planned], deadline_seconds=deadline_seconds, max_requests=MAX_REQUESTS)
        else:
            with reads.lock:
                try:
                    reader = reads.reader(settings, deadline_seconds)
                except W365Error:
                    return []  # Graph cannot be reached: the run itself says so
                impact = analyze(settings, [planned], deadline_seconds=deadline_seconds, reader=reader)
        effect = next((e for e in impact.policies if e.display_name == planned.display_name), None)
        if effect is None:
            return []
        parts = []
        if effect.unlicensed:
            parts.append(f"{len(effect.unlicensed)} assigned member(s) have no Cloud PC licence")
        if effect.shadowed:
            by = ", ".join(f"'{p}'" for p in sorted(set(effect.shadowed.values())))
            parts.append(f"{len(effect.shadowed)} are already covered by an earlier-assigned policy ({by}) "
                         "and get nothing from this one")  # fmt: skip
        if effect.no_capacity:
            parts.append(f"{len(effect.no_capacity)} get none for want of Frontline licences")
        if not parts:
            return []
        return [f"warning: provisioning policy '{name}': " + "; ".join(parts) + " (see `w365 impact`)"]
    except Exception:  # noqa: BLE001 - a warning must never fail a preview
        return []
