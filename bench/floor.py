"""The floor: the benchmark's Graph requests sent straight through msgraph-sdk, four at a time.

Run by ``bench/run.py`` as a subprocess (``python bench/floor.py --graph-url ... --spec ...``);
prints one JSON object. For the workload in ``--spec`` it runs the phases the Pulumi
commands need, with the same requests the provider's call budget allows:

| phase   | requests per policy                          |
|---------|----------------------------------------------|
| up      | POST provisioningPolicies, POST .../assign   |
| refresh | GET .../{id}?$expand=assignments             |
| update  | PATCH .../{id} (description only)            |
| destroy | POST .../assign (empty set), DELETE .../{id} |

(A no-op preview needs no request: its floor is zero.)

Concurrency: the engine gives the provider at most four calls at a time (the dynamic-provider
server's ``ThreadPoolExecutor(max_workers=4)``), and one provider call does one policy's
requests in sequence. So the floor runs one coroutine per policy under an
``asyncio.Semaphore(4)`` on one event loop with one client.

Timing of a phase: from just before the phase's ``GraphServiceClient`` is built (a fresh
client per phase, as each Pulumi command starts a fresh provider process) to the last
response. Interpreter start-up and ``import msgraph`` are not in it; they are reported
separately (``import_seconds``), since they are start-up cost, not Graph work.

``--api raw`` (default) sends JSON bodies through the SDK's request builders and request
adapter (``send_primitive_async(..., "bytes")``), the cheapest way through msgraph-sdk.
``--api typed`` uses the generated models (``CloudPcProvisioningPolicy``,
``AssignPostRequestBody``) and parses each response into a model, as a typical script would.
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


def create_body(args: dict[str, Any]) -> dict[str, Any]:
    """The create body the provider sends for these inputs (Graph JSON)."""
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


def assign_body(args: dict[str, Any] | None) -> dict[str, Any]:
    """``POST .../assign`` body; ``None`` unassigns (empty set)."""
    groups = [a["group_id"] for a in (args or {}).get("assignments", [])]
    return {"assignments": [{"target": {"@odata.type": GROUP_TARGET_TYPE, "groupId": g}} for g in groups]}


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


class Raw:
    """JSON bodies through request builders + the request adapter (no model parsing)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.pp = client.device_management.virtual_endpoint.provisioning_policies

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

    async def create(self, args: dict[str, Any]) -> str:
        created = await self._send("POST", self.pp, create_body(args))
        pid: str = created["id"]
        await self._send("POST", self.pp.by_cloud_pc_provisioning_policy_id(pid).assign, assign_body(args))
        return pid

    async def read(self, pid: str) -> None:
        await self._send("GET", self.pp.by_cloud_pc_provisioning_policy_id(pid), query={"%24expand": "assignments"})

    async def update(self, pid: str, args: dict[str, Any]) -> None:
        await self._send("PATCH", self.pp.by_cloud_pc_provisioning_policy_id(pid), {"description": args["description"]})

    async def delete(self, pid: str) -> None:
        item = self.pp.by_cloud_pc_provisioning_policy_id(pid)
        await self._send("POST", item.assign, assign_body(None))
        await self._send("DELETE", item)


