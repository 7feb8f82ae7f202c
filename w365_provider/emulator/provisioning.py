"""Who gets which Cloud PC: Windows 365's provisioning rules, applied to the emulator's state.

:func:`reconcile` runs after every assignment change (``provisioningPolicies/{id}/assign``), after
every change of people, groups or licences (control API), and before Cloud PCs, SKUs or Frontline
plans are read (so that time moves Cloud PCs through their states). It is deterministic.

Sources:
- [create] https://learn.microsoft.com/en-us/windows-365/enterprise/create-provisioning-policy
- [target] https://learn.microsoft.com/en-us/graph/api/resources/cloudpcmanagementgroupassignmenttarget?view=graph-rest-1.0
- [grace] https://learn.microsoft.com/en-us/graph/api/cloudpc-endgraceperiod?view=graph-rest-1.0
- [policy] https://learn.microsoft.com/en-us/graph/api/resources/cloudpcprovisioningpolicy?view=graph-rest-1.0
- [frontline] https://learn.microsoft.com/en-us/graph/api/resources/cloudpcfrontlineserviceplan?view=graph-rest-beta
- [transitive] https://learn.microsoft.com/en-us/graph/api/group-list-transitivemembers?view=graph-rest-1.0

The rules (FIDELITY.md, "People and Cloud PCs", lists which are documented and which assumed):

R1 Licence. A user in a group assigned to an Enterprise (``dedicated``) policy gets a Cloud PC only
   for a Windows 365 Enterprise licence they hold, one per licence (service plan) [create]. A
   Frontline policy (``shared``/``sharedByUser``, ``sharedByEntraGroup``) uses the tenant's Frontline
   licences of the assignment's ``servicePlanId``; they are not assigned to users [frontline], [target].
R2 First assigned. For each licence (user, service plan) only one policy is used: the first assigned
   one [create]. "First assigned" is the earliest assignment (policy, group) still in place whose
   group holds the user, directly or through nested groups [transitive]; an assignment keeps its
   time while it stays in the policy's set, and a re-added group gets a new one.
R3 Existing Cloud PCs stay. A Cloud PC stays with the policy it came from while that policy still
   reaches its user and licence; later changes of the policy do not change it (image, network).
R4 Grace period. When the policy no longer reaches the user (unassigned, user left the group) or the
   licence is removed, the Cloud PC enters its grace period (``inGracePeriod``, the policy's
   ``gracePeriodInHours``) [grace], [policy]; it keeps its licence meanwhile. Reached again by the
   same policy, it is provisioned again; when the grace period ends it is deprovisioned and removed,
   and the licence is free for R2.
R5 Frontline dedicated. A Frontline licence gives three Cloud PCs, one per user [frontline]; an
   assignment's ``allotmentLicensesCount`` (beta) caps its Cloud PCs at three per allotted licence.
   Claims are served in assignment order, then by user id; without capacity a user gets none.
R6 Frontline shared. A ``sharedByEntraGroup`` assignment gets ``allotmentLicensesCount`` (default 1)
   Cloud PCs shared by the group, one Frontline licence each; they are removed at once when the
   assignment goes (no grace period) [create].
R7 States. A new Cloud PC is ``provisioning`` until ``provisioningSeconds`` have passed, then
   ``provisioned``; after its grace period it is ``deprovisioning`` for ``provisioningSeconds``.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from . import people_seed
from .membership import groups_by_id, transitive_members
from .schema import now_iso
from .store import Store

ENTERPRISE = "enterprise"
FRONTLINE_DEDICATED = "frontlineDedicated"
FRONTLINE_SHARED = "frontlineShared"
KINDS = {"dedicated": ENTERPRISE, "shared": FRONTLINE_DEDICATED, "sharedByUser": FRONTLINE_DEDICATED,
         "sharedByEntraGroup": FRONTLINE_SHARED}  # fmt: skip
"""License type of a policy (``provisioningType``) -> what its Cloud PCs use; ``reserve`` gets none."""

PROVISIONING, PROVISIONED, GRACE, DEPROVISIONING = "provisioning", "provisioned", "inGracePeriod", "deprovisioning"
ACTIVE = frozenset({PROVISIONING, PROVISIONED})
UNITS_PER_LICENSE = 3  # a Frontline licence: three dedicated Cloud PCs, or one shared Cloud PC

CONFIG_KEY = "people.config"
ORDER_KEY = "people.assignmentOrder"
TABLE = "cloudPCs"


class Backend(Protocol):
    store: Store
    clock: Callable[[], float]


@dataclass
class PeopleConfig:
    """Timings of provisioning, set through ``/_emulator/people`` (``config``)."""

    provisioningSeconds: float = 2.0
    """How long a new Cloud PC stays ``provisioning`` (and an expired one ``deprovisioning``)."""
    gracePeriodSeconds: float | None = None
    """Grace period length; ``None`` uses the policy's ``gracePeriodInHours``."""


