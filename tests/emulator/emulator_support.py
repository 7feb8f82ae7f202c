"""Helpers shared by the emulator conformance tests (paths, bodies, paging, polling)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from w365_provider.emulator import EmulatorProcess
from w365_provider.emulator import seed

POLICIES = "/deviceManagement/virtualEndpoint/provisioningPolicies"
GALLERY = "/deviceManagement/virtualEndpoint/galleryImages"
DEVICE_IMAGES = "/deviceManagement/virtualEndpoint/deviceImages"
CONNECTIONS = "/deviceManagement/virtualEndpoint/onPremisesConnections"
USER_SETTINGS = "/deviceManagement/virtualEndpoint/userSettings"
GROUPS = "/groups"
READ_ONLY_TOKEN = "emulator-reader-token"
IMAGE_READY_SECONDS = 0.3


def policy_body(**overrides: Any) -> dict[str, Any]:
    """A valid create body (Entra join, Microsoft-hosted network, gallery image)."""
    body: dict[str, Any] = {
        "displayName": "W365 Test Policy",
        "description": "created by a test",
        "imageId": seed.GALLERY_WIN11_24H2_M365,
        "imageType": "gallery",
        "provisioningType": "dedicated",
        "domainJoinConfigurations": [{"domainJoinType": "azureADJoin", "regionName": "westeurope"}],
        "cloudPcNamingTemplate": "CPC-%USERNAME:4%-%RAND:5%",
        "windowsSetting": {"locale": "en-US"},
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def list_all(emu: EmulatorProcess, path: str, version: str = "v1.0") -> list[dict[str, Any]]:
    """Follow @odata.nextLink until it is absent."""
    status, body = emu.graph("GET", path, version=version)
    assert status == 200, body
    assert body is not None
    items = list(body["value"])
    while "@odata.nextLink" in body:
        status, body = emu.graph("GET", body["@odata.nextLink"])
        assert status == 200, body
        assert body is not None
        items.extend(body["value"])
    return items


def wait_for(predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def http(
    method: str,
    url: str,
    *,
    token: str | None,
    body: Any = None,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any, dict[str, str]]:
    """A raw HTTP call: (status, JSON body or None, lower-cased response headers)."""
    import json
    import urllib.error
    import urllib.request

    payload = data if data is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(url, data=payload, method=method)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    if payload is not None:
        request.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw, got = response.status, response.read(), response.headers
    except urllib.error.HTTPError as err:
        status, raw, got = err.code, err.read(), err.headers
    parsed = json.loads(raw) if raw else None
    return status, parsed, {k.lower(): v for k, v in got.items()}
