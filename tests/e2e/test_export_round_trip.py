"""Bring an existing tenant under code, with the real engine: `w365 export`, then `pulumi up`
makes no Graph write, `pulumi preview --expect-no-changes` passes, and a change made afterwards
in the portal (the emulator) shows as drift after a refresh.

The tenant is the varied one of tests/fixtures/tenant_seed.py (24 policies across both license
types and every join type, custom and gallery images, Frontline assignments, a failed upload
and a beta-only policy, both left out with a comment). The export signs in with the emulator's
read-only token: a write could not even succeed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.e2e.harness import copy_repo_program
from tests.fixtures.tenant_seed import POLICIES, seed_tenant
from w365_provider.emulator.launcher import EmulatorProcess

pytestmark = pytest.mark.e2e

W365 = Path(sys.executable).parent / "w365"
READ_ONLY = "read-only-export-token"
WRITES = {"POST", "PATCH", "PUT", "DELETE"}


def _export(stack_dir: Path, graph_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "W365_GRAPH_TOKEN": READ_ONLY}
    argv = [str(W365), "export", "--stack", "tenant", "--stacks-dir", str(stack_dir), "--graph-url", graph_url, *extra]
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)


def test_export_then_up_writes_nothing_and_drift_shows(tmp_path: Path) -> None:
    with EmulatorProcess(image_ready_seconds=0.2, read_only_token=READ_ONLY) as emu:
        tenant = seed_tenant(emu)
        project = copy_repo_program(tmp_path, stack="tenant", env={"W365_GRAPH_TOKEN": emu.token})
        stacks = project.dir / "stacks"
        stack_file = stacks / "Pulumi.tenant.yaml"
        salt = yaml.safe_load(stack_file.read_text())["encryptionsalt"]

        refused = _export(stacks, emu.graph_url)
        assert refused.returncode == 2 and "--force" in refused.stderr, refused.stderr

        emu.clear_requests()
        done = _export(stacks, emu.graph_url, "--force")
        assert done.returncode == 0, done.stderr
        log = emu.requests()
        assert {r["method"] for r in log} == {"GET"}
        assert len(log) == 4  # images, policies ($expand=assignments), the gallery, groups: per kind, not per object
        assert f"with {len(log)} Graph requests (GET only)" in done.stderr
        assert "24 policies" in done.stderr and "2 left out" in done.stderr

        text = stack_file.read_text()
        data = yaml.safe_load(text)
        assert data["encryptionsalt"] == salt  # --force keeps the stack's encryption
        config = data["config"]
        assert sorted(p["adopt"] for p in config["w365:policies"].values()) == sorted(tenant.policies.values())
        assert f"objectId: {tenant.groups['Sales Team']} # Sales Team" in text
        assert f"left out: provisioning policy 'Shared by group (beta)' ({tenant.beta_policy})" in text
        assert f"left out: device image 'Broken image' ({tenant.failed_image})" in text

        again = _export(stacks, emu.graph_url, "--force")
        assert again.returncode == 0 and stack_file.read_text() == text  # byte-identical
        strict = _export(stacks, emu.graph_url, "--force", "--strict")
        assert strict.returncode == 1 and stack_file.read_text() == text

        emu.clear_requests()
        project.run("stack", "select", "tenant")
        up = project.up()
        writes = [(r["method"], r["path"]) for r in emu.requests() if r["method"] in WRITES]
        assert writes == [], writes
        assert "+ 27 created" in up.stdout, up.stdout  # the stack, 24 policies, 2 custom images: all adopted
        project.preview("--expect-no-changes")

        # A change made in the portal afterwards is drift after a refresh.
        some_id = tenant.policies["Dedicated entra-automatic gallery 1"]
        assert emu.graph("PATCH", f"{POLICIES}/{some_id}", {"enableSingleSignOn": True})[0] == 204
        project.refresh()
        drift = project.preview("--expect-no-changes", "--diff", check=False)
        assert drift.returncode != 0
        assert "enable_single_sign_on" in drift.stdout, drift.stdout
        digest = project.preview_json()
        updates = [s["urn"].rsplit("::", 1)[-1] for s in digest["steps"] if s["op"] == "update"]
        assert updates == ["dedicated-entra-automatic-gallery-1"], updates
