"""The benchmark workload: a mixed stack of N objects, provisioning policies (half of them, each
assigned to two groups), user settings (a quarter, each assigned to one group) and Azure network
connections (a quarter, Microsoft Entra join).

One description of the workload feeds all three runs, so they do the same work:

- ours: a Pulumi program declaring ``ProvisioningPolicy``, ``UserSetting`` and
  ``NetworkConnection`` resources;
- engine overhead: the same program shape with no-op dynamic resources (``bench_noop.py``,
  an importable module in the temporary project, so the provider pickles by reference);
- floor: ``floor.py`` sending the same Graph requests straight through msgraph-sdk.

The program reads ``bench_spec.json`` from the project directory; the update phase rewrites
it with another ``variant`` (one property per object changes: a policy's description, a user
setting's local admin switch, a connection's name).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

from w365_provider.emulator import seed

GROUPS = (seed.GROUP_PILOT_USERS, seed.GROUP_FINANCE, seed.GROUP_ENGINEERING)
"""The emulator's seeded groups; policy i is assigned to two of them (a group may carry many policies)."""

IMAGE_ID = seed.GALLERY_WIN11_24H2_M365
SPEC_FILE = "bench_spec.json"
SUB = "11111111-2222-3333-4444-555555555555"
VNET = f"/subscriptions/{SUB}/resourceGroups/bench/providers/Microsoft.Network/virtualNetworks/bench"

KINDS = ("policy", "user_setting", "connection")
"""The entity sets of the stack: provisioningPolicies, userSettings, onPremisesConnections."""
CLASSES = {"policy": "ProvisioningPolicy", "user_setting": "UserSetting", "connection": "NetworkConnection"}
SETS = {"policy": "provisioningPolicies", "user_setting": "userSettings", "connection": "onPremisesConnections"}
PAGE_SIZE = 100
"""Graph's (and the emulator's) page size of these lists when no ``$top`` is sent."""
HEALTH_POLL_S = 1.0
"""The provider's first wait before it reads a new connection's health checks (``health.POLL_FIRST``)."""
EMULATOR_ARGS = ("--health-check-seconds", "0")
"""Health checks end at once, so a connection's create is POST, runHealthChecks and one GET."""


def kind_of(i: int) -> str:
    """Object i's kind: policies at 0 and 1 modulo 4, a user setting at 2, a connection at 3."""
    return ("policy", "policy", "user_setting", "connection")[i % 4]


def counts(n: int) -> dict[str, int]:
    """How many objects of each kind a stack of ``n`` has."""
    found = Counter(kind_of(i) for i in range(n))
    return {k: found[k] for k in KINDS if found[k]}


def list_pages(n: int) -> dict[str, int]:
    """The list floor: pages to list each entity set of a stack of ``n`` (at least one)."""
    return {k: max(1, math.ceil(c / PAGE_SIZE)) for k, c in counts(n).items()}


def policy_groups(n: int) -> set[str]:
    """The groups the policies of a stack of ``n`` are assigned to."""
    return {a["group_id"] for i in range(n) if kind_of(i) == "policy" for a in policy_args(i, "a")["assignments"]}


def policy_args(i: int, variant: str) -> dict[str, Any]:
    """Keyword arguments of policy ``i`` (snake_case, as ``ProvisioningPolicy`` takes them)."""
    first, second = GROUPS[i % 3], GROUPS[(i + 1) % 3]
    return {
        "display_name": f"Bench {i:03d}",
        "description": f"Benchmark policy {i:03d} ({variant})",
        "image_id": IMAGE_ID,
        "image_type": "gallery",
        "domain_join_configurations": [{"domain_join_type": "azureADJoin", "region_name": "automatic"}],
        "assignments": [{"group_id": first}, {"group_id": second}],
    }


def user_setting_args(i: int, variant: str) -> dict[str, Any]:
    """Keyword arguments of user setting ``i``; the update switches local admin on."""
    return {
        "display_name": f"Bench users {i:03d}",
        "local_admin_enabled": variant != "a",
        "restore_point_setting": {"frequency_type": "sixHours", "user_restore_enabled": True},
        "assignments": [{"group_id": GROUPS[i % 3]}],
    }


def connection_args(i: int, variant: str) -> dict[str, Any]:
    """Keyword arguments of connection ``i`` (Microsoft Entra join); the update renames it."""
    return {
        "display_name": f"Bench network {i:03d}" + ("" if variant == "a" else f" {variant}"),
        "connection_type": "azureADJoin",
        "subscription_id": SUB,
        "resource_group_id": VNET.split("/providers/")[0],
        "virtual_network_id": VNET,
        "subnet_id": f"{VNET}/subnets/s{i % 8}",
    }


ARGS = {"policy": policy_args, "user_setting": user_setting_args, "connection": connection_args}


def spec(n: int, variant: str = "a") -> dict[str, Any]:
    """``{"variant": ..., "resources": {name: {"kind": ..., "args": ...}}}`` for ``n`` objects."""
    resources = {f"r{i:03d}": {"kind": kind_of(i), "args": ARGS[kind_of(i)](i, variant)} for i in range(n)}
    return {"variant": variant, "resources": resources}


def write_spec(project_dir: Path, n: int, variant: str = "a") -> None:
    (project_dir / SPEC_FILE).write_text(json.dumps(spec(n, variant), indent=0))


# -- the Pulumi programs -------------------------------------------------------------------

OURS_PROGRAM = """\
import json
import w365_provider

CLASSES = %r
with open("bench_spec.json") as fh:
    spec = json.load(fh)
for name, res in spec["resources"].items():
    getattr(w365_provider, CLASSES[res["kind"]])(name, **res["args"])
""" % (CLASSES,)

NOOP_PROGRAM = """\
import json
from bench_noop import NoopResource

with open("bench_spec.json") as fh:
    spec = json.load(fh)
for name, res in spec["resources"].items():
    NoopResource(name, res["args"])
"""

NOOP_MODULE = '''\
"""A dynamic provider that does nothing: the engine's own cost per resource."""
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, Resource, ResourceProvider, UpdateResult


class NoopProvider(ResourceProvider):
    serialize_as_secret_always = False

    def check(self, olds, news):
        return CheckResult(news, [])

    def diff(self, id_, olds, news):
        return DiffResult(changes=None)  # the engine diffs the inputs itself, as for ProvisioningPolicy

    def create(self, props):
        return CreateResult(id_="noop-" + props["display_name"].replace(" ", "-"), outs=dict(props))

    def read(self, id_, props):
        inputs = {k: v for k, v in props.items() if k != "__provider"}
        return ReadResult(id_, dict(props), inputs)

    def update(self, id_, olds, news):
        return UpdateResult(outs=dict(news))

    def delete(self, id_, props):
        return None


class NoopResource(Resource, module="bench", name="Noop"):
    def __init__(self, name, args, opts=None):
        super().__init__(NoopProvider(), name, dict(args), opts)
'''


def files(kind: str) -> dict[str, str]:
    """The project files (besides Pulumi.yaml and the spec) for ``ours`` or ``noop``."""
    if kind == "ours":
        return {"__main__.py": OURS_PROGRAM}
    if kind == "noop":
        return {"__main__.py": NOOP_PROGRAM, "bench_noop.py": NOOP_MODULE}
    raise ValueError(kind)
