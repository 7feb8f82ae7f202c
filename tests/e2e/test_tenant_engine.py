"""User settings, Azure network connections and organization settings with the real engine on the
emulator: the `local` stack with all of it, a no-change second run, a restore-point change updated
in place, the password never in plain text, a failing health check, destroy."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import PulumiFailed, copy_repo_program
from w365_provider.emulator import seed
from w365_provider.emulator.launcher import EmulatorProcess

pytestmark = pytest.mark.e2e

VE = "/deviceManagement/virtualEndpoint"
TOKEN = "e2e-tenant-" + secrets.token_hex(8)
LOCAL_PASSWORD = "local-join-Passw0rd"  # stacks/Pulumi.local.yaml, encrypted with the public local passphrase
SUB = "0b7e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
VNET = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet"


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(token=TOKEN, image_ready_seconds=0.3) as emu:
        yield emu


@pytest.fixture
def emu(emulator: EmulatorProcess) -> EmulatorProcess:
    return emulator.fresh()


def graph(emu: EmulatorProcess, path: str, version: str = "v1.0") -> Any:
    status, body = emu.graph("GET", VE + path, version=version)
    assert status == 200, body
    return body


def project_for(tmp_path: Path, emu: EmulatorProcess) -> Any:
    env = {"W365_GRAPH_TOKEN": emu.token, "PULUMI_CONFIG_PASSPHRASE": "local-stacks-only"}
    project = copy_repo_program(tmp_path, stack="local", env=env)
    project.set_config("w365:graphUrl", emu.url + "/beta")  # as the local stack: beta user settings, organization settings
    project.set_config("w365:healthCheckPollSeconds", "0.2")
    return project


def ours(emu: EmulatorProcess) -> list[dict[str, Any]]:
    seeded = {c["id"] for c in seed.ON_PREMISES_CONNECTIONS}
    return [c for c in graph(emu, "/onPremisesConnections")["value"] if c["id"] not in seeded]


def test_local_stack_with_the_whole_tenant(tmp_path: Path, emu: EmulatorProcess) -> None:
    project = project_for(tmp_path, emu)
    up = project.up()
    shown = up.stdout + up.stderr
    assert "W365 Corp network': health checks passed" in shown  # progress is printed
    settings = {s["displayName"]: s for s in graph(emu, "/userSettings?$expand=assignments", "beta")["value"]}
    assert set(settings) == {"W365 Standard users", "W365 Engineering users"}
    assert sorted(a["target"]["groupId"] for a in settings["W365 Standard users"]["assignments"]) == sorted(
        [seed.GROUP_PILOT_USERS, seed.GROUP_FINANCE])
    assert settings["W365 Engineering users"]["notificationSetting"] == {"restartPromptsDisabled": True}
    [connection] = ours(emu)
    assert connection["displayName"] == "W365 Corp network" and connection["healthCheckStatus"] == "passed"
    policies = {p["displayName"]: p for p in graph(emu, "/provisioningPolicies")["value"]}
    assert policies["W365 Corp hybrid"]["domainJoinConfigurations"][0]["onPremisesConnectionId"] == connection["id"]
    organization = graph(emu, "/organizationSettings", "beta")
    assert organization["enableMEMAutoEnroll"] is True and organization["enableSingleSignOn"] is True
    outputs = project.outputs()
    assert outputs["networkConnections"]["corp"]["id"] == connection["id"]

    # the password: never in plain text
    exported = json.dumps(project.export())
    assert LOCAL_PASSWORD not in exported and LOCAL_PASSWORD not in shown
    assert LOCAL_PASSWORD not in json.dumps(emu.requests())
    assert LOCAL_PASSWORD in json.dumps(project.export(show_secrets=True))  # it is there, encrypted

    emu.clear_requests()
    again = project.preview("--expect-no-changes", "--refresh")
    assert LOCAL_PASSWORD not in again.stdout + again.stderr
    assert [r for r in emu.requests() if r["method"] != "GET"] == []

    standard = settings["W365 Standard users"]["id"]
    project.set_config("w365:userSettings.standard.restorePointSetting.frequencyType", "sixteenHours", path=True)
    emu.clear_requests()
    changed = project.up()
    assert "1 updated" in changed.stdout
    made = [(r["method"], r["path"].split(VE)[-1]) for r in emu.requests()]
    assert [m for m in made if m[1] != "/galleryImages"] == [("PATCH", f"/userSettings/{standard}")]  # the program's lookup aside
    assert graph(emu, f"/userSettings/{standard}")["restorePointSetting"]["frequencyType"] == "sixteenHours"

    project.destroy()
    assert graph(emu, "/userSettings")["value"] == [] and ours(emu) == []
    assert graph(emu, "/organizationSettings", "beta")["enableMEMAutoEnroll"] is True  # left as it is


def test_a_failing_health_check_fails_up_and_leaves_state_consistent(tmp_path: Path, emu: EmulatorProcess) -> None:
    project = project_for(tmp_path, emu)
    project.write_config({
        "w365:graphUrl": emu.graph_url, "w365:healthCheckPollSeconds": "0.2",
        "w365:images": {"win11": {"type": "gallery", "publisher": "MicrosoftWindowsDesktop", "offer": "windows-ent-cpc",
                                  "sku": "win11-*-ent-cpc-m365"}},
        "w365:policies": {"hybrid": {"displayName": "E2E Hybrid", "image": "win11", "domainJoinConfigurations": [
            {"domainJoinType": "hybridAzureADJoin", "networkConnection": "corp"}]}},
        "w365:networkConnections": {"corp": {
            "displayName": "E2E Corp", "subscriptionId": SUB, "resourceGroupId": f"/subscriptions/{SUB}/resourceGroups/rg",
            "virtualNetworkId": VNET, "subnetId": f"{VNET}/subnets/a", "adDomainName": "corp.example.com",
            "adDomainUsername": "svc-join"}},
    })  # fmt: skip
    project.set_config("w365:networkConnections.corp.adDomainPassword", "e2e-Secret-1", secret=True, path=True)
    emu.fail_health_checks({"Active Directory domain join": {
        "errorType": "domainJoinFailedAccessDenied", "recommendedAction": "Check the join account's permissions."}})
    with pytest.raises(PulumiFailed) as info:
        project.up()
    text = str(info.value)
    assert "health check 'Active Directory domain join' failed (domainJoinFailedAccessDenied)" in text
    assert "recommended action: Check the join account's permissions." in text
    assert "e2e-Secret-1" not in text
    assert ours(emu) == [] and project.resources(":NetworkConnection") == []
    assert project.resources(":ProvisioningPolicy") == []  # never created: it waits for the connection

    emu.clear_health_faults()
    project.up()
    assert [c["displayName"] for c in ours(emu)] == ["E2E Corp"]
    project.destroy()
    assert ours(emu) == []
