"""Bring an existing tenant under code, with the real engine: `w365 export` on Graph beta, then
`pulumi up` makes no Graph write, `pulumi preview --expect-no-changes` passes, and changes made
afterwards in the portal (the emulator) show as drift after a refresh.

The tenant is the varied one of tests/fixtures/tenant_seed.py: 29 policies across every license
type (dedicated, shared, and beta's sharedByUser, sharedByEntraGroup with an allotment, reserve)
and every join type, custom and gallery images, Frontline assignments, Azure network connections
(one made through Graph, whose health checks ran and passed; the policies joined through them
name them by key), assigned user settings (one with beta-only settings), the organization
settings, and a failed upload, left out with a comment. The export signs in with the emulator's
read-only token: a write could not even succeed. The domain-join passwords are never exported:
the test sets them as the file's comments say, with `pulumi config set --secret --path`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.e2e.harness import copy_repo_program
from tests.fixtures.tenant_seed import JOIN_PASSWORD, POLICIES, USER_SETTINGS, seed_tenant
from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.export.registry import KINDS

pytestmark = pytest.mark.e2e

W365 = Path(sys.executable).parent / "w365"
READ_ONLY = "read-only-export-token"
WRITES = {"POST", "PATCH", "PUT", "DELETE"}
SECRET_SET = "pulumi config set --secret --path 'w365:networkConnections.{key}.adDomainPassword'"


def _export(stack_dir: Path, graph_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "W365_GRAPH_TOKEN": READ_ONLY}
    argv = [str(W365), "export", "--stack", "tenant", "--stacks-dir", str(stack_dir), "--graph-url", graph_url,
            "--api-version", "beta", *extra]  # fmt: skip
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)


def test_export_then_up_writes_nothing_and_drift_shows(tmp_path: Path) -> None:
    with EmulatorProcess(image_ready_seconds=0.2, read_only_token=READ_ONLY,
                         extra_args=["--health-check-seconds", "0.2"]) as emu:  # fmt: skip
        tenant = seed_tenant(emu)
        policy_ids = {**tenant.policies, **tenant.beta_policies}
        assert len(policy_ids) >= 20
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
        assert all(r["path"].startswith("/beta/") for r in log), log
        # One list (or the singleton's GET) per kind, the gallery and the groups: per kind, not per object.
        assert len(log) == len(KINDS) + 2, [r["path"] for r in log]
        print(f"w365 export of {len(policy_ids)} policies and the rest of the tenant: {len(log)} Graph requests")
        assert f"with {len(log)} Graph requests (GET only)" in done.stderr
        assert f"{len(policy_ids)} policies" in done.stderr and "3 userSettings" in done.stderr, done.stderr
        assert "3 networkConnections" in done.stderr and "1 left out" in done.stderr, done.stderr

        text = stack_file.read_text()
        data = yaml.safe_load(text)
        assert data["encryptionsalt"] == salt  # --force keeps the stack's encryption
        config = data["config"]
        assert sorted(p["adopt"] for p in config["w365:policies"].values()) == sorted(policy_ids.values())
        assert {p["provisioningType"] for p in config["w365:policies"].values()} >= {
            "dedicated", "shared", "sharedByUser", "sharedByEntraGroup", "reserve"}
        settings = config["w365:userSettings"]
        assert sorted(s["adopt"] for s in settings.values()) == sorted(tenant.user_settings.values())
        assert sorted(settings["engineers-local-admin"]["assignments"]) == ["sales-team", "w365-engineering"]
        connections = config["w365:networkConnections"]
        assert connections["branch-hybrid"]["adopt"] == tenant.connection
        assert config["w365:organizationSettings"]["osVersion"] == "windows10"
        branch = [p for p in config["w365:policies"].values() if p["displayName"].startswith("Branch hybrid")]
        assert [p["domainJoinConfigurations"][0]["networkConnection"] for p in branch] == ["branch-hybrid"] * 2
        assert f"objectId: {tenant.groups['Sales Team']} # Sales Team" in text
        assert f"left out: device image 'Broken image' ({tenant.failed_image})" in text
        assert JOIN_PASSWORD not in text and "adDomainPassword:" not in text.replace("# adDomainPassword:", "")
        hybrid = sorted(k for k, c in connections.items() if c["connectionType"] == "hybridAzureADJoin")
        for key in hybrid:
            assert SECRET_SET.format(key=key) in text

        again = _export(stacks, emu.graph_url, "--force")
        assert again.returncode == 0 and stack_file.read_text() == text  # byte-identical
        strict = _export(stacks, emu.graph_url, "--force", "--strict")
        assert strict.returncode == 1 and stack_file.read_text() == text

        project.run("stack", "select", "tenant")
        for key in hybrid:  # what the placeholder comments say
            project.run("config", "set", "--secret", "--path", f"w365:networkConnections.{key}.adDomainPassword",
                        JOIN_PASSWORD)  # fmt: skip
        assert JOIN_PASSWORD not in stack_file.read_text()
        emu.clear_requests()
        up = project.up()
        writes = [(r["method"], r["path"]) for r in emu.requests() if r["method"] in WRITES]
        assert writes == [], writes
        created = 1 + len(policy_ids) + len(tenant.images) + 3 + len(tenant.user_settings) + 1
        assert f"+ {created} created" in up.stdout, up.stdout  # all adopted, the organization settings taken over
        assert JOIN_PASSWORD not in up.stdout + up.stderr
        project.preview("--expect-no-changes")

        # Changes made in the portal afterwards are drift after a refresh.
        some_id = tenant.policies["Dedicated entra-automatic gallery 1"]
        assert emu.graph("PATCH", f"{POLICIES}/{some_id}", {"enableSingleSignOn": True})[0] == 204
        setting_id = tenant.user_settings["Engineers local admin"]
        assert emu.graph("PATCH", f"{USER_SETTINGS}/{setting_id}", {"resetEnabled": False})[0] == 204
        project.refresh()
        drift = project.preview("--expect-no-changes", "--diff", check=False)
        assert drift.returncode != 0
        assert "enable_single_sign_on" in drift.stdout and "reset_enabled" in drift.stdout, drift.stdout
        digest = project.preview_json()
        updates = sorted(s["urn"].rsplit("::", 1)[-1] for s in digest["steps"] if s["op"] == "update")
        assert updates == ["dedicated-entra-automatic-gallery-1", "engineers-local-admin"], updates
