"""Faults against the emulator that once lost ownership: ambiguous creates next to a same-named
policy, 503 and dropped connections on create, a spurious 404 on read, 500 on the rollback DELETE
and on an ordinary DELETE. Each ends with "policies in Graph == policies the provider recorded
(plus the ones that were there before, untouched), each owned once"."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.reliability import record
from tests.unit.rules_cases import G1, G2, valid
from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.errors import GraphConflictError, GraphError, GraphThrottledError
from w365_provider.provisioning_policy import ProvisioningPolicyProvider

from .conftest import FAST, POLICIES, SNAPSHOT, checked, configured

Calls = Callable[[], list[tuple[str, str]]]
Policies = Callable[[], list[dict[str, Any]]]
CREATE = r"/provisioningPolicies$"
ASSIGN = r"/assign$"
WINDOW = {**FAST, "timeoutSeconds": "3"}
"""A late-commit window of 3 s + 4 waits of 0.2 s = 3.8 s."""


def inputs(provider: ProvisioningPolicyProvider, **changes: Any) -> dict[str, Any]:
    return checked(provider, valid(**changes))


def someone_elses(emu: EmulatorProcess, **body: Any) -> dict[str, Any]:
    """A policy made in the portal with the same name and values as ``valid()``."""
    payload = {
        "displayName": "Engineering", "imageId": valid()["image_id"], "imageType": "gallery",
        "domainJoinConfigurations": [{"domainJoinType": "azureADJoin", "regionName": "automatic"}], **body,
    }  # fmt: skip
    status, created = emu.graph("POST", POLICIES, payload)
    assert status == 201 and created is not None
    emu.clear_requests()
    return created


def assert_owned_once(policies: Policies, recorded: list[str], foreign: list[dict[str, Any]] = ()) -> None:  # type: ignore[assignment]
    """Graph holds exactly the recorded policies, each once, and the foreign ones as they were."""
    in_graph = {p["id"]: p for p in policies()}
    assert len(set(recorded)) == len(recorded)
    assert sorted(in_graph) == sorted([*recorded, *(f["id"] for f in foreign)])
    for before in foreign:
        after = in_graph[before["id"]]
        kept = [k for k in before if k != "assignments" and not k.startswith("@odata")]
        assert {k: after.get(k) for k in kept} == {k: before[k] for k in kept}
        assert after.get("assignments") in (None, [])


def untouched(emu: EmulatorProcess, foreign: dict[str, Any]) -> bool:
    """No request since the last clear named ``foreign``'s id (no PATCH, assign or DELETE)."""
    return not any(foreign["id"] in r["path"] for r in emu.requests())


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 503, "retry_after": 0},  # not done: found nothing new, sent again
        {"drop": "before"},  # not done either
        {"drop": "after"},  # done: the new one is found, the old one is not mistaken for it
    ],
    ids=["503", "dropped-before", "dropped-after"],
)
def test_ambiguous_create_never_takes_over_a_same_named_policy(fault: dict[str, Any], emu: EmulatorProcess, policies: Policies) -> None:
    foreign = someone_elses(emu)
    provider = configured(emu, **WINDOW)
    emu.set_faults([{"method": "POST", "path": CREATE, "times": 1, **fault}])
    created = provider.create(inputs(provider, assignments=[{"group_id": G1}]))
    assert created.id != foreign["id"] and untouched(emu, foreign)
    assert_owned_once(policies, [created.id], [foreign])
    [mine] = [p for p in policies() if p["id"] == created.id]
    assert [a["target"]["groupId"] for a in mine["assignments"]] == [G1]
    record(
        "create-ambiguous-same-name",
        level="provider",
        fault="A create's POST answers 503, or its connection drops before or after Graph commits, while a policy "
        "of the same name and settings made in the portal exists (no `adopt`).",
        outcome="Only an id that did not exist before the create is accepted: a commit is found (not duplicated), "
        "else the POST is sent again; the portal's policy is never assigned, changed or deleted.",
    )


def test_503_on_create_ends_with_one_policy(emu: EmulatorProcess, calls: Calls, policies: Policies) -> None:
    provider = configured(emu, **WINDOW)
    emu.set_faults([{"method": "POST", "path": CREATE, "status": 503, "retry_after": 0, "times": 1}])
    created = provider.create(inputs(provider))
    assert calls().count(("POST", "/")) == 2
    assert_owned_once(policies, [created.id])


def test_503_on_every_create_fails_with_what_to_do_and_leaves_nothing(emu: EmulatorProcess, policies: Policies) -> None:
    provider = configured(emu, **{**WINDOW, "retryMaxAttempts": "2"})
    emu.set_faults([{"method": "POST", "path": CREATE, "status": 503, "retry_after": 0}])
    with pytest.raises(GraphThrottledError) as info:
        provider.create(inputs(provider))
    assert str(info.value).startswith("create provisioning policy 'Engineering' failed after 2 attempts: HTTP 503")
    [note] = info.value.__notes__
    assert "no new policy of that name appeared within 3 s of the last attempt" in note  # 3 s + one 0.2 s wait
    assert "look for provisioning policies named 'Engineering'" in note and "set adopt=True" in note
    assert_owned_once(policies, [])


