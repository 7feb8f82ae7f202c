"""The floor: the benchmark's Graph requests sent straight through msgraph-sdk, four at a time.

Run by ``bench/run.py`` as a subprocess (``python bench/floor.py --graph-url ... --spec ...``);
prints one JSON object. For the workload in ``--spec`` it runs the phases the Pulumi
commands need, with the same requests the provider's call budget allows, per object:

| phase   | provisioning policy         | user setting                | network connection                 |
|---------|-----------------------------|-----------------------------|------------------------------------|
| up      | POST, POST assign           | POST, POST assign           | POST, POST runHealthChecks, (1 s), GET |
| refresh | GET ?$expand=assignments    | GET ?$expand=assignments    | GET                                |
| update  | PATCH (description)         | PATCH (localAdminEnabled)   | PATCH (displayName)                |
| destroy | POST assign (empty), DELETE | POST assign (empty), DELETE | DELETE                             |

and ``list``: the list floor of a refresh, each entity set listed once with the read's query
options, following ``@odata.nextLink`` (⌈objects / page size⌉ requests per set). A no-op
preview needs no request: its floor is zero.

Concurrency: the engine gives the provider at most four calls at a time (the dynamic-provider
server's ``ThreadPoolExecutor(max_workers=4)``), and one provider call does one object's
requests in sequence. So the floor runs one coroutine per object under an
``asyncio.Semaphore(4)`` on one event loop with one client.

Timing of a phase: from just before the phase's ``GraphServiceClient`` is built (a fresh
client per phase, as each Pulumi command starts a fresh provider process) to the last
response. Interpreter start-up and ``import msgraph`` are not in it; they are reported
separately (``import_seconds``), since they are start-up cost, not Graph work.

JSON bodies go through the SDK's request builders and request adapter
(``send_primitive_async(..., "bytes")``), the cheapest way through msgraph-sdk, as the provider
does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

T0 = time.perf_counter()
from msgraph import GraphRequestAdapter, GraphServiceClient  # noqa: E402
from kiota_abstractions.authentication import (  # noqa: E402
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)

IMPORT_SECONDS = time.perf_counter() - T0

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import graphlog  # noqa: E402


GROUP_TARGET_TYPE = "#microsoft.graph.cloudPcManagementGroupAssignmentTarget"
HEALTH_POLL_S = 1.0
"""The provider's first wait before reading a new connection's health checks (``health.POLL_FIRST``)."""


def policy_body(args: dict[str, Any]) -> dict[str, Any]:
    """The create body the provider sends for a policy (Graph JSON)."""
    return {
        "displayName": args["display_name"],
        "description": args["description"],
        "imageId": args["image_id"],
        "imageType": args["image_type"],
        "provisioningType": "dedicated",
        "domainJoinConfigurations": [
            {"domainJoinType": d["domain_join_type"], "regionName": d["region_name"]}
            for d in args["domain_join_configurations"]
        ],
    }


def setting_body(args: dict[str, Any]) -> dict[str, Any]:
    rp = args["restore_point_setting"]
    return {
        "displayName": args["display_name"],
        "localAdminEnabled": args["local_admin_enabled"],
        "restorePointSetting": {"frequencyType": rp["frequency_type"], "userRestoreEnabled": rp["user_restore_enabled"]},
    }


def connection_body(args: dict[str, Any]) -> dict[str, Any]:
    return {
        "displayName": args["display_name"],
        "connectionType": args["connection_type"],
        "subscriptionId": args["subscription_id"],
        "resourceGroupId": args["resource_group_id"],
        "virtualNetworkId": args["virtual_network_id"],
        "subnetId": args["subnet_id"],
    }


def assign_body(args: dict[str, Any] | None, target_type: str = GROUP_TARGET_TYPE) -> dict[str, Any]:
    """``POST .../assign`` body; ``None`` unassigns (empty set)."""
    groups = [a["group_id"] for a in (args or {}).get("assignments", [])]
    return {"assignments": [{"target": {"@odata.type": target_type, "groupId": g}} for g in groups]}


class StaticToken(AccessTokenProvider):
    def __init__(self, token: str, host: str) -> None:
        self._token, self._hosts = token, AllowedHostsValidator([host])

    async def get_authorization_token(self, uri: str, additional_authentication_context: Any = None) -> str:
        return self._token if self._hosts.is_url_host_valid(uri) else ""

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self._hosts


def build_client(graph_url: str, token: str) -> Any:
    from urllib.parse import urlsplit

    adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticToken(token, urlsplit(graph_url).hostname)))
    adapter.base_url = graph_url.rstrip("/")
    return GraphServiceClient(request_adapter=adapter)


EXPAND = {"%24expand": "assignments"}


class Raw:
    """JSON bodies through request builders + the request adapter (no model parsing)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        ve = client.device_management.virtual_endpoint
        self.pp = ve.provisioning_policies
        self.sets = {"policy": ve.provisioning_policies, "user_setting": ve.user_settings,
                     "connection": ve.on_premises_connections}  # fmt: skip
        self.items = {"policy": ve.provisioning_policies.by_cloud_pc_provisioning_policy_id,
                      "user_setting": ve.user_settings.by_cloud_pc_user_setting_id,
                      "connection": ve.on_premises_connections.by_cloud_pc_on_premises_connection_id}  # fmt: skip

    async def _send(self, method: str, builder: Any, body: Any = None, query: dict[str, str] | None = None) -> Any:
        from kiota_abstractions.method import Method
        from kiota_abstractions.request_information import RequestInformation
        from msgraph.generated.models.o_data_errors.o_data_error import ODataError

        info = RequestInformation(Method(method), builder.url_template, dict(builder.path_parameters))
        for name, value in (query or {}).items():
            info.query_parameters[name] = value
        info.headers.try_add("Accept", "application/json")
        if body is not None:
            info.set_stream_content(json.dumps(body).encode(), "application/json")
        raw = await builder.request_adapter.send_primitive_async(info, "bytes", {"XXX": ODataError})
        return json.loads(raw) if raw else None

    async def create(self, kind: str, args: dict[str, Any]) -> str:
        body = {"policy": policy_body, "user_setting": setting_body, "connection": connection_body}[kind](args)
        created = await self._send("POST", self.sets[kind], body)
        oid: str = created["id"]
        item = self.items[kind](oid)
        if kind == "connection":
            await self._send("POST", item.run_health_checks)
            await asyncio.sleep(HEALTH_POLL_S)
            await self._send("GET", item, query={"%24select": "id,displayName,healthCheckStatus,healthCheckStatusDetail"})
        else:
            await self._send("POST", item.assign, assign_body(args))
        return oid

    async def read(self, kind: str, oid: str) -> None:
        await self._send("GET", self.items[kind](oid), query=None if kind == "connection" else EXPAND)

    async def list(self, kind: str) -> None:
        page = await self._send("GET", self.sets[kind], query=None if kind == "connection" else EXPAND)
        while page.get("@odata.nextLink"):
            page = await self._send("GET", self.sets[kind].with_url(page["@odata.nextLink"]))

    async def update(self, kind: str, oid: str, args: dict[str, Any]) -> None:
        body = {"policy": {"description": args.get("description")},
                "user_setting": {"localAdminEnabled": args.get("local_admin_enabled")},
                "connection": {"displayName": args.get("display_name")}}[kind]  # fmt: skip
        await self._send("PATCH", self.items[kind](oid), body)

    async def delete(self, kind: str, oid: str) -> None:
        item = self.items[kind](oid)
        if kind != "connection":
            await self._send("POST", item.assign, assign_body(None))
        await self._send("DELETE", item)


