"""The people side over HTTP: users, licences, group members, SKUs, service plans, Cloud PCs and their rules."""

from __future__ import annotations

import time
from typing import Any

import pytest
from tests.emulator.emulator_support import GROUPS, POLICIES, READ_ONLY_TOKEN, http, list_all, policy_body, wait_for

from w365_provider.emulator import EmulatorProcess, models, seed
from w365_provider.emulator import people_seed as ps

USERS = "/users"
SKUS = "/subscribedSkus"
PLANS = "/deviceManagement/virtualEndpoint/servicePlans"
FRONTLINE = "/deviceManagement/virtualEndpoint/frontLineServicePlans"
CLOUD_PCS = "/deviceManagement/virtualEndpoint/cloudPCs"
PILOT, FINANCE, ENG = seed.GROUP_PILOT_USERS, seed.GROUP_FINANCE, seed.GROUP_ENGINEERING
PREFER = {"Prefer": "include-unknown-enum-members"}


@pytest.fixture
def quick(emu: EmulatorProcess) -> EmulatorProcess:
    """Cloud PCs provisioned after 0.3 s, grace periods of 0.5 s."""
    emu.set_people({"config": {"provisioningSeconds": 0.3, "gracePeriodSeconds": 0.5}}, patch=True)
    return emu


def policy(emu: EmulatorProcess, name: str, *targets: dict[str, Any], version: str = "v1.0", **overrides: Any) -> str:
    status, created = emu.graph("POST", POLICIES, policy_body(displayName=name, **overrides), version=version, headers=PREFER)
    assert status == 201, created
    assert created is not None
    assign(emu, created["id"], *targets, version=version)
    return str(created["id"])


def assign(emu: EmulatorProcess, policy_id: str, *targets: dict[str, Any], version: str = "v1.0") -> None:
    status, body = emu.graph("POST", f"{POLICIES}/{policy_id}/assign",
                             {"assignments": [{"target": t} for t in targets]}, version=version)  # fmt: skip
    assert status == 204, body


def cloud_pcs(emu: EmulatorProcess) -> list[dict[str, Any]]:
    return list_all(emu, CLOUD_PCS, version="beta")


def by_user(emu: EmulatorProcess) -> dict[str, list[tuple[str, str, str]]]:
    names = {u["userPrincipalName"]: u["displayName"] for u in emu.people()["users"]}
    out: dict[str, list[tuple[str, str, str]]] = {}
    for pc in cloud_pcs(emu):
        if pc["userPrincipalName"]:
            out.setdefault(names[pc["userPrincipalName"]], []).append(
                (pc["provisioningPolicyName"], pc["servicePlanName"], pc["status"]))
    return {k: sorted(v) for k, v in out.items()}


E2_NAME, E4_NAME, E8_NAME = (p.display_name for p in ps.ENTERPRISE_PLANS)
F2_NAME = ps.FRONTLINE_PLANS[0].display_name


# -- users and licences -------------------------------------------------------------------------


def test_users_list_default_properties_and_licences_only_with_select(emu: EmulatorProcess) -> None:
    users = list_all(emu, USERS)
    assert [u["displayName"] for u in users][:3] == ["Adele Vance", "Alex Wilber", "Megan Bowen"]
    assert "assignedLicenses" not in users[0] and "accountEnabled" not in users[0]
    status, body = emu.graph("GET", f"{USERS}/{ps.NESTOR}?$select=id,assignedLicenses,assignedPlans")
    assert status == 200 and body is not None
    assert [lic["skuId"] for lic in body["assignedLicenses"]] == [ps.E8, ps.E2]
    assert {p["servicePlanId"] for p in body["assignedPlans"]} >= {ps.PLAN_E8, ps.PLAN_E2}
    assert all(p["capabilityStatus"] == "Enabled" for p in body["assignedPlans"])


def test_a_user_is_found_by_user_principal_name_and_a_missing_one_is_a_directory_404(emu: EmulatorProcess) -> None:
    status, body = emu.graph("GET", f"{USERS}/adele.vance@{ps.DOMAIN}")
    assert status == 200 and body is not None and body["id"] == ps.ADELE
    status, body = emu.graph("GET", f"{USERS}/00000000-0000-4000-8000-00000000dead")
    assert status == 404 and body is not None and body["error"]["code"] == "Request_ResourceNotFound"


