"""A large tenant and a change of eight policies, for the impact analysis' acceptance test and bench.

:func:`baseline` seeds the emulator with ``users`` people in ``groups`` nested groups and assigns
seven of eight policies (Enterprise, Frontline dedicated through v1.0 ``shared`` and beta
``sharedByUser``, Frontline shared through beta ``sharedByEntraGroup``); :func:`change` is a
pull-request-like change of all eight; :func:`apply` makes the change's Graph calls in plan
order; :func:`emulator_outcome` reads who has which Cloud PC afterwards, in the analysis' terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from w365_provider.emulator import EmulatorProcess, seed
from w365_provider.emulator import people_seed as ps
from w365_provider.impact.model import Assignment
from w365_provider.impact.plan import PlannedPolicy

POLICIES = "/deviceManagement/virtualEndpoint/provisioningPolicies"
CLOUD_PCS = "/deviceManagement/virtualEndpoint/cloudPCs"
STATES = {"provisioning": "active", "provisioned": "active", "inGracePeriod": "grace"}


def g(i: int) -> str:
    return ps.generated_group_id(i)


@dataclass(frozen=True)
class Spec:
    name: str
    provisioning_type: str
    baseline: tuple[dict[str, Any], ...]
    """Assignment targets before the change (Graph camelCase)."""
    version: str = "v1.0"


SPECS: tuple[Spec, ...] = (
    Spec("Enterprise Sales", "dedicated", ({"groupId": g(1)},)),
    Spec("Enterprise Engineering", "dedicated", ({"groupId": g(2)},)),
    Spec("Enterprise Operations", "dedicated", ({"groupId": g(3)}, {"groupId": g(5)})),
    Spec("Enterprise Executives", "dedicated", ({"groupId": g(13)},)),
    Spec("Frontline Stores", "shared", ({"groupId": g(7), "servicePlanId": ps.PLAN_F2},)),
    Spec("Frontline Depots", "sharedByUser",
         ({"groupId": g(10), "servicePlanId": ps.PLAN_F2, "allotmentLicensesCount": 5},), version="beta"),
    Spec("Frontline Kiosks", "sharedByEntraGroup",
         ({"groupId": g(8), "servicePlanId": ps.PLAN_F4, "allotmentLicensesCount": 3},), version="beta"),
    Spec("Enterprise Everyone", "dedicated", ()),
)  # fmt: skip


def _body(spec: Spec) -> dict[str, Any]:
    return {
        "displayName": spec.name,
        "imageId": seed.GALLERY_WIN11_24H2_M365,
        "imageType": "gallery",
        "provisioningType": spec.provisioning_type,
        "domainJoinConfigurations": [{"domainJoinType": "azureADJoin", "regionName": "westeurope"}],
    }


def baseline(emu: EmulatorProcess, users: int = 500, groups: int = 20) -> dict[str, str]:
    """Seed people and assign the policies as they are before the change; policy name -> id."""
    emu.seed_people(users, groups)
    emu.set_people({"config": {"provisioningSeconds": 0.2}}, patch=True)
    ids = {}
    prefer = {"Prefer": "include-unknown-enum-members"}
    for spec in SPECS:
        status, created = emu.graph("POST", POLICIES, _body(spec), version=spec.version, headers=prefer)
        assert status == 201, created
        assert created is not None
        ids[spec.name] = created["id"]
    for spec in SPECS:
        if spec.baseline:
            _assign(emu, ids[spec.name], [dict(t) for t in spec.baseline], spec.version)
    return ids


def _assign(emu: EmulatorProcess, policy_id: str, targets: list[dict[str, Any]], version: str) -> None:
    status, body = emu.graph("POST", f"{POLICIES}/{policy_id}/assign",
                             {"assignments": [{"target": t} for t in targets]}, version=version)  # fmt: skip
    assert status == 204, body


def _a(target: dict[str, Any]) -> Assignment:
    plan = target.get("servicePlanId")
    return Assignment(target["groupId"].lower(), plan.lower() if plan else None, target.get("allotmentLicensesCount"))


@dataclass(frozen=True)
class Step:
    planned: PlannedPolicy
    targets: list[dict[str, Any]] | None
    version: str


def change(ids: dict[str, str]) -> list[Step]:
    """The change, in plan order: what the analysis is told, and the Graph calls that make it."""
    steps: list[tuple[str, str, list[dict[str, Any]] | None, str]] = [
        ("Enterprise Everyone", "update", [{"groupId": g(0)}], "v1.0"),  # the root: everyone, nested
        ("Enterprise Engineering", "update", [{"groupId": g(9)}], "v1.0"),  # g2 (and g7, g8) removed
        ("Enterprise Executives", "update", [{"groupId": g(13)}, {"groupId": g(14)}], "v1.0"),
        ("Frontline Stores", "update", [{"groupId": g(7), "servicePlanId": ps.PLAN_F2},
                                        {"groupId": g(11), "servicePlanId": ps.PLAN_F2}], "v1.0"),
        ("Frontline Kiosks", "update", [{"groupId": g(8), "servicePlanId": ps.PLAN_F4, "allotmentLicensesCount": 3},
                                        {"groupId": g(12), "servicePlanId": ps.PLAN_F4}], "beta"),
        ("Enterprise Operations", "delete", None, "v1.0"),
    ]  # fmt: skip
    types = {s.name: s.provisioning_type for s in SPECS}
    out = []
    for name, action, targets, version in steps:
        planned = PlannedPolicy(
            name=name.lower().replace(" ", "-"), display_name=name, action=action, graph_id=ids[name],
            provisioning_type=types[name], assignments=None if targets is None else [_a(t) for t in targets],
        )  # fmt: skip
        out.append(Step(planned, targets, version))
    return out


def apply(emu: EmulatorProcess, ids: dict[str, str], steps: list[Step]) -> None:
    """The Graph calls of the change, in plan order (a delete unassigns first, as the provider does)."""
    for step in steps:
        policy_id = ids[step.planned.display_name]
        if step.planned.action == "delete":
            _assign(emu, policy_id, [], step.version)
            status, body = emu.graph("DELETE", f"{POLICIES}/{policy_id}")
            assert status == 204, body
        else:
            assert step.targets is not None
            _assign(emu, policy_id, step.targets, step.version)


def emulator_outcome(emu: EmulatorProcess) -> tuple[dict[str, list[tuple[str, str, str]]], dict[tuple[str, str], int]]:
    """(user id -> sorted (policy name, plan id, active|grace), (policy name, plan id) -> shared Cloud PCs)."""
    by_upn = {u["userPrincipalName"].lower(): u["id"].lower() for u in emu.people()["users"]}
    status, page = emu.graph("GET", f"{CLOUD_PCS}?$top=999", version="beta")
    pcs = []
    while True:
        assert status == 200 and page is not None, page
        pcs += page["value"]
        if "@odata.nextLink" not in page:
            break
        status, page = emu.graph("GET", page["@odata.nextLink"])
    users: dict[str, list[tuple[str, str, str]]] = {}
    pools: dict[tuple[str, str], int] = {}
    for pc in pcs:
        state = STATES.get(pc["status"])
        if state is None:
            continue
        key = (pc["provisioningPolicyName"], pc["servicePlanId"].lower())
        if pc["userPrincipalName"]:
            users.setdefault(by_upn[pc["userPrincipalName"].lower()], []).append((*key, state))
        elif state == "active":
            pools[key] = pools.get(key, 0) + 1
    return {uid: sorted(v) for uid, v in users.items()}, pools
