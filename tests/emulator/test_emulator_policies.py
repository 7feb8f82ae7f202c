"""provisioningPolicies over HTTP: CRUD, query options, paging, assign, and every Graph rule."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.emulator.emulator_support import DEVICE_IMAGES, POLICIES, http, list_all, policy_body, wait_for
from w365_provider.emulator import EmulatorProcess, models, seed

CreatePolicy = Callable[..., dict[str, Any]]
FINANCE, ENGINEERING, PILOT = seed.GROUP_FINANCE, seed.GROUP_ENGINEERING, seed.GROUP_PILOT_USERS
TARGET = "#microsoft.graph.cloudPcManagementGroupAssignmentTarget"


def group_target(group_id: str, odata_type: str | None = TARGET, **extra: Any) -> dict[str, Any]:
    target: dict[str, Any] = {"groupId": group_id, **extra}
    if odata_type is not None:
        target["@odata.type"] = odata_type
    return {"target": target}


def assert_bad_request(status: int, body: Any, message: str) -> None:
    assert status == 400, body
    assert body["error"]["code"] == "BadRequest"
    assert body["error"]["message"] == message


# ----------------------------------------------------------------------------- CRUD
def test_create_returns_201_with_generated_id_context_and_defaults(emu: EmulatorProcess) -> None:
    body = policy_body(id="client-chosen", imageDisplayName=..., provisioningType=..., windowsSetting=..., gracePeriodInHours=99)
    status, created, headers = http("POST", emu.graph_url + POLICIES, token=emu.token, body=body)
    assert status == 201
    assert re.fullmatch(r"[0-9a-f-]{36}", created["id"]) and created["id"] != "client-chosen"
    assert created["@odata.context"] == (
        f"{emu.url}/v1.0/$metadata#deviceManagement/virtualEndpoint/provisioningPolicies/$entity"
    )
    assert headers["location"].endswith(f"{POLICIES}/{created['id']}")
    assert created["imageDisplayName"] == "Windows 11 Enterprise + Microsoft 365 Apps 24H2"  # from the gallery
    assert created["provisioningType"] == "dedicated"
    assert created["windowsSetting"] == {"locale": "en-US"}
    assert created["enableSingleSignOn"] is False
    assert created["localAdminEnabled"] is False
    assert created["microsoftManagedDesktop"] == {"managedType": "notManaged", "profile": None}
    assert created["gracePeriodInHours"] == 2  # read-only input ignored
    assert created["domainJoinConfigurations"] == [
        {"domainJoinType": "azureADJoin", "onPremisesConnectionId": None, "regionGroup": None, "regionName": "westeurope"}
    ]
    assert "assignments" not in created
    assert "managedBy" not in created  # beta-only property hidden on v1.0


def test_get_patch_delete(emu: EmulatorProcess, create_policy: CreatePolicy) -> None:
    created = create_policy()
    status, got = emu.graph("GET", f"{POLICIES}/{created['id']}")
    assert status == 200
    assert {k: v for k, v in got.items() if k != "@odata.context"} == {
        k: v for k, v in created.items() if k != "@odata.context"
    }
    assert "assignments" not in got

    patch = {
        "displayName": "Renamed",
        "enableSingleSignOn": True,
        "domainJoinConfigurations": [
            {"domainJoinType": "hybridAzureADJoin", "onPremisesConnectionId": seed.CONNECTION_HYBRID_WEU}
        ],
    }
    status, body = emu.graph("PATCH", f"{POLICIES}/{created['id']}", patch)
    assert (status, body) == (204, None)
    got = emu.graph("GET", f"{POLICIES}/{created['id']}")[1]
    assert got["displayName"] == "Renamed" and got["enableSingleSignOn"] is True
    assert got["description"] == "created by a test"  # untouched
    assert [c["domainJoinType"] for c in got["domainJoinConfigurations"]] == ["hybridAzureADJoin"]  # replaced wholesale

    assert emu.graph("DELETE", f"{POLICIES}/{created['id']}") == (204, None)
    assert emu.graph("GET", f"{POLICIES}/{created['id']}")[0] == 404
    assert list_all(emu, POLICIES) == []


def test_patch_of_image_refills_image_display_name(emu: EmulatorProcess, create_policy: CreatePolicy) -> None:
    created = create_policy()
    image = f"{seed.PUBLISHER}_{seed.OFFER}_win11-25h2-ent-cpc"
    assert emu.graph("PATCH", f"{POLICIES}/{created['id']}", {"imageId": image})[0] == 204
    got = emu.graph("GET", f"{POLICIES}/{created['id']}")[1]
    assert (got["imageId"], got["imageDisplayName"]) == (image, "Windows 11 Enterprise 25H2")


def test_hybrid_join_with_seeded_connection(emu: EmulatorProcess, create_policy: CreatePolicy) -> None:
    created = create_policy(
        domainJoinConfigurations=[
            {"domainJoinType": "hybridAzureADJoin", "onPremisesConnectionId": seed.CONNECTION_HYBRID_WEU},
        ]
    )
    assert created["domainJoinConfigurations"][0]["onPremisesConnectionId"] == seed.CONNECTION_HYBRID_WEU


def test_custom_image_policy_needs_a_ready_device_image(emu: EmulatorProcess, create_policy: CreatePolicy) -> None:
    source = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/images/golden"
    image = emu.graph("POST", DEVICE_IMAGES, {"displayName": "Golden", "version": "1.0.0", "sourceImageResourceId": source})[1]
    assert image["status"] == "pending"
    status, body = emu.graph("POST", POLICIES, policy_body(imageType="custom", imageId=image["id"], imageDisplayName=...))
    assert_bad_request(status, body, models.DEVICE_IMAGE_NOT_READY_MSG.format(id=image["id"], status="pending"))
    wait_for(lambda: emu.graph("GET", f"{DEVICE_IMAGES}/{image['id']}")[1]["status"] == "ready")
    created = create_policy(imageType="custom", imageId=image["id"], imageDisplayName=...)
    assert created["imageDisplayName"] == "Golden"


def test_assignments_navigation_get_is_refused_use_expand(emu: EmulatorProcess, create_policy: CreatePolicy) -> None:
    created = create_policy()
    status, body = emu.graph("GET", f"{POLICIES}/{created['id']}/assignments")
    assert_bad_request(status, body, models.ASSIGNMENTS_NAV_UNSUPPORTED_MSG)


# ----------------------------------------------------------------------------- query options and paging
def test_paging_with_top_follows_absolute_next_links(emu: EmulatorProcess, create_policy: CreatePolicy) -> None:
    ids = [create_policy(displayName=f"Page {i}")["id"] for i in range(7)]
    status, first = emu.graph("GET", f"{POLICIES}?$top=3&$select=displayName&$count=true")
    assert status == 200 and len(first["value"]) == 3
    assert first["@odata.count"] == 7
    link = first["@odata.nextLink"]
    assert link.startswith(emu.url + "/v1.0/deviceManagement/virtualEndpoint/provisioningPolicies?")
    params = parse_qs(urlsplit(link).query)
    assert params["$top"] == ["3"] and params["$select"] == ["displayName"] and params["$skiptoken"]
    pages, body = [first["value"]], first
    while "@odata.nextLink" in body:
        body = emu.graph("GET", body["@odata.nextLink"])[1]
        pages.append(body["value"])
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [p["id"] for page in pages for p in page] == ids
    assert all(set(p) == {"id", "displayName"} for page in pages for p in page)


def test_paging_survives_deletes_between_pages(emu: EmulatorProcess, create_policy: CreatePolicy) -> None:
    ids = [create_policy(displayName=f"P{i}")["id"] for i in range(5)]
    first = emu.graph("GET", f"{POLICIES}?$top=2")[1]
    emu.graph("DELETE", f"{POLICIES}/{ids[0]}")
    rest = emu.graph("GET", first["@odata.nextLink"])[1]
    assert [p["id"] for p in rest["value"]] == ids[2:4]


def test_list_without_top_uses_default_page_size(emu: EmulatorProcess, create_policy: CreatePolicy) -> None:
    create_policy()
    body = emu.graph("GET", POLICIES)[1]
    assert body["@odata.context"].endswith("$metadata#deviceManagement/virtualEndpoint/provisioningPolicies")
    assert len(body["value"]) == 1 and "@odata.nextLink" not in body


def test_filter_eq_on_display_name_and_id(emu: EmulatorProcess, create_policy: CreatePolicy) -> None:
    a = create_policy(displayName="Alpha")
    b = create_policy(displayName="O'Brien desks")
    create_policy(displayName="Gamma")
    got = emu.graph("GET", f"{POLICIES}?$filter=displayName eq 'alpha'".replace(" ", "%20"))[1]["value"]
    assert [p["id"] for p in got] == [a["id"]]
    got = emu.graph("GET", f"{POLICIES}?$filter=displayName%20eq%20'O''Brien%20desks'")[1]["value"]
    assert [p["id"] for p in got] == [b["id"]]
    got = emu.graph("GET", f"{POLICIES}?$filter=id%20eq%20'{b['id']}'")[1]["value"]
    assert [p["id"] for p in got] == [b["id"]]
    got = emu.graph("GET", f"{POLICIES}?$filter=id%20eq%20'{b['id']}'%20and%20displayName%20eq%20'Alpha'")[1]["value"]
    assert got == []
    got = emu.graph("GET", f"{POLICIES}?$filter=displayName%20eq%20'nobody'")[1]["value"]
    assert got == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("$filter=startswith(displayName,'A')", models.FILTER_INVALID_MSG.format(clause="startswith(displayName,'A')")),
        ("$filter=displayName%20ne%20'A'", models.FILTER_INVALID_MSG.format(clause="displayName ne 'A'")),
        ("$filter=colour%20eq%20'red'", models.PROPERTY_NOT_FOUND_MSG.format(name="colour", type="microsoft.graph.cloudPcProvisioningPolicy")),
        ("$select=id,colour", models.PROPERTY_NOT_FOUND_MSG.format(name="colour", type="microsoft.graph.cloudPcProvisioningPolicy")),
        ("$expand=members", models.EXPAND_NOT_SUPPORTED_MSG.format(name="members", type="microsoft.graph.cloudPcProvisioningPolicy")),
        ("$top=0", models.TOP_INVALID_MSG.format(value="0")),
        ("$top=1000", models.TOP_INVALID_MSG.format(value="1000")),
        ("$top=abc", models.TOP_INVALID_MSG.format(value="abc")),
        ("$skiptoken=garbage", models.SKIPTOKEN_INVALID_MSG.format(value="garbage")),
        ("$orderby=displayName", models.QUERY_OPTION_NOT_SUPPORTED_MSG.format(option="$orderby")),
        ("$top=2&$top=3", models.QUERY_OPTION_REPEATED_MSG.format(option="$top")),
    ],
)
def test_invalid_query_options_are_400(emu: EmulatorProcess, query: str, message: str) -> None:
    status, body = emu.graph("GET", f"{POLICIES}?{query}")
    assert_bad_request(status, body, message)


def test_non_dollar_parameters_are_ignored(emu: EmulatorProcess, create_policy: CreatePolicy) -> None:
    create_policy()
    assert len(emu.graph("GET", f"{POLICIES}?api-version=whatever")[1]["value"]) == 1


def test_select_always_includes_id_on_get(emu: EmulatorProcess, create_policy: CreatePolicy) -> None:
    created = create_policy()
    body = emu.graph("GET", f"{POLICIES}/{created['id']}?$select=displayName,imageId")[1]
    assert body["@odata.context"].endswith("provisioningPolicies(displayName,imageId)/$entity")
    assert {k: v for k, v in body.items() if k != "@odata.context"} == {
        "id": created["id"], "displayName": created["displayName"], "imageId": created["imageId"]
    }
    status, body = emu.graph("GET", f"{POLICIES}/{created['id']}?$filter=id%20eq%20'x'")
    assert_bad_request(status, body, models.QUERY_OPTION_NOT_SUPPORTED_MSG.format(option="$filter"))


def test_expand_assignments_on_get_and_list(emu: EmulatorProcess, create_policy: CreatePolicy) -> None:
    p1, p2 = create_policy(displayName="One"), create_policy(displayName="Two")
    assert emu.graph("POST", f"{POLICIES}/{p1['id']}/assign", {"assignments": [group_target(FINANCE)]})[0] == 204
    got = emu.graph("GET", f"{POLICIES}/{p1['id']}?$expand=assignments")[1]
    assert got["assignments"] == [
        {"id": f"{p1['id']}_{FINANCE}", "target": {"@odata.type": TARGET, "groupId": FINANCE, "servicePlanId": None}}
    ]
    listed = emu.graph("GET", f"{POLICIES}?$expand=assignments")[1]["value"]
    assert [len(p["assignments"]) for p in listed] == [1, 0]
    assert "assignments" not in emu.graph("GET", f"{POLICIES}/{p2['id']}")[1]
    selected = emu.graph("GET", f"{POLICIES}/{p1['id']}?$select=displayName&$expand=assignments")[1]
    assert set(selected) == {"@odata.context", "id", "displayName", "assignments"}


# ----------------------------------------------------------------------------- assign
def expanded(emu: EmulatorProcess, policy_id: str) -> list[dict[str, Any]]:
    return emu.graph("GET", f"{POLICIES}/{policy_id}?$expand=assignments")[1]["assignments"]


def test_assign_replaces_the_whole_set(emu: EmulatorProcess, create_policy: CreatePolicy) -> None:
    pid = create_policy()["id"]
    body = {"assignments": [group_target(FINANCE), group_target(ENGINEERING, "microsoft.graph.cloudPcManagementGroupAssignmentTarget")]}
    assert emu.graph("POST", f"{POLICIES}/{pid}/assign", body) == (204, None)
    assert [a["id"] for a in expanded(emu, pid)] == [f"{pid}_{FINANCE}", f"{pid}_{ENGINEERING}"]
    assert {a["target"]["@odata.type"] for a in expanded(emu, pid)} == {TARGET}
    # documented odd casing, no '#', and a client-sent id: accepted, id derived by the server
    body = {"assignments": [{"id": "ignored", **group_target(PILOT, "microsoft.graph.cloudPCManagementGroupAssignmentTarget")}]}
    assert emu.graph("POST", f"{POLICIES}/{pid}/assign", body)[0] == 204
    assert [a["id"] for a in expanded(emu, pid)] == [f"{pid}_{PILOT}"]
    assert emu.graph("POST", f"{POLICIES}/{pid}/assign", {"assignments": []})[0] == 204
    assert expanded(emu, pid) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"assignments": [group_target("11111111-2222-3333-4444-555555555555")]},
         models.ASSIGNMENT_GROUP_NOT_FOUND_MSG.format(id="11111111-2222-3333-4444-555555555555")),
        ({"assignments": [group_target(PILOT), group_target(PILOT)]}, models.ASSIGNMENT_DUPLICATE_GROUP_MSG.format(id=PILOT)),
        ({"assignments": [group_target(PILOT, "#microsoft.graph.allLicensedUsersAssignmentTarget")]},
         models.ASSIGNMENT_TARGET_TYPE_MSG.format(value="#microsoft.graph.allLicensedUsersAssignmentTarget")),
        ({"assignments": [{"id": "x"}]}, models.ASSIGNMENT_TARGET_REQUIRED_MSG),
        ({"assignments": [{"target": {"servicePlanId": "sp"}}]}, models.REQUIRED_PROPERTY_MSG.format(name="groupId")),
        ({}, models.REQUIRED_PROPERTY_MSG.format(name="assignments")),
        ({"assignments": [], "extra": 1}, models.UNKNOWN_PARAMETER_MSG.format(name="extra", action="assign")),
        ({"assignments": [group_target(PILOT, allotmentLicensesCount=2)]},
         models.UNKNOWN_PROPERTY_MSG.format(name="allotmentLicensesCount", type="microsoft.graph.cloudPcManagementGroupAssignmentTarget")),
    ],
)
def test_invalid_assign_is_400_and_keeps_assignments(
    emu: EmulatorProcess, create_policy: CreatePolicy, body: dict[str, Any], message: str
) -> None:
    pid = create_policy()["id"]
    emu.graph("POST", f"{POLICIES}/{pid}/assign", {"assignments": [group_target(FINANCE)]})
    status, error = emu.graph("POST", f"{POLICIES}/{pid}/assign", body)
    assert_bad_request(status, error, message)
    assert [a["target"]["groupId"] for a in expanded(emu, pid)] == [FINANCE]


def test_assign_accepts_groups_created_through_groups_api(emu: EmulatorProcess, create_policy: CreatePolicy) -> None:
    gid = emu.graph("POST", "/groups", {"displayName": "New team", "mailEnabled": False, "mailNickname": "new-team", "securityEnabled": True})[1]["id"]
    pid = create_policy()["id"]
    assert emu.graph("POST", f"{POLICIES}/{pid}/assign", {"assignments": [group_target(gid)]})[0] == 204
    assert expanded(emu, pid)[0]["id"] == f"{pid}_{gid}"


def test_shared_policy_assignments_need_a_service_plan(emu: EmulatorProcess, create_policy: CreatePolicy) -> None:
    pid = create_policy(provisioningType="shared", cloudPcNamingTemplate="FLS-%RAND:8%")["id"]
    status, body = emu.graph("POST", f"{POLICIES}/{pid}/assign", {"assignments": [group_target(FINANCE)]})
    assert_bad_request(status, body, models.SERVICE_PLAN_REQUIRED_MSG.format(type="shared"))
    assert expanded(emu, pid) == []
    body = {"assignments": [group_target(FINANCE, servicePlanId="057efbfe-a95d-4263-acb0-12b4a31fed8d")]}
    assert emu.graph("POST", f"{POLICIES}/{pid}/assign", body)[0] == 204
    assert expanded(emu, pid)[0]["target"]["servicePlanId"] == "057efbfe-a95d-4263-acb0-12b4a31fed8d"


def test_assigned_policy_cannot_be_deleted(emu: EmulatorProcess, create_policy: CreatePolicy) -> None:
    pid = create_policy()["id"]
    emu.graph("POST", f"{POLICIES}/{pid}/assign", {"assignments": [group_target(FINANCE)]})
    status, body = emu.graph("DELETE", f"{POLICIES}/{pid}")
    assert_bad_request(status, body, models.POLICY_IN_USE_MSG.format(id=pid))
    assert emu.graph("GET", f"{POLICIES}/{pid}")[0] == 200
    emu.graph("POST", f"{POLICIES}/{pid}/assign", {"assignments": []})
    assert emu.graph("DELETE", f"{POLICIES}/{pid}")[0] == 204


# ----------------------------------------------------------------------------- create rules
POLICY_TYPE = "microsoft.graph.cloudPcProvisioningPolicy"
NOT_SUPPORTED_IMAGE = f"{seed.PUBLISHER}_{seed.OFFER}_win11-22h2-ent-cpc-m365"
UNKNOWN_CONNECTION = "a1b2c3d4-0000-4000-8000-00000000ffff"

CREATE_RULES: list[tuple[str, dict[str, Any], str]] = [
    ("missing displayName", {"displayName": ...}, models.REQUIRED_PROPERTY_MSG.format(name="displayName")),
    ("empty displayName", {"displayName": ""}, models.REQUIRED_PROPERTY_MSG.format(name="displayName")),
    ("missing imageId", {"imageId": ...}, models.REQUIRED_PROPERTY_MSG.format(name="imageId")),
    ("missing imageType", {"imageType": ...}, models.REQUIRED_PROPERTY_MSG.format(name="imageType")),
    ("missing domainJoinConfigurations", {"domainJoinConfigurations": ...},
     models.REQUIRED_PROPERTY_MSG.format(name="domainJoinConfigurations")),
    ("no domain join entry", {"domainJoinConfigurations": []}, models.DOMAIN_JOIN_EMPTY_MSG),
    ("null displayName", {"displayName": None}, models.NULL_NOT_ALLOWED_MSG.format(name="displayName", type="Edm.String")),
    ("null imageDisplayName", {"imageDisplayName": None}, models.NULL_NOT_ALLOWED_MSG.format(name="imageDisplayName", type="Edm.String")),
    *[(f"name with {ch}", {"displayName": f"Bad {ch} name"}, models.DISPLAY_NAME_CHARACTERS_MSG) for ch in '<>&|"^'],
    ("name too long", {"displayName": "x" * 121}, models.DISPLAY_NAME_LENGTH_MSG.format(max=120)),
    ("template underscore", {"cloudPcNamingTemplate": "CPC_%RAND:5%"}, models.NAMING_TEMPLATE_CHARACTERS_MSG),
    ("template blank", {"cloudPcNamingTemplate": "CPC %RAND:5%"}, models.NAMING_TEMPLATE_CHARACTERS_MSG),
    ("template bad token", {"cloudPcNamingTemplate": "CPC-%RAND%"}, models.NAMING_TEMPLATE_TOKEN_MSG),
    ("template unknown token", {"cloudPcNamingTemplate": "CPC-%SERIAL:4%-%RAND:5%"}, models.NAMING_TEMPLATE_TOKEN_MSG),
    ("template without rand", {"cloudPcNamingTemplate": "CPC-%USERNAME:4%"}, models.NAMING_TEMPLATE_RAND_REQUIRED_MSG),
    ("template rand too short", {"cloudPcNamingTemplate": "CPC-%RAND:4%"}, models.NAMING_TEMPLATE_RAND_MIN_MSG),
    ("template two rands", {"cloudPcNamingTemplate": "%RAND:5%%RAND:5%"}, models.NAMING_TEMPLATE_TOKEN_REPEATED_MSG),
    ("template long prefix", {"cloudPcNamingTemplate": "ABCDEFGHIJK%RAND:5%"}, models.NAMING_TEMPLATE_PREFIX_MSG),
    ("template too long", {"cloudPcNamingTemplate": "CPC-%USERNAME:6%-%RAND:6%"}, models.NAMING_TEMPLATE_LENGTH_MSG.format(length=17)),
    ("template username on shared", {"provisioningType": "shared", "cloudPcNamingTemplate": "S-%USERNAME:3%-%RAND:5%"},
     models.NAMING_TEMPLATE_USERNAME_MSG),
    ("unknown gallery image", {"imageId": "MicrosoftWindowsDesktop_windows-ent-cpc_win12"},
     models.GALLERY_IMAGE_NOT_FOUND_MSG.format(id="MicrosoftWindowsDesktop_windows-ent-cpc_win12")),
    ("notSupported gallery image", {"imageId": NOT_SUPPORTED_IMAGE}, models.GALLERY_IMAGE_NOT_SUPPORTED_MSG.format(id=NOT_SUPPORTED_IMAGE)),
    ("gallery id for custom", {"imageType": "custom"}, models.DEVICE_IMAGE_NOT_FOUND_MSG.format(id=seed.GALLERY_WIN11_24H2_M365)),
    ("no join type", {"domainJoinConfigurations": [{"regionName": "westeurope"}]}, models.DOMAIN_JOIN_TYPE_REQUIRED_MSG),
    ("hybrid without connection", {"domainJoinConfigurations": [{"domainJoinType": "hybridAzureADJoin"}]},
     models.HYBRID_JOIN_CONNECTION_REQUIRED_MSG),
    ("hybrid with region", {"domainJoinConfigurations": [
        {"domainJoinType": "hybridAzureADJoin", "onPremisesConnectionId": seed.CONNECTION_HYBRID_WEU, "regionName": "westeurope"}]},
     models.HYBRID_JOIN_REGION_MSG),
    ("entra with both", {"domainJoinConfigurations": [
        {"domainJoinType": "azureADJoin", "onPremisesConnectionId": seed.CONNECTION_ENTRA_EUS, "regionName": "eastus"}]},
     models.AZURE_AD_JOIN_ONE_OF_MSG),
    ("entra with neither", {"domainJoinConfigurations": [{"domainJoinType": "azureADJoin"}]}, models.AZURE_AD_JOIN_ONE_OF_MSG),
    ("unknown connection", {"domainJoinConfigurations": [
        {"domainJoinType": "azureADJoin", "onPremisesConnectionId": UNKNOWN_CONNECTION}]},
     models.CONNECTION_NOT_FOUND_MSG.format(id=UNKNOWN_CONNECTION)),
    ("hybrid on an entra connection", {"domainJoinConfigurations": [
        {"domainJoinType": "hybridAzureADJoin", "onPremisesConnectionId": seed.CONNECTION_ENTRA_EUS}]},
     models.CONNECTION_TYPE_MISMATCH_MSG.format(id=seed.CONNECTION_ENTRA_EUS, actual="azureADJoin", expected="hybridAzureADJoin")),
    ("bad imageType", {"imageType": "marketplace"},
     models.INVALID_VALUE_MSG.format(value="marketplace", type="microsoft.graph.cloudPcProvisioningPolicyImageType")),
    ("beta enum member on v1.0", {"provisioningType": "sharedByUser"},
     models.INVALID_VALUE_MSG.format(value="sharedByUser", type="microsoft.graph.cloudPcProvisioningType")),
    ("unknownFutureValue", {"provisioningType": "unknownFutureValue"},
     models.INVALID_VALUE_MSG.format(value="unknownFutureValue", type="microsoft.graph.cloudPcProvisioningType")),
    ("bad regionGroup", {"domainJoinConfigurations": [{"domainJoinType": "azureADJoin", "regionName": "westeurope", "regionGroup": "mars"}]},
     models.INVALID_VALUE_MSG.format(value="mars", type="microsoft.graph.cloudPcRegionGroup")),
    ("bad managedType", {"microsoftManagedDesktop": {"managedType": "fullyManaged"}},
     models.INVALID_VALUE_MSG.format(value="fullyManaged", type="microsoft.graph.microsoftManagedDesktopType")),
    ("wrong JSON type", {"enableSingleSignOn": "yes"}, models.INVALID_VALUE_MSG.format(value="yes", type="Edm.Boolean")),
    ("unknown property", {"colour": "blue"}, models.UNKNOWN_PROPERTY_MSG.format(name="colour", type=POLICY_TYPE)),
    ("beta property on v1.0", {"managedBy": "windows365"}, models.UNKNOWN_PROPERTY_MSG.format(name="managedBy", type=POLICY_TYPE)),
    ("unknown nested property", {"windowsSetting": {"language": "en-US"}},
     models.UNKNOWN_PROPERTY_MSG.format(name="language", type="microsoft.graph.cloudPcWindowsSetting")),
    ("wrong @odata.type", {"@odata.type": "#microsoft.graph.cloudPcUserSetting"},
     models.ODATA_TYPE_MISMATCH_MSG.format(value="#microsoft.graph.cloudPcUserSetting", expected="#" + POLICY_TYPE)),
]


@pytest.mark.parametrize(("overrides", "message"), [c[1:] for c in CREATE_RULES], ids=[c[0] for c in CREATE_RULES])
def test_create_rule_is_400_and_writes_nothing(emu: EmulatorProcess, overrides: dict[str, Any], message: str) -> None:
    status, body = emu.graph("POST", POLICIES, policy_body(**overrides))
    assert_bad_request(status, body, message)
    assert list_all(emu, POLICIES) == []
    assert list_all(emu, POLICIES, version="beta") == []


@pytest.mark.parametrize(
    "template",
    ["CPC-%USERNAME:4%-%RAND:5%", "%RAND:5%", "ABCDEF-%RAND:8%", "ABCDEFGHIJ%RAND:5%", "A-%USERNAME:2%-%RAND:10%"],
)
def test_valid_naming_templates_are_accepted(emu: EmulatorProcess, create_policy: CreatePolicy, template: str) -> None:
    assert create_policy(cloudPcNamingTemplate=template)["cloudPcNamingTemplate"] == template


def test_failed_device_image_cannot_back_a_policy(emu: EmulatorProcess) -> None:
    source = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/images/golden-notgeneralized"
    image = emu.graph("POST", DEVICE_IMAGES, {"displayName": "Bad", "version": "1.0.0", "sourceImageResourceId": source})[1]
    wait_for(lambda: emu.graph("GET", f"{DEVICE_IMAGES}/{image['id']}")[1]["status"] == "failed")
    status, body = emu.graph("POST", POLICIES, policy_body(imageType="custom", imageId=image["id"]))
    assert_bad_request(status, body, models.DEVICE_IMAGE_NOT_READY_MSG.format(id=image["id"], status="failed"))
    assert list_all(emu, POLICIES) == []


# ----------------------------------------------------------------------------- patch rules
@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"provisioningType": "shared"}, models.IMMUTABLE_PROPERTY_MSG.format(name="provisioningType")),
        ({"cloudPcNamingTemplate": "CPC-%RAND:2%"}, models.NAMING_TEMPLATE_RAND_MIN_MSG),
        ({"displayName": "a^b"}, models.DISPLAY_NAME_CHARACTERS_MSG),
        ({"displayName": None}, models.NULL_NOT_ALLOWED_MSG.format(name="displayName", type="Edm.String")),
        ({"imageId": "nope"}, models.GALLERY_IMAGE_NOT_FOUND_MSG.format(id="nope")),
        ({"domainJoinConfigurations": []}, models.DOMAIN_JOIN_EMPTY_MSG),
        ({"domainJoinConfigurations": [{"domainJoinType": "hybridAzureADJoin"}]}, models.HYBRID_JOIN_CONNECTION_REQUIRED_MSG),
        ({"colour": "red"}, models.UNKNOWN_PROPERTY_MSG.format(name="colour", type=POLICY_TYPE)),
    ],
)
def test_patch_rule_is_400_and_changes_nothing(
    emu: EmulatorProcess, create_policy: CreatePolicy, patch: dict[str, Any], message: str
) -> None:
    created = create_policy()
    before = emu.graph("GET", f"{POLICIES}/{created['id']}")[1]
    status, body = emu.graph("PATCH", f"{POLICIES}/{created['id']}", patch)
    assert_bad_request(status, body, message)
    assert emu.graph("GET", f"{POLICIES}/{created['id']}")[1] == before


def test_patch_with_unchanged_provisioning_type_and_read_only_fields_is_fine(
    emu: EmulatorProcess, create_policy: CreatePolicy
) -> None:
    created = create_policy()
    patch = {"provisioningType": "dedicated", "id": "other", "gracePeriodInHours": 9, "description": "d2"}
    assert emu.graph("PATCH", f"{POLICIES}/{created['id']}", patch)[0] == 204
    got = emu.graph("GET", f"{POLICIES}/{created['id']}")[1]
    assert (got["id"], got["gracePeriodInHours"], got["description"]) == (created["id"], 2, "d2")


# ----------------------------------------------------------------------------- v1.0 / beta
def test_beta_properties_and_evolvable_enums(emu: EmulatorProcess) -> None:
    body = policy_body(
        provisioningType="sharedByUser",
        cloudPcNamingTemplate="FLS-%RAND:8%",
        managedBy="windows365",
        userExperienceType="cloudPc",
        scopeIds=["0"],
    )
    status, created = emu.graph("POST", POLICIES, body, version="beta")
    assert status == 201
    assert created["@odata.context"].startswith(f"{emu.url}/beta/$metadata#")
    assert created["managedBy"] == "windows365" and created["createdDateTime"].endswith("Z")
    assert created["provisioningType"] == "unknownFutureValue"  # no Prefer header
    pid = created["id"]
    prefer = {"Prefer": "include-unknown-enum-members"}
    assert emu.graph("GET", f"{POLICIES}/{pid}", version="beta", headers=prefer)[1]["provisioningType"] == "sharedByUser"
    assert emu.graph("GET", f"{POLICIES}/{pid}", version="beta")[1]["provisioningType"] == "unknownFutureValue"
    v1 = emu.graph("GET", f"{POLICIES}/{pid}", headers=prefer)[1]
    assert v1["provisioningType"] == "unknownFutureValue"  # not a v1.0 member at all
    assert "managedBy" not in v1 and "createdDateTime" not in v1
    status, error = emu.graph("PATCH", f"{POLICIES}/{pid}", {"userExperienceType": "cloudApp"}, version="beta")
    assert_bad_request(status, error, models.IMMUTABLE_PROPERTY_MSG.format(name="userExperienceType"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"userExperienceType": "cloudApp"}, models.CLOUD_APP_REQUIRES_SHARED_MSG),
        ({"userSettingsPersistenceConfiguration": {"userSettingsPersistenceEnabled": True}}, models.PERSISTENCE_REQUIRES_SHARED_MSG),
        ({"autopilotConfiguration": {"devicePreparationProfileId": "p", "applicationTimeoutInMinutes": 10,
                                     "onFailureDeviceAccessDenied": False}}, models.AUTOPILOT_TIMEOUT_MSG),
    ],
)
def test_beta_only_rules(emu: EmulatorProcess, overrides: dict[str, Any], message: str) -> None:
    status, body = emu.graph("POST", POLICIES, policy_body(**overrides), version="beta")
    assert_bad_request(status, body, message)
    assert list_all(emu, POLICIES, version="beta") == []


def test_beta_frontline_shared_policy_is_accepted(emu: EmulatorProcess) -> None:
    body = policy_body(
        provisioningType="sharedByEntraGroup",
        userExperienceType="cloudApp",
        cloudPcNamingTemplate="FLS-%RAND:8%",
        userSettingsPersistenceConfiguration={
            "userSettingsPersistenceEnabled": True, "userSettingsPersistenceStorageSizeCategory": "fourGB"},
        domainJoinConfigurations=[{"domainJoinType": "azureADJoin", "regionName": "westeurope", "regionGroup": "europeUnion"}],
    )
    status, created = emu.graph("POST", POLICIES, body, version="beta", headers={"Prefer": "include-unknown-enum-members"})
    assert status == 201, created
    assert created["provisioningType"] == "sharedByEntraGroup"
    assert created["domainJoinConfigurations"][0]["regionGroup"] == "europeUnion"
    target = group_target(FINANCE, servicePlanId="sp-1", allotmentDisplayName="Desk A", allotmentLicensesCount=3)
    assert emu.graph("POST", f"{POLICIES}/{created['id']}/assign", {"assignments": [target]}, version="beta")[0] == 204
    beta = emu.graph("GET", f"{POLICIES}/{created['id']}?$expand=assignments", version="beta")[1]["assignments"]
    assert beta[0]["target"]["allotmentLicensesCount"] == 3
    v1 = emu.graph("GET", f"{POLICIES}/{created['id']}?$expand=assignments")[1]["assignments"]
    assert "allotmentLicensesCount" not in v1[0]["target"]
