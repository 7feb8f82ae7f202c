"""Faults from the emulator: throttling, 503 on assign, dropped connections, timeouts; concurrency."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.unit.rules_cases import G1, valid
from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.errors import GraphThrottledError
from w365_provider.graph import client
from w365_provider.provisioning_policy import ProvisioningPolicyProvider

from .conftest import FAST, SNAPSHOT, checked, configured

Calls = Callable[[], list[tuple[str, str]]]
Policies = Callable[[], list[dict[str, Any]]]
CREATE = r"/provisioningPolicies$"
ASSIGN = r"/assign$"


def inputs(provider: ProvisioningPolicyProvider, **changes: Any) -> dict[str, Any]:
    return checked(provider, valid(**changes))


def test_429_twice_then_success(provider: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Calls, policies: Policies) -> None:
    emu.set_faults([{"method": "POST", "path": CREATE, "status": 429, "retry_after": 0, "times": 2}])
    created = provider.create(inputs(provider))
    assert calls() == [SNAPSHOT] + [("POST", "/")] * 3  # a 429 was not processed: the POST is simply sent again
    assert [r["status"] for r in emu.requests()] == [200, 429, 429, 201]
    assert [p["id"] for p in policies()] == [created.id]


def test_retry_after_is_honoured(emu: EmulatorProcess, calls: Calls) -> None:
    provider = configured(emu)  # default timings: waits of at least Retry-After
    created = provider.create(inputs(provider))
    emu.clear_requests()
    emu.set_faults([{"method": "GET", "status": 429, "retry_after": 1, "times": 1}])
    started = time.monotonic()
    assert provider.read(created.id, created.outs).id == created.id
    assert time.monotonic() - started >= 1.0
    assert len(calls()) == 2


def test_throttling_that_does_not_stop_fails_with_code_and_request_id(provider: ProvisioningPolicyProvider, emu: EmulatorProcess) -> None:
    created = provider.create(inputs(provider))
    emu.set_faults([{"method": "PATCH", "status": 503, "retry_after": 0}])
    news = inputs(provider, description="x")
    with pytest.raises(GraphThrottledError) as info:
        provider.update(created.id, created.outs, news)
    err = info.value
    assert err.attempts == 5 and err.status == 503 and err.code == "ServiceUnavailable"
    assert err.request_id == emu.requests()[-1]["request_id"]
    assert str(err).startswith(f"update provisioning policy 'Engineering' ({created.id}) failed after 5 attempts: HTTP 503")


def test_503_on_assign_right_after_create_leaves_no_orphan(provider: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Calls, policies: Policies) -> None:
    emu.set_faults([{"method": "POST", "path": ASSIGN, "status": 503, "retry_after": 0}])
    with pytest.raises(GraphThrottledError) as info:
        provider.create(inputs(provider, assignments=[{"group_id": G1}]))
    snapshot, *made = calls()
    assert snapshot == SNAPSHOT
    assert made[0] == ("POST", "/") and made[-1][0] == "DELETE"
    assert made.count(("POST", made[1][1])) == 5  # assign tried 5 times
    assert "assign 1 group(s) to provisioning policy 'Engineering'" in str(info.value)
    assert any("was deleted again" in note for note in info.value.__notes__)
    assert policies() == []


def test_assign_recovers_after_two_503(provider: ProvisioningPolicyProvider, emu: EmulatorProcess, policies: Policies) -> None:
    emu.set_faults([{"method": "POST", "path": ASSIGN, "status": 503, "retry_after": 0, "times": 2}])
    created = provider.create(inputs(provider, assignments=[{"group_id": G1}]))
    (policy,) = policies()
    assert policy["id"] == created.id and policy["assignments"][0]["target"]["groupId"] == G1


def test_dropped_connection_after_post_ends_with_one_policy(provider: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Calls, policies: Policies) -> None:
    emu.set_faults([{"method": "POST", "path": CREATE, "drop": "after", "times": 1}])
    created = provider.create(inputs(provider, assignments=[{"group_id": G1}]))
    log = emu.requests()
    assert log[1]["dropped"] == "after" and log[1]["executed_status"] == 201
    assert calls() == [SNAPSHOT, ("POST", "/"), ("GET", "/"), ("POST", f"/{created.id}/assign")]  # looked up, not re-sent
    (policy,) = policies()
    assert policy["id"] == created.id and policy["assignments"]


def looked_up_then_sent_again(made: list[tuple[str, str]]) -> bool:
    """The snapshot, the POST, one or more look-ups (until the late-commit window closed), the POST again."""
    return made[:3] == [SNAPSHOT, ("POST", "/"), ("GET", "/")] and made[-1] == ("POST", "/") and all(
        call == ("GET", "/") for call in made[2:-1]
    )


def test_dropped_connection_before_post_creates_once(emu: EmulatorProcess, calls: Calls, policies: Policies) -> None:
    provider = configured(emu, **FAST, timeoutSeconds="3")  # a late-commit window of 3.8 s
    emu.set_faults([{"method": "POST", "path": CREATE, "drop": "before", "times": 1}])
    started = time.monotonic()
    created = provider.create(inputs(provider))
    assert looked_up_then_sent_again(calls())  # nothing found within the window, so sent again
    assert time.monotonic() - started >= 3.8
    assert [p["id"] for p in policies()] == [created.id]


def test_503_after_post_is_looked_up_first(emu: EmulatorProcess, calls: Calls, policies: Policies) -> None:
    provider = configured(emu, **FAST, timeoutSeconds="3")
    emu.set_faults([{"method": "POST", "path": CREATE, "status": 503, "retry_after": 0, "times": 1}])
    created = provider.create(inputs(provider))
    assert looked_up_then_sent_again(calls())
    assert [p["id"] for p in policies()] == [created.id]


def test_timeout_on_post_ends_with_one_policy(emu: EmulatorProcess, calls: Calls, policies: Policies) -> None:
    # The client gives up after 0.5 s, before the emulator answers (0.8 s).
    provider = configured(emu, timeoutSeconds="0.5", retryMinDelaySeconds="1", retryMaxDelaySeconds="2")
    emu.set_faults([{"method": "POST", "path": CREATE, "latency_ms": 800, "times": 1}])
    created = provider.create(inputs(provider))
    made = calls()
    assert made[:3] == [SNAPSHOT, ("POST", "/"), ("GET", "/")]  # looked up before anything is sent again
    assert looked_up_then_sent_again(made) or set(made[2:]) == {("GET", "/")}  # re-sent only when nothing was found
    assert [p["id"] for p in policies()] == [created.id]


def test_dropped_read_is_retried(provider: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Calls) -> None:
    created = provider.create(inputs(provider))
    emu.clear_requests()
    emu.set_faults([{"method": "GET", "drop": "after", "times": 1}])
    assert provider.read(created.id, created.outs).id == created.id
    assert len(calls()) == 2


def test_four_engine_threads_share_one_loop(provider: ProvisioningPolicyProvider, emu: EmulatorProcess, policies: Policies) -> None:
    emu.set_faults([{"method": "GET", "latency_ms": 150}])
    names = [f"Team {i}" for i in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:  # what the dynamic-provider server runs
        created = list(pool.map(lambda n: provider.create(inputs(provider, display_name=n, assignments=[{"group_id": G1}])), names))
    assert sorted(c.outs["display_name"] for c in created) == sorted(names)
    assert len(policies()) == 8
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        reads = list(pool.map(lambda c: provider.read(c.id, c.outs), created))
    assert all(r.id for r in reads)
    assert time.monotonic() - started < 8 * 0.15  # the slow reads overlapped
    loops = [t for t in threading.enumerate() if t.name == "w365-graph-loop"]
    assert len(loops) == 1
    assert len(client._runtimes) >= 1
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda c: provider.delete(c.id, c.outs), created))
    emu.clear_faults()
    assert policies() == []


def test_delete_polls_while_unassignment_settles(provider: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Calls, policies: Policies) -> None:
    created = provider.create(inputs(provider, assignments=[{"group_id": G1}]))
    emu.clear_requests()
    in_use = {"method": "DELETE", "status": 400, "code": "BadRequest", "message": "The policy is still assigned.", "times": 2}
    emu.set_faults([in_use])
    provider.delete(created.id, created.outs)
    assert calls() == [("POST", f"/{created.id}/assign")] + [("DELETE", f"/{created.id}")] * 3
    assert policies() == []


def test_delete_poll_is_bounded(provider: ProvisioningPolicyProvider, emu: EmulatorProcess, calls: Calls) -> None:
    from w365_provider.errors import GraphError

    created = provider.create(inputs(provider, assignments=[{"group_id": G1}]))
    emu.clear_requests()
    emu.set_faults([{"method": "DELETE", "status": 400, "code": "BadRequest", "message": "Still in use."}])
    started = time.monotonic()
    with pytest.raises(GraphError) as info:
        provider.delete(created.id, created.outs)
    assert time.monotonic() - started < 5
    assert calls().count(("DELETE", f"/{created.id}")) == 5
    assert "delete provisioning policy 'Engineering'" in str(info.value) and "Still in use." in str(info.value)