def test_dropped_connection_after_post_is_found_not_duplicated(emu: EmulatorProcess, calls: Calls, policies: Policies) -> None:
    provider = configured(emu, **WINDOW)
    emu.set_faults([{"method": "POST", "path": CREATE, "drop": "after", "times": 1}])
    created = provider.create(inputs(provider, assignments=[{"group_id": G2}]))
    assert calls() == [SNAPSHOT, ("POST", "/"), ("GET", "/"), ("POST", f"/{created.id}/assign")]
    assert_owned_once(policies, [created.id])


def test_same_named_creates_in_parallel_each_own_one(emu: EmulatorProcess, policies: Policies) -> None:
    provider = configured(emu, **WINDOW)
    emu.set_faults([{"method": "POST", "path": CREATE, "drop": "after", "times": 2}])
    checked_inputs = [inputs(provider) for _ in range(4)]  # the engine checks every resource before it creates
    with ThreadPoolExecutor(max_workers=4) as pool:  # what the dynamic-provider server runs
        created = list(pool.map(provider.create, checked_inputs))
    assert_owned_once(policies, [c.id for c in created])
    assert sum(1 for r in emu.requests() if r["query"] == "$select=id,displayName") == 1  # one snapshot


def test_a_single_404_on_read_keeps_the_policy(emu: EmulatorProcess, calls: Calls, policies: Policies) -> None:
    provider = configured(emu, **FAST)
    created = provider.create(inputs(provider))
    emu.clear_requests()
    emu.set_faults([{"method": "GET", "status": 404, "times": 1}])
    read = provider.read(created.id, created.outs)
    assert read.id == created.id and read.outs["policy_id"] == created.id
    assert calls() == [("GET", f"/{created.id}")] * 2  # the 404 was confirmed by a second read: it was wrong
    assert_owned_once(policies, [read.id])


def test_a_confirmed_404_on_read_is_gone(emu: EmulatorProcess, calls: Calls) -> None:
    provider = configured(emu, **FAST)
    created = provider.create(inputs(provider))
    assert emu.graph("DELETE", f"{POLICIES}/{created.id}")[0] == 204
    emu.clear_requests()
    assert provider.read(created.id, created.outs).id == ""
    assert calls() == [("GET", f"/{created.id}")] * 2


def test_500_on_the_rollback_delete_leaves_no_orphan(emu: EmulatorProcess, calls: Calls, policies: Policies) -> None:
    provider = configured(emu, **FAST)
    emu.set_faults([
        {"method": "POST", "path": ASSIGN, "status": 503, "retry_after": 0},
        {"method": "DELETE", "status": 500, "times": 1},
    ])  # fmt: skip
    with pytest.raises(GraphThrottledError) as info:
        provider.create(inputs(provider, assignments=[{"group_id": G1}]))
    assert any("was deleted again, so nothing was left behind" in note for note in info.value.__notes__)
    deletes = [r["status"] for r in emu.requests() if r["method"] == "DELETE"]
    assert deletes == [500, 204]
    assert_owned_once(policies, [])
    record(
        "rollback-delete-500",
        level="provider",
        fault="A create's assign keeps failing, and Graph answers 500 to the DELETE that rolls the new policy back.",
        outcome="The rollback DELETE is sent again within the retry budget: no orphan in Graph, and the error says the "
        "policy was deleted again.",
    )


def test_500_on_delete_is_retried(emu: EmulatorProcess, calls: Calls, policies: Policies) -> None:
    provider = configured(emu, **FAST)
    created = provider.create(inputs(provider, assignments=[{"group_id": G1}]))
    emu.clear_requests()
    emu.set_faults([{"method": "DELETE", "status": 500, "times": 2}])
    provider.delete(created.id, created.outs)
    assert calls() == [("POST", f"/{created.id}/assign")] + [("DELETE", f"/{created.id}")] * 3
    assert_owned_once(policies, [])


def test_500_on_delete_is_retried_within_a_bound(emu: EmulatorProcess, calls: Calls, policies: Policies) -> None:
    provider = configured(emu, **FAST)
    created = provider.create(inputs(provider))
    emu.clear_requests()
    emu.set_faults([{"method": "DELETE", "status": 500}])
    with pytest.raises(GraphError) as info:
        provider.delete(created.id, created.outs)
    assert info.value.status == 500 and calls().count(("DELETE", f"/{created.id}")) == 5  # retryMaxAttempts
    emu.clear_faults()
    assert_owned_once(policies, [created.id])  # still there, still in state: the error says so


def test_adopt_refuses_two_policies_of_the_name_even_when_one_fits(emu: EmulatorProcess, calls: Calls, policies: Policies) -> None:
    fits, other = someone_elses(emu), someone_elses(emu, provisioningType="shared")
    provider = configured(emu, **FAST)
    with pytest.raises(GraphConflictError) as info:
        provider.create(inputs(provider, adopt=True))
    assert f"2 policies have this name ({fits['id']}, {other['id']}); rename all but one" in str(info.value)
    assert calls() == [("GET", "/")]  # refused before any write
    assert_owned_once(policies, [], [fits, other])
    record(
        "adopt-name-ambiguous",
        level="provider",
        fault="`adopt` by display name while two policies carry that name (even when only one fits the settings).",
        outcome="Refused before any write, listing both ids (\"rename all but one\"); neither policy is touched.",
    )
