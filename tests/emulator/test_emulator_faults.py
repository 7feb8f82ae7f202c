"""Fault rules over HTTP: throttling, errors, latency, dropped connections; and the request log."""

from __future__ import annotations

import time
from http.client import HTTPException
from typing import Any

import httpx
import pytest

from tests.emulator.emulator_support import GALLERY, GROUPS, POLICIES, http, list_all, policy_body
from w365_provider.emulator import EmulatorProcess, seed


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