def test_license_details_list_each_sku_with_its_plans(emu: EmulatorProcess) -> None:
    status, body = emu.graph("GET", f"{USERS}/{ps.ADELE}/licenseDetails")
    assert status == 200 and body is not None
    assert [d["skuPartNumber"] for d in body["value"]] == ["CPC_E_2C_8GB_128GB", "SPE_E3"]
    assert body["value"][0]["servicePlans"][0] == {"servicePlanId": ps.PLAN_E2, "servicePlanName": "CPC_E_2C_8GB_128GB",
                                                    "provisioningStatus": "Success", "appliesTo": "User"}  # fmt: skip
    assert emu.graph("GET", f"{USERS}/{ps.JOHANNA}/licenseDetails")[1]["value"] == []  # type: ignore[index]


def test_subscribed_skus_count_the_units_in_use(quick: EmulatorProcess) -> None:
    skus = {s["skuPartNumber"]: s for s in quick.graph("GET", f"{SKUS}?$select=skuPartNumber,consumedUnits,prepaidUnits")[1]["value"]}  # type: ignore[index]
    assert skus["CPC_E_2C_8GB_128GB"]["consumedUnits"] == 6
    assert skus["CPC_E_2C_8GB_128GB"]["prepaidUnits"]["enabled"] == ps.SUBSCRIPTIONS[ps.E2]
    assert set(skus["SPE_E3"]) == {"id", "skuPartNumber", "consumedUnits", "prepaidUnits"}
    status, body = quick.graph("GET", f"{SKUS}?$top=1")
    assert status == 400 and body is not None and body["error"]["message"] == models.QUERY_OPTION_NOT_SUPPORTED_MSG.format(option="$top")


# -- group members ------------------------------------------------------------------------------


def test_transitive_members_reach_through_nested_groups_and_casts_keep_users(emu: EmulatorProcess) -> None:
    emu.set_people({"groups": [{"id": PILOT, "members": [ps.ADELE, FINANCE]}, {"id": FINANCE, "members": [ps.DIEGO, ENG]},
                               {"id": ENG, "members": [ps.LEE, PILOT]}]}, patch=True)  # a cycle  # fmt: skip
    direct = emu.graph("GET", f"{GROUPS}/{PILOT}/members")[1]["value"]  # type: ignore[index]
    assert [(m["@odata.type"], m["id"]) for m in direct] == [("#microsoft.graph.user", ps.ADELE), ("#microsoft.graph.group", FINANCE)]
    every = emu.graph("GET", f"{GROUPS}/{PILOT}/transitiveMembers")[1]["value"]  # type: ignore[index]
    assert [m["id"] for m in every] == [ps.ADELE, ps.DIEGO, ps.LEE, FINANCE, ENG]
    for cast in ("microsoft.graph.user", "graph.user"):
        status, body = emu.graph("GET", f"{GROUPS}/{PILOT}/transitiveMembers/{cast}?$select=id,displayName")
        assert status == 200 and body is not None
        assert body["value"] == [{"id": ps.ADELE, "displayName": "Adele Vance"}, {"id": ps.DIEGO, "displayName": "Diego Siciliani"},
                                 {"id": ps.LEE, "displayName": "Lee Gu"}]  # fmt: skip
        assert body["@odata.context"].endswith("$metadata#users(id,displayName)")
    groups = emu.graph("GET", f"{GROUPS}/{PILOT}/transitiveMembers/microsoft.graph.group")[1]["value"]  # type: ignore[index]
    assert [g["id"] for g in groups] == [FINANCE, ENG]


