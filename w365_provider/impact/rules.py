"""Who would get which Cloud PC: the Windows 365 rules applied to the tenant and the plan. Pure.

The rules, from "Create provisioning policies"
(https://learn.microsoft.com/en-us/windows-365/enterprise/create-provisioning-policy) and the Graph
pages cited in docs/impact.md:

- Licence: a user in an assigned group who has no Windows 365 Enterprise licence gets no Cloud PC
  from an Enterprise policy; they get one per Enterprise licence (service plan) they hold. Frontline
  policies use the tenant's Frontline licences (three Cloud PCs each in dedicated mode; one shared
  Cloud PC each in shared mode), within the assignment's allotment.
- First assigned: per licence only one policy is used, the one assigned first. Graph does not show
  when an assignment was made, so: a Cloud PC that exists stays with its policy while that policy
  still reaches the user; assignments that exist come before the ones the change adds; the change's
  own assignments come in plan order. Where that order decides, the person is *order-dependent*.
- Grace period: a Cloud PC whose policy no longer reaches its user (or whose licence is gone)
  enters its grace period and keeps the licence until it ends; Frontline shared Cloud PCs of a
  removed assignment go at once.
- Existing Cloud PCs keep the settings they were made with (network, single sign-on, image) until
  "apply to existing Cloud PCs" (network, single sign-on) or a reprovision (image).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from w365_provider.impact.model import (
    ACTIVE,
    APPLY_CAN_CHANGE,
    ENTERPRISE,
    FRONTLINE_DEDICATED,
    FRONTLINE_SHARED,
    GRACE,
    Impact,
    Plan,
    Policy,
    PolicyEffect,
    Shortfall,
    Tenant,
)

__all__ = ["predict"]

UNITS_PER_LICENSE = 3
NEW_BASE = 1_000_000
"""Assignments the change adds are ranked after every existing one."""


@dataclass(frozen=True)
class _Cand:
    seq: int
    policy: Policy
    index: int
    """Assignment index within the policy."""
    plan: str
    new: bool

    @property
    def akey(self) -> tuple[str, int]:
        return (self.policy.key, self.index)


@dataclass
class _Pc:
    """A Cloud PC during the prediction (existing or new)."""

    user: str | None
    policy_key: str
    policy_name: str
    plan: str
    state: str
    before: str | None
    """Its state before the change (``None``: made by the change)."""
    akey: tuple[str, int] | None = None
    foreign: bool = False
    """Its user is in none of the groups that matter: the change leaves it as it is."""


@dataclass
class _Run:
    tenant: Tenant
    plan: Plan
    by_key: dict[str, Policy] = field(default_factory=dict)
    reach: dict[tuple[str, str], list[_Cand]] = field(default_factory=dict)
    pcs: list[_Pc] = field(default_factory=list)
    effects: dict[str, PolicyEffect] = field(default_factory=dict)


def predict(tenant: Tenant, plan: Plan) -> Impact:
    """The effect of ``plan`` on the people of ``tenant``, right after it is applied."""
    run = _Run(tenant, plan, by_key={p.key: p for p in plan.policies})
    run.effects = {p.key: _effect(p, plan) for p in [*plan.policies, *plan.removed]}
    cands = _candidates(run)
    run.reach = _reach(run, cands)
    run.pcs = _existing(run)
    _coverage(run)
    _pools(run, cands)
    _claims(run, cands)
    _categorise(run)
    return Impact(
        policies=[run.effects[p.key] for p in [*plan.policies, *plan.removed]],
        shortfalls=_shortfalls(run),
        outcome=_outcome(run),
        pools=_pool_counts(run),
        names={uid: p.display_name for uid, p in tenant.people.items()},
        blind_spots=list(tenant.blind_spots),
        requests=tenant.requests,
    )


def _effect(policy: Policy, plan: Plan) -> PolicyEffect:
    return PolicyEffect(
        key=policy.key,
        display_name=policy.display_name,
        kind=policy.kind,
        action=plan.actions.get(policy.key),
        changed_settings=set(plan.changed_settings.get(policy.key, set())),
        apply_can_update=bool(plan.changed_settings.get(policy.key, set()) & APPLY_CAN_CHANGE),
        unknown=list(plan.unknown_groups.get(policy.key, [])),
    )


# -- who each assignment reaches ---------------------------------------------------------------


def _candidates(run: _Run) -> list[_Cand]:
    cands = []
    for rank, policy in enumerate(run.plan.policies):
        if policy.kind is None:
            continue
        for index, assignment in enumerate(policy.assignments):
            order = run.plan.new_assignments.get((policy.key, assignment.group_id))
            seq = NEW_BASE + order if order is not None else rank * 1000 + index
            cands.append(_Cand(seq, policy, index, (assignment.service_plan_id or "").lower(), order is not None))
    return sorted(cands, key=lambda c: c.seq)


def _reach(run: _Run, cands: list[_Cand]) -> dict[tuple[str, str], list[_Cand]]:
    reach: dict[tuple[str, str], list[_Cand]] = {}
    for cand in cands:
        if cand.policy.kind == FRONTLINE_SHARED:
            continue
        group = cand.policy.assignments[cand.index].group_id
        for uid in run.tenant.members.get(group, []):
            person = run.tenant.people[uid]
            if cand.policy.kind == ENTERPRISE:
                plans: Iterable[str] = sorted(person.plans & run.tenant.enterprise_plans)
            else:
                plans = [cand.plan] if cand.plan in run.tenant.frontline_capacity else []
            for plan in plans:
                reach.setdefault((uid, plan), []).append(cand)
    return reach


def _existing(run: _Run) -> list[_Pc]:
    by_upn = {p.upn: uid for uid, p in run.tenant.people.items() if p.upn}
    pcs = []
    for pc in run.tenant.cloud_pcs:
        user = by_upn.get(pc.upn) if pc.upn else None
        foreign = bool(pc.upn) and user is None
        name = run.by_key[pc.policy_id].display_name if pc.policy_id in run.by_key else pc.policy_name
        pcs.append(_Pc(f"upn:{pc.upn}" if foreign else user, pc.policy_id, name, pc.plan_id, pc.state, pc.state,
                       foreign=foreign))  # fmt: skip
    return pcs


def _first_of(run: _Run, user: str, plan: str, policy_key: str) -> _Cand | None:
    return next((c for c in run.reach.get((user, plan), []) if c.policy.key == policy_key), None)


def _coverage(run: _Run) -> None:
    """A user's Cloud PC stays while its policy still reaches them; else it enters its grace period."""
    for pc in run.pcs:
        if pc.user is None or pc.foreign:
            continue
        cand = _first_of(run, pc.user, pc.plan, pc.policy_key)
        if pc.state == ACTIVE and cand is None:
            pc.state = GRACE
        elif pc.state == GRACE and cand is not None:
            pc.state = ACTIVE
        pc.akey = cand.akey if cand is not None else None


