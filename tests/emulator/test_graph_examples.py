"""Every example request on the Graph reference pages of the operations the project uses, replayed.

The requests, their pages and the pages' status codes are in ``tests/fixtures/graph_examples.json``
(see its ``about``). A request is sent as the page writes it; only the literals its ``placeholders``
name are replaced, each by a real object of the emulator filled in for its role (``ROLES`` below,
described in the file's ``roles``): whole URL path segments and whole JSON string values, nothing
else. The answer must carry the page's status code and the keys of the page's example response.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.emulator.emulator_support import (
    CONNECTIONS,
    DEVICE_IMAGES,
    IMAGE_READY_SECONDS,
    POLICIES,
    USER_SETTINGS,
    policy_body,
    wait_for,
)
from w365_provider.emulator import EmulatorProcess, seed

DATA = json.loads((Path(__file__).parents[1] / "fixtures" / "graph_examples.json").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = DATA["cases"]
GRAPH = "https://graph.microsoft.com/"
LEARN = "https://learn.microsoft.com/en-us/graph/api/"
SUB = "0b7e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
VNET = f"/subscriptions/{SUB}/resourceGroups/rg-examples/providers/Microsoft.Network/virtualNetworks/vnet-examples"


def connection_body(name: str) -> dict[str, Any]:
    return {"displayName": name, "connectionType": "hybridAzureADJoin", "subscriptionId": SUB,
            "resourceGroupId": f"/subscriptions/{SUB}/resourceGroups/rg-examples", "virtualNetworkId": VNET,
            "subnetId": f"{VNET}/subnets/default", "adDomainName": "corp.example.com", "adDomainUsername": "svc-join",
            "adDomainPassword": "Examples-Join-1"}  # fmt: skip


class World:
    """The emulator objects the roles stand for, made on first use (one of each per test)."""

    def __init__(self, emu: EmulatorProcess) -> None:
        self.emu = emu
        self.made: dict[str, str] = {}

    def __getitem__(self, role: str) -> str:
        if role not in self.made:
            self.made[role] = ROLES[role](self)
        return self.made[role]

    def created(self, path: str, body: dict[str, Any]) -> str:
        status, answer = self.emu.graph("POST", path, body)
        assert status == 201, answer
        assert answer is not None
        return str(answer["id"])

    def assigned(self, path: str, owner: str) -> str:
        body = {"assignments": [{"target": {"groupId": self["group"]}}]}
        assert self.emu.graph("POST", f"{path}/{owner}/assign", body)[0] == 204
        return owner

    def ready_device_image(self) -> str:
        image_id = self.created(DEVICE_IMAGES, {
            "displayName": "Example image", "version": "1.0.0",
            "sourceImageResourceId": f"/subscriptions/{SUB}/resourceGroups/rg-examples/providers/Microsoft.Compute/images/example"})  # fmt: skip
        wait_for(lambda: self.emu.graph("GET", f"{DEVICE_IMAGES}/{image_id}")[1]["status"] == "ready",
                 timeout=IMAGE_READY_SECONDS + 5)  # fmt: skip
        return image_id


ROLES: dict[str, Callable[[World], str]] = {
    "policy": lambda w: w.created(POLICIES, policy_body(displayName="Example policy")),
    "policy_assigned": lambda w: w.assigned(POLICIES, w["policy"]),
    "gallery_image": lambda w: seed.GALLERY_WIN11_24H2_M365,
    "device_image": World.ready_device_image,
    "image_version": lambda w: "1.0.0",
    "hybrid_connection": lambda w: seed.CONNECTION_HYBRID_WEU,
    "hybrid_connection_2": lambda w: w.created(CONNECTIONS, connection_body("Example hybrid connection")),
    "connection": lambda w: w.created(CONNECTIONS, connection_body("Example connection")),
    "group": lambda w: seed.GROUP_FINANCE,
    "user_setting": lambda w: w.created(USER_SETTINGS, {"displayName": "Example setting"}),
    "user_setting_assigned": lambda w: w.assigned(USER_SETTINGS, w["user_setting"]),
}


def substitute(value: Any, names: dict[str, str]) -> Any:
    """``value`` with every JSON string equal to a placeholder replaced (keys and other text untouched)."""
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [substitute(v, names) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, names) for k, v in value.items()}
    return value


def request_of(case: dict[str, Any], world: World) -> tuple[str, str, Any]:
    """(version, path with query, body) of the page's request with its placeholders filled."""
    names = {literal: world[role] for literal, role in case["placeholders"].items()}
    parts = urlsplit(case["url"])
    version, *segments = parts.path.strip("/").split("/")
    path = "/" + "/".join(names.get(s, s) for s in segments)
    return version, path + (f"?{parts.query}" if parts.query else ""), substitute(case["body"], names)


def literals(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return set().union(*(literals(v) for v in value)) if value else set()
    if isinstance(value, dict):
        return set().union(*(literals(v) for v in value.values())) if value else set()
    return set()


def test_the_data_names_learn_pages_known_roles_and_literals_of_the_requests() -> None:
    assert len(CASES) >= 60 and len({c["id"] for c in CASES}) == len(CASES)
    for case in CASES:
        assert case["page"].startswith(LEARN) and case["url"].startswith(GRAPH), case["id"]
        assert case["page"].endswith(("?view=graph-rest-1.0", "?view=graph-rest-beta")), case["id"]
        assert urlsplit(case["url"]).path.split("/")[1] == ("v1.0" if case["page"].endswith("1.0") else "beta")
        assert set(case["placeholders"].values()) | set(case["setup"]) <= set(ROLES) == set(DATA["roles"]), case["id"]
        found = set(urlsplit(case["url"]).path.split("/")) | literals(case["body"])
        assert set(case["placeholders"]) <= found, case["id"]  # no stale placeholder


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_the_page_example_answers_with_the_page_status(emu: EmulatorProcess, case: dict[str, Any]) -> None:
    world = World(emu)
    for role in case["setup"]:
        world[role]
    version, path, body = request_of(case, world)
    status, answer = emu.graph(case["method"], path, body, version=version)
    assert status == case["status"], (case["page"], answer)
    if status == 204:
        assert answer is None
        return
    assert answer is not None
    missing = [k for k in case.get("keys", []) if k not in answer]
    assert not missing, (case["page"], missing, sorted(answer))
    if "item_keys" in case:
        assert answer["value"], case["page"]
        item = answer["value"][0]
        missing = [k for k in case["item_keys"] if k not in item]
        assert not missing, (case["page"], missing, sorted(item))
