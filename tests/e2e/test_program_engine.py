"""The repository's program (``__main__.py`` + ``stacks/``) with the real engine on the emulator.

Each test copies the program to a temporary project with its own file backend and points the
stack at an emulator started here on a free port (``w365:graphUrl``). Never skipped: without
the engine they fail.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import Project, copy_repo_program
from w365_provider.emulator import seed
from w365_provider.emulator.launcher import EmulatorProcess

pytestmark = pytest.mark.e2e

POLICIES = "/deviceManagement/virtualEndpoint/provisioningPolicies"
IMAGES = "/deviceManagement/virtualEndpoint/deviceImages"
POLICY_TYPE = "pulumi-python:dynamic/w365:ProvisioningPolicy"
IMAGE_TYPE = "pulumi-python:dynamic/w365:DeviceImage"
TOKEN = "e2e-program-" + secrets.token_hex(8)
NEWEST_M365 = "MicrosoftWindowsDesktop_windows-ent-cpc_win11-25h2-ent-cpc-m365"
SOURCE = "/subscriptions/0b7e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b/resourceGroups/rg/providers/Microsoft.Compute/images/{}"


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(token=TOKEN, image_ready_seconds=0.3) as emu:
        yield emu


@pytest.fixture
def emu(emulator: EmulatorProcess) -> EmulatorProcess:
    return emulator.fresh()


def program(tmp_path: Path, emu: EmulatorProcess, stack: str) -> Project:
    """The repository's program as stack STACK, talking to EMU (token from the environment, as
    scripts/run-local does it; the local stack's salt is for the public local passphrase)."""
    env = {"W365_GRAPH_TOKEN": emu.token, "PULUMI_CONFIG_PASSPHRASE": "local-stacks-only"}
    return copy_repo_program(tmp_path, stack=stack, env=env)


def graph_list(emu: EmulatorProcess, path: str) -> list[dict[str, Any]]:
    status, body = emu.graph("GET", path)
    assert status == 200, body
    assert body is not None
    return list(body["value"])


def by_name(emu: EmulatorProcess) -> dict[str, dict[str, Any]]:
    return {p["displayName"]: p for p in graph_list(emu, POLICIES + "?$expand=assignments")}


def writes(emu: EmulatorProcess) -> list[tuple[str, str]]:
    return [(r["method"], r["path"]) for r in emu.requests() if r["method"] != "GET"]


