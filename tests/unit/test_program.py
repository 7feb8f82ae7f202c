"""The program (``__main__.py``) under ``pulumi.runtime.set_mocks``: what it declares from stack config.

Mocks stand in for the engine: no provider method runs. The gallery lookup is served from the
emulator's seeded catalogue instead of Graph.
"""

from __future__ import annotations

import asyncio
import json
import runpy
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from w365_provider.emulator import seed

REPO = Path(__file__).resolve().parents[2]
MAIN = str(REPO / "__main__.py")
GROUP = "azuread:index/group:Group"
POLICY = "pulumi-python:dynamic/w365:ProvisioningPolicy"
IMAGE = "pulumi-python:dynamic/w365:DeviceImage"
NEWEST_M365 = "MicrosoftWindowsDesktop_windows-ent-cpc_win11-25h2-ent-cpc-m365"
G1 = seed.GROUP_PILOT_USERS
SOURCE = "/subscriptions/0b7e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b/resourceGroups/rg/providers/Microsoft.Compute/images/golden"


def object_id(name: str) -> str:
    """The object id the mocked Entra gives group ``name`` (not its resource id)."""
    return f"0b1ec7{abs(hash(name)) % 10**6:06d}-0000-4000-8000-000000000000"[:36]


class Mocks(pulumi.runtime.Mocks):
    """Records each registration; answers with what the real providers would compute."""

    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.registered.append(args)
        inputs = {k: v for k, v in args.inputs.items() if k != "__provider"}
        if args.typ == GROUP:
            return f"/groups/{object_id(args.name)}", {**inputs, "objectId": object_id(args.name)}
        if args.typ == IMAGE:
            return f"image-{args.name}", {**inputs, "image_id": f"image-{args.name}", "status": "ready"}
        if args.typ == POLICY:
            return f"policy-{args.name}", {**inputs, "policy_id": f"policy-{args.name}"}
        if args.typ.endswith(":NetworkConnection"):
            return f"{args.name}-id", {**inputs, "connection_id": f"{args.name}-id"}
        return f"{args.name}-id", inputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None

    def of(self, typ: str) -> dict[str, dict[str, Any]]:
        return {r.name: r.inputs for r in self.registered if r.typ == typ}