def load_config(store: Store) -> PeopleConfig:
    raw = store.get_meta(CONFIG_KEY)
    return PeopleConfig(**json.loads(raw)) if raw else PeopleConfig()


def save_config(store: Store, config: PeopleConfig) -> None:
    store.set_meta(CONFIG_KEY, json.dumps(asdict(config)))


# --------------------------------------------------------------------------- catalogue facts
_SKU_PLANS = {s["skuId"].lower(): [p.lower() for p, _ in s["servicePlans"]] for s in people_seed.sku_catalogue()}
_PLANS = {p.plan_id.lower(): p for p in people_seed.PLANS}
_ENTERPRISE = {p.plan_id.lower() for p in people_seed.ENTERPRISE_PLANS}
_FRONTLINE = {p.plan_id.lower() for p in people_seed.FRONTLINE_PLANS}


def enterprise_plans(user: dict[str, Any]) -> list[str]:
    """R1: the Enterprise Cloud PC plans (lower-case ids) of a user's licences, disabled plans left out."""
    plans: list[str] = []
    for lic in user.get("assignedLicenses") or []:
        disabled = {str(p).lower() for p in lic.get("disabledPlans") or []}
        for plan in _SKU_PLANS.get(str(lic.get("skuId", "")).lower(), []):
            if plan in _ENTERPRISE and plan not in disabled and plan not in plans:
                plans.append(plan)
    return plans


def policy_kind(policy: dict[str, Any]) -> str | None:
    return KINDS.get(policy.get("provisioningType") or "dedicated")


def _units(pc: dict[str, Any]) -> int:
    return UNITS_PER_LICENSE if pc.get("_pool") else 1


def frontline_licenses_in_use(store: Store) -> dict[str, int]:
    """Frontline SKU id (lower case) -> licences held by its Cloud PCs (R5, R6)."""
    units: dict[str, int] = {}
    for pc in store.list(TABLE):
        plan = _PLANS.get(str(pc.get("servicePlanId", "")).lower())
        if plan is not None and plan.frontline:
            units[plan.sku_id.lower()] = units.get(plan.sku_id.lower(), 0) + _units(pc)
    return {sku: math.ceil(n / UNITS_PER_LICENSE) for sku, n in units.items()}


def frontline_allotments(store: Store) -> dict[str, int]:
    """Frontline plan id (lower case) -> licences allotted by assignments (R5, R6)."""
    allotted: dict[str, int] = {}
    for policy in store.list("provisioningPolicies"):
        kind = policy_kind(policy)
        for assignment in policy.get("assignments") or []:
            target = assignment.get("target") or {}
            plan = str(target.get("servicePlanId") or "").lower()
            count = target.get("allotmentLicensesCount")
            if plan in _FRONTLINE and (count is not None or kind == FRONTLINE_SHARED):
                allotted[plan] = allotted.get(plan, 0) + (count if count is not None else 1)
    return allotted


# --------------------------------------------------------------------------- the state
@dataclass(frozen=True)
class Candidate:
    """An assignment through which a policy reaches a user (or, for R6, a group)."""

    seq: int
    assignment_id: str
    policy: dict[str, Any]
    target: dict[str, Any]
    kind: str