def test_member_lists_page_with_top_and_refuse_other_options(emu: EmulatorProcess) -> None:
    emu.seed_people(users=30, groups=4)
    root = ps.generated_group_id(0)
    status, page = emu.graph("GET", f"{GROUPS}/{root}/transitiveMembers/microsoft.graph.user?$select=id&$top=7")
    assert status == 200 and page is not None and len(page["value"]) == 7
    assert "$select=id" in page["@odata.nextLink"] and "$top=7" in page["@odata.nextLink"]
    every = list_all(emu, f"{GROUPS}/{root}/transitiveMembers/microsoft.graph.user?$select=id&$top=7")
    assert len({u["id"] for u in every}) == len(every) > 7
    status, body = emu.graph("GET", f"{GROUPS}/{root}/members?$filter=displayName eq 'x'")
    assert status == 400 and body is not None and "$filter" in body["error"]["message"]
    status, body = emu.graph("GET", f"{GROUPS}/00000000-0000-4000-8000-00000000dead/transitiveMembers")
    assert status == 404 and body is not None and body["error"]["code"] == "Request_ResourceNotFound"


# -- service plans ------------------------------------------------------------------------------


def test_service_plans_take_no_query_options_and_show_beta_fields_on_beta(emu: EmulatorProcess) -> None:
    v1 = emu.graph("GET", PLANS)[1]["value"]  # type: ignore[index]
    assert v1[0] == {"id": ps.PLAN_E2, "displayName": E2_NAME, "vCpuCount": 2, "ramInGB": 8, "storageInGB": 128}
    beta = emu.graph("GET", PLANS, version="beta", headers=PREFER)[1]["value"]  # type: ignore[index]
    assert {p["displayName"]: p["provisioningType"] for p in beta}[F2_NAME] == "sharedByUser"
    assert emu.graph("GET", f"{PLANS}?$select=id")[0] == 400


def test_frontline_service_plans_are_beta_only_and_count_what_is_used(quick: EmulatorProcess) -> None:
    status, body = quick.graph("GET", FRONTLINE)
    assert status == 400 and body is not None
    assert body["error"]["message"] == models.SEGMENT_NOT_FOUND_MSG.format(segment="frontLineServicePlans")
    policy(quick, "Store", {"groupId": FINANCE, "servicePlanId": ps.PLAN_F2}, provisioningType="shared",
           cloudPcNamingTemplate="STORE-%RAND:5%")  # fmt: skip
    plans = {p["id"]: p for p in quick.graph("GET", FRONTLINE, version="beta")[1]["value"]}  # type: ignore[index]
    assert (plans[ps.PLAN_F2]["totalCount"], plans[ps.PLAN_F2]["usedCount"]) == (ps.SUBSCRIPTIONS[ps.F2], 1)


# -- Cloud PCs: licence, first assigned, states -------------------------------------------------


def test_assigning_a_policy_provisions_licensed_members_only_one_per_licence(quick: EmulatorProcess) -> None:
    policy(quick, "Engineering", {"groupId": ENG})
    pcs = by_user(quick)
    assert pcs == {
        "Alex Wilber": [("Engineering", E2_NAME, "provisioning")],
        "Lee Gu": [("Engineering", E4_NAME, "provisioning")],
        "Nestor Wilke": [("Engineering", E2_NAME, "provisioning"), ("Engineering", E8_NAME, "provisioning")],
        "Patti Fernandez": [("Engineering", E2_NAME, "provisioning")],
    }  # Pradeep Gupta holds only an Office licence
    wait_for(lambda: {s for v in by_user(quick).values() for _, _, s in v} == {"provisioned"})


def test_v1_cloud_pcs_have_no_status_and_name_their_policy_plan_and_user(quick: EmulatorProcess) -> None:
    pid = policy(quick, "Finance", {"groupId": FINANCE})
    [diego, isaiah] = sorted(list_all(quick, CLOUD_PCS), key=lambda p: p["userPrincipalName"])
    assert "status" not in diego and "servicePlanType" not in diego
    assert (diego["provisioningPolicyId"], diego["servicePlanId"], diego["userPrincipalName"]) == (
        pid, ps.PLAN_E2, f"diego.siciliani@{ps.DOMAIN}")
    assert diego["managedDeviceName"].startswith("CPC-dieg-") and len(diego["managedDeviceName"]) == 14
    assert isaiah["imageDisplayName"] == "Windows 11 Enterprise + Microsoft 365 Apps 24H2"


