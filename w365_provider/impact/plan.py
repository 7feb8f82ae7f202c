"""The planned policies: from ``pulumi preview --json`` or from a stack's desired state (its config).

Either source is turned into :class:`PlannedPolicy` entries, and :func:`build_plan` lays them over
the policies Graph holds now, giving the :class:`~w365_provider.impact.model.Plan` the rules use.

- A preview lists only what changes; every other policy stays as Graph has it. A policy's Graph id
  is its resource id (``oldState.id``); a policy the change creates has none yet.
- A stack config names each policy's groups by key (``w365:groups``) and is matched with Graph's
  policies by display name (names are unique in a stack). Policies Graph holds that the stack
  does not declare are left as they are (another stack, or the admin center, may own them).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from w365_provider.impact.model import SETTING_IMAGE, SETTING_NETWORK, SETTING_SSO, Assignment, Plan, Policy
from w365_provider.report import POLICY_TYPE, SECRET_SIG, SECRET_TEXT, UNKNOWN

__all__ = ["PlannedPolicy", "build_plan", "from_preview", "from_stack_config", "input_settings", "parse_assignments"]

_CREATE_OPS = {"create", "create-replacement"}
_DELETE_OPS = {"delete", "delete-replaced", "discard", "discard-replaced"}
_REPLACE_OPS = {"replace"}
_UPDATE_OPS = {"update", "import", "import-replacement"}


@dataclass
class PlannedPolicy:
    """One policy as the change wants it."""

    name: str
    """The resource name (the stack config's key)."""
    display_name: str
    action: str
    """``create``, ``update``, ``replace``, ``delete`` or ``same``."""
    provisioning_type: str | None = None
    assignments: list[Assignment] | None = None
    """``None``: the change does not manage the assignments (they stay as Graph has them)."""
    graph_id: str | None = None
    settings: dict[str, object] = field(default_factory=dict)
    """``network``, ``singleSignOn``, ``image`` as the change sets them (those it knows)."""
    changed: set[str] | None = None
    """Settings the preview says change; ``None``: compare ``settings`` with Graph's."""
    adopt: bool = False
    unknown: list[str] = field(default_factory=list)


# -- preview -----------------------------------------------------------------------------------


def from_preview(digest: Mapping[str, Any]) -> list[PlannedPolicy]:
    """The provisioning policies a ``pulumi preview --json`` digest changes, in step order."""
    planned: list[PlannedPolicy] = []
    for step in digest.get("steps") or []:
        old, new = step.get("oldState") or {}, step.get("newState") or {}
        if POLICY_TYPE not in (old.get("type"), new.get("type")) and POLICY_TYPE not in str(step.get("urn", "")):
            continue
        op = str(step.get("op", ""))
        action = ("create" if op in _CREATE_OPS else "delete" if op in _DELETE_OPS else
                  "replace" if op in _REPLACE_OPS else "update" if op in _UPDATE_OPS else "same")  # fmt: skip
        if action == "same":
            continue
        olds, news = _plain(old.get("inputs") or {}), _plain(new.get("inputs") or {})
        values = news if action != "delete" else olds
        entry = PlannedPolicy(
            name=str(step.get("urn", "")).rsplit("::", 1)[-1],
            display_name=str(values.get("display_name") or olds.get("display_name") or ""),
            action=action,
            provisioning_type=_text(values.get("provisioning_type")) or "dedicated",
            graph_id=_text(old.get("id")),
            adopt=bool(news.get("adopt")),
        )
        if action != "delete":
            entry.assignments, entry.unknown = parse_assignments(news.get("assignments"), "assignments")
            entry.settings = input_settings(news)
            if action == "update":
                entry.changed = {k for k, v in input_settings(olds).items() if entry.settings.get(k) != v}
        planned.append(entry)
    return planned


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs with secrets as ``None`` (the analysis needs none of their values)."""
    def walk(value: Any) -> Any:
        if value == SECRET_TEXT or (isinstance(value, Mapping) and SECRET_SIG in value):
            return None
        if isinstance(value, Mapping):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return {k: walk(v) for k, v in values.items() if k != "__provider"}


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str) and value and value != UNKNOWN else None


def parse_assignments(value: Any, where: str) -> tuple[list[Assignment] | None, list[str]]:
    """A resource's ``assignments`` input as assignments, and notes on groups not known before apply."""
    if value is None:
        return None, []
    if value == UNKNOWN or not isinstance(value, list):
        return None, [f"{where}: known only after apply"]
    out, unknown = [], []
    for item in value:
        gid = item.get("group_id") if isinstance(item, Mapping) else item
        plan = item.get("service_plan_id") if isinstance(item, Mapping) else None
        if not isinstance(gid, str) or gid == UNKNOWN:
            unknown.append("a group created by this change (its members are known only after apply)")
            continue
        out.append(Assignment(gid.lower(), _text(plan).lower() if _text(plan) else None))
    return out, unknown


def input_settings(values: Mapping[str, Any]) -> dict[str, object]:
    """What a Cloud PC keeps, from the resource's snake_case inputs (``UNKNOWN`` counts as changed)."""
    joins = values.get("domain_join_configurations")
    network = (
        [(j.get("domain_join_type"), j.get("on_premises_connection_id"), j.get("region_name"))
         for j in joins if isinstance(j, Mapping)]
        if isinstance(joins, list) else joins
    )  # fmt: skip
    return {SETTING_NETWORK: network, SETTING_SSO: bool(values.get("enable_single_sign_on")),
            SETTING_IMAGE: values.get("image_id")}  # fmt: skip


# -- stack config ------------------------------------------------------------------------------


def from_stack_config(stack: Any) -> list[PlannedPolicy]:
    """The policies of a parsed stack config (``w365_provider.stack_config.StackConfig``).

    The image is a key to look up, so only network and single sign-on are compared with Graph.
    """
    planned = []
    for key, spec in stack.policies.items():
        args = spec.args
        entry = PlannedPolicy(
            name=key, display_name=args["display_name"], action="same",
            provisioning_type=args.get("provisioning_type", "dedicated"), adopt=bool(args.get("adopt")),
        )  # fmt: skip
        settings = input_settings(args)
        entry.settings = {k: v for k, v in settings.items() if k != SETTING_IMAGE}
        if spec.assignments is not None:
            entry.assignments = []
            for a in spec.assignments:
                group = stack.groups.get(a.group)
                if group is None or not group.object_id:
                    entry.unknown.append(f"group '{a.group}' is created by the stack (its members are known only after apply)")
                    continue
                entry.assignments.append(Assignment(group.object_id.lower(), a.service_plan_id.lower() if a.service_plan_id else None))
        planned.append(entry)
    return planned


# -- laying the plan over Graph ----------------------------------------------------------------


def build_plan(current: Iterable[Policy], planned: Iterable[PlannedPolicy]) -> Plan:
    """The policies after the change, which assignments it adds (in order), and what it does to each."""
    final = {p.key: copy.deepcopy(p) for p in current}
    by_name = {p.display_name.lower(): p.key for p in final.values()}
    plan = Plan(policies=[], new_assignments={}, actions={})
    created: list[Policy] = []
    for entry in planned:
        key = entry.graph_id.lower() if entry.graph_id and entry.graph_id.lower() in final else None
        if key is None and (entry.action != "create" or entry.adopt):
            key = by_name.get(entry.display_name.lower())
        if entry.action in ("delete", "replace") and key is not None:
            plan.removed.append(final.pop(key))
            plan.actions[key] = entry.action
        if entry.action == "delete":
            continue
        if entry.action in ("create", "replace") and (key is None or key not in final):
            policy = Policy(key=f"new:{entry.name}", display_name=entry.display_name,
                            provisioning_type=entry.provisioning_type or "dedicated")  # fmt: skip
            created.append(policy)
            plan.actions[policy.key] = entry.action
        elif key is not None and key in final:
            policy = final[key]
        else:  # a policy the change keeps but Graph does not hold (deleted outside): it will be created
            policy = Policy(key=f"new:{entry.name}", display_name=entry.display_name,
                            provisioning_type=entry.provisioning_type or "dedicated")  # fmt: skip
            created.append(policy)
            plan.actions[policy.key] = "create"
        _apply(plan, policy, entry)
    plan.policies = [*final.values(), *created]
    return plan


def _apply(plan: Plan, policy: Policy, entry: PlannedPolicy) -> None:
    policy.display_name = entry.display_name or policy.display_name
    is_new = policy.key.startswith("new:")
    changed = entry.changed
    if changed is None:
        changed = set() if is_new else {k for k, v in entry.settings.items() if policy.settings.get(k) != v}
    policy.settings.update(entry.settings)
    if entry.assignments is not None:
        before = {a.group_id: a for a in policy.assignments} if not is_new else {}
        after = []
        for a in entry.assignments:
            kept = before.get(a.group_id)
            if kept is None or (kept.service_plan_id or None) != (a.service_plan_id or None):
                plan.new_assignments[(policy.key, a.group_id)] = len(plan.new_assignments)
                after.append(a)
            else:
                after.append(kept)  # keeps what Graph shows of it (a Frontline allotment)
        if [a.group_id for a in after] != [a.group_id for a in policy.assignments] or any(
            (policy.key, a.group_id) in plan.new_assignments for a in after
        ):
            plan.actions.setdefault(policy.key, "update")
        policy.assignments = after
    if changed and not is_new:
        plan.changed_settings[policy.key] = set(changed)
        plan.actions.setdefault(policy.key, "update")
    if entry.unknown:
        plan.unknown_groups[policy.key] = list(entry.unknown)