@dataclass
class World:
    """Everything the rules read, loaded once per reconcile; Cloud PC writes collected."""

    store: Store
    now: float
    config: PeopleConfig
    users: dict[str, dict[str, Any]]
    policies: dict[str, dict[str, Any]]
    connections: dict[str, str]
    pcs: list[dict[str, Any]]
    candidates: list[Candidate]
    reach: dict[tuple[str, str], list[Candidate]] = field(default_factory=dict)
    """(user id, plan id) -> candidates in assignment order (R1, R2)."""
    units_total: dict[str, int] = field(default_factory=dict)
    dirty: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: list[dict[str, Any]] = field(default_factory=list)
    deleted: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, store: Store, now: float) -> World:
        policies = {p["id"].lower(): p for p in store.list("provisioningPolicies")}
        order = _assignment_order(store, list(policies.values()))
        candidates = sorted(
            (Candidate(order[a["id"].lower()], a["id"].lower(), p, a.get("target") or {}, kind)
             for p in policies.values() if (kind := policy_kind(p)) is not None
             for a in p.get("assignments") or []),
            key=lambda c: c.seq,
        )  # fmt: skip
        units = {s["skuId"].lower(): int(s["prepaidUnits"]["enabled"]) for s in store.list("subscribedSkus")}
        world = cls(
            store=store,
            now=now,
            config=load_config(store),
            users={u["id"].lower(): u for u in store.list("users")},
            policies=policies,
            connections={c["id"].lower(): c.get("displayName") for c in store.list("onPremisesConnections")},
            pcs=store.list(TABLE),
            candidates=candidates,
            units_total={pid: UNITS_PER_LICENSE * units.get(p.sku_id.lower(), 0) for pid, p in _PLANS.items() if p.frontline},
        )
        world.reach = world._reach(groups_by_id(store))
        return world

    def _reach(self, groups: dict[str, dict[str, Any]]) -> dict[tuple[str, str], list[Candidate]]:
        reach: dict[tuple[str, str], list[Candidate]] = {}
        members: dict[str, list[str]] = {}
        for cand in self.candidates:
            if cand.kind == FRONTLINE_SHARED:
                continue
            gid = str(cand.target.get("groupId") or "").lower()
            if gid not in members:
                members[gid] = [u.lower() for u in transitive_members(groups, gid)[0] if u.lower() in self.users]
            frontline_plan = str(cand.target.get("servicePlanId") or "").lower()
            for uid in members[gid]:
                plans = enterprise_plans(self.users[uid]) if cand.kind == ENTERPRISE else (
                    [frontline_plan] if frontline_plan in _FRONTLINE else [])  # fmt: skip
                for plan in plans:
                    reach.setdefault((uid, plan), []).append(cand)
        return reach

    def live(self) -> list[dict[str, Any]]:
        return [pc for pc in self.pcs + self.created if pc["id"] not in self.deleted]

    def touch(self, pc: dict[str, Any], **changes: Any) -> None:
        pc.update(changes, lastModifiedDateTime=now_iso(self.now))
        self.dirty[pc["id"]] = pc

    def save(self) -> None:
        for pc_id in self.deleted:
            self.store.delete(TABLE, pc_id)
        new = {pc["id"] for pc in self.created}
        for pc in self.dirty.values():
            if pc["id"] not in self.deleted and pc["id"] not in new:
                self.store.update(TABLE, pc)
        for pc in self.created:
            if pc["id"] not in self.deleted:
                self.store.insert(TABLE, pc)


def _assignment_order(store: Store, policies: list[dict[str, Any]]) -> dict[str, int]:
    """R2: assignment id (lower case) -> its sequence number; new assignments get the next ones."""
    raw = store.get_meta(ORDER_KEY)
    saved = json.loads(raw) if raw else {"next": 1, "order": {}}
    order: dict[str, int] = {}
    following = int(saved["next"])
    for policy in policies:
        for assignment in policy.get("assignments") or []:
            key = assignment["id"].lower()
            if key in saved["order"]:
                order[key] = int(saved["order"][key])
            else:
                order[key] = following
                following += 1
    if order != saved["order"] or following != saved["next"]:
        store.set_meta(ORDER_KEY, json.dumps({"next": following, "order": order}))
    return order


