"""Faults a user meets, with the real Pulumi engine (scripts/pulumi) against the emulator.

- a rotated token reaches refresh and destroy (from the environment, or the stack config);
- a token given in plain text config is refused and never lands in state;
- a preview against a closed port fails in seconds, naming the URL;
- a Graph 400 at ``up`` is one readable paragraph (the step, Graph's message, the request-id);
- a SIGKILLed ``pulumi up``: its provider process exits within seconds, and the recovery
  (``python -m w365_provider.recovery``, as scripts/recover and scripts/run-local run it) leaves
  Graph and state equal, each policy once.

Each proven case is recorded for ``docs/reliability.md`` (see ``tests/reliability.py``).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import PULUMI, REPO, Project, copy_repo_program, make_project
from tests.reliability import record
from w365_provider.emulator import seed
from w365_provider.emulator.launcher import EmulatorProcess

pytestmark = pytest.mark.e2e

POLICIES = "/deviceManagement/virtualEndpoint/provisioningPolicies"
TYPE = "pulumi-python:dynamic/w365:ProvisioningPolicy"
FAST = {"w365:retryMinDelaySeconds": "0.05", "w365:retryMaxDelaySeconds": "0.5"}


def policy(name: str, group: str = seed.GROUP_PILOT_USERS) -> dict[str, Any]:
    return {
        "display_name": name,
        "image_id": seed.GALLERY_WIN11_24H2_M365,
        "image_type": "gallery",
        "domain_join_configurations": [{"domain_join_type": "azureADJoin", "region_name": "automatic"}],
        "assignments": [{"group_id": group}],
    }


def program(policies: dict[str, dict[str, Any]]) -> str:
    return (
        "import pulumi\n"
        "from w365_provider import ProvisioningPolicy\n\n"
        f"for name, args in {policies!r}.items():\n"
        "    pulumi.export(name, ProvisioningPolicy(name, **args).policy_id)\n"
    )


@contextlib.contextmanager
def extra_env(project: Project, **variables: str) -> Iterator[Project]:
    """The project with ``variables`` added to the environment of its commands, for a while."""
    saved = dict(project.env)
    project.env.update(variables)
    try:
        yield project
    finally:
        project.env.clear()
        project.env.update(saved)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def graph_policies(emu: EmulatorProcess) -> list[dict[str, Any]]:
    status, body = emu.graph("GET", POLICIES + "?$expand=assignments")
    assert status == 200 and body is not None
    return list(body["value"])


def state_policies(project: Project) -> list[dict[str, Any]]:
    return project.resources(TYPE)


def assert_graph_equals_state(emu: EmulatorProcess, project: Project) -> None:
    """Policies in Graph == policies in state, each once (by id and by display name)."""
    in_graph = graph_policies(emu)
    in_state = state_policies(project)
    assert sorted(p["id"] for p in in_graph) == sorted(r["id"] for r in in_state)
    names = [p["displayName"] for p in in_graph]
    assert len(names) == len(set(names)), f"duplicates in Graph: {names}"
    assert not (project.export()["deployment"].get("pending_operations") or [])


# -- credentials that rotate ----------------------------------------------------------------------


def test_a_rotated_token_reaches_refresh_and_destroy(tmp_path: Path) -> None:
    """The rotation repro: up with token A; the emulator accepts only B from then on."""
    token_a, token_b = "token-a-" + secrets.token_hex(8), "token-b-" + secrets.token_hex(8)
    port, db = free_port(), tmp_path / "graph.db"
    with EmulatorProcess(port=port, db=db, token=token_a) as emu:
        project = make_project(
            tmp_path, program({"eng": policy("Eng rotation")}),
            config={"w365:graphUrl": emu.graph_url, **FAST}, secrets={"w365:graphToken": token_a},
        )  # fmt: skip
        project.up()
        [pid] = [r["id"] for r in state_policies(project)]
    with EmulatorProcess(port=port, db=db, token=token_b) as emu:
        # the token stored with the provider in state is refused now: the repro of the issue
        with extra_env(project, PULUMI_RUN_PROGRAM="false"):
            stale = project.refresh(check=False)
        assert stale.returncode != 0 and "HTTP 401" in stale.stdout
        assert "Graph refused the bearer token from w365:graphToken" in stale.stdout
        assert token_a not in stale.stdout + stale.stderr

        # 1. from the environment: wins over the stored config, even without running the program
        with extra_env(project, W365_GRAPH_TOKEN=token_b, PULUMI_RUN_PROGRAM="false"):
            project.refresh()
        with extra_env(project, W365_GRAPH_TOKEN=token_b):
            project.refresh()

        # 2. from the current stack config: refresh and destroy run the program (scripts/pulumi)
        project.set_config("w365:graphToken", token_b, secret=True)
        with extra_env(project, PULUMI_RUN_PROGRAM="false"):
            still_stale = project.refresh(check=False)
        assert still_stale.returncode != 0  # the engine alone keeps the stored copy
        refreshed = project.refresh()
        assert "Graph: " + emu.graph_url in refreshed.stdout
        assert [r["id"] for r in state_policies(project)] == [pid]
        project.destroy()
        assert graph_policies(emu) == [] and state_policies(project) == []
    record(
        "token-rotated",
        level="engine",
        fault="The Graph token is rotated after `up`: the old one, stored with the provider in state, is refused (401).",
        outcome="`refresh` and `destroy` succeed with the new token from `W365_GRAPH_TOKEN` (it wins in the provider) "
        "or from the stack config (`scripts/pulumi` runs the program: `PULUMI_RUN_PROGRAM=true`); a refused token "
        "names its source and this remedy.",
    )


def test_a_plaintext_token_is_refused_and_never_lands_in_state(tmp_path: Path) -> None:
    token = "plain-" + secrets.token_hex(12)
    with EmulatorProcess(token=token) as emu:
        project = make_project(tmp_path, program({"eng": policy("Eng plaintext")}), config={"w365:graphUrl": emu.graph_url})
        # the CLI asks for --plaintext when a value looks like a secret: the repro of the issue
        project.run("config", "set", "w365:graphToken", token, "--plaintext", "--stack", project.stack)
        preview = project.preview(check=False)
        up = project.up(check=False)
        for proc in (preview, up):
            assert proc.returncode != 0
            assert "w365:graphToken is stored in plain text" in proc.stdout
            assert 'pulumi config set --secret w365:graphToken "$(pulumi config get w365:graphToken --stack e2e)"' in proc.stdout
            assert token not in proc.stdout + proc.stderr
        exported = project.run("stack", "export", "--show-secrets", "--stack", "e2e").stdout
        assert token not in exported
        assert emu.requests() == []  # nothing reached Graph
        assert graph_policies(emu) == []

        # set as a secret, as the message says: up works, and state holds only ciphertext
        project.set_config("w365:graphToken", token, secret=True)
        assert f"Graph: {emu.graph_url} (tenant not set; token from w365:graphToken)" in project.preview().stdout
        project.up()
        plain = project.run("stack", "export", "--stack", "e2e").stdout
        assert token not in plain and "ciphertext" in plain
        project.destroy()
    record(
        "token-plaintext",
        level="engine",
        fault="`w365:graphToken` set without `--secret` (plain text in the stack file).",
        outcome="`preview` and `up` stop before any Graph call with the command that stores it as a secret; "
        "the token is in neither output nor state.",
    )


def test_a_misspelt_provider_key_stops_the_preview_before_any_graph_call(tmp_path: Path) -> None:
    with EmulatorProcess(token="typo-token") as emu:
        project = make_project(
            tmp_path, program({"eng": policy("Eng typo")}),
            config={"w365:graphURL": emu.graph_url, "w365:timeoutSecond": "5"}, secrets={"w365:graphToken": "typo-token"},
        )  # fmt: skip
        proc = project.preview(check=False)
        assert proc.returncode != 0
        assert (
            "w365:graphURL (did you mean w365:graphUrl?) and w365:timeoutSecond (did you mean w365:timeoutSeconds?) "
            "are not w365 settings" in proc.stdout
        )
        assert "Traceback" not in proc.stdout + proc.stderr
        assert emu.requests() == []
    record(
        "settings-unknown-key",
        level="engine",
        fault="A misspelt `w365:` key (`w365:graphURL`, `w365:timeoutSecond`), or a provider key without `w365:graphUrl`.",
        outcome="The preview stops before any Graph call, naming each key with the closest known one (\"did you mean "
        "w365:graphUrl?\"); Microsoft Graph is the default only when no provider key is set at all.",
    )


# -- Graph unreachable -------------------------------------------------------------------------------


def test_a_preview_against_a_closed_port_fails_fast_and_names_the_url(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1.0"
    env = {"W365_GRAPH_TOKEN": "any", "PULUMI_CONFIG_PASSPHRASE": "local-stacks-only"}  # the local stack's salt
    project = copy_repo_program(tmp_path, stack="local", env=env)
    project.set_config("w365:graphUrl", url)
    started = time.monotonic()
    proc = project.preview(check=False)
    took = time.monotonic() - started
    print(f"preview against a closed port failed after {took:.1f}s (engine start included)")
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert f"Graph at {url} (API version v1.0) cannot be reached: the connection was refused" in out
    assert "`make run`" in out and "python -m w365_provider.emulator --port" in out
    assert "Traceback" not in out
    assert took < 15  # was ~75 s of throttling back-off; the engine's own start-up is most of it
    record(
        "graph-unreachable",
        level="engine",
        fault="Graph does not answer: nothing listens on its port (the emulator is not started).",
        outcome="No throttling back-off: one quick re-send, then one paragraph naming the Graph root, the API "
        "version and how to start the emulator; a preview fails in seconds.",
    )


# -- Graph refuses a create -------------------------------------------------------------------------


def test_a_graph_400_at_up_is_one_readable_paragraph(tmp_path: Path) -> None:
    """Graph refuses the create (400) with a message naming the property: `up` shows one paragraph."""
    message = "The property 'cloudPcNamingTemplate' is not valid for this tenant."
    with EmulatorProcess(token="refused-token") as emu:
        project = make_project(
            tmp_path, program({"eng": policy("Eng refused")}),
            config={"w365:graphUrl": emu.graph_url, **FAST}, secrets={"w365:graphToken": "refused-token"},
        )  # fmt: skip
        emu.set_faults([{"method": "POST", "path": r"/provisioningPolicies$", "status": 400, "message": message}])
        up = project.up(check=False)
        out = up.stdout + up.stderr
        assert up.returncode != 0
        # the resource's diagnostics: one line (one paragraph), nothing chained under it
        block = re.search(r"ProvisioningPolicy \(eng\):\n((?:    .*\n)+)", out)
        assert block is not None, out
        [line] = block.group(1).splitlines()
        assert "create provisioning policy 'Eng refused' failed: HTTP 400 BadRequest - " + message in line
        assert re.search(r"\(request-id [0-9a-f-]{8,}\)$", line), line
        assert "Traceback" not in out and "During handling of the above exception" not in out
        emu.clear_faults()
        assert graph_policies(emu) == [] and state_policies(project) == []  # nothing made, nothing recorded
    record(
        "graph-400-at-up",
        level="engine",
        fault="Graph refuses a create with 400 (a property it does not accept).",
        outcome="`up` fails with one paragraph: the step, `HTTP 400`, Graph's message naming the property and its "
        "request-id, and no traceback; nothing is left in Graph or in state.",
    )


# -- a killed engine ---------------------------------------------------------------------------------


def descendants(root: int) -> dict[int, str]:
    """Live processes below ``root``: pid -> command line."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_bytes()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: dict[int, str] = {}
    frontier = [root]
    while frontier:
        for pid in children.get(frontier.pop(), []):
            try:
                found[pid] = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            frontier.append(pid)
    return found


