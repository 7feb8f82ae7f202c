"""The recovery after a killed ``pulumi up``: deciding each interrupted create, editing the
exported state, finding stale locks. The whole flow with the engine is in
tests/e2e/test_reliability_engine.py."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from w365_provider import recovery
from w365_provider.emulator import seed
from w365_provider.provisioning_policy import policy_to_graph

POLICY = recovery.POLICY_TYPE
URN = "urn:pulumi:dev::w365::" + POLICY + "::"
PROVIDER = "urn:pulumi:dev::w365::pulumi:providers:pulumi-python::default::uuid-1"


def inputs(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "__provider": "blob",
        "display_name": name,
        "image_id": seed.GALLERY_WIN11_24H2_M365,
        "image_type": "gallery",
        "domain_join_configurations": [{"domain_join_type": "azureADJoin", "region_name": "automatic"}],
        "adopt": False,
        "local_admin_enabled": False,
        **extra,
    }


def graph_policy(object_id: str, name: str, **extra: Any) -> dict[str, Any]:
    props = {k: v for k, v in inputs(name, **extra).items() if k not in ("__provider", "adopt")}
    return {"id": object_id, **policy_to_graph(props, list(props))}


def pending(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "creating",
        "resource": {"urn": URN + name, "custom": True, "type": POLICY, "inputs": inputs(name.title(), **extra),
                     "provider": PROVIDER, "parent": "urn:stack", "stackTrace": [{}], "sourcePosition": "x"},
    }  # fmt: skip


def deployment(*ops: dict[str, Any], owned: tuple[str, ...] = ()) -> dict[str, Any]:
    resources = [{"urn": URN + f"owned{i}", "type": POLICY, "id": oid, "custom": True} for i, oid in enumerate(owned)]
    return {"resources": resources, "pending_operations": list(ops)}


def test_a_create_that_reached_graph_is_kept_and_one_that_did_not_is_dropped() -> None:
    dep = deployment(pending("sales"), pending("hr"), owned=("p-old",))
    listed = [graph_policy("p-old", "Sales"), graph_policy("p-new", "Sales"), graph_policy("p-other", "Finance")]
    calls: list[str] = []

    def graph_objects(kind: recovery.Kind) -> list[dict[str, Any]]:
        calls.append(kind.type)
        return listed

    plan = recovery.plan_recovery(dep, graph_objects)
    assert plan.imports == {URN + "sales": "p-new"}  # p-old belongs to a resource of the stack
    assert plan.drops == [URN + "hr"]
    assert plan.decided and calls == [POLICY]  # one listing per kind


def test_a_policy_that_differs_from_the_pending_inputs_is_not_taken() -> None:
    dep = deployment(pending("sales", description="ours"))
    listed = [graph_policy("p-1", "Sales", description="someone else's"), graph_policy("p-2", "Sales ")]
    plan = recovery.plan_recovery(dep, lambda kind: listed)
    assert plan.imports == {} and plan.drops == [URN + "sales"]


def test_several_matches_are_left_to_the_user_unless_chosen() -> None:
    dep = deployment(pending("sales"))
    listed = [graph_policy("p-1", "Sales"), graph_policy("p-2", "Sales")]
    plan = recovery.plan_recovery(dep, lambda kind: listed)
    assert plan.choices == {URN + "sales": ["p-1", "p-2"]} and not plan.decided
    chosen = recovery.plan_recovery(dep, lambda kind: listed, {URN + "sales": "p-2"})
    assert chosen.imports == {URN + "sales": "p-2"} and chosen.decided


def test_two_identical_pending_creates_do_not_share_one_object() -> None:
    dep = deployment(pending("a"), pending("b"))
    dep["pending_operations"][1]["resource"]["inputs"] = inputs("A")
    plan = recovery.plan_recovery(dep, lambda kind: [graph_policy("p-1", "A")])
    assert plan.imports == {URN + "a": "p-1"} and plan.drops == [URN + "b"]


def test_pending_creates_of_other_providers_are_not_decided() -> None:
    other = {"type": "creating", "resource": {"urn": "urn:group", "type": "azuread:index/group:Group", "inputs": {}}}
    plan = recovery.plan_recovery(deployment(other), lambda kind: [])
    assert plan.foreign == ["urn:group"] and not plan.decided


def test_apply_turns_kept_creates_into_resources_and_drops_the_rest() -> None:
    update = {"type": "updating", "resource": {"urn": "urn:x", "type": POLICY}}
    dep = deployment(pending("sales"), pending("hr"), update, owned=("p-old",))
    plan = recovery.Plan(imports={URN + "sales": "p-new"}, drops=[URN + "hr"])
    result = recovery.apply_plan(dep, plan)
    assert result["pending_operations"] == [update]  # refresh clears the rest
    kept = result["resources"][-1]
    assert kept["urn"] == URN + "sales" and kept["id"] == "p-new" and kept["provider"] == PROVIDER
    assert kept["outputs"] == kept["inputs"] == inputs("Sales")  # the refresh reads the real values
    assert "stackTrace" not in kept and len(result["resources"]) == 2
    assert dep["pending_operations"][0]["type"] == "creating"  # the input is not changed


def test_only_locks_of_dead_processes_on_this_host_are_stale(tmp_path: Path) -> None:
    locks_dir = tmp_path / ".pulumi" / "locks" / "organization" / "w365" / "dev"
    locks_dir.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    here = socket.gethostname()
    rows = {
        "dead.json": {"pid": int(dead.stdout), "hostname": here, "timestamp": "t1"},
        "alive-not-pulumi.json": {"pid": os.getpid(), "hostname": here, "timestamp": "t2"},
        "other-host.json": {"pid": int(dead.stdout), "hostname": here + "-elsewhere", "timestamp": "t3"},
    }
    for name, row in rows.items():
        (locks_dir / name).write_text(json.dumps(row))
    (locks_dir / "broken.json").write_text("{")
    url = f"file://{tmp_path}"
    assert {lock.path.name for lock in recovery.locks(url, "w365", "dev")} == set(rows)
    stale = recovery.stale_locks(url, "w365", "dev")
    # pytest is alive but is no Pulumi: a re-used pid does not hold a lock either
    assert sorted(lock.path.name for lock in stale) == ["alive-not-pulumi.json", "dead.json"]
    assert recovery.stale_locks(url, "w365", "prod") == []
    assert recovery.stale_locks("s3://bucket", "w365", "dev") == []


def test_the_command_line_wants_a_stack_and_urn_id_pairs(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        recovery.parse_args([])
    assert recovery.main(["--stack", "dev", "--import", "no-separator"]) == 1
    assert "--import wants URN=ID" in capsys.readouterr().err


def test_run_local_recovers_a_stale_lock_before_its_up() -> None:
    lines = [line.strip() for line in (Path(__file__).parents[2] / "scripts" / "run-local").read_text().splitlines()]
    select = lines.index("scripts/pulumi stack select local --create --non-interactive")
    recover = lines.index("scripts/recover --stack local --if-stale-lock")
    up = next(i for i, line in enumerate(lines) if line.startswith("scripts/pulumi up "))
    assert select < recover < up


def test_every_resource_that_creates_is_a_kind() -> None:
    """Derived from the resource packages: each creates-a-new-object resource, not the singleton."""
    assert set(recovery.KINDS) == {f"pulumi-python:dynamic/w365:{name}" for name in
                                   ("ProvisioningPolicy", "DeviceImage", "UserSetting", "NetworkConnection")}  # fmt: skip
    connection = recovery.KINDS["pulumi-python:dynamic/w365:NetworkConnection"]
    body = {"id": "c1", "displayName": "Corp", "connectionType": "hybridAzureADJoin", "adDomainName": "corp.example.com"}
    pending = {"display_name": "Corp", "connection_type": "hybridAzureADJoin", "ad_domain_name": "corp.example.com",
               "ad_domain_password": "never-read-back"}  # fmt: skip
    assert connection.matches(body, pending)  # the write-only password is not compared
    assert not connection.matches({**body, "adDomainName": "other.example.com"}, pending)
    assert not connection.matches({**body, "displayName": "Corp 2"}, pending)
