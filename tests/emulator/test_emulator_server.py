"""Server behaviour over HTTP: start-up, auth, URL handling, error envelope, headers, log, reset."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.emulator.emulator_support import (
    CONNECTIONS,
    GALLERY,
    GROUPS,
    POLICIES,
    READ_ONLY_TOKEN,
    http,
    list_all,
    policy_body,
)

from w365_provider.emulator import DEFAULT_TOKEN, EmulatorProcess, default_db_path, ensure_running, models, seed
from w365_provider.emulator.config import REQUEST_LOG_SIZE

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def assert_envelope(body: dict, code: str, message: str | None = None) -> None:
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    if message is not None:
        assert error["message"] == message
    inner = error["innerError"]
    assert set(inner) == {"date", "request-id", "client-request-id"}
    assert UUID_RE.match(inner["request-id"])


# ----------------------------------------------------------------------------- start-up
def test_default_token_is_documented_constant() -> None:
    assert DEFAULT_TOKEN == "w365-emulator-token"


def test_process_prints_listening_line_and_answers_health(emu: EmulatorProcess) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emu.url)
    assert emu.graph_url == emu.url + "/v1.0"
    status, body, headers = http("GET", emu.url + "/_emulator/health", token=None)
    assert status == 200 and body == {"status": "ok"}
    assert "request-id" in headers
    assert ensure_running(emu.url, emu.token) is True


def test_ensure_running_is_false_when_nothing_listens() -> None:
    assert ensure_running("http://127.0.0.1:9", DEFAULT_TOKEN) is False


def test_default_db_lives_in_xdg_data_home(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "w365_provider.emulator", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert re.fullmatch(r"listening on http://127\.0\.0\.1:\d+\n", line)
        assert (tmp_path / "w365-emulator" / "graph.db").is_file()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.stdout.read() == ""  # exactly one line on stdout
    assert proc.returncode == 0


def test_default_db_path_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_db_path() == tmp_path / "w365-emulator" / "graph.db"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_db_path() == Path.home() / ".local" / "share" / "w365-emulator" / "graph.db"


# ----------------------------------------------------------------------------- auth
def test_missing_token_is_401(emu: EmulatorProcess) -> None:
    status, body, headers = http("GET", emu.graph_url + POLICIES, token=None)
    assert status == 401
    assert_envelope(body, "InvalidAuthenticationToken", models.TOKEN_MISSING_MSG)
    assert headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("authorization", ["Bearer wrong-token", "Basic dXNlcjpwYXNz", "Bearer "])
def test_invalid_token_is_401(emu: EmulatorProcess, authorization: str) -> None:
    status, body, _ = http("GET", emu.graph_url + POLICIES, token=None, headers={"Authorization": authorization})
    assert status == 401
    assert_envelope(body, "InvalidAuthenticationToken")


def test_auth_is_checked_before_validation_and_routing(emu: EmulatorProcess) -> None:
    status, body, _ = http("POST", emu.graph_url + POLICIES, token="nope", body={"displayName": "x<y"})
    assert status == 401
    status, body, _ = http("GET", emu.graph_url + "/deviceManagement/nonsense", token=None)
    assert status == 401
    assert list_all(emu, POLICIES) == []


def test_read_only_token_reads_but_cannot_write(emu: EmulatorProcess) -> None:
    status, body, _ = http("GET", emu.graph_url + GALLERY, token=READ_ONLY_TOKEN)
    assert status == 200 and body["value"]
    status, body, _ = http("POST", emu.graph_url + POLICIES, token=READ_ONLY_TOKEN, body=policy_body())
    assert status == 403
    assert_envelope(body, "Forbidden", models.READ_ONLY_TOKEN_MSG)
    status, body, _ = http("DELETE", emu.graph_url + GROUPS + "/" + seed.GROUP_FINANCE, token=READ_ONLY_TOKEN)
    assert status == 403
    assert list_all(emu, POLICIES) == []
    assert emu.graph("GET", GROUPS + "/" + seed.GROUP_FINANCE)[0] == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/_emulator/requests"), ("POST", "/_emulator/reset"), ("GET", "/_emulator/faults"), ("DELETE", "/_emulator/faults")],
)
def test_control_routes_need_the_full_token(emu: EmulatorProcess, method: str, path: str) -> None:
    status, body, _ = http(method, emu.url + path, token=None)
    assert status == 401
    assert_envelope(body, "InvalidAuthenticationToken")
    status, body, _ = http(method, emu.url + path, token=READ_ONLY_TOKEN)
    assert status == 403
    status, _, _ = http(method, emu.url + path, token=emu.token)
    assert status in (200, 204)


# ----------------------------------------------------------------------------- URL handling
def test_unknown_segment_is_400_bad_request(emu: EmulatorProcess) -> None:
    status, body = emu.graph("GET", "/deviceManagement/virtualEndpoint/cloudPCz")
    assert status == 400
    assert_envelope(body, "BadRequest", models.SEGMENT_NOT_FOUND_MSG.format(segment="cloudPCz"))
    policy = emu.graph("POST", POLICIES, policy_body())[1]
    status, body = emu.graph("POST", f"{POLICIES}/{policy['id']}/reprovision")
    assert status == 400
    assert_envelope(body, "BadRequest", models.SEGMENT_NOT_FOUND_MSG.format(segment="reprovision"))


def test_unknown_version_is_400(emu: EmulatorProcess) -> None:
    status, body, _ = http("GET", emu.url + "/v2.0" + GROUPS, token=emu.token)
    assert status == 400
    assert_envelope(body, "BadRequest", models.INVALID_VERSION_MSG.format(version="v2.0"))


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", POLICIES, "GET, POST"),
        ("DELETE", GALLERY + "/" + seed.GALLERY_WIN11_24H2_M365, "GET"),
        ("POST", GALLERY, "GET"),
        ("PATCH", "/deviceManagement/virtualEndpoint/deviceImages/x", "DELETE, GET"),
        ("GET", POLICIES + "/x/assign", "POST"),
    ],
)
def test_method_not_allowed_is_405(emu: EmulatorProcess, method: str, path: str, allow: str) -> None:
    status, body, headers = http(method, emu.graph_url + path, token=emu.token, body={})
    assert status == 405
    assert_envelope(body, "BadRequest", models.METHOD_NOT_ALLOWED_MSG)
    assert headers["allow"] == allow


def test_unknown_id_is_404_with_envelope(emu: EmulatorProcess) -> None:
    status, body = emu.graph("GET", POLICIES + "/00000000-0000-0000-0000-000000000000")
    assert status == 404
    assert_envelope(
        body,
        "ResourceNotFound",
        models.NOT_FOUND_MSG.format(type="cloudPcProvisioningPolicy", id="00000000-0000-0000-0000-000000000000"),
    )
    for method in ("PATCH", "DELETE"):
        assert emu.graph(method, POLICIES + "/nope", {} if method == "PATCH" else None)[0] == 404
    assert emu.graph("POST", POLICIES + "/nope/assign", {"assignments": []})[0] == 404
    status, body = emu.graph("GET", GROUPS + "/nope")
    assert status == 404
    assert_envelope(body, "Request_ResourceNotFound", models.GROUP_NOT_FOUND_MSG.format(id="nope"))


def test_double_slash_after_version_is_tolerated(emu: EmulatorProcess) -> None:
    status, body, _ = http("GET", emu.url + "/v1.0//" + GALLERY.lstrip("/"), token=emu.token)
    assert status == 200 and len(body["value"]) == len(seed.GALLERY_IMAGES)
    status, body, _ = http("GET", emu.url + "/beta//groups", token=emu.token)
    assert status == 200 and len(body["value"]) == 3


def test_dollar_and_percent_encoded_query_options_are_equal(emu: EmulatorProcess) -> None:
    plain = http("GET", emu.graph_url + GROUPS + "?$filter=displayName%20eq%20'W365%20Finance'", token=emu.token)
    encoded = http("GET", emu.graph_url + GROUPS + "?%24filter=displayName%20eq%20%27W365%20Finance%27", token=emu.token)
    assert plain[0] == encoded[0] == 200
    assert [g["id"] for g in plain[1]["value"]] == [g["id"] for g in encoded[1]["value"]] == [seed.GROUP_FINANCE]


def test_percent_encoded_ids_are_decoded(emu: EmulatorProcess) -> None:
    encoded = seed.GALLERY_WIN11_24H2_M365.replace("_", "%5F").replace("-", "%2D")
    status, body = emu.graph("GET", GALLERY + "/" + encoded)
    assert status == 200 and body["id"] == seed.GALLERY_WIN11_24H2_M365
    status, body = emu.graph("GET", GROUPS + "/a%2Fb")  # an encoded slash stays inside the key
    assert status == 404
    assert body["error"]["message"] == models.GROUP_NOT_FOUND_MSG.format(id="a/b")


def test_key_in_parentheses_and_case_insensitive_segments(emu: EmulatorProcess) -> None:
    status, body = emu.graph("GET", f"/groups('{seed.GROUP_ENGINEERING}')")
    assert status == 200 and body["displayName"] == "W365 Engineering"
    status, body = emu.graph("GET", "/devicemanagement/virtualendpoint/galleryimages")
    assert status == 200 and body["value"]


def test_invalid_json_is_400(emu: EmulatorProcess) -> None:
    status, body, _ = http("POST", emu.graph_url + POLICIES, token=emu.token, data=b"{not json")
    assert status == 400
    assert_envelope(body, "BadRequest", models.INVALID_JSON_MSG)


# ----------------------------------------------------------------------------- headers
def test_client_request_id_is_echoed_and_request_id_set(emu: EmulatorProcess) -> None:
    cid = "6f1f0e38-1111-4222-8333-944455556666"
    status, body, headers = http("GET", emu.graph_url + POLICIES + "/missing", token=emu.token, headers={"client-request-id": cid})
    assert status == 404
    assert headers["client-request-id"] == cid
    assert body["error"]["innerError"]["client-request-id"] == cid
    assert body["error"]["innerError"]["request-id"] == headers["request-id"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", body["error"]["innerError"]["date"])


def test_every_response_has_a_request_id(emu: EmulatorProcess) -> None:
    seen = set()
    for method, url, token in [
        ("GET", emu.graph_url + GALLERY, emu.token),
        ("GET", emu.graph_url + GALLERY, None),
        ("PUT", emu.graph_url + GALLERY, emu.token),
        ("GET", emu.url + "/_emulator/requests", emu.token),
        ("GET", emu.url + "/_emulator/health", None),
        ("PUT", emu.url + "/_emulator/reset", emu.token),
    ]:
        _, _, headers = http(method, url, token=token)
        assert UUID_RE.match(headers["request-id"]), (method, url)
        seen.add(headers["request-id"])
    assert len(seen) == 6
    _, _, headers = http("GET", emu.graph_url + GALLERY, token=emu.token)
    assert headers["content-type"].startswith("application/json")


# ----------------------------------------------------------------------------- request log and reset
def test_request_log_lists_graph_requests_oldest_first(emu: EmulatorProcess) -> None:
    emu.graph("GET", GALLERY + "?$top=2")
    emu.graph("POST", POLICIES, policy_body(displayName="bad|name"))
    http("GET", emu.graph_url + GROUPS, token=None)
    http("GET", emu.url + "/_emulator/health", token=None)  # control routes are not logged
    log = emu.requests()
    assert [(r["method"], r["path"], r["query"], r["status"]) for r in log] == [
        ("GET", "/v1.0" + GALLERY, "$top=2", 200),
        ("POST", "/v1.0" + POLICIES, "", 400),
        ("GET", "/v1.0" + GROUPS, "", 401),
    ]
    emu.clear_requests()
    assert emu.requests() == []
    assert REQUEST_LOG_SIZE >= 10_000


def test_reset_empties_state_but_keeps_catalogue(emu: EmulatorProcess) -> None:
    emu.graph("POST", POLICIES, policy_body())
    emu.graph("POST", GROUPS, {"displayName": "Temp"})
    assert emu.graph("DELETE", GROUPS + "/" + seed.GROUP_PILOT_USERS)[0] == 204
    assert emu.graph("PATCH", CONNECTIONS + "/" + seed.CONNECTION_ENTRA_EUS, {"displayName": "renamed"})[0] == 200
    emu.set_faults([{"path": "groups", "status": 500}])
    emu.reset()
    assert list_all(emu, POLICIES) == []
    assert sorted(g["id"] for g in list_all(emu, GROUPS)) == sorted(g["id"] for g in seed.GROUPS)
    connections = {c["id"]: c for c in list_all(emu, CONNECTIONS)}
    assert set(connections) == {seed.CONNECTION_HYBRID_WEU, seed.CONNECTION_ENTRA_EUS}
    assert connections[seed.CONNECTION_ENTRA_EUS]["displayName"] == "ANC Entra East US"
    assert len(list_all(emu, GALLERY)) == len(seed.GALLERY_IMAGES)
    status, body, _ = http("GET", emu.url + "/_emulator/faults", token=emu.token)
    assert status == 200 and body == {"rules": []}