# --------------------------------------------------------------------------- the rules
def reconcile(backend: Backend) -> None:
    """Apply R1–R7 to the stored state at the backend's current time."""
    store = backend.store
    with store.transaction():
        world = World.load(store, backend.clock())
        _advance_time(world)
        _check_coverage(world)
        _shared_pools(world)
        _new_cloud_pcs(world)
        world.save()


def _advance_time(world: World) -> None:
    """R7 and the end of R4: provisioning -> provisioned; grace over -> deprovisioning -> removed."""
    step = world.config.provisioningSeconds
    for pc in world.live():
        status = pc.get("status")
        if status == PROVISIONING and world.now >= pc["_readyAt"]:
            world.touch(pc, status=PROVISIONED)
        elif status == GRACE and world.now >= pc["_graceEnd"]:
            world.touch(pc, status=DEPROVISIONING)
        if pc.get("status") == DEPROVISIONING and world.now >= pc["_graceEnd"] + step:
            world.deleted.add(pc["id"])


def _reaches(world: World, pc: dict[str, Any]) -> Candidate | None:
    """The candidate through which the Cloud PC's own policy still reaches its user and licence."""
    policy_id = str(pc.get("provisioningPolicyId") or "").lower()
    for cand in world.reach.get((pc["_userId"].lower(), pc["_planId"]), []):
        if cand.policy["id"].lower() == policy_id:
            return cand
    return None


def _check_coverage(world: World) -> None:
    """R3 and R4 for users' Cloud PCs: stay, enter the grace period, or come back from it."""
    for pc in world.live():
        if pc.get("_pool"):
            continue
        cand = _reaches(world, pc)
        if pc.get("status") in ACTIVE and cand is None:
            policy = world.policies.get(str(pc.get("provisioningPolicyId")).lower(), {})
            world.touch(pc, status=GRACE, _graceEnd=world.now + _grace_seconds(world, policy))
            pc["gracePeriodEndDateTime"] = now_iso(pc["_graceEnd"])
        elif pc.get("status") == GRACE and cand is not None:
            world.touch(pc, status=PROVISIONED, gracePeriodEndDateTime=None, _graceEnd=None)
        if cand is not None and pc.get("_assignmentId") != cand.assignment_id and pc.get("status") in ACTIVE:
            world.touch(pc, _assignmentId=cand.assignment_id)


def _grace_seconds(world: World, policy: dict[str, Any]) -> float:
    if world.config.gracePeriodSeconds is not None:
        return float(world.config.gracePeriodSeconds)
    return float(policy.get("gracePeriodInHours") or 2) * 3600


def _shared_pools(world: World) -> None:
    """R6: pools of assignments that are gone are removed at once; a smaller allotment removes the newest."""
    wanted = {c.assignment_id: _allotment(c) for c in world.candidates if c.kind == FRONTLINE_SHARED}
    pools: dict[str, list[dict[str, Any]]] = {}
    for pc in world.live():
        if pc.get("_pool"):
            pools.setdefault(pc["_assignmentId"], []).append(pc)
    for assignment_id, pcs in pools.items():
        surplus = len(pcs) - wanted.get(assignment_id, 0)
        for pc in sorted(pcs, key=lambda p: p["_seq"] if "_seq" in p else math.inf, reverse=True)[: max(0, surplus)]:
            world.deleted.add(pc["id"])


def _allotment(cand: Candidate) -> int:
    count = cand.target.get("allotmentLicensesCount")
    return 1 if count is None else int(count)


