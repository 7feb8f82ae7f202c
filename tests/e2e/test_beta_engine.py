"""Frontline shared and Reserve policies on the emulator's /beta with the real engine (issue 12):
create, no-change preview, an allotment change in place, a license-type change replaced, an
out-of-band single sign-on change found and reverted, a region change with apply (one call) and
without (none)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_program_engine import POLICIES, TOKEN, by_name, emulator, program, steps, writes  # noqa: F401
from w365_provider.emulator import seed
from w365_provider.emulator.launcher import EmulatorProcess

pytestmark = pytest.mark.e2e

PLAN = "0c9b9c52-4a1b-4c2e-8f3a-7d6e5f4a3b21"
AUTOMATIC = [{"domainJoinType": "azureADJoin", "regionName": "automatic"}]
BETA_CONFIG: dict[str, Any] = {
    "w365:groups": {"pilot": {"objectId": seed.GROUP_PILOT_USERS}, "finance": {"objectId": seed.GROUP_FINANCE}},
    "w365:images": {"win11": {"type": "gallery", "publisher": "MicrosoftWindowsDesktop", "offer": "windows-ent-cpc",
                              "sku": "win11-*-ent-cpc-m365"}},
    "w365:policies": {
        "shared": {
            "displayName": "E2E Frontline Shared", "image": "win11", "provisioningType": "sharedByEntraGroup",
            "domainJoinConfigurations": AUTOMATIC,
            "assignments": [{"group": "finance", "servicePlanId": PLAN, "allotmentDisplayName": "Shifts",
                             "allotmentLicensesCount": 5}],
            "applyToExistingCloudPcs": {"reservePercentage": 10},
        },
        "reserve": {
            "displayName": "E2E Reserve", "image": "win11", "provisioningType": "reserve",
            "domainJoinConfigurations": AUTOMATIC,
            "assignments": [{"group": "pilot", "servicePlanId": PLAN}],
        },
    },
}  # fmt: skip


@pytest.fixture
def emu(emulator: EmulatorProcess) -> EmulatorProcess:  # noqa: F811
    return emulator.fresh()


def beta_get(emu: EmulatorProcess, policy_id: str) -> dict[str, Any]:
    status, body = emu.graph("GET", f"{POLICIES}/{policy_id}?$expand=assignments", version="beta",
                             headers={"Prefer": "include-unknown-enum-members"})  # fmt: skip
    assert status == 200 and body is not None, body
    return body


def test_frontline_shared_and_reserve_lifecycle(tmp_path: Path, emu: EmulatorProcess) -> None:
    project = program(tmp_path, emu, "e2e")
    config = copy.deepcopy(BETA_CONFIG)
    config["w365:graphUrl"] = emu.graph_url.replace("/v1.0", "/beta")
    project.write_config(config)

    # create, then a preview with no changes and no write
    project.up()
    ids = {name: p["id"] for name, p in by_name(emu).items()}
    shared_id, reserve_id = ids["E2E Frontline Shared"], ids["E2E Reserve"]
    assert beta_get(emu, shared_id)["provisioningType"] == "sharedByEntraGroup"
    assert beta_get(emu, reserve_id)["provisioningType"] == "reserve"
    emu.clear_requests()
    project.preview("--expect-no-changes")
    assert writes(emu) == []

    # the allotment's number of Cloud PCs: updated in place with one assign
    config["w365:policies"]["shared"]["assignments"][0]["allotmentLicensesCount"] = 8
    project.write_config(config)
    assert steps(project.preview_json())["shared"]["op"] == "update"
    emu.clear_requests()
    project.up()
    assert writes(emu) == [("POST", f"/beta{POLICIES}/{shared_id}/assign")]
    assert [a["target"]["allotmentLicensesCount"] for a in beta_get(emu, shared_id)["assignments"]] == [8]

    # the license type cannot change on Graph: Reserve -> Frontline dedicated replaces the policy
    config["w365:policies"]["reserve"]["provisioningType"] = "sharedByUser"
    project.write_config(config)
    step = steps(project.preview_json())
    assert step["reserve"]["replaceReasons"] == ["provisioning_type"]
    project.up()
    replaced = by_name(emu)["E2E Reserve"]["id"]
    assert replaced != reserve_id and beta_get(emu, replaced)["provisioningType"] == "sharedByUser"

    # single sign-on turned on in the portal, where the code never mentions it: found and reverted
    assert emu.graph("PATCH", f"{POLICIES}/{shared_id}", {"enableSingleSignOn": True}, version="beta")[0] == 204
    project.refresh()
    step = steps(project.preview_json())
    assert set(step) == {"shared"} and step["shared"]["op"] == "update"
    emu.clear_requests()
    project.up()
    # the revert is a single sign-on change too, so the policy that asks for it applies it
    assert writes(emu) == [("PATCH", f"/beta{POLICIES}/{shared_id}"), ("POST", f"/beta{POLICIES}/{shared_id}/apply")]
    assert beta_get(emu, shared_id)["enableSingleSignOn"] is False

    # a region change: applied to existing Cloud PCs where the program asks for it, only there
    for key in ("shared", "reserve"):
        config["w365:policies"][key]["domainJoinConfigurations"] = [{"domainJoinType": "azureADJoin", "regionName": "westeurope"}]
    project.write_config(config)
    emu.clear_requests()
    up = project.up()
    applies = [path for method, path in writes(emu) if path.endswith("/apply")]
    assert applies == [f"/beta{POLICIES}/{shared_id}/apply"]
    assert "will be applied to existing Cloud PCs" in up.stdout and "keep their old settings" in up.stdout
