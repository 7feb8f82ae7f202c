"""Smoke test of the real engine: a trivial dynamic resource from an importable module.

preview → up → preview --expect-no-changes → destroy, all offline with a file backend.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.e2e.harness import PULUMI, REPO, make_project

pytestmark = pytest.mark.e2e

PROVIDER = '''
from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class GreetingProvider(ResourceProvider):
    def create(self, props):
        return CreateResult(id_="greeting-" + props["message"], outs={**props, "length": len(props["message"])})


class Greeting(Resource, module="smoke", name="Greeting"):
    def __init__(self, name, message, opts=None):
        super().__init__(GreetingProvider(), name, {"message": message, "length": None}, opts)
'''

PROGRAM = '''
import pulumi
from smoke_provider import Greeting

greeting = Greeting("hello", message="hi-there")
pulumi.export("length", greeting.length)
'''


def test_engine_lifecycle(tmp_path: Path) -> None:
    project = make_project(tmp_path, PROGRAM, name="smoke", files={"smoke_provider.py": PROVIDER})

    digest = project.preview_json()
    ops = {step["urn"].rsplit("::", 1)[-1]: step["op"] for step in digest["steps"]}
    assert ops["hello"] == "create"
    assert digest["changeSummary"].get("create") == 2  # the stack and the greeting

    up = project.up()
    assert "2 created" in up.stdout
    assert project.outputs() == {"length": 8}
    [greeting] = project.resources("smoke:Greeting")
    assert greeting["type"] == "pulumi-python:dynamic/smoke:Greeting"
    assert greeting["id"] == "greeting-hi-there"

    again = project.preview("--expect-no-changes", "--diff")
    assert "2 unchanged" in again.stdout

    project.destroy()
    assert project.resources("smoke:Greeting") == []
    assert project.export()["deployment"].get("resources") in (None, [])


def test_version_is_at_least_the_sdk() -> None:
    import importlib.metadata

    out = subprocess.run([str(PULUMI), "version"], capture_output=True, text=True, check=True).stdout.strip()
    engine = tuple(int(x) for x in out.lstrip("v").split(".")[:3])
    sdk = tuple(int(x) for x in importlib.metadata.version("pulumi").split(".")[:3])
    assert engine >= sdk, f"engine {out} is older than the pulumi SDK {sdk}"


def test_wrapper_fails_without_engine(tmp_path: Path) -> None:
    """With an empty engine cache, scripts/pulumi fails (so e2e tests fail, never skip)."""
    env = {**os.environ, "W365_CACHE_DIR": str(tmp_path / "empty-cache")}
    proc = subprocess.run([str(PULUMI), "version"], capture_output=True, text=True, env=env, cwd=REPO)
    assert proc.returncode != 0
    assert "make setup" in proc.stderr



def _as_a_background_job() -> None:
    """What a non-interactive shell does to ``cmd &`` (and what nohup-style wrappers inherit)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGQUIT, signal.SIG_IGN)


def test_wrapper_gives_the_engine_default_signals_in_a_background_job(tmp_path: Path) -> None:
    """Started with SIGINT ignored, the engine's language host inherits it: the engine cannot stop
    the host it started to list the program's plugins, and waits 5 s before killing it, on every
    preview and up. scripts/pulumi hands the engine the default dispositions. Seen from the
    engine's side: a stand-in ``pulumi`` in an engine cache reports what it was started with."""
    bin_dir = tmp_path / "cache" / "engine" / "v999.0.0" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "pulumi").write_text("#!/bin/sh\ngrep '^SigIgn:' /proc/$$/status\n")
    (bin_dir / "pulumi-language-python").write_text("#!/bin/sh\n")
    (bin_dir / ".complete").write_text("")
    for tool in ("pulumi", "pulumi-language-python"):
        (bin_dir / tool).chmod(0o755)
    env = {**os.environ, "W365_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run(
        [str(PULUMI), "version"], capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
        preexec_fn=_as_a_background_job,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    ignored = int(proc.stdout.split()[1], 16)
    assert ignored & (1 << (signal.SIGINT - 1) | 1 << (signal.SIGQUIT - 1)) == 0, proc.stdout