def _allotment(policy: Policy, index: int) -> int:
    count = policy.assignments[index].allotment
    return 1 if count is None else int(count)


def _pools(run: _Run, cands: list[_Cand]) -> None:
    """Frontline shared Cloud PCs of an assignment that is gone (or allotted fewer) go at once."""
    wanted: dict[tuple[str, str], list[_Cand]] = {}
    for cand in cands:
        if cand.policy.kind == FRONTLINE_SHARED:
            wanted.setdefault((cand.policy.key, cand.plan), []).append(cand)
    groups: dict[tuple[str, str], list[_Pc]] = {}
    for pc in run.pcs:
        if pc.user is None:
            groups.setdefault((pc.policy_key, pc.plan), []).append(pc)
    for key, pcs in groups.items():
        slots = [c for c in wanted.get(key, []) for _ in range(_allotment(c.policy, c.index))]
        for pc, cand in zip(pcs, slots):
            pc.akey = cand.akey
        for pc in pcs[len(slots) :]:
            pc.state = "removed"


def _units(pc: _Pc) -> int:
    return UNITS_PER_LICENSE if pc.user is None else 1


def _claims(run: _Run, cands: list[_Cand]) -> None:
    """Licences without a Cloud PC are served in assignment order, within Frontline capacity."""
    live = [pc for pc in run.pcs if pc.state != "removed"]
    taken = {(pc.user, pc.plan) for pc in live if pc.user is not None}
    used: dict[str, int] = {}
    per_assignment: dict[tuple[str, int], int] = {}
    for pc in live:
        used[pc.plan] = used.get(pc.plan, 0) + _units(pc)
        if pc.akey is not None:
            per_assignment[pc.akey] = per_assignment.get(pc.akey, 0) + 1
    claims: list[tuple[int, str, str, _Cand]] = [
        (cs[0].seq, uid, plan, cs[0]) for (uid, plan), cs in run.reach.items() if (uid, plan) not in taken
    ]
    for cand in cands:
        if cand.policy.kind == FRONTLINE_SHARED and cand.plan in run.tenant.frontline_capacity:
            missing = _allotment(cand.policy, cand.index) - per_assignment.get(cand.akey, 0)
            claims += [(cand.seq, "", cand.plan, cand)] * max(0, missing)
    for _, uid, plan, cand in sorted(claims, key=lambda c: (c[0], c[1], c[2])):
        if plan in run.tenant.frontline_capacity:
            cost = 1 if uid else UNITS_PER_LICENSE
            capacity = run.tenant.frontline_capacity[plan]
            allotted = cand.policy.assignments[cand.index].allotment
            if capacity is not None and used.get(plan, 0) + cost > UNITS_PER_LICENSE * capacity:
                continue
            if uid and allotted is not None and per_assignment.get(cand.akey, 0) >= UNITS_PER_LICENSE * allotted:
                continue
            used[plan] = used.get(plan, 0) + cost
        per_assignment[cand.akey] = per_assignment.get(cand.akey, 0) + 1
        run.pcs.append(_Pc(uid or None, cand.policy.key, cand.policy.display_name, plan, ACTIVE, None, cand.akey))


