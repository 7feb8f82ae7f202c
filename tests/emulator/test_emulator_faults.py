"""Fault rules over HTTP: throttling, errors, latency, dropped connections, late commits, spurious 404s; the log."""

from __future__ import annotations

import time
from http.client import HTTPException
from typing import Any

import httpx
import pytest

from tests.emulator.emulator_support import GALLERY, GROUPS, POLICIES, http, list_all, policy_body, wait_for
from w365_provider.emulator import EmulatorProcess, models, seed


def post_policy(emu: EmulatorProcess, **overrides: Any) -> httpx.Response:
    return httpx.post(emu.graph_url + POLICIES, json=policy_body(**overrides), headers={"Authorization": f"Bearer {emu.token}"})


def test_429_twice_then_success(emu: EmulatorProcess) -> None:
    emu.set_faults([{"method": "POST", "path": "provisioningPolicies$", "status": 429, "retry_after": 1, "times": 2}])
    for _ in range(2):
        response = post_policy(emu)
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "1"
        assert response.headers["request-id"]
        error = response.json()["error"]
        assert error["code"] == "TooManyRequests" and set(error["innerError"]) == {"date", "request-id", "client-request-id"}
        assert list_all(emu, POLICIES) == []  # a throttled request writes nothing
    assert post_policy(emu).status_code == 201
    statuses = [(r["method"], r["status"]) for r in emu.requests() if r["path"].endswith(POLICIES)]
    assert [s for s in statuses if s[0] == "POST"] == [("POST", 429), ("POST", 429), ("POST", 201)]


@pytest.mark.parametrize(
    ("status", "code", "retry_after"),
    [(503, "ServiceUnavailable", "1"), (504, "GatewayTimeout", None), (500, "InternalServerError", None)],
)
def test_status_faults_use_graph_codes(emu: EmulatorProcess, status: int, code: str, retry_after: str | None) -> None:
    emu.set_faults([{"path": "galleryImages", "status": status, "times": 1}])
    got, body, headers = http("GET", emu.graph_url + GALLERY, token=emu.token)
    assert got == status and body["error"]["code"] == code
    assert headers.get("retry-after") == retry_after
    assert http("GET", emu.graph_url + GALLERY, token=emu.token)[0] == 200


def test_rule_code_and_message_override_and_method_filter(emu: EmulatorProcess) -> None:
    emu.set_faults([{"method": "DELETE", "path": "/groups/", "status": 409, "code": "Conflict", "message": "busy"}])
    assert emu.graph("GET", f"{GROUPS}/{seed.GROUP_FINANCE}")[0] == 200  # method does not match
    for _ in range(2):  # no "times": applies until cleared
        status, body = emu.graph("DELETE", f"{GROUPS}/{seed.GROUP_FINANCE}")
        assert status == 409 and body["error"]["code"] == "Conflict" and body["error"]["message"] == "busy"
    emu.clear_faults()
    assert emu.graph("DELETE", f"{GROUPS}/{seed.GROUP_FINANCE}")[0] == 204


def test_latency_alone_delays_a_successful_request(emu: EmulatorProcess) -> None:
    emu.set_faults([{"path": "galleryImages", "latency_ms": 400, "times": 1}])
    started = time.monotonic()
    assert emu.graph("GET", GALLERY)[0] == 200
    assert time.monotonic() - started >= 0.4
    started = time.monotonic()
    assert emu.graph("GET", GALLERY)[0] == 200
    assert time.monotonic() - started < 0.4


def test_drop_after_commits_the_write_then_cuts_the_connection(emu: EmulatorProcess) -> None:
    emu.set_faults([{"method": "POST", "path": "provisioningPolicies$", "drop": "after", "times": 1}])
    with pytest.raises(httpx.TransportError):
        post_policy(emu, displayName="Dropped but written")
    assert [p["displayName"] for p in list_all(emu, POLICIES)] == ["Dropped but written"]
    entry = [r for r in emu.requests() if r["method"] == "POST"][0]
    assert (entry["status"], entry["dropped"], entry["executed_status"]) == (0, "after", 201)


def test_drop_after_on_a_204_applies_the_change(emu: EmulatorProcess) -> None:
    pid = emu.graph("POST", POLICIES, policy_body())[1]["id"]
    emu.set_faults([{"method": "PATCH", "drop": "after", "times": 1}])
    with pytest.raises((HTTPException, OSError)):  # urllib sees a broken response too
        emu.graph("PATCH", f"{POLICIES}/{pid}", {"description": "patched"})
    assert emu.graph("GET", f"{POLICIES}/{pid}")[1]["description"] == "patched"


