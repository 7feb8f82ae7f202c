"""Request limits and rude clients over HTTP: body size, JSON nesting, 405 on control routes, disconnects."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from tests.emulator.emulator_support import POLICIES, http, list_all, policy_body, wait_for

from w365_provider.emulator import EmulatorProcess, models
from w365_provider.emulator.config import MAX_BODY_BYTES, MAX_JSON_DEPTH


def nested(depth: int) -> str:
    """JSON text of arrays nested ``depth`` levels deep (built as text: too deep for ``json.dumps``)."""
    return "[" * depth + '"leaf"' + "]" * depth


def with_description(json_text: str) -> bytes:
    """A valid policy body whose ``description`` is the given JSON text."""
    head = json.dumps(policy_body(description=...))[:-1]
    return f'{head}, "description": {json_text}}}'.encode()


def post_raw(emu: EmulatorProcess, path: str, payload: bytes) -> tuple[int, Any]:
    status, body, _ = http("POST", emu.graph_url + path, token=emu.token, data=payload)
    return status, body


# ----------------------------------------------------------------------------- body size
def test_a_body_over_4mb_is_413_and_writes_nothing(emu: EmulatorProcess) -> None:
    payload = json.dumps(policy_body(description="x" * MAX_BODY_BYTES)).encode()
    assert len(payload) > MAX_BODY_BYTES
    status, body = post_raw(emu, POLICIES, payload)
    assert status == 413 and body is not None
    assert body["error"]["code"] == "BadRequest" and body["error"]["message"] == models.BODY_TOO_LARGE_MSG
    assert set(body["error"]["innerError"]) == {"date", "request-id", "client-request-id"}
    assert list_all(emu, POLICIES) == []
    assert [r["status"] for r in emu.requests() if r["method"] == "POST"] == [413]


def test_a_body_just_under_the_limit_is_read(emu: EmulatorProcess) -> None:
    body = policy_body(description="")
    room = MAX_BODY_BYTES - len(json.dumps(body).encode())
    payload = json.dumps(policy_body(description="y" * room)).encode()
    assert len(payload) == MAX_BODY_BYTES
    status, created = post_raw(emu, POLICIES, payload)
    assert status == 201 and created is not None and len(created["description"]) == room


def test_a_body_over_4mb_is_413_on_control_routes_too(emu: EmulatorProcess) -> None:
    payload = json.dumps({"rules": [], "padding": "z" * MAX_BODY_BYTES}).encode()
    status, body, _ = http("POST", emu.url + "/_emulator/faults", token=emu.token, data=payload)
    assert status == 413 and body["error"]["message"] == models.BODY_TOO_LARGE_MSG


# ----------------------------------------------------------------------------- JSON nesting
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH, 5_000, 200_000])
def test_json_nested_deeper_than_the_limit_is_400(emu: EmulatorProcess, depth: int) -> None:
    payload = with_description(nested(depth))  # depth + 1 with the object
    status, body = post_raw(emu, POLICIES, payload)
    assert status == 400 and body is not None and body["error"]["code"] == "BadRequest"
    assert body["error"]["message"] == models.JSON_TOO_DEEP_MSG.format(max=MAX_JSON_DEPTH)
    assert list_all(emu, POLICIES) == []


def test_json_at_the_nesting_limit_is_parsed(emu: EmulatorProcess) -> None:
    payload = with_description(nested(MAX_JSON_DEPTH - 1))
    status, body = post_raw(emu, POLICIES, payload)
    assert status == 400 and body is not None  # parsed, then refused by the property's type
    assert body["error"]["message"].startswith("Cannot convert the literal")


def test_brackets_inside_strings_do_not_count_as_nesting(emu: EmulatorProcess) -> None:
    status, body = emu.graph("POST", POLICIES, policy_body(description="[" * 500 + '"{' * 500))
    assert status == 201 and body is not None and body["description"].startswith("[[[")


def test_deep_json_on_a_control_route_is_400(emu: EmulatorProcess) -> None:
    payload = ('{"rules": ' + nested(10_000) + "}").encode()
    status, body, _ = http("POST", emu.url + "/_emulator/faults", token=emu.token, data=payload)
    assert status == 400 and body["error"]["message"] == models.JSON_TOO_DEEP_MSG.format(max=MAX_JSON_DEPTH)


# ----------------------------------------------------------------------------- control routes: 405, 404
@pytest.mark.parametrize(
    ("method", "route", "allow"),
    [
        ("PUT", "faults", "DELETE, GET, POST"),
        ("PATCH", "faults", "DELETE, GET, POST"),
        ("POST", "requests", "DELETE, GET"),
        ("GET", "reset", "POST"),
        ("DELETE", "reset", "POST"),
        ("POST", "health", "GET, HEAD"),
    ],
)
def test_wrong_method_on_a_control_route_is_405(emu: EmulatorProcess, method: str, route: str, allow: str) -> None:
    status, body, headers = http(method, f"{emu.url}/_emulator/{route}", token=emu.token, body={})
    assert status == 405 and body is not None
    assert body["error"]["code"] == "BadRequest" and body["error"]["message"] == models.METHOD_NOT_ALLOWED_MSG
    assert set(body["error"]["innerError"]) == {"date", "request-id", "client-request-id"}
    assert headers["allow"] == allow and headers["request-id"]


def test_control_routes_check_the_token_before_the_method(emu: EmulatorProcess) -> None:
    assert http("PUT", emu.url + "/_emulator/faults", token=None, body={})[0] == 401


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_unknown_control_route_is_404_for_every_method(emu: EmulatorProcess, method: str) -> None:
    status, body, _ = http(method, emu.url + "/_emulator/nonsense", token=emu.token)
    assert status == 404 and body["error"]["code"] == "ResourceNotFound"


# ----------------------------------------------------------------------------- clients that go away
@pytest.fixture(scope="module")
def own_emulator() -> Iterator[EmulatorProcess]:
    """An emulator of this module's own, so that its stderr holds only what these tests caused."""
    with EmulatorProcess() as emu:
        yield emu