class Typed:
    """The generated models, as a typical msgraph-sdk script would use them."""

    def __init__(self, client: Any) -> None:
        self.pp = client.device_management.virtual_endpoint.provisioning_policies

    @staticmethod
    def _assign_body(args: dict[str, Any] | None) -> Any:
        from msgraph.generated.device_management.virtual_endpoint.provisioning_policies.item.assign.assign_post_request_body import (  # noqa: E501
            AssignPostRequestBody,
        )
        from msgraph.generated.models.cloud_pc_management_group_assignment_target import (
            CloudPcManagementGroupAssignmentTarget,
        )
        from msgraph.generated.models.cloud_pc_provisioning_policy_assignment import CloudPcProvisioningPolicyAssignment

        groups = [a["group_id"] for a in (args or {}).get("assignments", [])]
        return AssignPostRequestBody(
            assignments=[
                CloudPcProvisioningPolicyAssignment(target=CloudPcManagementGroupAssignmentTarget(group_id=g))
                for g in groups
            ]
        )

    async def create(self, args: dict[str, Any]) -> str:
        from msgraph.generated.models.cloud_pc_domain_join_configuration import CloudPcDomainJoinConfiguration
        from msgraph.generated.models.cloud_pc_domain_join_type import CloudPcDomainJoinType
        from msgraph.generated.models.cloud_pc_provisioning_policy import CloudPcProvisioningPolicy
        from msgraph.generated.models.cloud_pc_provisioning_policy_image_type import (
            CloudPcProvisioningPolicyImageType,
        )
        from msgraph.generated.models.cloud_pc_provisioning_type import CloudPcProvisioningType

        body = CloudPcProvisioningPolicy(
            display_name=args["display_name"],
            description=args["description"],
            image_id=args["image_id"],
            image_type=CloudPcProvisioningPolicyImageType.Gallery,
            provisioning_type=CloudPcProvisioningType.Dedicated,
            domain_join_configurations=[
                CloudPcDomainJoinConfiguration(
                    domain_join_type=CloudPcDomainJoinType.AzureADJoin, region_name=d["region_name"]
                )
                for d in args["domain_join_configurations"]
            ],
        )
        created = await self.pp.post(body)
        pid: str = created.id
        await self.pp.by_cloud_pc_provisioning_policy_id(pid).assign.post(self._assign_body(args))
        return pid

    async def read(self, pid: str) -> None:
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.device_management.virtual_endpoint.provisioning_policies.item.cloud_pc_provisioning_policy_item_request_builder import (  # noqa: E501
            CloudPcProvisioningPolicyItemRequestBuilder,
        )

        qp = CloudPcProvisioningPolicyItemRequestBuilder.CloudPcProvisioningPolicyItemRequestBuilderGetQueryParameters(
            expand=["assignments"]
        )
        await self.pp.by_cloud_pc_provisioning_policy_id(pid).get(
            request_configuration=RequestConfiguration(query_parameters=qp)
        )

    async def update(self, pid: str, args: dict[str, Any]) -> None:
        from msgraph.generated.models.cloud_pc_provisioning_policy import CloudPcProvisioningPolicy

        await self.pp.by_cloud_pc_provisioning_policy_id(pid).patch(
            CloudPcProvisioningPolicy(description=args["description"])
        )

    async def delete(self, pid: str) -> None:
        item = self.pp.by_cloud_pc_provisioning_policy_id(pid)
        await item.assign.post(self._assign_body(None))
        await item.delete()


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
    emulator_url = args.graph_url.rsplit("/", 1)[0]
    api_cls = {"raw": Raw, "typed": Typed}[args.api]
    ids: dict[str, str] = {}

    async def limited(slots: asyncio.Semaphore, coro_fn: Any) -> Any:
        async with slots:
            return await coro_fn()

    def phase_work(name: str) -> Any:
        async def work(api: Any, slots: asyncio.Semaphore) -> None:
            async def one(rname: str, rargs: dict[str, Any]) -> None:
                if name == "up":
                    ids[rname] = await api.create(rargs)
                elif name == "refresh":
                    await api.read(ids[rname])
                elif name == "update":
                    await api.update(ids[rname], {**rargs, "description": rargs["description"] + " (floor v2)"})
                elif name == "destroy":
                    await api.delete(ids[rname])

            await asyncio.gather(*(limited(slots, lambda n=n, a=a: one(n, a)) for n, a in resources.items()))

        return work

    phases: dict[str, Any] = {}
    for name in ("up", "refresh", "update", "destroy"):
        control(emulator_url, args.token, "DELETE", "/_emulator/requests")
        cpu = time.process_time()
        seconds = await run_phase(api_cls, args.graph_url, args.token, args.concurrency, phase_work(name))
        cpu = time.process_time() - cpu
        log = control(emulator_url, args.token, "GET", "/_emulator/requests")["requests"]
        phases[name] = {"seconds": seconds, "cpu_s": cpu, "requests": graphlog.summarize(log)}
    return {"api": args.api, "concurrency": args.concurrency, "n": len(resources),
            "import_seconds": IMPORT_SECONDS, "phases": phases}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--spec", required=True, help="bench_spec.json written by workload.write_spec")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--api", choices=("raw", "typed"), default="raw")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main_async(args))))


if __name__ == "__main__":
    main()
