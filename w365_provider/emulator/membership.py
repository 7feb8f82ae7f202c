"""Group membership as Graph computes it: direct members, and transitive ones through nested groups.

Members are kept on each group's stored body (``members``: user and group ids, never rendered) and
set through the control API. Used by the member routes (``entities/group_members.py``) and by the
provisioning rules (``provisioning.py``).

Graph reference: https://learn.microsoft.com/en-us/graph/api/group-list-transitivemembers?view=graph-rest-1.0
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .store import Store


def member_ids(group: Mapping[str, Any]) -> list[str]:
    """The direct member ids stored on a group (users and groups)."""
    return [str(m) for m in group.get("members") or []]


def transitive_members(groups: Mapping[str, Mapping[str, Any]], group_id: str) -> tuple[list[str], list[str]]:
    """[transitive]: (user-or-unknown ids, nested group ids) reachable from ``group_id``, each once.

    ``groups`` maps lower-cased group ids to stored groups; a cycle is walked once.
    """
    seen_groups = {group_id.lower()}
    seen_users: set[str] = set()
    order: list[str] = []
    nested: list[str] = []
    queue = [group_id.lower()]
    while queue:
        current = groups.get(queue.pop(0))
        for member in member_ids(current or {}):
            key = member.lower()
            if key in groups:
                if key not in seen_groups:
                    seen_groups.add(key)
                    nested.append(groups[key]["id"])
                    queue.append(key)
            elif key not in seen_users:
                seen_users.add(key)
                order.append(member)
    return order, nested


def groups_by_id(store: Store) -> dict[str, dict[str, Any]]:
    return {g["id"].lower(): g for g in store.list("groups")}