@pytest.fixture(autouse=True)
def gallery(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Serve the gallery lookup from the seeded catalogue; records each lookup."""
    lookups: list[Any] = []

    def fake(settings: Any = None) -> list[dict[str, Any]]:
        lookups.append(settings)
        return [dict(i) for i in seed.GALLERY_IMAGES]

    monkeypatch.setattr("w365_provider.gallery.list_gallery_images", fake)
    return lookups


EXPORTED: dict[str, Any] = {}
"""What the program passed to ``pulumi.export`` in the current run (unresolved)."""


@pytest.fixture(autouse=True)
def record_exports(monkeypatch: pytest.MonkeyPatch) -> None:
    real = pulumi.export

    def export(name: str, value: Any) -> None:
        EXPORTED[name] = value
        real(name, value)

    monkeypatch.setattr(pulumi, "export", export)


def run(config: dict[str, Any], *, preview: bool = False) -> tuple[Mocks, dict[str, Any]]:
    """Run the program with ``config`` (keys without the ``w365:`` prefix); returns the mocks and
    the stack outputs, resolved."""
    mocks = Mocks()
    asyncio.set_event_loop(asyncio.new_event_loop())  # the mocks run on the thread's current loop
    pulumi.runtime.set_mocks(mocks, project="w365", stack="unit", preview=preview)
    pulumi.runtime.set_all_config({f"w365:{k}": json.dumps(v) for k, v in config.items()})
    EXPORTED.clear()
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> Any:
        runpy.run_path(MAIN, run_name="__main__")
        return pulumi.Output.from_input(dict(EXPORTED)).apply(outputs.update)

    program()
    return mocks, outputs


def stack(name: str) -> dict[str, Any]:
    data = yaml.safe_load((REPO / "stacks" / f"Pulumi.{name}.yaml").read_text())["config"]
    return {k.split(":", 1)[1]: v for k, v in data.items() if k.startswith("w365:")}


def config(**policy: Any) -> dict[str, Any]:
    entry = {
        "displayName": "Pilot",
        "image": "win11",
        "domainJoinConfigurations": [{"domainJoinType": "azureADJoin", "regionName": "automatic"}],
        **policy,
    }
    return {
        "groups": {"pilot": {"objectId": G1}, "finance": {"displayName": "W365 Finance", "description": "Finance"}},
        "images": {"win11": {"type": "gallery", "publisher": "MicrosoftWindowsDesktop", "offer": "windows-ent-cpc",
                             "sku": "win11-*-ent-cpc-m365"}},
        "policies": {"pilot": entry},
    }  # fmt: skip


# -- the azuread wiring ----------------------------------------------------------------------


def test_assignments_take_the_created_groups_object_id() -> None:
    mocks, outputs = run(config(assignments=["finance", "pilot"]))
    groups = mocks.of(GROUP)
    assert list(groups) == ["finance"]  # the referenced group is not created
    assert groups["finance"]["displayName"] == "W365 Finance"
    assert groups["finance"]["description"] == "Finance"
    assert groups["finance"]["securityEnabled"] is True
    assert groups["finance"]["preventDuplicateNames"] is True
    policy = mocks.of(POLICY)["pilot"]
    assert policy["assignments"] == [{"group_id": object_id("finance")}, {"group_id": G1}]
    assert outputs["groups"] == {"pilot": G1, "finance": object_id("finance")}
    assert outputs["groupNames"] == {object_id("finance"): "W365 Finance"}  # what `w365 report` names groups by


def test_owners_members_and_service_plans_are_passed_on() -> None:
    raw = config(provisioningType="shared", assignments=[{"group": "finance", "servicePlanId": G1}])
    raw["groups"]["finance"].update(owners=[G1], members=[G1])
    mocks, _ = run(raw)
    group = mocks.of(GROUP)["finance"]
    assert group["owners"] == [G1] and group["members"] == [G1]
    policy = mocks.of(POLICY)["pilot"]
    assert policy["assignments"] == [{"group_id": object_id("finance"), "service_plan_id": G1}]
    assert policy["provisioning_type"] == "shared"


def test_assignments_unmanaged_or_emptied() -> None:
    mocks, _ = run(config())
    assert "assignments" not in mocks.of(POLICY)["pilot"]  # None: not managed
    mocks, _ = run(config(assignments=[]))
    assert mocks.of(POLICY)["pilot"]["assignments"] == []  # removes every assignment


# -- images ----------------------------------------------------------------------------------


def test_gallery_image_is_the_newest_supported_match(gallery: list[Any]) -> None:
    mocks, outputs = run(config())
    policy = mocks.of(POLICY)["pilot"]
    assert policy["image_type"] == "gallery"
    assert policy["image_id"] == NEWEST_M365
    assert policy["image_display_name"] == "Windows 11 Enterprise + Microsoft 365 Apps 25H2"
    assert outputs["images"]["win11"] == {
        "type": "gallery", "id": NEWEST_M365, "displayName": "Windows 11 Enterprise + Microsoft 365 Apps 25H2",
    }  # fmt: skip
    assert len(gallery) == 1
    assert mocks.of(IMAGE) == {}


def test_custom_image_is_a_device_image_the_policy_refers_to() -> None:
    raw = config(image="golden")
    raw["images"]["golden"] = {"type": "custom", "displayName": "Golden", "version": "1.2.3", "sourceImageResourceId": SOURCE}
    mocks, outputs = run(raw)
    image = mocks.of(IMAGE)["golden"]
    assert image["display_name"] == "Golden"
    assert image["version"] == "1.2.3"
    assert image["source_image_resource_id"] == SOURCE
    policy = mocks.of(POLICY)["pilot"]
    assert (policy["image_type"], policy["image_id"], policy["image_display_name"]) == ("custom", "image-golden", "Golden")
    assert outputs["images"]["golden"] == {"type": "custom", "id": "image-golden", "displayName": "Golden"}


def test_policy_settings_reach_the_resource() -> None:
    raw = config(
        description="d", enableSingleSignOn=True, localAdminEnabled=False, cloudPcNamingTemplate="CPC-%RAND:5%",
        windowsSetting={"locale": "en-GB"}, adopt=True,
    )  # fmt: skip
    mocks, outputs = run(raw)
    policy = mocks.of(POLICY)["pilot"]
    assert policy["display_name"] == "Pilot"
    assert policy["description"] == "d"
    assert policy["enable_single_sign_on"] is True
    assert policy["local_admin_enabled"] is False
    assert policy["cloud_pc_naming_template"] == "CPC-%RAND:5%"
    assert policy["windows_setting"] == {"locale": "en-GB"}
    assert policy["adopt"] is True
    assert policy["domain_join_configurations"] == [{"domain_join_type": "azureADJoin", "region_name": "automatic"}]
    assert policy["provisioning_type"] == "dedicated"
    assert outputs["policies"] == {"pilot": {"id": "policy-pilot", "displayName": "Pilot"}}


# -- the committed stacks --------------------------------------------------------------------


def test_local_stack_declares_no_entra_group() -> None:
    mocks, outputs = run(stack("local"))
    assert mocks.of(GROUP) == {}
    policies = mocks.of(POLICY)
    assert set(policies) == {"pilot", "finance", "engineering", "corp-hybrid", "frontline-shared", "reserve"}
    assert policies["finance"]["image_id"] == "image-finance-golden"
    assert policies["engineering"]["assignments"] == [
        {"group_id": seed.GROUP_ENGINEERING}, {"group_id": seed.GROUP_PILOT_USERS},
    ]  # fmt: skip
    shared = policies["frontline-shared"]
    assert shared["provisioning_type"] == "sharedByEntraGroup" and policies["reserve"]["provisioning_type"] == "reserve"
    [allotment] = shared["assignments"]
    assert allotment["group_id"] == seed.GROUP_FINANCE
    assert (allotment["allotment_display_name"], allotment["allotment_licenses_count"]) == ("Finance shifts", 5)
    assert set(outputs["policies"]) == {"pilot", "finance", "engineering", "corp-hybrid", "frontline-shared", "reserve"}


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_tenant_stacks_create_groups_and_assign_their_object_ids(name: str) -> None:
    raw = stack(name)
    mocks, _ = run(raw)
    created = {key for key, g in raw["groups"].items() if "displayName" in g}
    assert set(mocks.of(GROUP)) == created
    for key, policy in mocks.of(POLICY).items():
        wanted = []
        for entry in raw["policies"][key].get("assignments", []):
            group = entry if isinstance(entry, str) else entry["group"]
            spec = raw["groups"][group]
            wanted.append({"group_id": object_id(group) if group in created else spec["objectId"]})
        assert [{"group_id": a["group_id"]} for a in policy["assignments"]] == wanted, key


# -- errors ----------------------------------------------------------------------------------


def test_a_config_problem_fails_without_a_traceback() -> None:
    with pytest.raises(pulumi.RunError) as info:
        run(config(image="win12"))
    assert "w365:policies.pilot.image: 'win12' is not a key of w365:images (known: win11)" in str(info.value)


def test_no_matching_gallery_image_fails_clearly() -> None:
    raw = config()
    raw["images"]["win11"]["sku"] = "win12-*"
    with pytest.raises(pulumi.RunError, match="no supported Windows 365 gallery image matches .* sku 'win12-\\*'"):
        run(raw)


def test_preview_declares_the_same_resources() -> None:
    raw = config(image="golden", assignments=["finance"])
    raw["images"]["golden"] = {"type": "custom", "displayName": "Golden", "version": "1.0.0", "sourceImageResourceId": SOURCE}
    mocks, _ = run(raw, preview=True)
    # registrations run concurrently, so their order is not the program's: compare the sets
    assert sorted((r.typ, r.name) for r in mocks.registered) == sorted(
        [(GROUP, "finance"), (IMAGE, "golden"), (POLICY, "pilot")]
    )
