"""The impact analysis' rules on hand-built tenants (no Graph): who gets which Cloud PC, and why not."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from w365_provider.impact import build_plan, predict
from w365_provider.impact.model import (
    ACTIVE,
    GRACE,
    Assignment,
    CloudPc,
    Impact,
    Person,
    Policy,
    PolicyEffect,
    Tenant,
)
from w365_provider.impact.plan import PlannedPolicy

E2, E4 = "plan-e2", "plan-e4"  # Enterprise sizes
F2, F4 = "plan-f2", "plan-f4"  # Frontline plans
OFFICE = "plan-office"  # a licence without a Cloud PC


def person(uid: str, *plans: str) -> Person:
    return Person(uid, uid.title(), f"{uid}@contoso.example", frozenset(plans))


def closure(groups: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Transitive user members, as Graph's transitiveMembers gives them (group names are keys)."""
    out = {}
    for gid in groups:
        seen, queue, users = {gid}, list(groups[gid]), []
        while queue:
            member = queue.pop(0)
            if member in groups:
                if member not in seen:
                    seen.add(member)
                    queue += groups[member]
            elif member not in users:
                users.append(member)
        out[gid] = users
    return out


def tenant(
    people: Iterable[Person],
    groups: Mapping[str, list[str]],
    policies: Iterable[Policy] = (),
    pcs: Iterable[CloudPc] = (),
    frontline: Mapping[str, int | None] | None = None,
    unassigned: Mapping[str, int] | None = None,
) -> Tenant:
    return Tenant(
        people={p.id: p for p in people},
        members=closure(groups),
        enterprise_plans={E2, E4},
        frontline_capacity=dict(frontline or {}),
        plan_names={E2: "Enterprise 2vCPU", E4: "Enterprise 4vCPU", F2: "Frontline 2vCPU", F4: "Frontline 4vCPU"},
        policies=list(policies),
        cloud_pcs=list(pcs),
        unassigned_licenses=dict(unassigned or {}),
    )


def policy(key: str, *groups: str, kind: str = "dedicated", plan: str | None = None, allotment: int | None = None) -> Policy:
    return Policy(key, key.title(), kind, [Assignment(g, plan, allotment) for g in groups], id=key)


def pc(user: str, policy_key: str, plan: str = E2, state: str = ACTIVE) -> CloudPc:
    return CloudPc(f"pc-{user}-{policy_key}-{plan}", f"{user}@contoso.example", policy_key, policy_key.title(), plan, state)


def pool_pc(n: int, policy_key: str, plan: str) -> CloudPc:
    return CloudPc(f"pool-{policy_key}-{n}", None, policy_key, policy_key.title(), plan, ACTIVE)


def change(t: Tenant, *planned: PlannedPolicy) -> Impact:
    return predict(t, build_plan(t.policies, planned))


def update(key: str, *groups: str, plan: str | None = None, allotment: int | None = None) -> PlannedPolicy:
    return PlannedPolicy(name=key, display_name=key.title(), action="update", graph_id=key,
                         assignments=[Assignment(g, plan, allotment) for g in groups])  # fmt: skip


def create(key: str, *groups: str, kind: str = "dedicated", plan: str | None = None) -> PlannedPolicy:
    return PlannedPolicy(name=key, display_name=key.title(), action="create", provisioning_type=kind,
                         assignments=[Assignment(g, plan) for g in groups])  # fmt: skip


def effect(impact: Impact, name: str) -> PolicyEffect:
    return next(e for e in impact.policies if e.display_name == name)


# -- nested groups ------------------------------------------------------------------------------


def test_a_nested_group_s_members_are_reached_through_the_parent() -> None:
    t = tenant(
        [person("ann", E2), person("bob", E4), person("cy", E2)],
        {"parent": ["ann", "child"], "child": ["bob", "grandchild"], "grandchild": ["cy"]},
    )
    impact = change(t, create("pilot", "parent"))
    pilot = effect(impact, "Pilot")
    assert pilot.members == 3
    assert pilot.new == ["ann", "bob", "cy"]
    assert impact.outcome == {"ann": [("Pilot", E2, ACTIVE)], "bob": [("Pilot", E4, ACTIVE)], "cy": [("Pilot", E2, ACTIVE)]}


def test_a_group_nested_twice_and_a_cycle_count_each_person_once() -> None:
    t = tenant([person("ann", E2)], {"a": ["b", "c"], "b": ["ann", "a"], "c": ["b"]})
    impact = change(t, create("pilot", "a"))
    assert effect(impact, "Pilot").members == 1
    assert impact.outcome == {"ann": [("Pilot", E2, ACTIVE)]}


# -- two policies sharing a user ----------------------------------------------------------------


def test_the_first_assigned_policy_keeps_a_shared_user_and_the_second_gives_nothing() -> None:
    t = tenant(
        [person("ann", E2), person("bob", E2)],
        {"pilot": ["ann", "bob"], "eng": ["bob"]},
        policies=[policy("pilot", "pilot")],
        pcs=[pc("ann", "pilot"), pc("bob", "pilot")],
    )
    impact = change(t, create("eng", "eng"))
    eng = effect(impact, "Eng")
    assert eng.new == []
    assert eng.shadowed == {"bob": "Pilot"}
    assert impact.outcome["bob"] == [("Pilot", E2, ACTIVE)]