def _new_cloud_pcs(world: World) -> None:
    """R2, R5 and R6: serve the claims without a Cloud PC in assignment order, within capacity."""
    live = world.live()
    taken = {(pc["_userId"].lower(), pc["_planId"]) for pc in live if not pc.get("_pool")}
    used: dict[str, int] = {}
    per_assignment: dict[str, int] = {}
    for pc in live:
        used[pc["_planId"]] = used.get(pc["_planId"], 0) + _units(pc)
        per_assignment[pc.get("_assignmentId") or ""] = per_assignment.get(pc.get("_assignmentId") or "", 0) + 1
    claims: list[tuple[int, str, str, Candidate]] = []
    for (uid, plan), cands in world.reach.items():
        if (uid, plan) not in taken:
            claims.append((cands[0].seq, uid, plan, cands[0]))
    for cand in world.candidates:
        plan = str(cand.target.get("servicePlanId") or "").lower()
        if cand.kind == FRONTLINE_SHARED and plan in _FRONTLINE:
            missing = _allotment(cand) - per_assignment.get(cand.assignment_id, 0)
            claims += [(cand.seq, "", plan, cand)] * max(0, missing)
    for _, uid, plan, cand in sorted(claims, key=lambda c: (c[0], c[1], c[2])):
        if plan in _FRONTLINE:
            cost = UNITS_PER_LICENSE if not uid else 1
            allotted = cand.target.get("allotmentLicensesCount")
            if used.get(plan, 0) + cost > world.units_total.get(plan, 0):
                continue
            if uid and allotted is not None and per_assignment.get(cand.assignment_id, 0) >= UNITS_PER_LICENSE * int(allotted):
                continue
            used[plan] = used.get(plan, 0) + cost
        per_assignment[cand.assignment_id] = per_assignment.get(cand.assignment_id, 0) + 1
        world.created.append(_cloud_pc(world, cand, plan, world.users.get(uid)))


def _cloud_pc(world: World, cand: Candidate, plan_id: str, user: dict[str, Any] | None) -> dict[str, Any]:
    """A new Cloud PC, with the policy's settings of today (R3 keeps them)."""
    policy, plan = cand.policy, _PLANS[plan_id]
    joins = policy.get("domainJoinConfigurations") or [{}]
    connection = joins[0].get("onPremisesConnectionId")
    pc_id = str(uuid.uuid4())
    owner = user["displayName"] if user else str(cand.target.get("allotmentDisplayName") or "shared")
    return {
        "id": pc_id,
        "displayName": f"{plan.display_name} - {owner}",
        "aadDeviceId": str(uuid.uuid4()),
        "managedDeviceId": str(uuid.uuid4()),
        "managedDeviceName": device_name(policy.get("cloudPcNamingTemplate"), user, pc_id),
        "provisioningPolicyId": policy["id"],
        "provisioningPolicyName": policy.get("displayName"),
        "provisioningType": policy.get("provisioningType") or "dedicated",
        "servicePlanId": plan.plan_id,
        "servicePlanName": plan.display_name,
        "servicePlanType": "enterprise",
        "status": PROVISIONING,
        "userPrincipalName": user.get("userPrincipalName") if user else None,
        "imageDisplayName": policy.get("imageDisplayName"),
        "onPremisesConnectionName": world.connections.get(str(connection).lower()) if connection else None,
        "gracePeriodEndDateTime": None,
        "lastModifiedDateTime": now_iso(world.now),
        "_userId": user["id"] if user else "",
        "_planId": plan_id,
        "_assignmentId": cand.assignment_id,
        "_pool": user is None,
        "_readyAt": world.now + world.config.provisioningSeconds,
        "_graceEnd": None,
        "_regionName": joins[0].get("regionName"),
        "_singleSignOn": bool(policy.get("enableSingleSignOn")),
    }


def device_name(template: str | None, user: dict[str, Any] | None, seed_id: str) -> str:
    """The NetBIOS name from the policy's naming template (``%USERNAME:X%``, ``%RAND:Y%``) [create]."""
    letters = uuid.UUID(seed_id).hex.upper()
    local = "".join(ch for ch in str((user or {}).get("userPrincipalName") or "user").split("@")[0] if ch.isalnum())
    text = template or "CPC-%USERNAME:4%-%RAND:5%"
    out, pos = "", 0
    while pos < len(text):
        if text[pos] == "%" and (end := text.find("%", pos + 1)) > 0:
            token, _, size = text[pos + 1 : end].partition(":")
            count = int(size) if size.isdigit() else 0
            out += local[:count] if token == "USERNAME" else letters[:count]
            pos = end + 1
        else:
            out += text[pos]
            pos += 1
    return out[:15]
