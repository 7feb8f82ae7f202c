"""Where the plan comes from (preview digests, stack configs) and how the effect is shown."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.fixtures.report_support import fixture
from w365_provider import report as rpt
from w365_provider.emulator import seed
from w365_provider.impact import build_plan, from_preview, from_stack_config, markdown_section, predict, text_report
from w365_provider.impact.model import ACTIVE, Assignment, CloudPc, Impact, Person, Policy, Tenant
from w365_provider.impact.plan import PlannedPolicy
from w365_provider.impact.render import safe_name
from w365_provider.stack_config import SECTIONS, parse_stack_config

REPO = Path(__file__).resolve().parents[2]
GITHUB_COMMENT_LIMIT = 65_536
PILOT, FINANCE, ENG = (g.lower() for g in (seed.GROUP_PILOT_USERS, seed.GROUP_FINANCE, seed.GROUP_ENGINEERING))


# -- plans from previews -----------------------------------------------------------------------


def test_a_preview_update_names_the_policy_its_groups_and_the_settings_it_changes() -> None:
    [eng] = from_preview(fixture("update"))
    assert (eng.name, eng.display_name, eng.action) == ("engineering", "Engineering", "update")
    assert eng.graph_id == "00000000-0000-4000-8000-000000000002"
    assert eng.assignments == [Assignment(PILOT), Assignment(ENG)]
    assert eng.changed == {"image", "singleSignOn"}


def test_a_preview_replace_and_delete() -> None:
    [finance] = [p for p in from_preview(fixture("replace")) if p.name == "finance"]
    assert (finance.action, finance.provisioning_type) == ("replace", "shared")
    assert finance.assignments == [Assignment(FINANCE, "9ecf691d-8b82-46cb-b254-cd061b2c02fb")]
    [pilot] = from_preview(fixture("delete"))
    assert (pilot.action, pilot.display_name, pilot.assignments) == ("delete", "Pilot users", None)
    assert from_preview(fixture("same")) == []


def test_a_replaced_policy_is_removed_and_created_again_with_all_its_assignments_new() -> None:
    old = Policy("00000000-0000-4000-8000-000000000004", "Finance", "dedicated", [Assignment(FINANCE)], id="x")
    plan = build_plan([old], [p for p in from_preview(fixture("replace")) if p.name == "finance"])
    assert [p.key for p in plan.removed] == [old.key]
    assert [(p.key, p.provisioning_type) for p in plan.policies] == [("new:finance", "shared")]
    assert plan.new_assignments == {("new:finance", FINANCE): 0}


def test_a_group_known_only_after_apply_is_named_not_guessed() -> None:
    digest = {"steps": [{"op": "create", "urn": "urn:pulumi:dev::w365::pulumi-python:dynamic/w365:ProvisioningPolicy::p",
                         "newState": {"type": rpt.POLICY_TYPE, "inputs": {
                             "display_name": "P", "assignments": [{"group_id": rpt.UNKNOWN}, {"group_id": PILOT}]}}}]}  # fmt: skip
    [p] = from_preview(digest)
    assert p.assignments == [Assignment(PILOT)]
    assert p.unknown == ["a group created by this change (its members are known only after apply)"]


# -- plans from stack configs ------------------------------------------------------------------


def test_the_local_stack_config_gives_each_policy_its_seeded_groups() -> None:
    config = yaml.safe_load((REPO / "stacks" / "Pulumi.local.yaml").read_text())["config"]
    stack = parse_stack_config({k: config.get(f"w365:{k}") for k in SECTIONS})  # corp-hybrid names a connection
    planned = {p.name: p for p in from_stack_config(stack)}
    assert set(planned) == {"pilot", "finance", "engineering", "corp-hybrid", "frontline-shared", "reserve"}
    assert planned["engineering"].assignments == [Assignment(ENG), Assignment(PILOT)]
    assert planned["pilot"].display_name == "W365 Pilot"
    assert planned["engineering"].settings["singleSignOn"] is True
    assert "image" not in planned["engineering"].settings  # an image key, not an id: not compared


def test_w365_impact_reads_every_section_of_a_stack_file() -> None:
    """``w365 impact --stack local``: a policy that names a network connection is planned too."""
    import argparse

    from w365_provider.impact.cli import _planned

    args = argparse.Namespace(preview=None, config=None, stack="local", stack_dir=str(REPO / "stacks"))
    planned, config = _planned(args)
    assert "corp-hybrid" in {p.name for p in planned} and "w365:networkConnections" in config


def test_a_stack_policy_matches_graph_by_name_and_only_real_differences_count() -> None:
    current = Policy("id-1", "W365 Pilot", "dedicated", [Assignment(PILOT)], id="id-1",
                     settings={"network": [("azureADJoin", None, "automatic")], "singleSignOn": True, "image": "i"})  # fmt: skip
    same = PlannedPolicy(name="pilot", display_name="W365 Pilot", action="same", assignments=[Assignment(PILOT)],
                         settings={"network": [("azureADJoin", None, "automatic")], "singleSignOn": True})  # fmt: skip
    assert build_plan([current], [same]).actions == {}
    moved = PlannedPolicy(name="pilot", display_name="W365 Pilot", action="same", assignments=[Assignment(FINANCE)],
                          settings={"network": [("azureADJoin", None, "westeurope")], "singleSignOn": True})  # fmt: skip
    plan = build_plan([current], [moved])
    assert plan.actions == {"id-1": "update"}
    assert plan.changed_settings == {"id-1": {"network"}}
    assert plan.new_assignments == {("id-1", FINANCE): 0}


# -- rendering ---------------------------------------------------------------------------------


def _impact(affected: int) -> Impact:
    """``affected`` people get a new Cloud PC, as many again lose one and are unlicensed."""
    people = [Person(f"u{i:04d}", f"Person {i:04d}", f"person{i}@contoso.example", frozenset({"e2"})) for i in range(affected)]
    bare = [Person(f"x{i:04d}", f"Nobody {i:04d}", f"nobody{i}@contoso.example", frozenset()) for i in range(affected)]
    old = [Person(f"o{i:04d}", f"Leaver {i:04d} <leaver{i}@contoso.example>", f"leaver{i}@contoso.example",
                  frozenset({"e2"})) for i in range(affected)]  # fmt: skip
    tenant = Tenant(
        people={p.id: p for p in [*people, *bare, *old]},
        members={"g": [p.id for p in people + bare], "old": [p.id for p in old]},
        enterprise_plans={"e2"},
        policies=[Policy("p1", "Leavers", "dedicated", [Assignment("old")], id="p1")],
        cloud_pcs=[CloudPc(f"pc{p.id}", p.upn, "p1", "Leavers", "e2", ACTIVE) for p in old],
    )
    planned = [PlannedPolicy(name="new", display_name="Joiners", action="create", assignments=[Assignment("g")]),
               PlannedPolicy(name="p1", display_name="Leavers", action="update", graph_id="p1", assignments=[])]  # fmt: skip
    return predict(tenant, build_plan(tenant.policies, planned))


@pytest.mark.parametrize("affected", [0, 1, 500])
def test_the_report_section_fits_a_comment_and_shows_no_addresses(affected: int) -> None:
    impact = _impact(affected)
    section = markdown_section(impact)
    stack = rpt.analyze(fixture("update"), stack="dev")
    stack.people = section
    comment = rpt.render([stack])
    assert len(comment) < GITHUB_COMMENT_LIMIT
    assert "#### Effect on people" in comment and section.strip() in comment
    assert "@" not in section
    row = next(line for line in section.splitlines() if line.startswith("| **Joiners**"))
    assert row == f"| **Joiners** (created) | {2 * affected} | {affected} | {affected} | 0 | 0 | 0 | 0 |"
    leavers = next(line for line in section.splitlines() if line.startswith("| **Leavers**"))
    assert leavers.endswith(f"| 0 | 0 | 0 | 0 | {affected} | 0 |")
    if affected == 0:
        assert "<details>" not in section  # no one to name
    names = re.findall(r"Person \d{4}", section)
    assert len(names) == min(affected, 5)
    if affected > 5:
        assert f"and {affected - 5} more" in section


def test_a_change_that_touches_no_policy_says_so() -> None:
    tenant = Tenant(policies=[Policy("p1", "Same", "dedicated", [Assignment("g")], id="p1")], members={"g": []})
    section = markdown_section(predict(tenant, build_plan(tenant.policies, [])))
    assert "No one's Cloud PC changes." in section and "| Policy |" not in section


def test_the_section_says_what_it_could_not_see_and_still_renders() -> None:
    impact = _impact(1)
    impact.blind_spots.append("the members of group g: not allowed (HTTP 403); grant GroupMember.Read.All")
    section = markdown_section(impact)
    assert "> [!NOTE]" in section and "not allowed (HTTP 403)" in section
    assert "| **Joiners** (created) |" in section
    assert "Not analysed: Graph unreachable" in markdown_section(None, problem="Graph unreachable")


def test_the_text_report_counts_first_and_names_on_request() -> None:
    impact = _impact(3)
    counts = text_report(impact)
    assert "get a new Cloud PC" in counts and "Person 0000" not in counts
    named = text_report(impact, names=True, limit=2)
    assert "Person 0000, Person 0001 and 1 more" in named
    assert "leaver0@contoso.example" not in named and "(address hidden)" in named
    assert impact.requests.line() in named


def test_safe_name_hides_addresses() -> None:
    assert safe_name("Ann <ann@contoso.example>") == "Ann <(address hidden)>"
    assert safe_name("ann@contoso.example") == "(address hidden)"
    assert safe_name("Ann Lee") == "Ann Lee"


def test_json_of_the_cli_has_no_user_principal_names() -> None:
    from w365_provider.impact.cli import _json

    text = json.dumps(_json(_impact(2)))
    assert "@" not in text.replace("(address hidden)", "")
