"""What the user setting's table cannot say: Graph's documented combinations.

- ``restorePointSetting.frequencyInHours`` (beta) is 4, 6, 12, 16 or 24, and when
  ``frequencyType`` is given too, both name the same interval (``default`` is 12 hours)
  (https://learn.microsoft.com/graph/api/resources/cloudpcrestorepointsetting?view=graph-rest-beta).
- ``userInitiatedDisasterRecoveryAllowed`` only with premium disaster recovery, and cross-region
  settings only when disaster recovery is configured
  (https://learn.microsoft.com/graph/api/resources/cloudpccrossregiondisasterrecoverysetting?view=graph-rest-beta).
- A group is assigned at most once (``assign`` refuses duplicates).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from w365_provider.kit.checks import Fail
from w365_provider.kit.types import is_unknown

from .spec import FREQUENCY_HOURS

__all__ = ["rules"]

HOURS = (4, 6, 12, 16, 24)


def rules(props: Mapping[str, Any], fail: Fail) -> None:
    """Every rule of a user setting the table cannot express."""
    _check_restore_points(props.get("restore_point_setting"), fail)
    _check_disaster_recovery(props.get("cross_region_disaster_recovery_setting"), fail)
    _check_assignments(props.get("assignments"), fail)


def _known(value: Any) -> bool:
    return value is not None and not is_unknown(value)


def _check_restore_points(value: Any, fail: Fail) -> None:
    if not isinstance(value, dict):
        return
    prop = "restore_point_setting"
    hours, kind = value.get("frequency_in_hours"), value.get("frequency_type")
    if not _known(hours) or isinstance(hours, bool) or not isinstance(hours, int):
        return  # absent, not known yet, or reported by the table
    if hours not in HOURS:
        fail(prop, f"frequency_in_hours must be one of {', '.join(map(str, HOURS))} (got {hours})")
    elif _known(kind) and kind in FREQUENCY_HOURS and FREQUENCY_HOURS[kind] != hours:
        fail(prop, f"frequency_type {kind} means every {FREQUENCY_HOURS[kind]} hours, but frequency_in_hours "
                   f"is {hours}; give one of them, or two that agree")  # fmt: skip


def _check_disaster_recovery(value: Any, fail: Fail) -> None:
    if not isinstance(value, dict):
        return
    prop = "cross_region_disaster_recovery_setting"
    kind = value.get("disaster_recovery_type")
    if not _known(kind):
        return
    if value.get("user_initiated_disaster_recovery_allowed") is True and kind != "premium":
        fail(prop, f"user_initiated_disaster_recovery_allowed needs disaster_recovery_type premium (got {kind})")
    if kind == "notConfigured":
        on = [k for k in ("cross_region_disaster_recovery_enabled", "maintain_cross_region_restore_point_enabled")
              if value.get(k) is True]  # fmt: skip
        if on:
            fail(prop, f"{', '.join(on)} cannot be true while disaster_recovery_type is notConfigured")


def _check_assignments(value: Any, fail: Fail) -> None:
    if not isinstance(value, list):
        return
    seen: set[str] = set()
    for entry in value:
        group = entry.get("group_id") if isinstance(entry, dict) else None
        if isinstance(group, str) and not is_unknown(group):
            if group.lower() in seen:
                fail("assignments", f"group {group} is assigned more than once")
            seen.add(group.lower())
