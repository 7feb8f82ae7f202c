"""ProvisioningPolicy with the real Pulumi engine (scripts/pulumi) against the emulator.

Proves what only the engine can: the per-property diff the engine computes from our checked
inputs (``preview --diff`` and ``--json``), replacements from ``replace_on_changes``, drift
found by ``refresh`` and repaired by ``up``, the Graph call budget counted in the emulator's
request log, and that neither the token nor a client secret reaches state or the output.
These tests never skip: without the engine they fail.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dill
import pytest

from tests.e2e.harness import Project, PulumiFailed, make_project
from w365_provider.emulator import seed
from w365_provider.emulator.launcher import EmulatorProcess

pytestmark = pytest.mark.e2e

POLICIES = "/deviceManagement/virtualEndpoint/provisioningPolicies"
TYPE = "pulumi-python:dynamic/w365:ProvisioningPolicy"
TOKEN = "e2e-token-" + secrets.token_hex(12)
CLIENT_SECRET = "e2e-client-secret-" + secrets.token_hex(12)
G1 = seed.GROUP_PILOT_USERS
G2 = seed.GROUP_FINANCE
IMAGE_24H2 = seed.GALLERY_WIN11_24H2_M365
IMAGE_25H2 = "MicrosoftWindowsDesktop_windows-ent-cpc_win11-25h2-ent-cpc-m365"
SNAPSHOT = ("GET", "/")
"""The one list of ids and names a provider process makes before its first create (ownership)."""

ENGINEERING: dict[str, Any] = {
    "display_name": "Engineering",
    "description": "Cloud PCs for engineers",
    "image_id": IMAGE_24H2,
    "image_type": "gallery",
    "domain_join_configurations": [{"domain_join_type": "azureADJoin", "region_name": "automatic"}],
    "assignments": [{"group_id": G1}],
}


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(token=TOKEN) as emu:
        yield emu


@pytest.fixture
def emu(emulator: EmulatorProcess) -> EmulatorProcess:
    return emulator.fresh()


def program(policies: dict[str, dict[str, Any]]) -> str:
    """A Pulumi program declaring ``policies`` (resource name -> arguments)."""
    return (
        "import pulumi\n"
        "from w365_provider import ProvisioningPolicy\n\n"
        f"for name, args in {policies!r}.items():\n"
        "    policy = ProvisioningPolicy(name, **args)\n"
        "    pulumi.export(name + '_id', policy.policy_id)\n"
        "    pulumi.export(name + '_image', policy.image_display_name)\n"
    )


def new_project(tmp_path: Path, emu: EmulatorProcess, policies: dict[str, dict[str, Any]]) -> Project:
    return make_project(
        tmp_path,
        program(policies),
        config={"w365:graphUrl": emu.graph_url, "w365:retryMinDelaySeconds": "0.05", "w365:retryMaxDelaySeconds": "0.5"},
        secrets={"w365:graphToken": TOKEN},
        env={"AZURE_CLIENT_SECRET": CLIENT_SECRET, "AZURE_CLIENT_ID": "e2e-client", "AZURE_TENANT_ID": "e2e-tenant"},
    )


def set_program(project: Project, policies: dict[str, dict[str, Any]]) -> None:
    (project.dir / "__main__.py").write_text(program(policies))


def people_read(request: dict[str, Any]) -> bool:
    """A read of the preview's people warning (``impact.policy_warnings`` in ``check``, only when a
    policy's assignments change): groups, users, licences, Cloud PCs, and every policy on beta.
    The provider's own calls all go to the stack's v1.0 policies."""
    return request["method"] == "GET" and not request["path"].startswith("/v1.0" + POLICIES)


def graph_calls(emu: EmulatorProcess) -> list[tuple[str, str]]:
    """The provider's own Graph requests since the last clear (the people warning's reads left
    out), as (method, path after the policies root)."""
    return [(r["method"], r["path"].split(POLICIES, 1)[-1] or "/") for r in emu.requests() if not people_read(r)]


def emulator_policies(emu: EmulatorProcess) -> list[dict[str, Any]]:
    status, body = emu.graph("GET", POLICIES + "?$expand=assignments")
    assert status == 200 and body is not None
    return list(body["value"])


def policy_steps(digest: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in digest["steps"] if s["urn"].split("::")[-2] == TYPE]


def state_policy(project: Project, name: str) -> dict[str, Any]:
    [found] = [r for r in project.resources(TYPE) if r["urn"].endswith("::" + name)]
    return found


def test_lifecycle_diff_and_call_budget(tmp_path: Path, emu: EmulatorProcess) -> None:
    project = new_project(tmp_path, emu, {"engineering": ENGINEERING})

    # create with assignments: POST + assign, after the provider process's one ownership snapshot
    project.up()
    policy = state_policy(project, "engineering")
    pid = policy["id"]
    assert graph_calls(emu) == [SNAPSHOT, ("POST", "/"), ("POST", f"/{pid}/assign")]
    assert [r for r in emu.requests() if not people_read(r)][0]["query"] == "$select=id,displayName"
    assert policy["urn"].endswith("::engineering")
    # declared where the program's line 5 calls ProvisioningPolicy (kit.resource.register), not
    # in this package's constructor; the stack trace keeps that frame only, none of the language
    # host, the SDK or asyncio below it (about 1 kB of each resource's state)
    assert policy["sourcePosition"] == "project:///__main__.py#5"
    assert policy["stackTrace"] == [{"sourcePosition": "project:///__main__.py#5"}]
    assert project.outputs() == {
        "engineering_id": pid,
        "engineering_image": "Windows 11 Enterprise + Microsoft 365 Apps 24H2",  # computed by Graph
    }
    emu.clear_requests()

    # a no-op preview: no changes and no Graph call (check and diff never call Graph)
    quiet = project.preview("--expect-no-changes", "--diff")
    assert "2 unchanged" in quiet.stdout
    assert graph_calls(emu) == []

    # only the description changes: the engine's own diff, and one PATCH
    set_program(project, {"engineering": {**ENGINEERING, "description": "Engineers, all of them"}})
    diff = project.preview("--diff")
    assert '~ description: "Cloud PCs for engineers" => "Engineers, all of them"' in diff.stdout
    [step] = policy_steps(project.preview_json())
    assert step["op"] == "update" and step["diffReasons"] == ["description"]
    assert step["detailedDiff"] == {"description": {"kind": "update", "inputDiff": True}}
    emu.clear_requests()
    project.up()
    assert graph_calls(emu) == [("PATCH", f"/{pid}")]
    emu.clear_requests()
    assert "2 unchanged" in project.preview("--expect-no-changes").stdout
    assert graph_calls(emu) == []

    # destroy: unassign, then DELETE; nothing left
    project.destroy()
    assert graph_calls(emu) == [("POST", f"/{pid}/assign"), ("DELETE", f"/{pid}")]
    assert emulator_policies(emu) == []
    assert project.resources(TYPE) == []


def test_every_changed_property_and_the_reprovision_warning(tmp_path: Path, emu: EmulatorProcess) -> None:
    project = new_project(tmp_path, emu, {"engineering": ENGINEERING})
    project.up()
    changed = {
        **ENGINEERING,
        "display_name": "Engineering EU",
        "image_id": IMAGE_25H2,
        "enable_single_sign_on": True,
        "domain_join_configurations": [{"domain_join_type": "azureADJoin", "region_name": "westeurope"}],
        "assignments": [{"group_id": G2}, {"group_id": G1}],
    }
    set_program(project, {"engineering": changed})
    emu.clear_requests()

    diff = project.preview("--diff")
    out = diff.stdout
    assert '~ display_name              : "Engineering" => "Engineering EU"' in out
    assert f'~ image_id                  : "{IMAGE_24H2}" => "{IMAGE_25H2}"' in out
    assert "+ enable_single_sign_on     : true" in out
    assert '~ region_name: "automatic" => "westeurope"' in out
    assert f'+ [1]: {{\n                  + group_id: "{G2}"' in out  # sorted by group id: G2 is added second
    warning = (
        "warning: provisioning policy 'Engineering EU': the change of region/network (domain_join_configurations), "
        "image (image_id), single sign-on (enable_single_sign_on) applies only to Cloud PCs provisioned from now on; "
        "existing Cloud PCs keep their old settings until they are reprovisioned"
    )
    assert warning in diff.stderr  # a preview shows the dynamic provider's stderr as is

    digest = project.preview_json()
    [step] = policy_steps(digest)
    assert step["op"] == "update"
    assert step["diffReasons"] == [
        "assignments", "display_name", "domain_join_configurations", "enable_single_sign_on", "image_id",
    ]  # fmt: skip
    assert set(step["detailedDiff"]) == {
        "assignments[1]", "display_name", "domain_join_configurations[0].region_name", "enable_single_sign_on", "image_id",
    }  # fmt: skip
    assert any(d["message"].startswith(warning) and d["severity"] == "info#err" for d in digest["diagnostics"])
    assert graph_calls(emu) == []  # previews never call the policies' routes
    assert {r["method"] for r in emu.requests()} == {"GET"}  # the people warning reads (assignments changed)

    up = project.up()
    # `up` lists it under Diagnostics; the engine attributes provider output to the stack
    diagnostics = up.stdout.split("Diagnostics:", 1)[1].split("Outputs:", 1)[0]
    assert warning in diagnostics
    pid = state_policy(project, "engineering")["id"]
    assert graph_calls(emu) == [("PATCH", f"/{pid}"), ("GET", f"/{pid}"), ("POST", f"/{pid}/assign")]
    [policy] = emulator_policies(emu)
    assert policy["displayName"] == "Engineering EU" and policy["imageId"] == IMAGE_25H2
    assert policy["imageDisplayName"] == "Windows 11 Enterprise + Microsoft 365 Apps 25H2"
    assert project.outputs()["engineering_image"] == "Windows 11 Enterprise + Microsoft 365 Apps 25H2"
    assert "2 unchanged" in project.preview("--expect-no-changes").stdout
    project.destroy()


def test_provisioning_type_change_is_a_replacement(tmp_path: Path, emu: EmulatorProcess) -> None:
    project = new_project(tmp_path, emu, {"engineering": ENGINEERING})
    project.up()
    old_id = state_policy(project, "engineering")["id"]
    shared = {**ENGINEERING, "provisioning_type": "shared", "assignments": [{"group_id": G1, "service_plan_id": G2}]}
    set_program(project, {"engineering": shared})

    [step] = policy_steps(project.preview_json())
    assert step["op"] == "replace" and step["replaceReasons"] == ["provisioning_type"]
    assert step["detailedDiff"]["provisioning_type"] == {"kind": "update-replace", "inputDiff": True}
    assert '~ provisioning_type: "dedicated" => "shared"' in project.preview("--diff").stdout

    project.up()
    new_id = state_policy(project, "engineering")["id"]
    assert new_id != old_id
    [policy] = emulator_policies(emu)  # created the new one, then deleted the old (unassigned first)
    assert policy["id"] == new_id and policy["provisioningType"] == "shared"
    project.destroy()


def test_refresh_finds_drift_and_up_repairs_it(tmp_path: Path, emu: EmulatorProcess) -> None:
    project = new_project(tmp_path, emu, {"engineering": ENGINEERING, "finance": {**ENGINEERING, "display_name": "Finance"}})
    project.up()
    pid = state_policy(project, "engineering")["id"]
    # someone edits the policy in the portal: new description, group swapped
    assert emu.graph("PATCH", f"{POLICIES}/{pid}", {"description": "edited in the portal"})[0] == 204
    assert emu.graph("POST", f"{POLICIES}/{pid}/assign", {"assignments": [{"target": {"groupId": G2}}]})[0] == 204
    emu.clear_requests()

    project.refresh()
    calls = graph_calls(emu)
    # the first read is its own GET, the other is served from one list of the policies (issue 17)
    assert sorted(calls) in (sorted([("GET", f"/{one}"), ("GET", "/")]) for one in (pid, state_policy(project, "finance")["id"]))
    assert all(r["query"] == "$expand=assignments" for r in emu.requests())

    diff = project.preview("--diff")
    assert '~ description: "edited in the portal" => "Cloud PCs for engineers"' in diff.stdout
    assert f'~ group_id: "{G2}" => "{G1}"' in diff.stdout
    [update] = [s for s in policy_steps(project.preview_json()) if s["op"] != "same"]
    assert update["urn"].endswith("::engineering")
    assert update["op"] == "update" and update["diffReasons"] == ["assignments", "description"]
    emu.clear_requests()

    project.up()
    assert graph_calls(emu) == [("PATCH", f"/{pid}"), ("POST", f"/{pid}/assign")]
    [policy] = [p for p in emulator_policies(emu) if p["id"] == pid]
    assert policy["description"] == "Cloud PCs for engineers"
    assert [a["target"]["groupId"] for a in policy["assignments"]] == [G1]
    project.refresh()
    assert "3 unchanged" in project.preview("--expect-no-changes").stdout
    project.destroy()


def test_policy_deleted_out_of_band_is_recreated(tmp_path: Path, emu: EmulatorProcess) -> None:
    project = new_project(tmp_path, emu, {"engineering": ENGINEERING})
    project.up()
    old_id = state_policy(project, "engineering")["id"]
    assert emu.graph("POST", f"{POLICIES}/{old_id}/assign", {"assignments": []})[0] == 204
    assert emu.graph("DELETE", f"{POLICIES}/{old_id}")[0] == 204

    project.refresh()
    assert project.resources(TYPE) == []  # read answered 404: gone from state
    [step] = policy_steps(project.preview_json())
    assert step["op"] == "create"
    emu.clear_requests()
    project.up()
    new_id = state_policy(project, "engineering")["id"]
    assert new_id != old_id
    assert graph_calls(emu) == [SNAPSHOT, ("POST", "/"), ("POST", f"/{new_id}/assign")]
    assert [p["id"] for p in emulator_policies(emu)] == [new_id]
    project.destroy()


def test_secrets_reach_neither_state_nor_output(tmp_path: Path, emu: EmulatorProcess) -> None:
    project = new_project(tmp_path, emu, {"engineering": ENGINEERING})
    outputs = [project.preview("--diff"), project.up(), project.preview("--diff"), project.refresh()]

    plain_export = project.export()
    plain = json.dumps(plain_export)
    revealed_export = project.export(show_secrets=True)
    revealed = json.dumps(revealed_export)
    assert TOKEN not in plain and CLIENT_SECRET not in plain
    assert CLIENT_SECRET not in revealed
    holders = [r["type"] for r in revealed_export["deployment"]["resources"] if TOKEN in json.dumps(r)]
    assert holders == ["pulumi:providers:pulumi-python"]  # the engine's copy of stack config for the provider
    [engine_provider] = [r for r in plain_export["deployment"]["resources"] if r["type"] == "pulumi:providers:pulumi-python"]
    stored = engine_provider["inputs"]["w365:graphToken"]
    assert stored["4dabf18193072939515e22adb298388d"] == "1b47061264138c4ac30d75fd1eb44270"  # a secret
    assert "ciphertext" in stored and "plaintext" not in stored

    policy = state_policy(project, "engineering")
    provider_blob = policy["inputs"]["__provider"]
    assert isinstance(provider_blob, str)  # not a secret: there is nothing in it
    raw = base64.b64decode(provider_blob)
    assert TOKEN.encode() not in raw and CLIENT_SECRET.encode() not in raw
    provider = dill.loads(raw)
    assert type(provider).__name__ == "ProvisioningPolicyProvider" and vars(provider) == {}
    assert policy["outputs"]["__provider"] == provider_blob

    for proc in outputs + [project.destroy()]:
        for stream in (proc.stdout, proc.stderr):
            assert TOKEN not in stream and CLIENT_SECRET not in stream


def test_bad_input_fails_preview_and_up_without_any_graph_call(tmp_path: Path, emu: EmulatorProcess) -> None:
    bad = {**ENGINEERING, "display_name": "HR & Finance", "cloud_pc_naming_template": "CPC_%RAND:3%"}
    project = new_project(tmp_path, emu, {"hr": bad})
    for command in (project.preview, project.up):
        with pytest.raises(PulumiFailed) as info:
            command()
        text = info.value.proc.stdout + info.value.proc.stderr
        assert 'property display_name value {HR & Finance} has a problem: must not contain any of < > & | " ^ (found &)' in text
        assert "cloud_pc_naming_template" in text and "may contain only letters, digits and hyphens" in text
    assert graph_calls(emu) == []
    assert emulator_policies(emu) == []


def test_throttling_and_a_dropped_create_under_the_engine(tmp_path: Path, emu: EmulatorProcess) -> None:
    emu.set_faults(
        [
            {"method": "POST", "path": r"/provisioningPolicies$", "status": 429, "retry_after": 0, "times": 2},
            {"method": "POST", "path": r"/provisioningPolicies$", "drop": "after", "times": 1},
        ]
    )
    project = new_project(tmp_path, emu, {"engineering": ENGINEERING})
    project.up()
    pid = state_policy(project, "engineering")["id"]
    assert graph_calls(emu) == [SNAPSHOT] + [("POST", "/")] * 3 + [("GET", "/"), ("POST", f"/{pid}/assign")]
    assert [p["id"] for p in emulator_policies(emu)] == [pid]
    project.destroy()


def test_many_policies_in_parallel_and_adopt(tmp_path: Path, emu: EmulatorProcess) -> None:
    status, existing = emu.graph(
        "POST",
        POLICIES,
        {
            "displayName": "Made in the portal",
            "imageId": IMAGE_24H2,
            "imageType": "gallery",
            "domainJoinConfigurations": [{"domainJoinType": "azureADJoin", "regionName": "automatic"}],
        },
    )
    assert status == 201 and existing is not None
    policies = {f"team{i}": {**ENGINEERING, "display_name": f"Team {i}"} for i in range(6)}
    policies["adopted"] = {**ENGINEERING, "display_name": "Made in the portal", "adopt": True}
    project = new_project(tmp_path, emu, policies)
    emu.clear_requests()
    project.up()
    assert state_policy(project, "adopted")["id"] == existing["id"]  # taken over, not created
    posts = [c for c in graph_calls(emu) if c == ("POST", "/")]
    assert len(posts) == 6
    assert len(emulator_policies(emu)) == 7
    emu.clear_requests()
    assert "8 unchanged" in project.preview("--expect-no-changes").stdout
    assert graph_calls(emu) == []
    project.destroy()
    assert emulator_policies(emu) == []