@pytest.fixture
def lonely(own_emulator: EmulatorProcess) -> EmulatorProcess:
    return own_emulator.fresh()


def raw_exchange(emu: EmulatorProcess, request: bytes, *, close_after: float) -> bytes:
    """Send ``request`` on a raw socket, wait ``close_after`` seconds for an answer, then hang up."""
    address = urlsplit(emu.url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as sock:
        sock.sendall(request)
        sock.settimeout(close_after)
        try:
            return sock.recv(65536)
        except TimeoutError:
            return b""


def http_request(emu: EmulatorProcess, method: str, path: str, body: bytes, *, length: int | None = None) -> bytes:
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: {urlsplit(emu.url).netloc}\r\nAuthorization: Bearer {emu.token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body) if length is None else length}\r\n\r\n"
    )
    return head.encode() + body


def assert_no_traceback(emu: EmulatorProcess) -> None:
    time.sleep(0.2)
    assert "Traceback" not in emu.stderr() and "Exception" not in emu.stderr(), emu.stderr()


def test_a_client_gone_during_latency_still_gets_its_write_done_once(lonely: EmulatorProcess) -> None:
    lonely.set_faults([{"method": "POST", "path": "provisioningPolicies$", "latency_ms": 600, "times": 1}])
    body = json.dumps(policy_body(displayName="Client left")).encode()
    answer = raw_exchange(lonely, http_request(lonely, "POST", "/v1.0" + POLICIES, body), close_after=0.1)
    assert answer == b""  # hung up before the answer
    policies = wait_for(lambda: list_all(lonely, POLICIES), timeout=5)
    assert [p["displayName"] for p in policies] == ["Client left"]
    status, policy = lonely.graph("GET", f"{POLICIES}/{policies[0]['id']}")
    assert status == 200 and policy is not None and policy["domainJoinConfigurations"]  # complete, not half-written
    entry = [r for r in lonely.requests() if r["method"] == "POST"][0]
    assert (entry["status"], entry["client_gone"]) == (201, True)
    time.sleep(0.3)
    assert len(list_all(lonely, POLICIES)) == 1
    assert_no_traceback(lonely)


def test_a_client_gone_while_sending_its_body_writes_nothing(lonely: EmulatorProcess) -> None:
    body = json.dumps(policy_body(displayName="Never finished")).encode()
    request = http_request(lonely, "POST", "/v1.0" + POLICIES, body[:20], length=len(body))
    assert raw_exchange(lonely, request, close_after=0.2) == b""
    wait_for(lambda: [r for r in lonely.requests() if r["method"] == "POST"], timeout=5)
    entry = [r for r in lonely.requests() if r["method"] == "POST"][0]
    assert (entry["status"], entry["client_gone"]) == (0, True)
    assert list_all(lonely, POLICIES) == []
    assert_no_traceback(lonely)


def test_a_client_gone_during_a_slow_read_leaves_no_traceback(lonely: EmulatorProcess) -> None:
    lonely.set_faults([{"method": "GET", "latency_ms": 400, "times": 1}])
    request = http_request(lonely, "GET", "/v1.0" + POLICIES, b"")
    assert raw_exchange(lonely, request, close_after=0.05) == b""
    entry = wait_for(lambda: [r for r in lonely.requests() if r["method"] == "GET" and r["status"]], timeout=5)[0]
    assert entry["client_gone"] is True
    assert lonely.graph("GET", POLICIES)[0] == 200
    assert_no_traceback(lonely)


def test_a_client_gone_while_setting_faults_leaves_no_traceback(lonely: EmulatorProcess) -> None:
    body = json.dumps({"rules": [{"status": 503, "times": 1}]}).encode()
    request = http_request(lonely, "POST", "/_emulator/faults", body[:5], length=len(body))
    assert raw_exchange(lonely, request, close_after=0.2) == b""
    assert http("GET", lonely.url + "/_emulator/faults", token=lonely.token)[1] == {"rules": []}
    assert_no_traceback(lonely)
