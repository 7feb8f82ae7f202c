"""The benchmark workload: N provisioning policies with two group assignments each.

One description of the workload feeds all three runs, so they do the same work:

- ours: a Pulumi program declaring ``w365_provider.ProvisioningPolicy`` resources;
- engine overhead: the same program shape with no-op dynamic resources (``bench_noop.py``,
  an importable module in the temporary project, so the provider pickles by reference);
- floor: ``floor.py`` sending the same Graph requests straight through msgraph-sdk.

The program reads ``bench_spec.json`` from the project directory; the update phase rewrites
it with another ``variant`` (only each policy's description changes).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from w365_provider.emulator import seed

GROUPS = (seed.GROUP_PILOT_USERS, seed.GROUP_FINANCE, seed.GROUP_ENGINEERING)
"""The emulator's seeded groups; policy i is assigned to two of them (a group may carry many policies)."""

IMAGE_ID = seed.GALLERY_WIN11_24H2_M365
SPEC_FILE = "bench_spec.json"


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


def spec(n: int, variant: str = "a") -> dict[str, Any]:
    """``{"variant": ..., "resources": {name: args}}`` for ``n`` policies."""
    return {"variant": variant, "resources": {f"p{i:03d}": policy_args(i, variant) for i in range(n)}}


def write_spec(project_dir: Path, n: int, variant: str = "a") -> None:
    (project_dir / SPEC_FILE).write_text(json.dumps(spec(n, variant), indent=0))


# -- the Pulumi programs -------------------------------------------------------------------

OURS_PROGRAM = """\
import json
from w365_provider import ProvisioningPolicy

with open("bench_spec.json") as fh:
    spec = json.load(fh)
for name, args in spec["resources"].items():
    ProvisioningPolicy(name, **args)
"""

NOOP_PROGRAM = """\
import json
from bench_noop import NoopResource

with open("bench_spec.json") as fh:
    spec = json.load(fh)
for name, args in spec["resources"].items():
    NoopResource(name, args)
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
