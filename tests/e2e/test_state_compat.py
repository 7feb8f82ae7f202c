"""A stack created by the previous release needs no migration: the real engine creates it with the
previous release's ``w365_provider`` (commit ``PREVIOUS_RELEASE``, taken with ``git archive``
and put first on ``PYTHONPATH``), then the current code refreshes, previews and updates it
without a single change, and destroys it.

What must hold for that: the provider is pickled by reference under its old module name with the
same bytes (``__provider`` is an input the engine diffs), the type tokens, output names, the
``last_applied`` format and the normalized inputs are the same. Never skipped: a commit that
cannot be read (a shallow clone) or a missing engine is a failure.
"""

from __future__ import annotations

import io
import secrets
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import REPO, Project, make_project
from w365_provider.emulator import seed
from w365_provider.emulator.launcher import EmulatorProcess

pytestmark = pytest.mark.e2e

PREVIOUS_RELEASE = "16e6652"
"""The last commit before the resource kit (w365_provider as one module per resource)."""
TOKEN = "e2e-compat-" + secrets.token_hex(8)
POLICY_TYPE = "pulumi-python:dynamic/w365:ProvisioningPolicy"
IMAGE_TYPE = "pulumi-python:dynamic/w365:DeviceImage"
SOURCE = "/subscriptions/0b7e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b/resourceGroups/rg/providers/Microsoft.Compute/images/golden"

PROGRAM = f"""
import pulumi
import w365_provider
from w365_provider import DeviceImage, ProvisioningPolicy

print("w365_provider from " + w365_provider.__file__)
image = DeviceImage("golden", display_name="Golden", version="1.0.0", source_image_resource_id={SOURCE!r})
engineering = ProvisioningPolicy(
    "engineering",
    display_name="Engineering",
    description="Cloud PCs for engineers",
    image_id={seed.GALLERY_WIN11_24H2_M365!r},
    image_type="gallery",
    domain_join_configurations=[{{"domain_join_type": "azureADJoin", "region_name": "westeurope"}}],
    enable_single_sign_on=True,
    windows_setting={{"locale": "de-DE"}},
    cloud_pc_naming_template="ENG-%USERNAME:4%-%RAND:5%",
    microsoft_managed_desktop={{"managed_type": "notManaged"}},
    assignments=[{{"group_id": {seed.GROUP_FINANCE.upper()!r}}}, {{"group_id": {seed.GROUP_PILOT_USERS!r}}}],
)
custom = ProvisioningPolicy(
    "custom",
    display_name="Custom image",
    image_id=image.image_id,
    image_type="custom",
    domain_join_configurations=[{{"domain_join_type": "hybridAzureADJoin",
                                  "on_premises_connection_id": {seed.CONNECTION_HYBRID_WEU!r}}}],
    local_admin_enabled=False,
)
pulumi.export("engineering", engineering.policy_id)
pulumi.export("custom_image", custom.image_display_name)
"""


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(token=TOKEN, image_ready_seconds=0.3) as emu:
        yield emu


def previous_release(into: Path) -> Path:
    """The previous release's ``w365_provider`` package, extracted under ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", PREVIOUS_RELEASE, "w365_provider"],
        capture_output=True, timeout=120,
    )  # fmt: skip
    assert archive.returncode == 0, (
        f"cannot read commit {PREVIOUS_RELEASE} (the release before the resource kit) with git archive: "
        f"{archive.stderr.decode(errors='replace')}; fetch the full history (git fetch --unshallow)"
    )
    into.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    assert (into / "w365_provider" / "provisioning_policy.py").is_file()
    assert not (into / "w365_provider" / "kit").exists()  # the code before the kit
    return into


def snapshot(project: Project) -> list[dict[str, Any]]:
    """The stack's Windows 365 resources as state holds them, by URN (a refresh writes them back
    in the order its parallel reads finish)."""
    keep = ("urn", "id", "inputs", "outputs")
    found = [{k: r.get(k) for k in keep} for r in project.resources() if r["type"] in (POLICY_TYPE, IMAGE_TYPE)]
    return sorted(found, key=lambda r: str(r["urn"]))


def changed(after: list[dict[str, Any]], before: list[dict[str, Any]]) -> dict[str, Any]:
    """What differs between two snapshots, by resource name and property (``{}`` when nothing)."""
    old = {r["urn"].rsplit("::", 1)[-1]: r for r in before}
    out: dict[str, Any] = {}
    for r in after:
        name = r["urn"].rsplit("::", 1)[-1]
        was = old.get(name, {})
        for part in ("id", "inputs", "outputs"):
            a, b = r.get(part), was.get(part)
            if isinstance(a, dict) and isinstance(b, dict):
                out.update({f"{name}.{part}.{k}": (b.get(k), a.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)})
            elif a != b:
                out[f"{name}.{part}"] = (b, a)
    if len(after) != len(before):
        out["count"] = (len(before), len(after))
    return out


def test_a_stack_created_by_the_previous_release_needs_no_migration(tmp_path: Path, emulator: EmulatorProcess) -> None:
    emu = emulator.fresh()
    old_code = previous_release(tmp_path / "previous")
    project = make_project(
        tmp_path, PROGRAM,
        config={"w365:graphUrl": emu.graph_url, "w365:retryMinDelaySeconds": "0.05", "w365:retryMaxDelaySeconds": "0.5"},
        secrets={"w365:graphToken": TOKEN},
    )  # fmt: skip

    project.env["PYTHONPATH"] = str(old_code)
    created = project.up()
    assert f"w365_provider from {old_code}" in created.stdout + created.stderr  # the previous release ran
    assert not any("$select" in r["query"] for r in emu.requests())  # its provider too: no ownership snapshot
    before = snapshot(project)
    assert len(before) == 3 and all(r["outputs"].get("__provider") for r in before)
    policy_ids = sorted(r["id"] for r in before if "ProvisioningPolicy" in r["urn"])
    emu.clear_requests()

    del project.env["PYTHONPATH"]
    preview = project.preview("--expect-no-changes", "--diff")
    assert f"w365_provider from {REPO}" in preview.stdout + preview.stderr  # the current code
    assert "4 unchanged" in preview.stdout
    assert emu.requests() == []

    project.refresh("--expect-no-changes")
    assert changed(snapshot(project), before) == {}  # the same outputs, last_applied and inputs, read back by the new code
    read = sorted(r["path"].rsplit("/", 1)[-1] for r in emu.requests() if "provisioningPolicies" in r["path"])
    # the first policy read by its own GET, the other from one list of the policies (issue 17)
    assert read in (sorted([one, "provisioningPolicies"]) for one in policy_ids)
    emu.clear_requests()

    project.up("--expect-no-changes")
    assert [r for r in emu.requests() if r["method"] != "GET"] == []  # no write at all
    assert changed(snapshot(project), before) == {}

    project.destroy()
    status, body = emu.graph("GET", "/deviceManagement/virtualEndpoint/provisioningPolicies")
    assert status == 200 and body is not None and body["value"] == []