def running(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def leftovers() -> Iterator[list[int]]:
    """Pids this test started indirectly; any still running at the end are killed."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if running(pid):
            os.kill(pid, signal.SIGKILL)


def test_a_killed_up_leaves_no_provider_process_and_recovers_without_duplicates(
    tmp_path: Path, leftovers: list[int]
) -> None:
    names = [f"kill{i}" for i in range(6)]
    with EmulatorProcess(token="kill-token") as emu:
        project = make_project(
            tmp_path, program({n: policy(f"Killed {n}") for n in names}),
            config={"w365:graphUrl": emu.graph_url, **FAST}, secrets={"w365:graphToken": "kill-token"},
        )  # fmt: skip
        # creates land at once; every assignment hangs 20 s, so the kill finds creates in flight
        emu.set_faults([{"method": "POST", "path": "/assign$", "latency_ms": 20000}])
        engine = subprocess.Popen(
            [str(PULUMI), "up", "--yes", "--skip-preview", "--non-interactive", "--stack", project.stack],
            cwd=project.dir, env=project.environ(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while sum(1 for r in emu.requests() if r["method"] == "POST" and r["path"].endswith("provisioningPolicies")) < 3:
            assert engine.poll() is None and time.monotonic() < deadline, "up ended before the kill"
            time.sleep(0.1)
        below = descendants(engine.pid)
        providers = [pid for pid, cmd in below.items() if "-m pulumi.dynamic" in cmd]
        leftovers.extend(below)
        assert providers, f"no dynamic provider process under the engine: {below}"
        killed = time.monotonic()
        engine.send_signal(signal.SIGKILL)
        engine.wait(timeout=10)
        while any(running(p) for p in providers) and time.monotonic() - killed < 10:
            time.sleep(0.05)
        took = time.monotonic() - killed
        print(f"provider process exited {took:.2f}s after `pulumi up` was killed")
        assert not any(running(p) for p in providers), "a pulumi.dynamic process outlived its engine by 10 s"

        in_graph_after_kill = graph_policies(emu)
        pending = project.export()["deployment"].get("pending_operations") or []
        assert pending, "the kill left no interrupted create: it came too late to test recovery"
        emu.clear_faults()

        recovery = subprocess.run(
            [sys.executable, "-m", "w365_provider.recovery", "--stack", project.stack, "--pulumi", str(PULUMI),
             "--cwd", str(project.dir), "--if-stale-lock"],
            env=project.environ(), capture_output=True, text=True, timeout=300, cwd=REPO,
        )  # fmt: skip
        print(recovery.stdout, recovery.stderr)
        assert recovery.returncode == 0, recovery.stdout + recovery.stderr
        assert "no longer exists" in recovery.stdout and "agree again" in recovery.stdout
        assert_graph_equals_state(emu, project)
        assert {p["id"] for p in in_graph_after_kill} <= {r["id"] for r in state_policies(project)}  # no orphan

        # the next up completes the stack: every policy once, assigned
        project.up()
        assert_graph_equals_state(emu, project)
        assert sorted(p["displayName"] for p in graph_policies(emu)) == sorted(f"Killed {n}" for n in names)
        assert all(p["assignments"] for p in graph_policies(emu))
        again = subprocess.run(
            [sys.executable, "-m", "w365_provider.recovery", "--stack", project.stack, "--pulumi", str(PULUMI),
             "--cwd", str(project.dir), "--if-stale-lock"],
            env=project.environ(), capture_output=True, text=True, timeout=120, cwd=REPO,
        )  # fmt: skip
        assert again.returncode == 0 and again.stdout == ""  # nothing stale: does nothing, says nothing
        project.destroy()
        assert graph_policies(emu) == []
    record(
        "engine-killed",
        level="engine",
        fault="`pulumi up` is SIGKILLed while creates are in flight (a cancelled CI job).",
        outcome="The `pulumi.dynamic` process exits within seconds; `scripts/recover` (run by `scripts/run-local` "
        "on a stale lock) keeps each interrupted create that reached Graph and drops the others: Graph == state, "
        "each policy once, and the next `up` completes the stack.",
    )