def test_drop_before_does_not_execute(emu: EmulatorProcess) -> None:
    emu.set_faults([{"method": "POST", "path": "provisioningPolicies$", "drop": "before", "times": 1}])
    with pytest.raises(httpx.TransportError):
        post_policy(emu)
    assert list_all(emu, POLICIES) == []
    entry = [r for r in emu.requests() if r["method"] == "POST"][0]
    assert (entry["status"], entry["dropped"]) == (0, "before")
    assert post_policy(emu).status_code == 201


def test_faults_apply_after_auth_and_never_to_control_routes(emu: EmulatorProcess) -> None:
    emu.set_faults([{"status": 503, "times": 1}])
    assert http("GET", emu.graph_url + GALLERY, token=None)[0] == 401  # does not use up the rule
    assert http("GET", emu.url + "/_emulator/requests", token=emu.token)[0] == 200
    assert emu.graph("GET", GALLERY)[0] == 503
    assert emu.graph("GET", GALLERY)[0] == 200


def test_fault_rules_can_be_read_and_cleared(emu: EmulatorProcess) -> None:
    emu.set_faults([{"method": "GET", "path": "groups", "status": 429, "times": 3}])
    emu.graph("GET", GROUPS)
    status, body, _ = http("GET", emu.url + "/_emulator/faults", token=emu.token)
    assert status == 200
    assert body["rules"][0]["times"] == 2 and body["rules"][0]["status"] == 429
    assert http("DELETE", emu.url + "/_emulator/faults", token=emu.token)[0] == 204
    assert http("GET", emu.url + "/_emulator/faults", token=emu.token)[1] == {"rules": []}
    assert emu.graph("GET", GROUPS)[0] == 200


@pytest.mark.parametrize(
    "rule",
    [
        {"status": 200},
        {"drop": "sideways"},
        {"drop": "after", "status": 500},
        {"path": "("},
        {"status": 429, "colour": "red"},
        {"method": "GET"},
        {"status": 429, "times": 0},
    ],
)
def test_invalid_fault_rules_are_400(emu: EmulatorProcess, rule: dict[str, Any]) -> None:
    status, body, _ = http("POST", emu.url + "/_emulator/faults", token=emu.token, body={"rules": [rule]})
    assert status == 400 and body["error"]["code"] == "BadRequest"
    assert http("GET", emu.url + "/_emulator/faults", token=emu.token)[1] == {"rules": []}


# ----------------------------------------------------------------------------- late commits
def policy_rows(emu: EmulatorProcess) -> list[dict[str, Any]]:
    return list_all(emu, POLICIES)


def post_entry(emu: EmulatorProcess) -> dict[str, Any]:
    return [r for r in emu.requests() if r["method"] == "POST" and r["path"].endswith(POLICIES)][0]


def test_commit_late_without_status_cuts_the_connection_then_writes(emu: EmulatorProcess) -> None:
    emu.set_faults([{"method": "POST", "path": "provisioningPolicies$", "commit_late_ms": 1000, "times": 1}])
    started = time.monotonic()
    with pytest.raises(httpx.TransportError):
        post_policy(emu, displayName="Committed late")
    assert time.monotonic() - started < 0.9  # answered (cut) at once
    assert policy_rows(emu) == []  # not yet written
    entry = post_entry(emu)
    assert (entry["status"], entry["dropped"], entry["commit_late_ms"]) == (0, "before", 1000)
    assert "executed_status" not in entry
    policies = wait_for(lambda: policy_rows(emu), timeout=5)
    assert time.monotonic() - started >= 1.0
    assert [p["displayName"] for p in policies] == ["Committed late"]
    entry = post_entry(emu)
    assert entry["executed_status"] == 201 and entry["executed_time"] >= entry["time"] + 1.0
    time.sleep(0.3)
    assert len(policy_rows(emu)) == 1  # written once, not twice


