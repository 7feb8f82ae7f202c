"""Ownership with the real engine: an ambiguous create next to a same-named policy made in the
portal, a spurious 404 on refresh and a 500 on destroy. Graph ends equal to state, and the
portal's policy is never touched. Never skipped: without the engine it fails."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import make_project
from tests.e2e.test_policy_engine import ENGINEERING, POLICIES, TYPE, emulator_policies, program
from tests.reliability import record
from w365_provider.emulator.launcher import EmulatorProcess

pytestmark = pytest.mark.e2e

TOKEN = "e2e-owner-" + secrets.token_hex(8)


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(token=TOKEN) as emu:
        yield emu


def portal_policy(emu: EmulatorProcess) -> dict[str, Any]:
    """A policy someone made in the portal: the stack's name and values, no assignments."""
    status, made = emu.graph("POST", POLICIES, {
        "displayName": ENGINEERING["display_name"], "description": ENGINEERING["description"],
        "imageId": ENGINEERING["image_id"], "imageType": "gallery",
        "domainJoinConfigurations": [{"domainJoinType": "azureADJoin", "regionName": "automatic"}],
    })  # fmt: skip
    assert status == 201 and made is not None
    return made


def test_ambiguous_create_spurious_404_and_500_on_destroy(tmp_path: Path, emulator: EmulatorProcess) -> None:
    emu = emulator.fresh()
    foreign = portal_policy(emu)
    project = make_project(
        tmp_path, program({"engineering": ENGINEERING}),
        config={"w365:graphUrl": emu.graph_url, "w365:timeoutSeconds": "3", "w365:retryMinDelaySeconds": "0.05",
                "w365:retryMaxDelaySeconds": "0.5"},
        secrets={"w365:graphToken": TOKEN},
    )  # fmt: skip
    emu.clear_requests()
    emu.set_faults([{"method": "POST", "path": r"/provisioningPolicies$", "status": 503, "retry_after": 0, "times": 1}])
    project.up()
    [mine] = project.resources(TYPE)
    assert mine["id"] != foreign["id"]  # not taken over: a new one was created
    assert sorted(p["id"] for p in emulator_policies(emu)) == sorted([mine["id"], foreign["id"]])
    assert not any(foreign["id"] in r["path"] for r in emu.requests())  # never assigned, patched or deleted

    emu.set_faults([{"method": "GET", "status": 404, "times": 1}])
    project.refresh()
    assert [r["id"] for r in project.resources(TYPE)] == [mine["id"]]  # one wrong 404 did not drop it from state
    assert "2 unchanged" in project.preview("--expect-no-changes").stdout

    emu.set_faults([{"method": "DELETE", "status": 500, "times": 1}])
    project.destroy()
    assert project.resources(TYPE) == []
    [left] = emulator_policies(emu)
    assert left["id"] == foreign["id"] and not left.get("assignments")
    record(
        "create-ambiguous-next-to-portal-policy",
        level="engine",
        fault="`up` meets one 503 on create while a policy of the same name and settings, made in the portal, exists.",
        outcome="`up` makes its own policy and never assigns, changes or deletes the portal's; `destroy` leaves "
        "the portal's policy as it was.",
    )
    record(
        "refresh-spurious-404",
        level="engine",
        fault="One wrong 404 from Graph on a policy's read during `refresh`.",
        outcome="The 404 is confirmed by a second read before the policy counts as gone: it stays in state, and "
        "the next preview shows no change (no duplicate on the next `up`).",
    )
    record(
        "destroy-delete-500",
        level="engine",
        fault="Graph answers 500 to a DELETE during `destroy`.",
        outcome="The DELETE is sent again within the retry budget: `destroy` succeeds, and the policy is gone "
        "from Graph and state.",
    )