def steps(digest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The preview's steps by resource name, the ``same`` ones left out (a replacement's last step wins)."""
    return {s["urn"].rsplit("::", 1)[-1]: s for s in digest["steps"] if s["op"] != "same"}


def test_local_stack_up_then_no_changes_then_destroy(tmp_path: Path, emu: EmulatorProcess) -> None:
    """The committed `local` stack, as `make run` applies it: up, a no-op preview, destroy."""
    project = program(tmp_path, emu, "local")
    project.set_config("w365:graphUrl", emu.graph_url.replace("/v1.0", "/beta"))  # the local stack is on beta

    up = project.up()
    assert "12 created" in up.stdout  # the stack, the custom image, six policies, two user settings, a network
    # connection and the organization settings (tests/e2e/test_tenant_engine.py checks the last three)
    outputs = project.outputs()
    policies = by_name(emu)
    assert set(policies) == {"W365 Pilot", "W365 Finance", "W365 Engineering", "W365 Corp hybrid",
                             "W365 Frontline Shared", "W365 Reserve"}
    assert {key: p["displayName"] for key, p in outputs["policies"].items()} == {
        "pilot": "W365 Pilot", "finance": "W365 Finance", "engineering": "W365 Engineering",
        "corp-hybrid": "W365 Corp hybrid", "frontline-shared": "W365 Frontline Shared", "reserve": "W365 Reserve",
    }  # fmt: skip
    status, shared = emu.graph("GET", f"{POLICIES}/{policies['W365 Frontline Shared']['id']}?$expand=assignments",
                               version="beta", headers={"Prefer": "include-unknown-enum-members"})  # fmt: skip
    assert status == 200 and shared is not None and shared["provisioningType"] == "sharedByEntraGroup"
    assert [a["target"]["allotmentLicensesCount"] for a in shared["assignments"]] == [5]
    assert {p["id"] for p in outputs["policies"].values()} == {p["id"] for p in policies.values()}
    [image] = graph_list(emu, IMAGES)
    assert image["status"] == "ready"
    assert outputs["images"]["finance-golden"] == {"type": "custom", "id": image["id"], "displayName": image["displayName"]}
    finance, pilot = policies["W365 Finance"], policies["W365 Pilot"]
    assert (finance["imageType"], finance["imageId"]) == ("custom", image["id"])
    assert (pilot["imageType"], pilot["imageId"]) == ("gallery", NEWEST_M365)
    assert [a["target"]["groupId"] for a in pilot["assignments"]] == [seed.GROUP_PILOT_USERS]
    assert sorted(a["target"]["groupId"] for a in policies["W365 Engineering"]["assignments"]) == [
        seed.GROUP_PILOT_USERS, seed.GROUP_ENGINEERING,
    ]  # fmt: skip
    assert "device image 'Contoso Finance golden image': ready after" in up.stdout  # progress is shown

    emu.clear_requests()
    again = project.preview("--expect-no-changes", "--diff")
    assert "12 unchanged" in again.stdout
    assert writes(emu) == []

    project.destroy()
    assert graph_list(emu, POLICIES) == []
    assert graph_list(emu, IMAGES) == []
    assert project.resources(POLICY_TYPE) == []


LIFECYCLE: dict[str, Any] = {
    "w365:groups": {"pilot": {"objectId": seed.GROUP_PILOT_USERS}, "finance": {"objectId": seed.GROUP_FINANCE}},
    "w365:images": {
        "win11": {"type": "gallery", "publisher": "MicrosoftWindowsDesktop", "offer": "windows-ent-cpc",
                  "sku": "win11-*-ent-cpc-m365"},
        "golden": {"type": "custom", "displayName": "E2E golden", "version": "1.0.0",
                   "sourceImageResourceId": SOURCE.format("golden")},
    },
    "w365:policies": {
        "eng": {
            "displayName": "E2E Engineering",
            "description": "before",
            "image": "win11",
            "domainJoinConfigurations": [{"domainJoinType": "azureADJoin", "regionName": "automatic"}],
            "assignments": ["pilot", "finance"],
        },
        "kiosk": {
            "displayName": "E2E Kiosk",
            "image": "golden",
            "domainJoinConfigurations": [{"domainJoinType": "azureADJoin", "regionName": "automatic"}],
            "cloudPcNamingTemplate": "KIOSK-%RAND:5%",
        },
    },
}  # fmt: skip


def test_lifecycle_update_replace_drift_destroy(tmp_path: Path, emu: EmulatorProcess) -> None:
    project = program(tmp_path, emu, "e2e")
    config = copy.deepcopy(LIFECYCLE)
    config["w365:graphUrl"] = emu.graph_url
    project.write_config(config)

    # up
    project.up()
    first = by_name(emu)
    assert set(first) == {"E2E Engineering", "E2E Kiosk"}
    eng_id, kiosk_id = first["E2E Engineering"]["id"], first["E2E Kiosk"]["id"]

    # a config change: an update that shows the property diff
    config["w365:policies"]["eng"]["description"] = "after"
    project.write_config(config)
    step = steps(project.preview_json())
    assert set(step) == {"eng"}
    assert step["eng"]["op"] == "update"
    assert "description" in (step["eng"].get("diffReasons") or step["eng"].get("detailedDiff") or {})
    emu.clear_requests()
    up = project.up("--diff")
    assert '~ description: "before" => "after"' in up.stdout
    assert writes(emu) == [("PATCH", f"/v1.0{POLICIES}/{eng_id}")]
    assert by_name(emu)["E2E Engineering"]["description"] == "after"

    # provisioning_type cannot change on Graph: the policy is replaced. A new image version
    # replaces the image too: the new policy takes the new image, then the old ones go.
    [old_image] = graph_list(emu, IMAGES)
    config["w365:policies"]["kiosk"]["provisioningType"] = "shared"
    config["w365:images"]["golden"]["version"] = "1.1.0"
    project.write_config(config)
    step = steps(project.preview_json())
    assert set(step) == {"kiosk", "golden"}
    assert {step["kiosk"]["op"], step["golden"]["op"]} <= {"replace", "create-replacement", "delete-replaced"}
    assert step["kiosk"]["replaceReasons"] == ["provisioning_type"]
    assert step["golden"]["replaceReasons"] == ["version"]
    up = project.up()
    assert "2 replaced" in up.stdout
    after = by_name(emu)
    [new_image] = graph_list(emu, IMAGES)
    assert (new_image["version"], new_image["status"]) == ("1.1.0", "ready") and new_image["id"] != old_image["id"]
    kiosk = after["E2E Kiosk"]
    assert (kiosk["provisioningType"], kiosk["imageId"]) == ("shared", new_image["id"])
    assert kiosk["id"] != kiosk_id
    assert after["E2E Engineering"]["id"] == eng_id

    # an out-of-band change is found by refresh, and the next up shows and repairs it
    status, _ = emu.graph("PATCH", f"{POLICIES}/{eng_id}", {"description": "changed in the portal"})
    assert status == 204
    refresh = project.refresh()
    assert "1 updated" in refresh.stdout
    [eng_state] = [r for r in project.resources(POLICY_TYPE) if r["urn"].endswith("::eng")]
    assert eng_state["outputs"]["description"] == "changed in the portal"
    up = project.up("--diff")
    assert '~ description: "changed in the portal" => "after"' in up.stdout
    assert by_name(emu)["E2E Engineering"]["description"] == "after"

    # destroy leaves nothing in the emulator
    project.destroy()
    assert graph_list(emu, POLICIES) == []
    assert graph_list(emu, IMAGES) == []
    assert project.resources(POLICY_TYPE) == [] and project.resources(IMAGE_TYPE) == []


def test_a_config_error_names_the_key_and_declares_nothing(tmp_path: Path, emu: EmulatorProcess) -> None:
    project = program(tmp_path, emu, "e2e")
    config = copy.deepcopy(LIFECYCLE)
    config["w365:graphUrl"] = emu.graph_url
    config["w365:policies"]["eng"]["image"] = "win12"
    config["w365:images"]["win11"]["sku"] = "win12-*"
    project.write_config(config)
    failed = project.preview(check=False)
    assert failed.returncode != 0
    output = failed.stdout + failed.stderr
    assert "w365:policies.eng.image: 'win12' is not a key of w365:images (known: golden, win11)" in output
    assert "Traceback" not in output
    del config["w365:policies"]["eng"]
    project.write_config(config)
    failed = project.preview(check=False)
    assert failed.returncode != 0
    assert "no supported Windows 365 gallery image matches publisher 'MicrosoftWindowsDesktop'" in failed.stdout + failed.stderr
    assert writes(emu) == []
