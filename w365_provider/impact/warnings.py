"""One line per policy for the preview: members who get no Cloud PC from it, and why.

For ``ProvisioningPolicyProvider.check`` (the provider process, during a preview): call
:func:`policy_warnings` only when a policy's assignments change, so a no-op preview still makes
no Graph request, and print what it returns to stderr (the engine shows a dynamic provider's
stderr as the preview's warnings). It never raises and gives up after ``deadline_seconds``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from w365_provider.impact.analysis import analyze
from w365_provider.impact.plan import PlannedPolicy, input_settings, parse_assignments
from w365_provider.settings import Settings

__all__ = ["assignments_change", "policy_warnings"]


def assignments_change(olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """True when the planned assignments differ from the last ones (or the policy is new and assigned)."""
    before, _ = parse_assignments(olds.get("assignments") if olds else None, "assignments")
    after, unknown = parse_assignments(news.get("assignments"), "assignments")
    if after is None and not unknown:
        return False
    return {(a.group_id, a.service_plan_id) for a in after or []} != {(a.group_id, a.service_plan_id) for a in before or []}


def policy_warnings(
    settings: Settings, olds: Mapping[str, Any], news: Mapping[str, Any], *, deadline_seconds: float = 20.0
) -> list[str]:
    """``warning: provisioning policy 'X': …`` when some members get no Cloud PC from it; else ``[]``."""
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
        impact = analyze(settings, [planned], deadline_seconds=deadline_seconds, max_requests=200)
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