def test_a_user_holding_two_licences_gets_two_cloud_pcs_from_the_first_policy() -> None:
    t = tenant([person("ann", E2, E4)], {"g": ["ann"], "h": ["ann"]})
    impact = change(t, create("first", "g"), create("second", "h"))
    assert impact.outcome == {"ann": [("First", E2, ACTIVE), ("First", E4, ACTIVE)]}
    assert effect(impact, "Second").shadowed == {"ann": "First"}


def test_two_new_assignments_reaching_the_same_person_are_order_dependent() -> None:
    t = tenant([person("ann", E2), person("bob", E2)], {"g": ["ann"], "h": ["ann", "bob"]})
    impact = change(t, create("first", "g"), create("second", "h"))
    first, second = effect(impact, "First"), effect(impact, "Second")
    assert first.new == ["ann"] and first.order_dependent == ["ann"]
    assert second.new == ["bob"] and second.order_dependent == []
    assert second.shadowed == {"ann": "First"}


def test_a_new_assignment_comes_after_every_existing_one() -> None:
    """A licensed member reached by an existing policy already has its Cloud PC; the new one is second."""
    t = tenant([person("ann", E2)], {"old": ["ann"], "new": ["ann"]}, [policy("old", "old")], [pc("ann", "old")])
    impact = change(t, update("old", "old"), create("newer", "new"))
    assert effect(impact, "Newer").shadowed == {"ann": "Old"}
    assert not effect(impact, "Newer").order_dependent


# -- licence without group, group without licence ----------------------------------------------


def test_a_licensed_user_in_no_assigned_group_gets_nothing_and_is_not_counted() -> None:
    t = tenant([person("ann", E2), person("lone", E4)], {"g": ["ann"]})
    impact = change(t, create("pilot", "g"))
    assert "lone" not in impact.outcome
    assert effect(impact, "Pilot").members == 1


def test_members_without_a_cloud_pc_licence_are_unlicensed_and_counted_short() -> None:
    t = tenant(
        [person("ann", OFFICE), person("bob"), person("cy", E2)],
        {"g": ["ann", "bob", "cy"]},
        unassigned={E2: 1},
    )
    impact = change(t, create("pilot", "g"))
    pilot = effect(impact, "Pilot")
    assert pilot.unlicensed == ["ann", "bob"]
    assert pilot.new == ["cy"]
    [short] = impact.shortfalls
    assert (short.needed, short.available, short.missing) == (2, 1, 1)


def test_a_licence_removed_sends_the_cloud_pc_into_its_grace_period() -> None:
    t = tenant([person("ann")], {"g": ["ann"]}, [policy("pilot", "g")], [pc("ann", "pilot")])
    impact = change(t)
    assert effect(impact, "Pilot").loses == ["ann"]
    assert impact.outcome == {"ann": [("Pilot", E2, GRACE)]}


# -- grace period, settings --------------------------------------------------------------------


def test_unassigning_puts_cloud_pcs_in_their_grace_period_and_another_policy_waits() -> None:
    t = tenant(
        [person("ann", E2), person("bob", E2)],
        {"g": ["ann", "bob"], "h": ["ann"]},
        [policy("pilot", "g"), policy("eng", "h")],
        [pc("ann", "pilot"), pc("bob", "pilot")],
    )
    impact = change(t, update("pilot"))
    assert effect(impact, "Pilot").loses == ["ann", "bob"]
    assert effect(impact, "Eng").waiting == ["ann"]
    assert impact.outcome == {"ann": [("Pilot", E2, GRACE)], "bob": [("Pilot", E2, GRACE)]}


def test_deleting_a_policy_puts_its_cloud_pcs_in_their_grace_period() -> None:
    t = tenant([person("ann", E2)], {"g": ["ann"]}, [policy("pilot", "g")], [pc("ann", "pilot")])
    impact = change(t, PlannedPolicy(name="pilot", display_name="Pilot", action="delete", graph_id="pilot"))
    gone = effect(impact, "Pilot")
    assert gone.action == "delete" and gone.loses == ["ann"]


def test_reassigning_during_the_grace_period_restores_the_cloud_pc() -> None:
    t = tenant([person("ann", E2)], {"g": ["ann"]}, [policy("pilot")], [pc("ann", "pilot", state=GRACE)])
    impact = change(t, update("pilot", "g"))
    assert effect(impact, "Pilot").restored == ["ann"]
    assert impact.outcome == {"ann": [("Pilot", E2, ACTIVE)]}