def test_the_first_assigned_policy_wins_and_the_second_gives_nothing(quick: EmulatorProcess) -> None:
    policy(quick, "Pilot", {"groupId": PILOT})
    policy(quick, "Engineering", {"groupId": ENG})
    pcs = by_user(quick)
    assert [p for p, _, _ in pcs["Alex Wilber"]] == ["Pilot"]  # in both groups: Pilot was assigned first
    assert [p for p, _, _ in pcs["Lee Gu"]] == ["Engineering"]


def test_an_assignment_keeps_its_place_when_the_set_is_reposted(quick: EmulatorProcess) -> None:
    eng = policy(quick, "Engineering", {"groupId": FINANCE})
    policy(quick, "Pilot", {"groupId": PILOT})
    assign(quick, eng, {"groupId": FINANCE}, {"groupId": PILOT})  # Finance keeps its time; Pilot is new
    pcs = by_user(quick)
    assert [p for p, _, _ in pcs["Isaiah Langer"]] == ["Engineering"]  # Finance via Engineering came first
    assert [p for p, _, _ in pcs["Adele Vance"]] == ["Pilot"]


def test_nested_group_members_are_provisioned(quick: EmulatorProcess) -> None:
    quick.set_people({"groups": [{"id": PILOT, "members": [FINANCE]}, {"id": FINANCE, "members": [ENG]},
                                 {"id": ENG, "members": [ps.GRADY]}]}, patch=True)  # fmt: skip
    policy(quick, "Pilot", {"groupId": PILOT})
    assert by_user(quick) == {"Grady Archie": [("Pilot", E4_NAME, "provisioning")]}


def test_unassigning_starts_the_grace_period_and_reassigning_ends_it(quick: EmulatorProcess) -> None:
    pid = policy(quick, "Finance", {"groupId": FINANCE})
    assign(quick, pid)
    [pc, _] = cloud_pcs(quick)
    assert pc["status"] == "inGracePeriod" and pc["gracePeriodEndDateTime"] is not None
    assign(quick, pid, {"groupId": FINANCE})
    assert {p["status"] for p in cloud_pcs(quick)} == {"provisioned"}


def test_after_the_grace_period_the_cloud_pc_goes_and_the_next_policy_provisions(quick: EmulatorProcess) -> None:
    first = policy(quick, "Pilot", {"groupId": PILOT})
    policy(quick, "Finance", {"groupId": FINANCE})
    assert [p for p, _, _ in by_user(quick)["Isaiah Langer"]] == ["Pilot"]
    assign(quick, first)
    assert by_user(quick)["Isaiah Langer"] == [("Pilot", E2_NAME, "inGracePeriod")]  # holds the licence meanwhile
    wait_for(lambda: [p for p, _, _ in by_user(quick).get("Isaiah Langer", [])] == ["Finance"], timeout=10)
    assert "Adele Vance" not in by_user(quick)


def test_removing_a_licence_starts_the_grace_period(quick: EmulatorProcess) -> None:
    policy(quick, "Finance", {"groupId": FINANCE})
    quick.set_people({"users": [{"id": ps.DIEGO, "assignedLicenses": []}]}, patch=True)
    assert by_user(quick)["Diego Siciliani"] == [("Finance", E2_NAME, "inGracePeriod")]


def test_end_grace_period_deprovisions_at_once(quick: EmulatorProcess) -> None:
    quick.set_people({"config": {"gracePeriodSeconds": 3600}}, patch=True)
    pid = policy(quick, "Finance", {"groupId": FINANCE})
    [pc, other] = cloud_pcs(quick)
    status, body = quick.graph("POST", f"{CLOUD_PCS}/{other['id']}/endGracePeriod")
    assert status == 400 and body is not None
    assign(quick, pid)
    assert quick.graph("POST", f"{CLOUD_PCS}/{pc['id']}/endGracePeriod")[0] == 204
    wait_for(lambda: pc["id"] not in {p["id"] for p in cloud_pcs(quick)}, timeout=5)


# -- Frontline ----------------------------------------------------------------------------------