def test_commit_late_with_a_5xx_answers_it_at_once_then_writes(emu: EmulatorProcess) -> None:
    emu.set_faults([{"method": "POST", "path": "provisioningPolicies$", "commit_late_ms": 600, "status": 504, "times": 1}])
    started = time.monotonic()
    response = post_policy(emu, displayName="Timed out, then created")
    assert response.status_code == 504 and time.monotonic() - started < 0.5
    assert response.json()["error"]["code"] == "GatewayTimeout"
    assert policy_rows(emu) == []
    policies = wait_for(lambda: policy_rows(emu), timeout=5)
    assert [p["displayName"] for p in policies] == ["Timed out, then created"]
    entry = post_entry(emu)
    assert (entry["status"], entry["commit_late_ms"], entry["executed_status"]) == (504, 600, 201)


def test_a_late_commit_is_the_create_the_request_asked_for(emu: EmulatorProcess) -> None:
    body = policy_body(displayName="Same either way", enableSingleSignOn=True)
    emu.set_faults([{"method": "POST", "path": "provisioningPolicies$", "commit_late_ms": 200, "status": 503, "times": 1}])
    assert emu.graph("POST", POLICIES, body)[0] == 503
    late = wait_for(lambda: policy_rows(emu), timeout=5)[0]
    status, direct = emu.graph("POST", POLICIES, body)
    assert status == 201 and direct is not None
    volatile = {"id", "createdDateTime", "lastModifiedDateTime", "@odata.context"}
    assert {k: v for k, v in late.items() if k not in volatile} == {k: v for k, v in direct.items() if k not in volatile}
    assert late["id"] != direct["id"]


def test_a_late_commit_that_fails_validation_writes_nothing(emu: EmulatorProcess) -> None:
    emu.set_faults([{"method": "POST", "path": "provisioningPolicies$", "commit_late_ms": 200, "status": 500, "times": 1}])
    assert post_policy(emu, displayName="bad <name>").status_code == 500
    wait_for(lambda: "executed_status" in post_entry(emu), timeout=5)
    assert post_entry(emu)["executed_status"] == 400
    assert policy_rows(emu) == []


def test_a_late_commit_is_validated_against_the_state_at_commit_time(emu: EmulatorProcess) -> None:
    status, group = emu.graph("POST", GROUPS, {"displayName": "Gone before the commit"})
    assert status == 201 and group is not None
    pid = emu.graph("POST", POLICIES, policy_body())[1]["id"]
    emu.set_faults([{"method": "POST", "path": "/assign$", "commit_late_ms": 400, "status": 504, "times": 1}])
    assign = {"assignments": [{"target": {"groupId": group["id"]}}]}
    assert emu.graph("POST", f"{POLICIES}/{pid}/assign", assign)[0] == 504
    assert emu.graph("DELETE", f"{GROUPS}/{group['id']}")[0] == 204
    entry = wait_for(lambda: [r for r in emu.requests() if r["path"].endswith("/assign") and "executed_status" in r])
    assert entry[0]["executed_status"] == 400
    assert emu.graph("GET", f"{POLICIES}/{pid}?$expand=assignments")[1]["assignments"] == []


def test_a_late_patch_is_applied(emu: EmulatorProcess) -> None:
    pid = emu.graph("POST", POLICIES, policy_body())[1]["id"]
    emu.set_faults([{"method": "PATCH", "commit_late_ms": 300, "status": 504, "times": 1}])
    assert emu.graph("PATCH", f"{POLICIES}/{pid}", {"description": "patched late"})[0] == 504
    assert emu.graph("GET", f"{POLICIES}/{pid}")[1]["description"] == "created by a test"
    wait_for(lambda: emu.graph("GET", f"{POLICIES}/{pid}")[1]["description"] == "patched late", timeout=5)


def test_reset_cancels_pending_late_commits(emu: EmulatorProcess) -> None:
    emu.set_faults([{"method": "POST", "path": "provisioningPolicies$", "commit_late_ms": 500, "status": 504, "times": 1}])
    assert post_policy(emu).status_code == 504
    emu.reset()
    time.sleep(0.9)
    assert policy_rows(emu) == []