# -- what it means per policy ------------------------------------------------------------------


def _categorise(run: _Run) -> None:
    slots: dict[tuple[str, str], _Pc] = {}
    for pc in run.pcs:
        if pc.foreign:
            continue
        if pc.user is not None and pc.state in (ACTIVE, GRACE, "gone"):
            if pc.state != "gone" or (pc.user, pc.plan) not in slots:
                slots[(pc.user, pc.plan)] = pc
        elif pc.user is None and pc.policy_key in run.effects:
            effect = run.effects[pc.policy_key]
            effect.shared_before += pc.before == ACTIVE
            effect.shared_after += pc.state == ACTIVE
    for pc in run.pcs:
        if pc.user is not None and not pc.foreign and pc.policy_key in run.effects:
            effect = run.effects[pc.policy_key]
            if pc.before == ACTIVE and pc.state == GRACE:
                effect.loses.append(pc.user)
            elif pc.before is None:
                effect.new.append(pc.user)
                _order_check(run, effect, pc)
            elif pc.before == GRACE and pc.state == ACTIVE:
                effect.restored.append(pc.user)
            elif pc.state == ACTIVE and effect.changed_settings:
                effect.keeps_old.append(pc.user)
            elif pc.state == ACTIVE:
                effect.unchanged.append(pc.user)
    for policy in run.plan.policies:
        _members(run, policy, slots)
    for effect in run.effects.values():
        for name in ("new", "restored", "unlicensed", "keeps_old", "unchanged", "loses", "waiting", "no_capacity",
                     "order_dependent"):  # fmt: skip
            setattr(effect, name, _sorted(run, dict.fromkeys(getattr(effect, name))))
        effect.shadowed = {uid: effect.shadowed[uid] for uid in _sorted(run, effect.shadowed)}


