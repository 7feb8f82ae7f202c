"""NetworkConnectionProvider against the emulator: health checks, the write-only password,
in-use refusal naming the policy, app-only sign-in, faults."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.errors import ConfigurationError, GraphConflictError, GraphError, HealthCheckFailedError
from w365_provider.resources.network_connection import NetworkConnectionProvider, is_app_only

from .tenant_support import calls, checked, configured, snapshot

CONNECTIONS = "/deviceManagement/virtualEndpoint/onPremisesConnections"
POLICIES = "/deviceManagement/virtualEndpoint/provisioningPolicies"
SUB = "11111111-2222-3333-4444-555555555555"
RG = f"/subscriptions/{SUB}/resourceGroups/w365"
VNET = f"{RG}/providers/Microsoft.Network/virtualNetworks/vnet"
PASSWORD = "S3cret-join-passw0rd!"


def valid(**changes: Any) -> dict[str, Any]:
    base = {"display_name": "Corp network", "connection_type": "hybridAzureADJoin", "subscription_id": SUB,
            "resource_group_id": RG, "virtual_network_id": VNET, "subnet_id": f"{VNET}/subnets/cpc",
            "ad_domain_name": "corp.example.com", "ad_domain_username": "svc-join", "ad_domain_password": PASSWORD}  # fmt: skip
    return {**base, **changes}


def jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


@pytest.fixture
def provider(emu: EmulatorProcess) -> NetworkConnectionProvider:
    return configured(NetworkConnectionProvider, emu, healthCheckPollSeconds="0.05")


def ours(emu: EmulatorProcess) -> list[dict[str, Any]]:
    status, body = emu.graph("GET", CONNECTIONS + "?$select=id,displayName,healthCheckStatus,healthCheckStatusDetail")
    assert status == 200, body
    return [c for c in body["value"] if c["displayName"].startswith("Corp")]


def health_fail(emu: EmulatorProcess, fail: dict[str, Any]) -> None:
    emu.fail_health_checks(fail)


def test_create_runs_health_checks_until_they_pass(provider: NetworkConnectionProvider, emu: EmulatorProcess,
                                                    capfd: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    created = provider.create(checked(provider, valid()))
    made = calls(emu)
    assert made[:3] == [snapshot("onPremisesConnections"), ("POST", "v1.0:/onPremisesConnections"),
                        ("POST", f"v1.0:/onPremisesConnections/{created.id}/runHealthChecks")]  # fmt: skip
    assert emu.requests()[0]["query"] == "$select=id,displayName"  # the process's one ownership snapshot
    assert set(made[3:]) == {("GET", f"v1.0:/onPremisesConnections/{created.id}")} and made[3:]
    assert created.outs["health_check_status"] == "passed"
    assert created.outs["ad_domain_password"] == PASSWORD  # the engine stores it as a secret
    err = capfd.readouterr().err
    assert "health checks started" in err and "health checks passed" in err and PASSWORD not in err
    assert all(PASSWORD not in json.dumps(r) for r in emu.requests())


def test_failed_health_check_names_it_and_leaves_nothing(provider: NetworkConnectionProvider, emu: EmulatorProcess) -> None:
    health_fail(emu, {"DNS can resolve Active Directory domain": {
        "errorType": "dnsCheckFqdnNotFound", "recommendedAction": "Check the DNS servers of the virtual network.",
        "additionalDetail": "corp.example.com could not be resolved"}})  # fmt: skip
    with pytest.raises(HealthCheckFailedError) as info:
        provider.create(checked(provider, valid()))
    text = str(info.value)
    assert "health check 'DNS can resolve Active Directory domain' failed (dnsCheckFqdnNotFound)" in text
    assert "recommended action: Check the DNS servers of the virtual network." in text
    assert "deleted again" in "".join(getattr(info.value, "__notes__", []))
    assert ours(emu) == []


def test_read_keeps_the_password_and_sees_drift(provider: NetworkConnectionProvider, emu: EmulatorProcess) -> None:
    created = provider.create(checked(provider, valid()))
    assert emu.graph("PATCH", f"{CONNECTIONS}/{created.id}", {"organizationalUnit": "OU=Other"})[0] == 200
    read = provider.read(created.id, created.outs)
    assert read.inputs["ad_domain_password"] == PASSWORD and read.outs["ad_domain_password"] == PASSWORD
    assert "organizational_unit" not in read.inputs  # not managed: Graph's value is no drift
    news = checked(provider, valid(organizational_unit="OU=CloudPCs,DC=corp,DC=example,DC=com"))
    emu.clear_requests()
    provider.update(created.id, read.outs, news)
    made = calls(emu)
    assert made[:2] == [("PATCH", f"v1.0:/onPremisesConnections/{created.id}"),
                        ("POST", f"v1.0:/onPremisesConnections/{created.id}/runHealthChecks")]  # fmt: skip


def test_rename_is_one_patch_without_health_checks(provider: NetworkConnectionProvider, emu: EmulatorProcess) -> None:
    created = provider.create(checked(provider, valid()))
    emu.clear_requests()
    provider.update(created.id, created.outs, checked(provider, valid(display_name="Corp network 2")))
    assert calls(emu) == [("PATCH", f"v1.0:/onPremisesConnections/{created.id}")]


def test_delete_refused_names_the_policy(provider: NetworkConnectionProvider, emu: EmulatorProcess) -> None:
    from tests.emulator.emulator_support import policy_body

    created = provider.create(checked(provider, valid()))
    body = policy_body(displayName="Hybrid engineers",
                       domainJoinConfigurations=[{"domainJoinType": "hybridAzureADJoin", "onPremisesConnectionId": created.id}])  # fmt: skip
    status, policy = emu.graph("POST", POLICIES, body)
    assert status == 201, policy
    with pytest.raises(GraphConflictError) as info:
        provider.delete(created.id, created.outs)
    assert f"'Hybrid engineers' ({policy['id']})" in str(info.value)
    assert emu.graph("DELETE", f"{POLICIES}/{policy['id']}")[0] == 204
    provider.delete(created.id, created.outs)
    assert ours(emu) == []


@pytest.mark.parametrize("status", [429, 503])
def test_transient_failures_on_create_and_polling(provider: NetworkConnectionProvider, emu: EmulatorProcess, status: int) -> None:
    emu.set_faults([
        {"method": "POST", "path": r"/onPremisesConnections$", "status": status, "retry_after": 0, "times": 1},
        {"method": "POST", "path": r"/runHealthChecks$", "status": status, "retry_after": 0, "times": 1},
        {"method": "GET", "path": r"/onPremisesConnections/", "status": status, "retry_after": 0, "times": 2},
    ])  # fmt: skip
    created = provider.create(checked(provider, valid()))
    assert [c["id"] for c in ours(emu)] == [created.id]


def test_dropped_connection_after_post_leaves_one_connection(provider: NetworkConnectionProvider, emu: EmulatorProcess) -> None:
    emu.set_faults([{"method": "POST", "path": r"/onPremisesConnections$", "drop": "after", "times": 1}])
    created = provider.create(checked(provider, valid()))
    assert [c["id"] for c in ours(emu)] == [created.id]


def test_token_kinds() -> None:
    assert is_app_only(jwt({"roles": ["CloudPC.ReadWrite.All"], "idtyp": "app"}))
    assert is_app_only(jwt({"roles": ["CloudPC.ReadWrite.All"]}))
    assert not is_app_only(jwt({"scp": "CloudPC.ReadWrite.All"}))
    assert not is_app_only("w365-emulator-token")


@pytest.fixture
def app_only_emu() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(token=jwt({"roles": ["CloudPC.ReadWrite.All"], "idtyp": "app"}), extra_args=["--app-only"]) as emu:
        yield emu


def test_app_only_token_is_refused_before_any_write(app_only_emu: EmulatorProcess) -> None:
    provider = configured(NetworkConnectionProvider, app_only_emu)
    with pytest.raises(ConfigurationError, match="only for a signed-in user.*Azure CLI"):
        provider.create(checked(provider, valid()))
    assert [r["method"] for r in app_only_emu.requests()] == []


def test_app_only_emulator_refuses_a_plain_token(emu: EmulatorProcess) -> None:
    with EmulatorProcess(extra_args=["--app-only"]) as plain:
        provider = configured(NetworkConnectionProvider, plain)
        with pytest.raises(GraphError) as info:
            provider.create(checked(provider, valid()))
        assert info.value.status == 403 and "delegated" in str(info.value)