# ----------------------------------------------------------------------------- spurious 404
def test_a_one_shot_404_on_get_answers_the_entitys_own_404(emu: EmulatorProcess) -> None:
    pid = emu.graph("POST", POLICIES, policy_body())[1]["id"]
    missing = "00000000-0000-4000-8000-000000000000"
    real_status, real = emu.graph("GET", f"{POLICIES}/{missing}")
    emu.set_faults([{"method": "GET", "path": f"provisioningPolicies/{pid}$", "status": 404, "times": 1}])
    status, body = emu.graph("GET", f"{POLICIES}/{pid}")
    assert status == real_status == 404
    assert body is not None and real is not None
    assert body["error"]["code"] == real["error"]["code"] == "ResourceNotFound"
    assert body["error"]["message"] == models.NOT_FOUND_MSG.format(type="cloudPcProvisioningPolicy", id=pid)
    assert set(body["error"]["innerError"]) == {"date", "request-id", "client-request-id"}
    assert emu.graph("GET", f"{POLICIES}/{pid}")[0] == 200  # one shot
    assert [p["id"] for p in list_all(emu, POLICIES)] == [pid]  # nothing was deleted


def test_a_one_shot_404_on_a_group_uses_the_directory_code(emu: EmulatorProcess) -> None:
    emu.set_faults([{"method": "GET", "path": "/groups/", "status": 404, "times": 1}])
    status, body = emu.graph("GET", f"{GROUPS}/{seed.GROUP_FINANCE}")
    assert status == 404 and body is not None
    assert body["error"]["code"] == "Request_ResourceNotFound"
    assert body["error"]["message"] == models.GROUP_NOT_FOUND_MSG.format(id=seed.GROUP_FINANCE)
    assert emu.graph("GET", f"{GROUPS}/{seed.GROUP_FINANCE}")[0] == 200


def test_a_404_fault_on_a_collection_is_resource_not_found(emu: EmulatorProcess) -> None:
    emu.set_faults([{"method": "GET", "path": "galleryImages$", "status": 404, "times": 1}])
    status, body = emu.graph("GET", GALLERY)
    assert status == 404 and body is not None and body["error"]["code"] == "ResourceNotFound"
    assert emu.graph("GET", GALLERY)[0] == 200


# ----------------------------------------------------------------------------- rule validation
@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"status": 429, "times": True}, "times"),
        ({"status": 429, "times": 1.5}, "times"),
        ({"status": 429, "times": "2"}, "times"),
        ({"latency_ms": "100"}, "latency_ms"),
        ({"latency_ms": True}, "latency_ms"),
        ({"latency_ms": -1}, "latency_ms"),
        ({"latency_ms": 120_001}, "latency_ms"),
        ({"latency_ms": 1e308}, "latency_ms"),
        ({"commit_late_ms": "soon"}, "commit_late_ms"),
        ({"commit_late_ms": False}, "commit_late_ms"),
        ({"commit_late_ms": 600_001}, "commit_late_ms"),
        ({"commit_late_ms": 100, "status": 429}, "status"),
        ({"commit_late_ms": 100, "drop": "before"}, "drop"),
        ({"status": True}, "status"),
        ({"status": 429, "retry_after": True}, "retry_after"),
        ({"status": 500, "code": 5}, "code"),
        ({"status": 500, "method": 1}, "method"),
    ],
)
def test_fault_rule_fields_are_checked_and_named(emu: EmulatorProcess, rule: dict[str, Any], field: str) -> None:
    status, body, _ = http("POST", emu.url + "/_emulator/faults", token=emu.token, body={"rules": [rule]})
    assert status == 400 and body["error"]["code"] == "BadRequest"
    assert f"'{field}'" in body["error"]["message"] and "rules[0]" in body["error"]["message"]
    assert http("GET", emu.url + "/_emulator/faults", token=emu.token)[1] == {"rules": []}


def test_non_finite_latency_is_refused(emu: EmulatorProcess) -> None:
    raw = b'{"rules": [{"latency_ms": NaN}]}'
    status, body, _ = http("POST", emu.url + "/_emulator/faults", token=emu.token, data=raw)
    assert status == 400 and "'latency_ms'" in body["error"]["message"]


def test_fault_rules_at_their_limits_are_accepted(emu: EmulatorProcess) -> None:
    rules = [
        {"method": "GET", "path": "never-matches$", "latency_ms": 120_000, "times": 1},
        {"method": "POST", "path": "never-matches$", "commit_late_ms": 600_000, "status": 503},
        {"method": "POST", "path": "never-matches$", "commit_late_ms": 0},
    ]
    emu.set_faults(rules)
    described = http("GET", emu.url + "/_emulator/faults", token=emu.token)[1]["rules"]
    assert [r["commit_late_ms"] for r in described] == [None, 600_000, 0]
