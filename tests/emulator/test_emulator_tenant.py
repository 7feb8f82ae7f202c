"""Emulator conformance over HTTP: user settings' restore-point rules, the health-check state machine
and its fault hook, the in-use refusal, the organization settings singleton, app-only tokens."""

from __future__ import annotations

import pytest

from tests.emulator.emulator_support import CONNECTIONS, IMAGE_READY_SECONDS, POLICIES, USER_SETTINGS, policy_body, wait_for
from w365_provider.emulator import EmulatorProcess
from w365_provider.emulator.entities.on_premises_connections import APP_ONLY_MSG, CONNECTION_IN_USE_MSG, HEALTH_CHECKS
from w365_provider.emulator.entities.user_settings import FREQUENCY_HOURS_MSG, FREQUENCY_MISMATCH_MSG

ORGANIZATION = "/deviceManagement/virtualEndpoint/organizationSettings"
SUB = "11111111-2222-3333-4444-555555555555"
VNET = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"


def connection_body(**changes: object) -> dict[str, object]:
    return {"displayName": "Conformance", "connectionType": "hybridAzureADJoin", "subscriptionId": SUB,
            "resourceGroupId": f"/subscriptions/{SUB}/resourceGroups/rg", "virtualNetworkId": VNET,
            "subnetId": f"{VNET}/subnets/s", "adDomainName": "corp.example.com", "adDomainUsername": "svc",
            "adDomainPassword": "pw-Conformance-1", **changes}  # fmt: skip


def detail(emu: EmulatorProcess, connection_id: str) -> dict[str, object]:
    status, body = emu.graph("GET", f"{CONNECTIONS}/{connection_id}?$select=healthCheckStatus,healthCheckStatusDetail")
    assert status == 200, body
    return body


@pytest.mark.parametrize(("restore", "message"), [
    ({"frequencyInHours": 5}, FREQUENCY_HOURS_MSG.format(value=5)),
    ({"frequencyType": "fourHours", "frequencyInHours": 6}, FREQUENCY_MISMATCH_MSG.format(kind="fourHours", hours=6)),
])  # fmt: skip
def test_restore_point_rules(emu: EmulatorProcess, restore: dict[str, object], message: str) -> None:
    status, body = emu.graph("POST", USER_SETTINGS, {"displayName": "x", "restorePointSetting": restore}, version="beta")
    assert status == 400 and body["error"]["message"] == message


def test_frequency_in_hours_is_beta_only(emu: EmulatorProcess) -> None:
    status, body = emu.graph("POST", USER_SETTINGS, {"displayName": "x", "restorePointSetting": {"frequencyInHours": 4}})
    assert status == 400 and "frequencyInHours" in body["error"]["message"]
    status, body = emu.graph("POST", USER_SETTINGS, {"displayName": "x", "restorePointSetting": {"frequencyInHours": 4}},
                             version="beta")  # fmt: skip
    assert status == 201 and body["restorePointSetting"]["frequencyInHours"] == 4


def test_health_checks_run_then_pass_with_every_check(emu: EmulatorProcess) -> None:
    status, created = emu.graph("POST", CONNECTIONS, connection_body())
    assert status == 201 and created["healthCheckStatus"] == "pending"
    assert "adDomainPassword" not in created or created["adDomainPassword"] is None  # write-only
    passed = wait_for(lambda: (d := detail(emu, created["id"]))["healthCheckStatus"] == "passed" and d,
                      timeout=IMAGE_READY_SECONDS + 5)  # fmt: skip
    assert [c["displayName"] for c in passed["healthCheckStatusDetail"]["healthChecks"]] == list(HEALTH_CHECKS)
    assert emu.graph("POST", f"{CONNECTIONS}/{created['id']}/runHealthChecks")[0] == 204
    assert detail(emu, created["id"])["healthCheckStatus"] == "running"


def test_the_fault_hook_fails_the_chosen_check(emu: EmulatorProcess) -> None:
    emu.fail_health_checks({"Azure subnet IP address usage": {"errorType": "subnetIpAddressesExhausted",
                                                              "recommendedAction": "Use a larger subnet."}})  # fmt: skip
    _, created = emu.graph("POST", CONNECTIONS, connection_body())
    failed = wait_for(lambda: (d := detail(emu, created["id"]))["healthCheckStatus"] == "failed" and d,
                      timeout=IMAGE_READY_SECONDS + 5)  # fmt: skip
    bad = [c for c in failed["healthCheckStatusDetail"]["healthChecks"] if c["status"] == "failed"]
    assert [(c["displayName"], c["errorType"], c["recommendedAction"]) for c in bad] == [
        ("Azure subnet IP address usage", "subnetIpAddressesExhausted", "Use a larger subnet.")]
    with pytest.raises(Exception, match="unknown health checks"):
        emu.fail_health_checks({"No such check": {}})


def test_a_connection_in_use_cannot_be_deleted(emu: EmulatorProcess) -> None:
    _, created = emu.graph("POST", CONNECTIONS, connection_body())
    join = [{"domainJoinType": "hybridAzureADJoin", "onPremisesConnectionId": created["id"]}]
    status, policy = emu.graph("POST", POLICIES, policy_body(domainJoinConfigurations=join))
    assert status == 201, policy
    status, body = emu.graph("DELETE", f"{CONNECTIONS}/{created['id']}")
    assert status == 400 and body["error"]["message"] == CONNECTION_IN_USE_MSG.format(id=created["id"])


def test_organization_settings_singleton(emu: EmulatorProcess) -> None:
    status, body = emu.graph("GET", ORGANIZATION, version="beta")
    assert status == 200 and body["osVersion"] == "windows11" and body["windowsSettings"] == {"language": "en-US"}
    assert emu.graph("PATCH", ORGANIZATION, {"userAccountType": "administrator"}, version="beta")[0] == 204
    assert emu.graph("GET", ORGANIZATION, version="beta")[1]["userAccountType"] == "administrator"
    status, body = emu.graph("PATCH", ORGANIZATION, {"osVersion": "windows12"}, version="beta")
    assert status == 400
    assert emu.graph("DELETE", ORGANIZATION, version="beta")[0] == 405
    assert emu.graph("GET", ORGANIZATION)[0] == 400  # v1.0 has no such segment


def test_app_only_token_cannot_create_or_update_connections() -> None:
    with EmulatorProcess(extra_args=["--app-only"]) as emu:
        status, body = emu.graph("POST", CONNECTIONS, connection_body())
        assert status == 403 and body["error"]["message"] == APP_ONLY_MSG
        assert emu.graph("PATCH", f"{CONNECTIONS}/a1b2c3d4-0000-4000-8000-000000000001", {"displayName": "x"})[0] == 403
        assert emu.graph("GET", CONNECTIONS)[0] == 200


def test_the_password_is_never_in_the_request_log(emu: EmulatorProcess) -> None:
    emu.graph("POST", CONNECTIONS, connection_body())
    assert "pw-Conformance-1" not in str(emu.requests())