def test_frontline_dedicated_serves_three_per_licence_in_assignment_order(quick: EmulatorProcess) -> None:
    quick.set_people({"subscriptions": {ps.F2: 1}}, patch=True)
    policy(quick, "Store", {"groupId": ENG, "servicePlanId": ps.PLAN_F2}, provisioningType="shared",
           cloudPcNamingTemplate="STORE-%RAND:5%")  # fmt: skip
    pcs = by_user(quick)
    assert sorted(pcs) == ["Alex Wilber", "Lee Gu", "Nestor Wilke"]  # by user id, three for one licence
    assert all(v == [("Store", F2_NAME, "provisioning")] for v in pcs.values())
    assert all(pc["managedDeviceName"].startswith("STORE-") for pc in cloud_pcs(quick))


def test_frontline_dedicated_allotment_caps_the_assignment(quick: EmulatorProcess) -> None:
    policy(quick, "Store", {"groupId": ENG, "servicePlanId": ps.PLAN_F2, "allotmentLicensesCount": 1},
           version="beta", provisioningType="sharedByUser", cloudPcNamingTemplate="STORE-%RAND:5%")  # fmt: skip
    assert len(by_user(quick)) == 3


def test_frontline_shared_pools_follow_the_allotment_and_go_at_once(quick: EmulatorProcess) -> None:
    pid = policy(quick, "Kiosk", {"groupId": FINANCE, "servicePlanId": ps.PLAN_F2, "allotmentLicensesCount": 3,
                                  "allotmentDisplayName": "Front desk"},
                 version="beta", provisioningType="sharedByEntraGroup", cloudPcNamingTemplate="KSK-%RAND:8%")  # fmt: skip
    pcs = cloud_pcs(quick)
    assert len(pcs) == ps.SUBSCRIPTIONS[ps.F2]  # two licences bought: two of the three allotted
    assert all(pc["userPrincipalName"] is None and pc["displayName"].endswith("Front desk") for pc in pcs)
    assign(quick, pid, version="beta")
    assert cloud_pcs(quick) == []  # no grace period for shared Cloud PCs


# -- the control API ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ({"users": [{"id": ps.ADELE, "assignedLicenses": [{"skuId": "00000000-0000-4000-8000-000000000000"}]}]},
         "is not a SKU the emulator knows"),
        ({"users": [{"id": ps.ADELE, "assignedLicenses": [{"skuId": ps.F2}]}]}, "it is not assigned to users"),
        ({"subscriptions": {ps.E8: 0}}, "has 0 units bought but 1 users hold it"),
        ({"groups": [{"id": PILOT, "members": ["00000000-0000-4000-8000-00000000beef"]}]}, "is neither a user nor a group"),
        ({"groups": [{"id": "00000000-0000-4000-8000-00000000cafe"}]}, "needs a displayName"),
        ({"config": {"provisioningSeconds": -1}}, "config.provisioningSeconds"),
        ({"users": [{"id": "nope"}]}, "users[0].id"),
        ({"colour": "blue"}, "colour: unknown key"),
    ],
)  # fmt: skip
def test_a_bad_people_document_is_refused_whole_with_the_field_named(emu: EmulatorProcess, document: dict[str, Any], words: str) -> None:
    before = emu.people()
    status, body, _ = http("PATCH", emu.url + "/_emulator/people", token=emu.token, body=document)
    assert status == 400, body
    assert words in body["error"]["message"] and body["error"]["message"].startswith("people document, ")
    assert emu.people() == before


def test_people_control_needs_the_full_token(emu: EmulatorProcess) -> None:
    status, _, _ = http("GET", emu.url + "/_emulator/people", token=READ_ONLY_TOKEN)
    assert status == 403
    assert http("GET", emu.graph_url + USERS, token=READ_ONLY_TOKEN)[0] == 200  # Graph reads are fine


