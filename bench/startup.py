"""Start-up time of the dynamic-provider process, measured over gRPC like the engine sees it.

The engine starts ``pulumi-resource-pulumi-python`` (a shell script that runs
``<virtualenv>/bin/python -u -m pulumi.dynamic``) in the project directory, reads the port it
prints, and then calls ``Configure`` and, per resource, ``Check`` / ``Diff`` / ``Create`` ...
This module does exactly that with the engine's own plugin script, and times from just before
the process is spawned (t = 0) to:

- ``port``: the port line on stdout (Python started, ``pulumi`` imported, gRPC server up);
- ``configure``: ``Configure`` answered (the server only stores the config here);
- ``check``: the first ``Check`` answered, of a policy already in the state and unchanged (what
  every ``preview`` of an existing stack starts with). This is the first call that needs the
  provider's own code: the server unpickles ``__provider`` (importing the provider's module and
  with it ``w365_provider``), calls ``configure()``, then ``check()``. **Start-up = this time**:
  from process start until it has served its first real call;
- ``check_new``: then a ``Check`` of the same policy as a new one: its assignments are new, so
  the people warning reads the tenant (issue 15: the Graph client is built, msgraph-sdk's lazy
  imports happen, five lists and the group's members are read, once per process). Graph work,
  like the creates below, so not counted as start-up;
- ``first_create``: the first ``Create`` answered (the first Graph work: the Graph client is
  built and msgraph-sdk's lazy imports happen here; two requests);
- ``next_create``: the duration of a second ``Create`` (steady state), for comparison.

The same is measured for the no-op provider, to separate Python + ``pulumi.dynamic`` from
what ``w365_provider`` adds. Each is repeated and the median of every point reported.
"""

from __future__ import annotations

import functools
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.engine import REPO, VENV


@functools.lru_cache(maxsize=1)
def plugin_script() -> Path:
    """The engine's ``pulumi-resource-pulumi-python`` (next to the locally built CLI)."""
    out = subprocess.run(
        [str(REPO / "scripts" / "build-engine.sh"), "--locate"],
        env={**os.environ, "PYTHON": str(VENV / "bin" / "python")},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return Path(out.stdout.strip()) / "pulumi-resource-pulumi-python"


def _struct(values: dict[str, Any]) -> Any:
    from google.protobuf import struct_pb2

    s = struct_pb2.Struct()
    s.update({k: v for k, v in values.items() if v is not None})
    return s


def measure_once(
    project_dir: Path, env: dict[str, str], urn: str, news: dict[str, Any], config: dict[str, str],
    creates: int = 2,
) -> dict[str, float]:
    """One process: spawn, Configure, Check, ``creates`` Creates. Seconds since spawn per point."""
    import grpc
    from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

    script = plugin_script()
    proc_env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    proc_env.update(env)
    proc_env.update(PULUMI_RUNTIME_VIRTUALENV=str(VENV), PULUMI_PROJECT=project_dir.name)
    points: dict[str, float] = {}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(script), "127.0.0.1:1"], cwd=project_dir, env=proc_env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline().strip())
        points["port"] = time.perf_counter() - t0
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        stub = provider_pb2_grpc.ResourceProviderStub(channel)
        stub.Configure(provider_pb2.ConfigureRequest(args=_struct(config)))
        points["configure"] = time.perf_counter() - t0
        same = stub.Check(provider_pb2.CheckRequest(urn=urn, olds=_struct(news), news=_struct(news)))
        points["check"] = time.perf_counter() - t0
        checked = stub.Check(provider_pb2.CheckRequest(urn=urn, olds=_struct({}), news=_struct(news)))
        points["check_new"] = time.perf_counter() - t0
        if same.failures or checked.failures:
            raise RuntimeError(f"Check failed: {same.failures or checked.failures}")
        for i in range(creates):
            before = time.perf_counter()
            stub.Create(provider_pb2.CreateRequest(urn=urn, properties=checked.inputs))
            if i == 0:
                points["first_create"] = time.perf_counter() - t0
            else:
                points["next_create"] = time.perf_counter() - before
        channel.close()
    except Exception:
        _kill(proc)
        _, err = proc.communicate(timeout=10)
        sys.stderr.write(err.decode(errors="replace")[-4000:])
        raise
    _kill(proc)
    proc.communicate(timeout=10)
    return points


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill the plugin script and the python it started (its own session, so its own group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def measure(repeat: int, **kwargs: Any) -> dict[str, Any]:
    """Median (and all samples) of ``measure_once`` over ``repeat`` fresh processes."""
    samples = [measure_once(**kwargs) for _ in range(repeat)]
    keys = samples[0].keys()
    return {
        "median": {k: statistics.median(s[k] for s in samples) for k in keys},
        "samples": samples,
    }


def provider_b64(kind: str, project_dir: Path) -> str:
    """The ``__provider`` value the program would send for ``kind`` (``ours`` or ``noop``)."""
    from pulumi.dynamic.dynamic import serialize_provider

    if kind == "ours":
        from w365_provider.provisioning_policy import ProvisioningPolicyProvider

        return str(serialize_provider(ProvisioningPolicyProvider()))
    sys.path.insert(0, str(project_dir))
    try:
        import bench_noop  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(project_dir))
    return str(serialize_provider(bench_noop.NoopProvider()))