def _members(run: _Run, policy: Policy, slots: dict[tuple[str, str], _Pc]) -> None:
    """Who this policy reaches and gets nothing from it: unlicensed, covered elsewhere, no capacity."""
    effect = run.effects[policy.key]
    members = dict.fromkeys(uid for a in policy.assignments for uid in run.tenant.members.get(a.group_id, []))
    effect.members = len(members)
    if policy.kind == ENTERPRISE and run.tenant.licenses_visible and run.tenant.enterprise_plans:
        effect.unlicensed = [u for u in members if not run.tenant.people[u].plans & run.tenant.enterprise_plans]
    for (uid, plan), cands in run.reach.items():
        if policy.key not in {c.policy.key for c in cands}:
            continue
        pc = slots.get((uid, plan))
        if pc is not None and pc.policy_key == policy.key:
            continue
        if pc is None:
            if cands[0].policy.key == policy.key:
                effect.no_capacity.append(uid)
            else:
                effect.shadowed.setdefault(uid, cands[0].policy.display_name)
        elif pc.state == GRACE and cands[0].policy.key == policy.key:
            effect.waiting.append(uid)
        else:
            effect.shadowed.setdefault(uid, pc.policy_name)


def _order_check(run: _Run, effect: PolicyEffect, pc: _Pc) -> None:
    """A new Cloud PC whose policy won only by an order Graph does not show."""
    assert pc.user is not None
    cands = run.reach.get((pc.user, pc.plan), [])
    if not cands:
        return
    winner = cands[0]
    rivals = [c for c in cands[1:] if c.policy.key != winner.policy.key and c.new == winner.new]
    if rivals:
        effect.order_dependent.append(pc.user)


def _sorted(run: _Run, ids: Iterable[str]) -> list[str]:
    names = run.tenant.people
    return sorted(ids, key=lambda u: (names[u].display_name.lower() if u in names else u, u))


# -- totals ------------------------------------------------------------------------------------


def _shortfalls(run: _Run) -> list[Shortfall]:
    out: list[Shortfall] = []
    unlicensed = {u for p in run.plan.policies if p.kind == ENTERPRISE for u in run.effects[p.key].unlicensed}
    if unlicensed:
        free = sum(run.tenant.unassigned_licenses.values()) if run.tenant.unassigned_licenses else None
        out.append(Shortfall("", "Windows 365 Enterprise (any size)", ENTERPRISE, len(unlicensed), free))
    for plan, capacity in sorted(run.tenant.frontline_capacity.items()):
        units = 0
        users = {uid for (uid, p) in run.reach if p == plan}
        units += len(users)
        for policy in run.plan.policies:
            if policy.kind == FRONTLINE_SHARED:
                units += sum(UNITS_PER_LICENSE * _allotment(policy, i)
                             for i, a in enumerate(policy.assignments) if (a.service_plan_id or "") == plan)  # fmt: skip
        if units:
            kind = FRONTLINE_DEDICATED if users else FRONTLINE_SHARED
            name = run.tenant.plan_names.get(plan, plan)
            out.append(Shortfall(plan, name, kind, math.ceil(units / UNITS_PER_LICENSE), capacity))
    return out


def _outcome(run: _Run) -> dict[str, list[tuple[str, str, str]]]:
    outcome: dict[str, list[tuple[str, str, str]]] = {}
    for pc in run.pcs:
        if pc.user is not None and not pc.foreign and pc.state in (ACTIVE, GRACE):
            outcome.setdefault(pc.user, []).append((pc.policy_name, pc.plan, pc.state))
    return {uid: sorted(pcs) for uid, pcs in outcome.items()}


def _pool_counts(run: _Run) -> dict[tuple[str, str], int]:
    pools: dict[tuple[str, str], int] = {}
    for pc in run.pcs:
        if pc.user is None and pc.state == ACTIVE:
            pools[(pc.policy_name, pc.plan)] = pools.get((pc.policy_name, pc.plan), 0) + 1
    return pools