def test_put_replaces_the_people_and_reset_restores_the_seed(emu: EmulatorProcess) -> None:
    new_group = "00000000-0000-4000-8000-00000000cafe"
    emu.set_people({"users": [ps.user(1, "Solo Person", ps.E2)], "groups": [{"id": new_group, "displayName": "Solo", "members": [ps.ADELE]}],
                    "subscriptions": {ps.E2: 1}})  # fmt: skip
    assert [u["displayName"] for u in list_all(emu, USERS)] == ["Solo Person"]
    assert emu.graph("GET", f"{GROUPS}/{PILOT}/members")[1]["value"] == []  # type: ignore[index]
    assert emu.graph("GET", f"{GROUPS}/{new_group}")[1]["displayName"] == "Solo"  # type: ignore[index]
    emu.reset()
    assert len(list_all(emu, USERS)) == len(ps.DEFAULT_PEOPLE["users"])


def test_generated_tenants_are_deterministic_and_nested(emu: EmulatorProcess) -> None:
    first = emu.seed_people(users=60, groups=7)
    again = emu.seed_people(users=60, groups=7)
    assert first == again and len(first["users"]) == 60
    root = ps.generated_group_id(0)
    direct = emu.graph("GET", f"{GROUPS}/{root}/members/microsoft.graph.group")[1]["value"]  # type: ignore[index]
    assert [g["id"] for g in direct] == [ps.generated_group_id(i) for i in (1, 2, 3)]
    reached = list_all(emu, f"{GROUPS}/{root}/transitiveMembers/microsoft.graph.user?$select=id")
    in_groups = {m for g in first["groups"] for m in g["members"] if not m.startswith("6a0f0000")}
    assert {u["id"] for u in reached} == in_groups


def test_cloud_pcs_survive_a_restart(tmp_path: Any) -> None:
    db = tmp_path / "graph.db"
    with EmulatorProcess(db=db) as emu:
        emu.set_people({"config": {"provisioningSeconds": 0}}, patch=True)
        policy(emu, "Finance", {"groupId": FINANCE})
        before = cloud_pcs(emu)
    time.sleep(0.1)
    with EmulatorProcess(db=db) as emu:
        assert cloud_pcs(emu) == before


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_msgraph_sdk_models_parse_the_people_routes(quick: EmulatorProcess) -> None:
    import asyncio

    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from msgraph.generated.groups.item.transitive_members.graph_user.graph_user_request_builder import (
        GraphUserRequestBuilder,
    )
    from tests.emulator.test_emulator_msgraph_sdk import make_client

    policy(quick, "Finance", {"groupId": FINANCE})

    async def read() -> tuple[Any, ...]:
        client = make_client(quick)
        query = GraphUserRequestBuilder.GraphUserRequestBuilderGetQueryParameters(
            select=["id", "displayName", "assignedLicenses"], top=2)  # fmt: skip
        members = await client.groups.by_group_id(PILOT).transitive_members.graph_user.get(
            RequestConfiguration(query_parameters=query))  # fmt: skip
        details = await client.users.by_user_id(ps.NESTOR).license_details.get()
        skus = await client.subscribed_skus.get()
        plans = await client.device_management.virtual_endpoint.service_plans.get()
        pcs = await client.device_management.virtual_endpoint.cloud_p_cs.get()
        return members, details, skus, plans, pcs

    members, details, skus, plans, pcs = asyncio.run(read())
    assert [u.display_name for u in members.value] == ["Adele Vance", "Alex Wilber"]
    assert str(members.value[0].assigned_licenses[0].sku_id) == ps.E2 and members.odata_next_link
    assert [d.sku_part_number for d in details.value] == ["CPC_E_8C_32GB_512GB", "CPC_E_2C_8GB_128GB"]
    assert str(details.value[0].service_plans[0].service_plan_id) == ps.PLAN_E8
    assert {s.sku_part_number: s.prepaid_units.enabled for s in skus.value}["CPC_E_4C_16GB_256GB"] == 10
    assert [p.v_cpu_count for p in plans.value][:3] == [2, 4, 8]
    assert sorted(pc.user_principal_name for pc in pcs.value) == [f"diego.siciliani@{ps.DOMAIN}", f"isaiah.langer@{ps.DOMAIN}"]
    assert {pc.service_plan_id for pc in pcs.value} == {ps.PLAN_E2}
