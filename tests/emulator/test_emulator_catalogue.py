"""galleryImages, deviceImages, onPremisesConnections, userSettings and /groups over HTTP."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.emulator.emulator_support import (
    CONNECTIONS,
    DEVICE_IMAGES,
    GALLERY,
    GROUPS,
    POLICIES,
    USER_SETTINGS,
    list_all,
    policy_body,
    wait_for,
)
from w365_provider.emulator import EmulatorProcess, models, seed

SOURCE = "/subscriptions/0b7e2f4a/resourceGroups/rg-images/providers/Microsoft.Compute/images/{name}"
DATE = re.compile(r"^\d{4}-\d\d-\d\d$")


def assert_bad_request(status: int, body: Any, message: str) -> None:
    assert status == 400, body
    assert body["error"]["code"] == "BadRequest"
    assert body["error"]["message"] == message


# ----------------------------------------------------------------------------- galleryImages
def test_gallery_catalogue_is_realistic(emu: EmulatorProcess) -> None:
    images = list_all(emu, GALLERY)
    assert [i["id"] for i in images] == [i["id"] for i in seed.GALLERY_IMAGES]
    for image in images:
        assert image["id"] == f"{image['publisherName']}_{image['offerName']}_{image['skuName']}"
        assert all(DATE.match(image[k]) for k in ("startDate", "endDate", "expirationDate"))
        assert image["startDate"] < image["endDate"] < image["expirationDate"]
        assert image["osVersionNumber"].startswith("10.0.") and image["sizeInGB"] == 64
    assert {i["status"] for i in images} == {"supported", "supportedWithWarning", "notSupported"}
    names = [i["displayName"] for i in images]
    assert any("Microsoft 365 Apps" in n for n in names) and any("Microsoft 365 Apps" not in n for n in names)
    assert len({i["skuName"].split("-")[1] for i in images if i["skuName"].startswith("win11")}) >= 3  # versions


def test_gallery_get_filter_select_and_404(emu: EmulatorProcess) -> None:
    status, image = emu.graph("GET", f"{GALLERY}/{seed.GALLERY_WIN11_24H2_M365}")
    assert status == 200 and image["status"] == "supported"
    assert image["@odata.context"].endswith("$metadata#deviceManagement/virtualEndpoint/galleryImages/$entity")
    supported = emu.graph("GET", f"{GALLERY}?$filter=status%20eq%20'notSupported'&$select=displayName")[1]["value"]
    assert supported and all(set(i) == {"id", "displayName"} for i in supported)
    assert {i["id"] for i in supported} == {i["id"] for i in seed.GALLERY_IMAGES if i["status"] == "notSupported"}
    status, body = emu.graph("GET", f"{GALLERY}/MicrosoftWindowsDesktop_windows-ent-cpc_win95")
    assert status == 404 and body["error"]["code"] == "ResourceNotFound"


# ----------------------------------------------------------------------------- deviceImages
def image_body(name: str = "golden", **overrides: Any) -> dict[str, Any]:
    body = {"displayName": "Golden image", "version": "0.0.1", "sourceImageResourceId": SOURCE.format(name=name)}
    body.update(overrides)
    return body


def test_device_image_goes_pending_then_ready_and_can_be_deleted(emu: EmulatorProcess) -> None:
    status, image = emu.graph("POST", DEVICE_IMAGES, image_body())
    assert status == 201
    assert image["status"] == "pending" and image["errorCode"] is None and image["osStatus"] is None
    assert image["@odata.context"].endswith("deviceImages/$entity")
    ready = wait_for(lambda: (b := emu.graph("GET", f"{DEVICE_IMAGES}/{image['id']}")[1])["status"] == "ready" and b)
    assert ready["osStatus"] == "supported" and ready["operatingSystem"] and ready["errorCode"] is None
    assert [i["id"] for i in list_all(emu, DEVICE_IMAGES)] == [image["id"]]
    assert emu.graph("DELETE", f"{DEVICE_IMAGES}/{image['id']}") == (204, None)
    assert emu.graph("GET", f"{DEVICE_IMAGES}/{image['id']}")[0] == 404
    assert emu.graph("DELETE", f"{DEVICE_IMAGES}/{image['id']}")[0] == 404


@pytest.mark.parametrize(
    ("name", "error_code"),
    [
        ("win11-notgeneralized", "sourceImageNotGeneralized"),
        ("win11-will-fail", "sourceImageInvalid"),
        ("deleted-notfound", "sourceImageNotFound"),
    ],
)
def test_device_image_fails_when_the_source_says_so(emu: EmulatorProcess, name: str, error_code: str) -> None:
    image = emu.graph("POST", DEVICE_IMAGES, image_body(name))[1]
    assert image["status"] == "pending"
    failed = wait_for(lambda: (b := emu.graph("GET", f"{DEVICE_IMAGES}/{image['id']}")[1])["status"] == "failed" and b)
    assert failed["errorCode"] == error_code


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (image_body(displayName=None), models.NULL_NOT_ALLOWED_MSG.format(name="displayName", type="Edm.String")),
        ({"displayName": "x", "version": "1.0.0"}, models.REQUIRED_PROPERTY_MSG.format(name="sourceImageResourceId")),
        ({"displayName": "x", "sourceImageResourceId": SOURCE.format(name="a")}, models.REQUIRED_PROPERTY_MSG.format(name="version")),
        (image_body(version="v1"), models.IMAGE_VERSION_MSG),
        (image_body(sourceImageResourceId="golden.vhd"), models.SOURCE_IMAGE_ID_MSG),
        (image_body(status="ready", colour="red"), models.UNKNOWN_PROPERTY_MSG.format(name="colour", type="microsoft.graph.cloudPcDeviceImage")),
    ],
)
def test_invalid_device_image_is_400_and_writes_nothing(emu: EmulatorProcess, body: dict[str, Any], message: str) -> None:
    status, error = emu.graph("POST", DEVICE_IMAGES, body)
    assert_bad_request(status, error, message)
    assert list_all(emu, DEVICE_IMAGES) == []


# ----------------------------------------------------------------------------- onPremisesConnections
def connection_body(**overrides: Any) -> dict[str, Any]:
    vnet = "/subscriptions/s1/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet1"
    body = {
        "displayName": "ANC test",
        "connectionType": "azureADJoin",
        "subscriptionId": "s1",
        "resourceGroupId": "/subscriptions/s1/resourceGroups/rg-net",
        "virtualNetworkId": vnet,
        "subnetId": vnet + "/subnets/snet1",
    }
    body.update(overrides)
    return body


def test_seeded_connections_have_fixed_ids_and_health(emu: EmulatorProcess) -> None:
    connections = {c["id"]: c for c in list_all(emu, CONNECTIONS)}
    hybrid, entra = connections[seed.CONNECTION_HYBRID_WEU], connections[seed.CONNECTION_ENTRA_EUS]
    assert (hybrid["displayName"], hybrid["connectionType"], hybrid["healthCheckStatus"]) == (
        "ANC Hybrid West Europe", "hybridAzureADJoin", "passed")
    assert (entra["displayName"], entra["connectionType"], entra["healthCheckStatus"]) == (
        "ANC Entra East US", "azureADJoin", "passed")
    assert hybrid["adDomainPassword"] is None
    assert "inUse" not in hybrid  # returned only with $select


def test_created_connection_checks_health_and_is_usable(emu: EmulatorProcess) -> None:
    status, created = emu.graph("POST", CONNECTIONS, connection_body())
    assert status == 201 and created["healthCheckStatus"] == "pending"
    wait_for(lambda: emu.graph("GET", f"{CONNECTIONS}/{created['id']}")[1]["healthCheckStatus"] == "passed")
    status, patched = emu.graph("PATCH", f"{CONNECTIONS}/{created['id']}", {"displayName": "ANC renamed"})
    assert status == 200 and patched["displayName"] == "ANC renamed" and patched["id"] == created["id"]  # the page's 200
    assert emu.graph("GET", f"{CONNECTIONS}/{created['id']}")[1]["displayName"] == "ANC renamed"
    assert emu.graph("POST", f"{CONNECTIONS}/{created['id']}/runHealthChecks") == (204, None)
    assert emu.graph("GET", f"{CONNECTIONS}/{created['id']}")[1]["healthCheckStatus"] == "running"
    wait_for(lambda: emu.graph("GET", f"{CONNECTIONS}/{created['id']}")[1]["healthCheckStatus"] == "passed")
    joined = policy_body(domainJoinConfigurations=[{"domainJoinType": "azureADJoin", "onPremisesConnectionId": created["id"]}])
    assert emu.graph("POST", POLICIES, joined)[0] == 201


def test_hybrid_connection_needs_domain_fields_and_hides_password(emu: EmulatorProcess) -> None:
    status, body = emu.graph("POST", CONNECTIONS, connection_body(connectionType="hybridAzureADJoin"))
    assert_bad_request(status, body, models.HYBRID_CONNECTION_DOMAIN_MSG.format(name="adDomainName"))
    status, body = emu.graph("POST", CONNECTIONS, {"displayName": "x"})
    assert_bad_request(status, body, models.REQUIRED_PROPERTY_MSG.format(name="subscriptionId"))
    assert len(list_all(emu, CONNECTIONS)) == 2
    full = connection_body(
        connectionType="hybridAzureADJoin", adDomainName="corp.contoso.com", adDomainUsername="svc", adDomainPassword="s3cret!"
    )
    status, created = emu.graph("POST", CONNECTIONS, full)
    assert status == 201 and created["adDomainPassword"] is None and created["adDomainName"] == "corp.contoso.com"


def test_connection_in_use_cannot_be_deleted(emu: EmulatorProcess) -> None:
    joined = policy_body(domainJoinConfigurations=[
        {"domainJoinType": "hybridAzureADJoin", "onPremisesConnectionId": seed.CONNECTION_HYBRID_WEU}])
    pid = emu.graph("POST", POLICIES, joined)[1]["id"]
    selected = emu.graph("GET", f"{CONNECTIONS}/{seed.CONNECTION_HYBRID_WEU}?$select=displayName,inUse")[1]
    assert selected["inUse"] is True
    status, body = emu.graph("DELETE", f"{CONNECTIONS}/{seed.CONNECTION_HYBRID_WEU}")
    assert_bad_request(status, body, models.CONNECTION_IN_USE_MSG.format(id=seed.CONNECTION_HYBRID_WEU))
    assert emu.graph("DELETE", f"{POLICIES}/{pid}")[0] == 204
    assert emu.graph("DELETE", f"{CONNECTIONS}/{seed.CONNECTION_HYBRID_WEU}")[0] == 204
    assert emu.graph("GET", f"{CONNECTIONS}/{seed.CONNECTION_HYBRID_WEU}")[0] == 404


# ----------------------------------------------------------------------------- userSettings
def test_user_settings_crud_assign_and_expand(emu: EmulatorProcess) -> None:
    status, created = emu.graph("POST", USER_SETTINGS, {"displayName": "Local admins", "localAdminEnabled": True})
    assert status == 201
    assert created["resetEnabled"] is False and created["restorePointSetting"] == {"frequencyType": "default", "userRestoreEnabled": False}
    sid = created["id"]
    patch = {"restorePointSetting": {"frequencyType": "sixHours", "userRestoreEnabled": True}}
    assert emu.graph("PATCH", f"{USER_SETTINGS}/{sid}", patch) == (204, None)
    assert emu.graph("GET", f"{USER_SETTINGS}/{sid}")[1]["restorePointSetting"]["frequencyType"] == "sixHours"
    body = {"assignments": [{"target": {"@odata.type": "microsoft.graph.cloudPcManagementGroupAssignmentTarget",
                                        "groupId": seed.GROUP_ENGINEERING}}]}
    assert emu.graph("POST", f"{USER_SETTINGS}/{sid}/assign", body) == (204, None)
    got = emu.graph("GET", f"{USER_SETTINGS}/{sid}?$expand=assignments")[1]
    assert [a["id"] for a in got["assignments"]] == [f"{sid}_{seed.GROUP_ENGINEERING}"]
    assert got["assignments"][0]["target"]["@odata.type"] == "#microsoft.graph.cloudPcManagementGroupAssignmentTarget"
    assert "assignments" not in emu.graph("GET", f"{USER_SETTINGS}/{sid}")[1]
    nav = emu.graph("GET", f"{USER_SETTINGS}/{sid}/assignments")[1]["value"]
    assert [a["target"]["groupId"] for a in nav] == [seed.GROUP_ENGINEERING]
    assert [s["id"] for s in list_all(emu, USER_SETTINGS)] == [sid]
    assert emu.graph("DELETE", f"{USER_SETTINGS}/{sid}") == (204, None)
    assert emu.graph("GET", f"{USER_SETTINGS}/{sid}")[0] == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"localAdminEnabled": True}, models.REQUIRED_PROPERTY_MSG.format(name="displayName")),
        ({"displayName": "x", "restorePointSetting": {"frequencyType": "hourly"}},
         models.INVALID_VALUE_MSG.format(value="hourly", type="microsoft.graph.cloudPcRestorePointFrequencyType")),
        ({"displayName": "x", "selfServiceEnabled": True},
         models.UNKNOWN_PROPERTY_MSG.format(name="selfServiceEnabled", type="microsoft.graph.cloudPcUserSetting")),
    ],
)
def test_invalid_user_setting_is_400_and_writes_nothing(emu: EmulatorProcess, body: dict[str, Any], message: str) -> None:
    status, error = emu.graph("POST", USER_SETTINGS, body)
    assert_bad_request(status, error, message)
    assert list_all(emu, USER_SETTINGS) == []


def test_user_setting_assign_to_unknown_group_is_400(emu: EmulatorProcess) -> None:
    sid = emu.graph("POST", USER_SETTINGS, {"displayName": "S"})[1]["id"]
    status, body = emu.graph("POST", f"{USER_SETTINGS}/{sid}/assign", {"assignments": [{"target": {"groupId": "nope"}}]})
    assert_bad_request(status, body, models.ASSIGNMENT_GROUP_NOT_FOUND_MSG.format(id="nope"))
    assert emu.graph("GET", f"{USER_SETTINGS}/{sid}?$expand=assignments")[1]["assignments"] == []


def test_user_setting_beta_properties(emu: EmulatorProcess) -> None:
    status, created = emu.graph("POST", USER_SETTINGS, {"displayName": "B", "selfServiceEnabled": True}, version="beta")
    assert status == 201 and created["selfServiceEnabled"] is True
    assert "selfServiceEnabled" not in emu.graph("GET", f"{USER_SETTINGS}/{created['id']}")[1]


# ----------------------------------------------------------------------------- groups
def test_seeded_groups_have_fixed_ids(emu: EmulatorProcess) -> None:
    groups = {g["id"]: g["displayName"] for g in list_all(emu, GROUPS)}
    assert groups == {
        "5f0c3c9e-8f57-4a8e-9d3c-1a2b3c4d5e01": "W365 Pilot Users",
        "5f0c3c9e-8f57-4a8e-9d3c-1a2b3c4d5e02": "W365 Finance",
        "5f0c3c9e-8f57-4a8e-9d3c-1a2b3c4d5e03": "W365 Engineering",
    }


def test_groups_create_list_filter_get(emu: EmulatorProcess) -> None:
    body = {"displayName": "W365 Sales", "mailEnabled": False, "mailNickname": "w365-sales", "securityEnabled": True}
    status, created = emu.graph("POST", GROUPS, body)
    assert status == 201 and created["@odata.context"].endswith("$metadata#groups/$entity")
    assert created["mailNickname"] == "w365-sales" and created["securityEnabled"] is True
    found = emu.graph("GET", f"{GROUPS}?$filter=displayName%20eq%20'W365%20Sales'")[1]["value"]
    assert [g["id"] for g in found] == [created["id"]]
    assert emu.graph("GET", f"{GROUPS}/{created['id']}")[1]["displayName"] == "W365 Sales"
    assert len(list_all(emu, GROUPS)) == 4
    minimal = emu.graph("POST", GROUPS, {"displayName": "Only A Name"})[1]
    assert minimal["mailNickname"] == "only-a-name" and minimal["mailEnabled"] is False
    status, error = emu.graph("POST", GROUPS, {"mailNickname": "x"})
    assert_bad_request(status, error, models.REQUIRED_PROPERTY_MSG.format(name="displayName"))
    assert len(list_all(emu, GROUPS)) == 5
