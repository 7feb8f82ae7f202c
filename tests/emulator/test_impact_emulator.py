"""The impact analysis against the emulator: its prediction is what the emulator then does, user by
user; its Graph cost follows groups and pages; refused reads become blind spots; the CLI and the
preview warning."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from tests import impact_scenario as scenario
from tests.emulator.emulator_support import POLICIES, list_all, policy_body

from w365_provider.emulator import EmulatorProcess, seed
from w365_provider.emulator import people_seed as ps
from w365_provider.impact import analyze, markdown_section, policy_warnings
from w365_provider.impact.model import Assignment
from w365_provider.impact.plan import PlannedPolicy
from w365_provider.settings import Settings

W365 = Path(sys.executable).parent / "w365"
PILOT, FINANCE, ENG = seed.GROUP_PILOT_USERS, seed.GROUP_FINANCE, seed.GROUP_ENGINEERING


def settings_for(emu: EmulatorProcess) -> Settings:
    return Settings.from_mapping({"graphUrl": emu.graph_url, "graphToken": emu.token}, {})


def make_policy(emu: EmulatorProcess, name: str, *groups: str) -> str:
    status, created = emu.graph("POST", POLICIES, policy_body(displayName=name))
    assert status == 201 and created is not None
    targets = [{"target": {"groupId": g}} for g in groups]
    assert emu.graph("POST", f"{POLICIES}/{created['id']}/assign", {"assignments": targets})[0] == 204
    return str(created["id"])


def test_on_500_people_in_20_nested_groups_and_8_policies_the_prediction_is_what_happens(emu: EmulatorProcess) -> None:
    ids = scenario.baseline(emu, users=500, groups=20)
    steps = scenario.change(ids)
    pcs_before = len(list_all(emu, "/deviceManagement/virtualEndpoint/cloudPCs", version="beta"))
    emu.clear_requests()
    impact = analyze(settings_for(emu), [s.planned for s in steps])
    logged = emu.requests()
    scenario.apply(emu, ids, steps)
    outcome, pools = scenario.emulator_outcome(emu)

    people = set(outcome) | set(impact.outcome)
    assert len(people) > 300
    wrong = {u: (impact.outcome.get(u), outcome.get(u)) for u in people if impact.outcome.get(u) != outcome.get(u)}
    assert wrong == {}
    assert impact.pools == pools and sum(pools.values()) == 4
    assert impact.blind_spots == []
    # Every kind of effect occurs in this change, so each rule was exercised.
    kinds = {k for e in impact.policies for k in ("new", "unlicensed", "shadowed", "loses", "waiting", "no_capacity")
             if getattr(e, k)}  # fmt: skip
    assert kinds == {"new", "unlicensed", "shadowed", "loses", "waiting", "no_capacity"}

    # Cost: one request per page; one page per group (under 999 members each), Cloud PCs in pages
    # of 999, and four single requests (policies, Frontline plans, service plans, SKUs).
    groups = {t["groupId"].lower() for s in scenario.SPECS for t in s.baseline} | {
        a.group_id for s in steps for a in (s.planned.assignments or [])}
    print(f"\n500 users, 20 groups, 8 policies: {impact.requests.line()}")
    assert impact.requests.groups == len(groups)
    assert impact.requests.total == impact.requests.pages == len(logged)
    member_calls = [r for r in logged if "/transitiveMembers/" in r["path"]]
    pc_calls = [r for r in logged if r["path"].endswith("/cloudPCs")]
    assert len(member_calls) == len(groups)
    assert len(pc_calls) == math.ceil(pcs_before / 999) == 1
    assert len(logged) == len(groups) + len(pc_calls) + 4


def test_the_cost_grows_with_pages_not_with_people(emulator_process: EmulatorProcess) -> None:
    costs = {}
    for users in (250, 1500):
        emu = emulator_process.fresh()
        ids = scenario.baseline(emu, users=users, groups=20)
        impact = analyze(settings_for(emu), [s.planned for s in scenario.change(ids)])
        costs[users] = impact.requests
    small, large = costs[250], costs[1500]
    assert small.groups == large.groups
    assert large.total - small.total < (1500 - 250) / 100  # six times the people: a few more pages
    assert large.total < 1500 / 20


def test_without_permission_the_analysis_says_what_it_could_not_see(emu: EmulatorProcess) -> None:
    pid = make_policy(emu, "Finance", FINANCE)
    emu.set_faults([{"method": "GET", "path": "transitiveMembers", "status": 403},
                    {"method": "GET", "path": "subscribedSkus", "status": 403}])  # fmt: skip
    planned = PlannedPolicy(name="finance", display_name="Finance", action="update", graph_id=pid,
                            assignments=[Assignment(FINANCE.lower()), Assignment(PILOT.lower())])  # fmt: skip
    impact = analyze(settings_for(emu), [planned])
    assert any("members of group" in b and "HTTP 403" in b and "GroupMember.Read.All" in b for b in impact.blind_spots)
    assert any("licences bought" in b and "LicenseAssignment.Read.All" in b for b in impact.blind_spots)
    assert impact.requests.denied == 3
    [finance] = impact.policies
    assert finance.action == "update" and finance.members == 0
    section = markdown_section(impact)
    assert "| **Finance** (updated) |" in section and "> [!NOTE]" in section


def test_without_cloud_pc_permissions_it_says_so_and_counts_what_it_can(emu: EmulatorProcess) -> None:
    pid = make_policy(emu, "Finance", FINANCE)
    emu.set_faults([{"method": "GET", "path": "cloudPCs|servicePlans|frontLineServicePlans", "status": 403}])
    planned = PlannedPolicy(name="finance", display_name="Finance", action="update", graph_id=pid, assignments=[])
    impact = analyze(settings_for(emu), [planned])
    refused = {b.split(":")[0] for b in impact.blind_spots}
    assert refused == {"Cloud PCs", "Cloud PCs (v1.0)", "Cloud PC service plans", "Frontline service plans"}
    assert all("CloudPC.Read.All" in b for b in impact.blind_spots)
    [finance] = impact.policies
    assert (finance.action, finance.loses) == ("update", [])  # Cloud PCs unseen: no loss claimed


def test_without_graph_at_all_the_analysis_still_answers(tmp_path: Path) -> None:
    settings = Settings.from_mapping({"graphUrl": "http://127.0.0.1:9/v1.0", "graphToken": "t",
                                      "retryMaxAttempts": 1, "timeoutSeconds": 2}, {})  # fmt: skip
    impact = analyze(settings, [PlannedPolicy(name="p", display_name="P", action="create", assignments=[Assignment("g")])])
    assert impact.blind_spots and all("could not be read" in b for b in impact.blind_spots)
    assert [e.action for e in impact.policies] == ["create"]


def test_the_preview_warning_names_unlicensed_and_covered_members(emu: EmulatorProcess) -> None:
    make_policy(emu, "Pilot", PILOT)
    make_policy(emu, "Engineering", ENG)
    olds = {"display_name": "Engineering", "assignments": [{"group_id": ENG}]}
    news = {"display_name": "Engineering", "assignments": [{"group_id": ENG}, {"group_id": FINANCE}]}
    [line] = policy_warnings(settings_for(emu), olds, news)
    assert line == (
        "warning: provisioning policy 'Engineering': 2 assigned member(s) have no Cloud PC licence; 2 are already "
        "covered by an earlier-assigned policy ('Pilot') and get nothing from this one (see `w365 impact`)"
    )
    emu.clear_requests()
    assert policy_warnings(settings_for(emu), olds, {**news, "assignments": olds["assignments"]}) == []
    assert emu.requests() == []  # unchanged assignments: no Graph request at all


def test_the_preview_warning_is_silent_when_everyone_gets_a_cloud_pc_and_never_raises(emu: EmulatorProcess) -> None:
    news = {"display_name": "Fresh", "assignments": [{"group_id": FINANCE}]}
    emu.set_people({"users": [{"id": ps.JOHANNA, "assignedLicenses": [{"skuId": ps.E4}]}]}, patch=True)
    assert policy_warnings(settings_for(emu), {}, news) == []
    broken = Settings.from_mapping({"graphUrl": "http://127.0.0.1:9/v1.0", "graphToken": "t", "retryMaxAttempts": 1}, {})
    assert policy_warnings(broken, {}, news, deadline_seconds=2) == []


def _run(*args: str, emu: EmulatorProcess, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("W365_")}, "W365_GRAPH_TOKEN": emu.token}
    return subprocess.run([str(W365), *args], capture_output=True, text=True, timeout=120, env=env, cwd=cwd)


def test_w365_impact_for_a_stack_config_prints_counts_and_names_on_request(emu: EmulatorProcess, tmp_path: Path) -> None:
    make_policy(emu, "W365 Pilot", PILOT)
    config = {"config": {
        "w365:graphUrl": emu.graph_url,
        "w365:groups": {"pilot": {"objectId": PILOT}, "finance": {"objectId": FINANCE}},
        "w365:images": {"win11": {"type": "gallery", "publisher": "P", "offer": "O", "sku": "S"}},
        "w365:policies": {"pilot": {"displayName": "W365 Pilot", "image": "win11",
                                    "domainJoinConfigurations": [{"domainJoinType": "azureADJoin", "regionName": "westeurope"}],
                                    "assignments": ["pilot", "finance"]}},
    }}  # fmt: skip
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text(yaml.safe_dump(config))
    proc = _run("impact", "--stack", "dev", emu=emu, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "W365 Pilot (Enterprise, updated)"
    assert any(line.split() == ["get", "a", "new", "Cloud", "PC", "1"] for line in lines)  # Diego
    assert "Diego" not in proc.stdout and "@" not in proc.stdout
    assert re.fullmatch(r"7 Graph requests \(2 groups, 7 pages\)", lines[-1])
    named = _run("impact", "--config", str(tmp_path / "stacks" / "Pulumi.dev.yaml"), "--names", emu=emu)
    assert "Diego Siciliani" in named.stdout and "Johanna Lorenz" in named.stdout
    as_json = json.loads(_run("impact", "--stack", "dev", "--json", emu=emu, cwd=tmp_path).stdout)
    [pilot] = [p for p in as_json["policies"] if p["display_name"] == "W365 Pilot"]
    assert [as_json["names"][u] for u in pilot["new"]] == ["Diego Siciliani"]
    assert [as_json["names"][u] for u in pilot["unlicensed"]] == ["Johanna Lorenz", "Megan Bowen"]
    bad = _run("impact", "--stack", "nope", emu=emu, cwd=tmp_path)
    assert bad.returncode == 2 and "Pulumi.nope.yaml" in bad.stderr


def test_w365_report_people_adds_the_section_from_a_preview(emu: EmulatorProcess, tmp_path: Path) -> None:
    pid = make_policy(emu, "Engineering", ENG)
    urn = "urn:pulumi:dev::w365::pulumi-python:dynamic/w365:ProvisioningPolicy::engineering"
    inputs = {"display_name": "Engineering", "assignments": [{"group_id": ENG}]}
    digest: dict[str, Any] = {"steps": [{"op": "update", "urn": urn, "oldState": {"id": pid, "type": "pulumi-python:dynamic/w365:ProvisioningPolicy", "inputs": inputs},
                                         "newState": {"id": pid, "type": "pulumi-python:dynamic/w365:ProvisioningPolicy",
                                                      "inputs": {**inputs, "assignments": [{"group_id": ENG}, {"group_id": FINANCE}]}}}]}  # fmt: skip
    (tmp_path / "dev.json").write_text(json.dumps(digest))
    proc = _run("report", "--people", "--graph-url", emu.graph_url, str(tmp_path / "dev.json"), emu=emu)
    assert proc.returncode == 0, proc.stderr
    assert "#### Effect on people" in proc.stdout
    # Diego and Isaiah get one; Johanna and Pradeep have no licence; Alex, Lee, Nestor, Patti keep theirs.
    assert "| **Engineering** (updated) | 8 | 2 | 2 | 0 | 0 | 0 | 0 |" in proc.stdout
    assert "@" not in proc.stdout
    plain = _run("report", str(tmp_path / "dev.json"), emu=emu)
    assert "Effect on people" not in plain.stdout
