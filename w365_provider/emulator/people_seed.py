"""The people side of the seeded tenant: licences on sale, users, group members, and a generator.

What the tenant has bought (``SUBSCRIPTIONS``) and which Cloud PC sizes exist (``ENTERPRISE_PLANS``,
``FRONTLINE_PLANS``) form the catalogue. ``DEFAULT_PEOPLE`` puts a dozen users into the three seeded
groups (``seed.GROUPS``); :func:`generate_people` builds larger tenants with nested groups for tests
and benchmarks. Both are *people documents*, the body of ``PUT /_emulator/people``::

    {"users":  [{"id", "displayName", "userPrincipalName", "assignedLicenses": [{"skuId", "disabledPlans"}], ...}],
     "groups": [{"id", "displayName", "members": [user or group ids]}],
     "subscriptions": {skuId: purchased units},
     "config": {"provisioningSeconds": 2.0, "gracePeriodSeconds": null}}

SKU part numbers and plan names follow Microsoft's licensing reference ("Product names and service
plan identifiers for licensing",
https://learn.microsoft.com/en-us/entra/identity/users/licensing-service-plan-reference); the GUIDs
here are made up (see FIDELITY.md).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from . import seed

TENANT_ID = "0c0ffee0-0000-4000-8000-000000000365"
DOMAIN = "contoso.example"


@dataclass(frozen=True)
class CloudPcPlan:
    """A Cloud PC size: a service plan of a Windows 365 SKU."""

    plan_id: str
    plan_name: str  # servicePlanName in licences, e.g. CPC_E_2C_8GB_128GB
    display_name: str  # as virtualEndpoint/servicePlans names it
    sku_id: str
    sku_part_number: str
    vcpu: int
    ram_gb: int
    storage_gb: int
    frontline: bool = False


def _guid(prefix: str, n: int) -> str:
    return f"{prefix}-0000-4000-8000-{n:012d}"


EXCHANGE_FOUNDATION_PLAN = _guid("e1c5a0e0", 900)

ENTERPRISE_PLANS: tuple[CloudPcPlan, ...] = (
    CloudPcPlan(_guid("e1c5a0e0", 1), "CPC_E_2C_8GB_128GB", "Cloud PC Enterprise 2vCPU/8GB/128GB",
                _guid("d1c5a0e0", 1), "CPC_E_2C_8GB_128GB", 2, 8, 128),
    CloudPcPlan(_guid("e1c5a0e0", 2), "CPC_E_4C_16GB_256GB", "Cloud PC Enterprise 4vCPU/16GB/256GB",
                _guid("d1c5a0e0", 2), "CPC_E_4C_16GB_256GB", 4, 16, 256),
    CloudPcPlan(_guid("e1c5a0e0", 3), "CPC_E_8C_32GB_512GB", "Cloud PC Enterprise 8vCPU/32GB/512GB",
                _guid("d1c5a0e0", 3), "CPC_E_8C_32GB_512GB", 8, 32, 512),
)  # fmt: skip
FRONTLINE_PLANS: tuple[CloudPcPlan, ...] = (
    CloudPcPlan(_guid("e1c5a0e0", 11), "CPC_S_2C_8GB_128GB", "Cloud PC Frontline 2vCPU/8GB/128GB",
                _guid("d1c5a0e0", 11), "Windows_365_S_2vCPU_8GB_128GB", 2, 8, 128, frontline=True),
    CloudPcPlan(_guid("e1c5a0e0", 12), "CPC_S_4C_16GB_256GB", "Cloud PC Frontline 4vCPU/16GB/256GB",
                _guid("d1c5a0e0", 12), "Windows_365_S_4vCPU_16GB_256GB", 4, 16, 256, frontline=True),
)  # fmt: skip
PLANS: tuple[CloudPcPlan, ...] = ENTERPRISE_PLANS + FRONTLINE_PLANS

#: A SKU without a Cloud PC: its holders count as unlicensed for Windows 365.
M365_E3_SKU = _guid("d1c5a0e0", 50)
M365_E3_PART = "SPE_E3"
M365_E3_PLANS = ((_guid("e1c5a0e0", 51), "EXCHANGE_S_ENTERPRISE"), (_guid("e1c5a0e0", 52), "INTUNE_A"))

E2, E4, E8 = (p.sku_id for p in ENTERPRISE_PLANS)
F2, F4 = (p.sku_id for p in FRONTLINE_PLANS)
PLAN_E2, PLAN_E4, PLAN_E8 = (p.plan_id for p in ENTERPRISE_PLANS)
PLAN_F2, PLAN_F4 = (p.plan_id for p in FRONTLINE_PLANS)


def sku_catalogue() -> list[dict[str, Any]]:
    """Every SKU the emulator knows: id, part number and service plans (``subscribedSku`` fields)."""
    skus = []
    for plan in PLANS:
        plans = [(plan.plan_id, plan.plan_name)]
        if not plan.frontline:
            plans.append((EXCHANGE_FOUNDATION_PLAN, "EXCHANGE_S_FOUNDATION"))
        skus.append({"skuId": plan.sku_id, "skuPartNumber": plan.sku_part_number, "servicePlans": plans})
    skus.append({"skuId": M365_E3_SKU, "skuPartNumber": M365_E3_PART, "servicePlans": list(M365_E3_PLANS)})
    return skus


#: Units bought, per SKU, in the default tenant (Frontline: licences of three Cloud PCs each).
SUBSCRIPTIONS: dict[str, int] = {E2: 25, E4: 10, E8: 3, F2: 2, F4: 0, M365_E3_SKU: 50}


def user(n: int, name: str, *skus: str, prefix: str = "7e5e1000") -> dict[str, Any]:
    """A user of the people document: fixed id from ``n``, UPN from the name, licences by SKU id."""
    first, _, last = name.partition(" ")
    return {
        "id": _guid(prefix, n),
        "displayName": name,
        "givenName": first,
        "surname": last or None,
        "userPrincipalName": f"{name.lower().replace(' ', '.')}@{DOMAIN}",
        "accountEnabled": True,
        "assignedLicenses": [{"skuId": sku, "disabledPlans": []} for sku in skus],
    }


# Fixed ids: tests refer to these people.
ADELE, ALEX, MEGAN, LYNNE, DIEGO, ISAIAH, JOHANNA, LEE, NESTOR, PATTI, PRADEEP, GRADY = (
    _guid("7e5e1000", n) for n in range(1, 13)
)

DEFAULT_PEOPLE: dict[str, Any] = {
    "users": [
        user(1, "Adele Vance", E2, M365_E3_SKU),
        user(2, "Alex Wilber", E2),
        user(3, "Megan Bowen", M365_E3_SKU),  # no Cloud PC licence
        user(4, "Lynne Robbins", E4),
        user(5, "Diego Siciliani", E2),
        user(6, "Isaiah Langer", E2),
        user(7, "Johanna Lorenz"),  # no licence at all
        user(8, "Lee Gu", E4),
        user(9, "Nestor Wilke", E8, E2),  # two Cloud PC licences: two Cloud PCs
        user(10, "Patti Fernandez", E2),
        user(11, "Pradeep Gupta", M365_E3_SKU),
        user(12, "Grady Archie", E4),  # licensed, in no group
    ],
    "groups": [
        {"id": seed.GROUP_PILOT_USERS, "members": [ADELE, ALEX, MEGAN, LYNNE, ISAIAH]},
        {"id": seed.GROUP_FINANCE, "members": [DIEGO, ISAIAH, JOHANNA]},
        {"id": seed.GROUP_ENGINEERING, "members": [ALEX, LEE, NESTOR, PATTI, PRADEEP]},
    ],
    "subscriptions": dict(SUBSCRIPTIONS),
    "config": {},
}


def generate_people(users: int = 500, groups: int = 20, seed_value: int = 365) -> dict[str, Any]:
    """A larger tenant: ``users`` people in ``groups`` groups nested as a tree (three children each).

    Deterministic for a ``seed_value``. Group 0 is the root; group ``i`` is a member of group
    ``(i - 1) // 3``. Each user is a direct member of one or two groups (one in twelve of none);
    about three in four hold an Enterprise licence (one in ten of those two sizes), the rest an
    Office licence or nothing. Frontline licences are bought, none are assigned (tenant level).
    Ids are fixed by position: ``generated_user_id(n)``, ``generated_group_id(i)``.
    """
    rng = random.Random(seed_value)
    group_ids = [generated_group_id(i) for i in range(groups)]
    members: dict[str, list[str]] = {gid: [] for gid in group_ids}
    for i in range(1, groups):
        members[group_ids[(i - 1) // 3]].append(group_ids[i])
    people = []
    for n in range(users):
        roll = rng.random()
        skus: list[str] = []
        if roll < 0.75:
            skus.append(rng.choice((E2, E2, E2, E4, E4, E8)))
            if rng.random() < 0.1:
                skus.append(rng.choice([s for s in (E2, E4, E8) if s not in skus]))
        elif roll < 0.9:
            skus.append(M365_E3_SKU)
        person = user(n, f"Person {n:04d}", *skus, prefix="7e5e2000")
        person["displayName"] = f"{rng.choice(_FIRST)} {rng.choice(_LAST)} {n:04d}"
        people.append(person)
        if rng.random() >= 1 / 12:
            for gid in rng.sample(group_ids, rng.choice((1, 1, 2))):
                members[gid].append(person["id"])
    counts = {E2: 0, E4: 0, E8: 0, M365_E3_SKU: 0}
    for person in people:
        for lic in person["assignedLicenses"]:
            counts[lic["skuId"]] += 1
    return {
        "users": people,
        "groups": [{"id": gid, "displayName": f"W365 Team {i:02d}", "members": members[gid]}
                   for i, gid in enumerate(group_ids)],  # fmt: skip
        "subscriptions": {**{sku: n + 5 for sku, n in counts.items()}, F2: 20, F4: 4},
        "config": {},
    }


def generated_user_id(n: int) -> str:
    return _guid("7e5e2000", n)


def generated_group_id(i: int) -> str:
    return _guid("6a0f0000", i)


_FIRST = ("Ada", "Ben", "Chen", "Dana", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kemal", "Lena",
          "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor", "Wen", "Yara")
_LAST = ("Abbott", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova", "Jensen",
         "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov", "Quist", "Rossi", "Silva", "Tanaka")  # fmt: skip