def control(url: str, token: str, method: str, path: str) -> Any:
    request = urllib.request.Request(url + path, method=method, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


async def run_phase(api_cls: type, graph_url: str, token: str, concurrency: int, work: Any) -> float:
    """Build a client, run ``work(api, slot)`` and return the seconds it took."""
    start = time.perf_counter()
    api = api_cls(build_client(graph_url, token))
    slots = asyncio.Semaphore(concurrency)
    await work(api, slots)
    seconds = time.perf_counter() - start
    await api.pp.request_adapter._http_client.aclose()  # private, but the only way to close it
    return seconds


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    spec = json.loads(Path(args.spec).read_text())
    resources: dict[str, dict[str, Any]] = spec["resources"]
    changed = json.loads(Path(args.changed).read_text())["resources"] if args.changed else resources
    emulator_url = args.graph_url.rsplit("/", 1)[0]
    ids: dict[str, str] = {}

    async def limited(slots: asyncio.Semaphore, coro_fn: Any) -> Any:
        async with slots:
            return await coro_fn()

    def phase_work(name: str) -> Any:
        async def work(api: Raw, slots: asyncio.Semaphore) -> None:
            if name == "list":
                kinds = sorted({res["kind"] for res in resources.values()})
                await asyncio.gather(*(limited(slots, lambda k=k: api.list(k)) for k in kinds))
                return

            async def one(rname: str, res: dict[str, Any]) -> None:
                kind = res["kind"]
                if name == "up":
                    ids[rname] = await api.create(kind, res["args"])
                elif name == "refresh":
                    await api.read(kind, ids[rname])
                elif name == "update":
                    await api.update(kind, ids[rname], changed[rname]["args"])
                elif name == "destroy":
                    await api.delete(kind, ids[rname])

            await asyncio.gather(*(limited(slots, lambda n=n, r=r: one(n, r)) for n, r in resources.items()))

        return work

    phases: dict[str, Any] = {}
    for name in ("up", "refresh", "list", "update", "destroy"):
        control(emulator_url, args.token, "DELETE", "/_emulator/requests")
        cpu = time.process_time()
        seconds = await run_phase(Raw, args.graph_url, args.token, args.concurrency, phase_work(name))
        cpu = time.process_time() - cpu
        log = control(emulator_url, args.token, "GET", "/_emulator/requests")["requests"]
        phases[name] = {"seconds": seconds, "cpu_s": cpu, "requests": graphlog.summarize(log)}
    return {"api": "raw", "concurrency": args.concurrency, "n": len(resources),
            "import_seconds": IMPORT_SECONDS, "phases": phases}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--spec", required=True, help="bench_spec.json written by workload.write_spec")
    parser.add_argument("--changed", help="the spec of the update phase (default: --spec)")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main_async(args))))


if __name__ == "__main__":
    main()