def test_existing_cloud_pcs_keep_old_settings_and_apply_can_update_network_but_not_image() -> None:
    old = policy("pilot", "g")
    old.settings = {"network": [("azureADJoin", None, "westeurope")], "singleSignOn": False, "image": "img-1"}
    t = tenant([person("ann", E2)], {"g": ["ann"]}, [old], [pc("ann", "pilot")])
    region = update("pilot", "g")
    region.settings = {"network": [("azureADJoin", None, "eastus")], "singleSignOn": False, "image": "img-1"}
    pilot = effect(change(t, region), "Pilot")
    assert pilot.keeps_old == ["ann"] and pilot.changed_settings == {"network"} and pilot.apply_can_update
    image = update("pilot", "g")
    image.settings = {**old.settings, "image": "img-2"}
    pilot = effect(change(t, image), "Pilot")
    assert pilot.keeps_old == ["ann"] and pilot.changed_settings == {"image"} and not pilot.apply_can_update


# -- Frontline ---------------------------------------------------------------------------------


def test_frontline_dedicated_serves_three_users_per_licence_then_none() -> None:
    people = [person(u) for u in ("ann", "bob", "cy", "dee")]
    t = tenant(people, {"store": ["ann", "bob", "cy", "dee"]}, frontline={F2: 1})
    impact = change(t, create("store", "store", kind="shared", plan=F2))
    store = effect(impact, "Store")
    assert store.new == ["ann", "bob", "cy"]
    assert store.no_capacity == ["dee"]
    assert store.unlicensed == []  # Frontline licences are the tenant's, not the users'
    [short] = impact.shortfalls
    assert (short.plan_id, short.needed, short.available, short.missing) == (F2, 2, 1, 1)


def test_frontline_dedicated_allotment_caps_an_assignment() -> None:
    people = [person(f"u{i}") for i in range(5)]
    t = tenant(people, {"store": [p.id for p in people]}, [policy("store", kind="shared")], frontline={F2: 10})
    impact = change(t, update("store", "store", plan=F2, allotment=1))
    assert len(effect(impact, "Store").new) == 3
    assert len(effect(impact, "Store").no_capacity) == 2


def test_frontline_shared_allotment_against_licences() -> None:
    """Each shared Cloud PC takes a licence; an allotment beyond the licences left is short."""
    t = tenant(
        [person("ann"), person("bob")],
        {"kiosk": ["ann", "bob"], "desk": ["bob"]},
        [policy("kiosk", "kiosk", kind="sharedByEntraGroup", plan=F4, allotment=2)],
        [pool_pc(1, "kiosk", F4), pool_pc(2, "kiosk", F4)],
        frontline={F4: 3},
    )
    more = PlannedPolicy(name="desk", display_name="Desk", action="create", provisioning_type="sharedByEntraGroup",
                         assignments=[Assignment("desk", F4, 2)])  # fmt: skip
    impact = change(t, update("kiosk", "kiosk", plan=F4), more)
    assert effect(impact, "Kiosk").shared_after == 2  # the kept assignment keeps its allotment of 2
    assert effect(impact, "Desk").shared_after == 1  # one licence left for an allotment of 2
    assert impact.pools == {("Kiosk", F4): 2, ("Desk", F4): 1}
    assert impact.outcome == {}  # shared Cloud PCs belong to no one
    [short] = impact.shortfalls
    assert (short.needed, short.available, short.missing) == (4, 3, 1)


def test_frontline_shared_cloud_pcs_go_at_once_when_their_assignment_goes() -> None:
    t = tenant([person("ann")], {"kiosk": ["ann"]},
               [policy("kiosk", "kiosk", kind="sharedByEntraGroup", plan=F4, allotment=1)],
               [pool_pc(1, "kiosk", F4)], frontline={F4: 1})  # fmt: skip
    impact = change(t, update("kiosk"))
    kiosk = effect(impact, "Kiosk")
    assert (kiosk.shared_before, kiosk.shared_after) == (1, 0)
    assert impact.pools == {}


def test_a_grace_period_cloud_pc_still_holds_its_frontline_licence() -> None:
    t = tenant(
        [person("ann"), person("bob"), person("dee")],
        {"g": ["dee"], "h": ["bob"]},
        [policy("a", "g", kind="shared", plan=F2)],
        [pc("ann", "a", F2, GRACE), pc("dee", "a", F2), pc("carl", "a", F2)],  # carl: in no group read
        frontline={F2: 1},
    )
    impact = change(t, create("b", "h", kind="shared", plan=F2))
    assert effect(impact, "B").no_capacity == ["bob"]
    assert impact.outcome == {"ann": [("A", F2, GRACE)], "dee": [("A", F2, ACTIVE)]}


# -- what the plan says ------------------------------------------------------------------------


def test_build_plan_keeps_existing_assignments_and_orders_the_new_ones() -> None:
    t = tenant([], {}, [policy("a", "g1"), policy("b", "g2")])
    plan = build_plan(t.policies, [update("b", "g2", "g3"), create("c", "g1"), update("a", "g4", "g1")])
    assert plan.new_assignments == {("b", "g3"): 0, ("new:c", "g1"): 1, ("a", "g4"): 2}
    assert [p.key for p in plan.policies] == ["a", "b", "new:c"]
    assert plan.actions == {"b": "update", "new:c": "create", "a": "update"}
    assert [a.group_id for a in plan.policies[0].assignments] == ["g4", "g1"]
