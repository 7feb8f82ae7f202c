"""The README and docs/: every Python and shell block is run by a test, links stay in the repository.

``BLOCKS`` names, for each Python or shell code block (by file and first line), the test that runs
it; a block without an entry fails ``test_every_python_and_shell_block_is_exercised``. Commands that
need a tenant (``az``) run against a stand-in ``az`` on ``PATH`` that records its arguments; the
README's Python example runs under ``pulumi.runtime.set_mocks`` with its gallery lookup served by
the local Graph emulator.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest

from tests.fixtures.report_support import fixture_path
from tests.unit.test_program import POLICY, Mocks, object_id
from w365_provider.emulator import people_seed
from w365_provider.emulator.launcher import EmulatorProcess

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINKED = [*DOCUMENTS, REPO / "CHANGELOG.md", REPO / "w365_provider" / "emulator" / "FIDELITY.md", REPO / "bench" / "README.md"]
RUNNABLE = {"python", "py", "sh", "bash", "shell", "console"}
FENCE = re.compile(r"^```([A-Za-z0-9_+-]*)[^\n]*\n(.*?)^```", re.M | re.S)

BLOCKS: dict[tuple[str, str], str] = {
    ("README.md", "make run    # set up, start the local Graph emulator, `pulumi up` the `local` stack against it"):
        "test_readme_make_targets",
    ("README.md", "import pulumi"): "test_readme_python_example_runs",
    ("docs/lookups.md", "import pulumi"): "test_lookups_frontline_example_runs",
    ("docs/ci.md", 'app=$(az ad app create --display-name w365-iac-prod --query appId -o tsv)'):
        "test_ci_app_registration_commands",
    ("docs/ci.md", "az ad app federated-credential create --id \"$app\" --parameters '{"):
        "test_ci_federated_credential_command",
    ("docs/ci.md", "export PULUMI_BACKEND_URL='azblob://pulumi-state?storage_account=contosow365state'"):
        "test_ci_stack_init_commands",
    ("docs/ci.md", "scripts/pulumi preview --refresh --json --stack dev > dev.json"): "test_ci_local_report_commands",
    ("docs/architecture.md", 'Property("provisioning_type", "provisioningType",'): "test_architecture_rows_are_the_specs_rows",
    ("docs/architecture.md", 'Property("version", "version",'): "test_architecture_rows_are_the_specs_rows",
    ("docs/impact.md", "W365_GRAPH_TOKEN=w365-emulator-token w365 impact --stack local --names"):
        "test_impact_commands_against_the_emulator",
    ("docs/reliability.md", "scripts/recover --stack dev --cancel          # you know no other run of this stack is active"):
        "test_reliability_recover_commands",
    ("docs/stacks.md", "scripts/pulumi stack init contoso               # writes stacks/Pulumi.contoso.yaml with its encryption salt"):
        "test_stacks_export_commands",
}  # fmt: skip
"""(file, first line) of each Python or shell block -> the test below that runs it."""


def blocks() -> dict[tuple[str, str], tuple[str, str]]:
    """(file, first line) -> (language, text) for every Python or shell block."""
    found = {}
    for path in DOCUMENTS:
        for lang, body in FENCE.findall(path.read_text(encoding="utf-8")):
            if lang.lower() in RUNNABLE:
                first = next(line for line in body.splitlines() if line.strip())
                found[(str(path.relative_to(REPO)), first)] = (lang.lower(), body)
    return found


def block(key: tuple[str, str]) -> str:
    return blocks()[key][1]


def test_every_python_and_shell_block_is_exercised() -> None:
    assert set(blocks()) == set(BLOCKS), "register each new block in BLOCKS with a test that runs it"
    for name in BLOCKS.values():
        assert callable(globals().get(name)), name


# -- links ------------------------------------------------------------------------------------------

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|root|tmp|home)/[\w./-]+")


def _slug(heading: str) -> str:
    text = re.sub(r"[`*_\[\]()]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


@pytest.mark.parametrize("path", LINKED, ids=lambda p: str(p.relative_to(REPO)))
def test_links_stay_in_the_repository_and_resolve(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    bad = []
    for target in LINK.findall(text):
        if re.match(r"^(https?:|mailto:)", target):
            continue
        file, _, anchor = target.partition("#")
        resolved = (path.parent / file).resolve() if file else path
        if REPO not in resolved.parents and resolved != REPO:
            bad.append(f"{target}: outside the repository")
        elif not resolved.exists():
            bad.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md":
            headings = {_slug(h) for h in re.findall(r"^#+ (.+)$", resolved.read_text(encoding="utf-8"), re.M)}
            if anchor not in headings:
                bad.append(f"{target}: no heading #{anchor}")
    bad += [f"{m}: a machine path" for m in MACHINE_PATH.findall(text)]
    bad += [f"{m}: outside the repository" for m in re.findall(r"`(\.\./[^`]+)`", text)
            if REPO not in (path.parent / m.split()[0]).resolve().parents]  # fmt: skip
    assert bad == []


def test_sources_are_cited_by_public_url() -> None:
    """Prose cites sources by public URL; a loopback URL inside code (a command, a quoted error
    message) is what a reader types or sees, not a citation."""
    for path in DOCUMENTS:
        prose = re.sub(r"`[^`\n]*`", "", FENCE.sub("", path.read_text(encoding="utf-8")))
        for url in re.findall(r"https?://[^\s)>`\"']+", prose):
            assert not re.match(r"https?://(localhost|127\.|10\.|192\.168\.)", url), (path.name, url)


# -- README ---------------------------------------------------------------------------------------


def test_readme_make_targets() -> None:
    """Both commands are make targets that set up first; `make -n` shows what each runs."""
    [key] = [k for k, test in BLOCKS.items() if test == "test_readme_make_targets"]
    commands = [line.split("#")[0].split() for line in block(key).splitlines() if line.strip()]
    assert commands == [["make", "run"], ["make", "test"]]
    for args, runs in ((["run"], "scripts/run-local"), (["test"], ".venv/bin/pytest -q")):
        # as a person types it: not as a sub-make of `make test` (which would add "Entering directory" lines)
        env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES")}
        proc = subprocess.run(["make", "-n", "-W", "pyproject.toml", *args], cwd=REPO, capture_output=True, text=True,
                              timeout=60, env=env)
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.splitlines()
        assert lines[-1] == runs
        assert any("pip install" in line for line in lines)  # setup runs first
        assert any("build-engine.sh" in line for line in lines)


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess() as emu:
        yield emu


def run_under_mocks(emu: EmulatorProcess, code: str, graph_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Mocks, dict[str, Any]]:
    """Run a documented program as written, under mocks, its look-ups real Graph calls to ``emu``;
    returns the mocks (what was registered) and the exported values."""
    monkeypatch.setenv("W365_GRAPH_TOKEN", emu.token)
    exported: dict[str, Any] = {}
    real_export = pulumi.export
    monkeypatch.setattr(pulumi, "export", lambda name, value: (exported.__setitem__(name, value), real_export(name, value)))
    mocks = Mocks()
    asyncio.set_event_loop(asyncio.new_event_loop())
    pulumi.runtime.set_mocks(mocks, project="docs", stack="docs", preview=False)
    pulumi.runtime.set_all_config({"w365:graphUrl": graph_url})
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> Any:
        exec(compile(code, "docs", "exec"), {"__name__": "__main__"})  # noqa: S102 - the document's own code
        return pulumi.Output.from_input(dict(exported)).apply(outputs.update)

    program()
    return mocks, outputs


def test_readme_python_example_runs(emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    """The example as written, under mocks; its gallery lookup is a real Graph call to the emulator."""
    emu = emulator.fresh()
    mocks, outputs = run_under_mocks(emu, block(("README.md", "import pulumi")), emu.graph_url, monkeypatch)
    [policy] = mocks.of(POLICY).values()
    [group] = mocks.of("azuread:index/group:Group").values()
    assert group["displayName"] == "W365 Pilot users"
    assert policy["image_id"] == "MicrosoftWindowsDesktop_windows-ent-cpc_win11-25h2-ent-cpc-m365"
    assert policy["assignments"] == [{"group_id": object_id("pilot")}]  # the created group's object id
    assert policy["cloud_pc_naming_template"] == "CPC-%USERNAME:4%-%RAND:5%"
    assert outputs == {"pilot": "policy-pilot"}
    assert [r["method"] + " " + r["path"].split("?")[0] for r in emu.requests()] == [
        "GET /v1.0/deviceManagement/virtualEndpoint/galleryImages"
    ]


def test_lookups_frontline_example_runs(emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/lookups.md's Frontline policy on beta: its size is looked up by name in the emulator."""
    emu = emulator.fresh()
    code = block(("docs/lookups.md", "import pulumi"))
    mocks, outputs = run_under_mocks(emu, code, emu.graph_url.replace("/v1.0", "/beta"), monkeypatch)
    [policy] = mocks.of(POLICY).values()
    assert policy["provisioning_type"] == "sharedByUser"
    assert policy["assignments"] == [{"group_id": object_id("shifts"), "service_plan_id": people_seed.PLAN_F2}]
    assert outputs == {"frontline_licences": f"0 of {people_seed.SUBSCRIPTIONS[people_seed.F2]} in use"}
    assert [r["method"] + " " + r["path"] for r in emu.requests()] == [
        "GET /beta/deviceManagement/virtualEndpoint/frontLineServicePlans"
    ]


# -- docs/ci.md: az against a stand-in ------------------------------------------------------------------


@pytest.fixture
def fake_bin(tmp_path: Path) -> tuple[Path, Path]:
    """A bin directory with stand-ins for az, git and scripts/pulumi that log their arguments."""
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.jsonl"
    bin_dir.mkdir()
    script = f"""#!{sys.executable}
import json, sys, os
args = sys.argv[1:]
with open({str(log)!r}, "a") as f:
    f.write(json.dumps([os.path.basename(sys.argv[0]), *args]) + "\\n")
if args[:3] == ["ad", "app", "create"]:
    print("11111111-2222-3333-4444-555555555555")
elif args[:3] == ["ad", "sp", "show"]:
    query = args[args.index("--query") + 1]
    print("role-" + query.split("'")[1])
elif os.path.basename(sys.argv[0]) == "pulumi" and "preview" in args:
    sys.stdout.write(open({str(fixture_path("update"))!r}).read())
elif os.path.basename(sys.argv[0]) == "pulumi" and args[:2] == ["stack", "export"]:
    print(json.dumps({{"version": 3, "deployment": {{}}}}))
"""
    for name in ("az", "git", "pulumi"):
        (bin_dir / name).write_text(script)
        (bin_dir / name).chmod(0o755)
    return bin_dir, log


def run_block(text: str, bin_dir: Path, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", **env}
    return subprocess.run(["bash", "-euo", "pipefail", "-c", text], cwd=cwd, env=environ, capture_output=True, text=True, timeout=120)


def calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_ci_app_registration_commands(fake_bin: tuple[Path, Path], tmp_path: Path) -> None:
    bin_dir, log = fake_bin
    proc = run_block(block(("docs/ci.md", "app=$(az ad app create --display-name w365-iac-prod --query appId -o tsv)")), bin_dir, tmp_path)
    assert proc.returncode == 0, proc.stderr
    app = "11111111-2222-3333-4444-555555555555"
    got = calls(log)
    assert got[0] == ["az", "ad", "app", "create", "--display-name", "w365-iac-prod", "--query", "appId", "-o", "tsv"]
    assert got[1] == ["az", "ad", "sp", "create", "--id", app]
    permission = next(c for c in got if c[1:4] == ["ad", "app", "permission"] and c[4] == "add")
    assert permission[permission.index("--api") + 1] == "00000003-0000-0000-c000-000000000000"  # Microsoft Graph
    assert permission[-2:] == ["role-CloudPC.ReadWrite.All=Role", "role-Group.ReadWrite.All=Role"]
    assert got[-1] == ["az", "ad", "app", "permission", "admin-consent", "--id", app]


def test_ci_federated_credential_command(fake_bin: tuple[Path, Path], tmp_path: Path) -> None:
    bin_dir, log = fake_bin
    text = block(("docs/ci.md", "az ad app federated-credential create --id \"$app\" --parameters '{"))
    proc = run_block(text, bin_dir, tmp_path, app="11111111-2222-3333-4444-555555555555")
    assert proc.returncode == 0, proc.stderr
    [call] = calls(log)
    params = json.loads(call[call.index("--parameters") + 1])
    assert params["issuer"] == "https://token.actions.githubusercontent.com"
    assert params["subject"] == "repo:contoso/w365:environment:prod"
    assert params["audiences"] == ["api://AzureADTokenExchange"]
    assert call[call.index("--id") + 1] == "11111111-2222-3333-4444-555555555555"


def _in_a_checkout(tmp_path: Path, bin_dir: Path) -> Path:
    """A directory laid out like the repository, with scripts/pulumi the stand-in and .venv/bin/w365 the real one."""
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    (root / "scripts" / "pulumi").symlink_to(bin_dir / "pulumi")
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "w365").symlink_to(Path(sys.executable).parent / "w365")
    return root


def test_ci_stack_init_commands(fake_bin: tuple[Path, Path], tmp_path: Path) -> None:
    bin_dir, log = fake_bin
    root = _in_a_checkout(tmp_path, bin_dir)
    text = block(("docs/ci.md", "export PULUMI_BACKEND_URL='azblob://pulumi-state?storage_account=contosow365state'"))
    proc = run_block(text + '\necho "backend=$PULUMI_BACKEND_URL"', bin_dir, root)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "backend=azblob://pulumi-state?storage_account=contosow365state"
    assert calls(log) == [
        ["pulumi", "stack", "init", "prod", "--secrets-provider", "azurekeyvault://contoso-w365.vault.azure.net/keys/pulumi"],
        ["git", "add", "stacks/Pulumi.prod.yaml"],
    ]


def test_ci_local_report_commands(fake_bin: tuple[Path, Path], tmp_path: Path) -> None:
    bin_dir, log = fake_bin
    root = _in_a_checkout(tmp_path, bin_dir)
    proc = run_block(block(("docs/ci.md", "scripts/pulumi preview --refresh --json --stack dev > dev.json")), bin_dir, root)
    assert proc.returncode == 0, proc.stderr
    assert calls(log) == [["pulumi", "preview", "--refresh", "--json", "--stack", "dev"]]
    assert proc.stdout.startswith("<!-- w365-report -->")
    assert "- **review**: policies ✏️ 1 to update" in proc.stdout
    assert stat.S_ISREG((root / "dev.json").stat().st_mode)


# -- docs/architecture.md: the rows it shows are the specs' own ---------------------------------------


@pytest.mark.parametrize(
    ("first", "module"),
    [('Property("provisioning_type", "provisioningType",', "w365_provider.resources.provisioning_policy.spec"),
     ('Property("version", "version",', "w365_provider.resources.device_image.spec")],
)  # fmt: skip
def test_architecture_rows_are_the_specs_rows(first: str, module: str) -> None:
    """Each row the doc shows, evaluated with its spec module's names, equals that spec's row."""
    import importlib

    namespace = vars(importlib.import_module(module))
    rows = eval("[" + block(("docs/architecture.md", first)) + "]", dict(namespace))  # noqa: S307 - the doc's own code
    spec = namespace["SPEC"]
    assert rows and all(row == spec.by_name[row.name] for row in rows), rows


# -- docs/impact.md and docs/reliability.md: the commands, in a checkout --------------------------------


def test_impact_commands_against_the_emulator(fake_bin: tuple[Path, Path], tmp_path: Path) -> None:
    """``w365 impact --stack local`` with the emulator's token, the preview (the stand-in), and
    ``w365 report --people`` with the Graph root from the environment."""
    bin_dir, log = fake_bin
    root = _in_a_checkout(tmp_path, bin_dir)
    text = block(("docs/impact.md", "W365_GRAPH_TOKEN=w365-emulator-token w365 impact --stack local --names"))
    token = text.split()[0].split("=", 1)[1]
    with EmulatorProcess(token=token) as emu:
        local = (REPO / "stacks" / "Pulumi.local.yaml").read_text(encoding="utf-8")
        (root / "stacks").mkdir()
        (root / "stacks" / "Pulumi.local.yaml").write_text(local.replace("http://127.0.0.1:8765", emu.url))
        env = {"PATH": f"{bin_dir}:{Path(sys.executable).parent}:{os.environ['PATH']}", "W365_GRAPH_URL": emu.graph_url}
        proc = run_block(text, bin_dir, root, **env)
        gets = {r["path"].split("?")[0] for r in emu.requests()}
    assert proc.returncode == 0, proc.stderr
    assert "W365 Engineering" in proc.stdout and "get a new Cloud PC" in proc.stdout  # the table per policy
    assert calls(log) == [["pulumi", "preview", "--json", "--stack", "dev"]]
    report = (root / "report.md").read_text(encoding="utf-8")
    assert "Effect on people" in report and "the analysis failed" not in report
    assert any("/transitiveMembers/" in path for path in gets), gets  # people were read from Graph


def test_reliability_recover_commands(fake_bin: tuple[Path, Path], tmp_path: Path) -> None:
    """``scripts/recover`` as the doc runs it: ``--cancel`` removes the lock; ``--if-stale-lock``
    acts only on a lock a dead process of this host left (file backend)."""
    import shutil
    import socket

    bin_dir, log = fake_bin
    root = _in_a_checkout(tmp_path, bin_dir)
    shutil.copy(REPO / "scripts" / "recover", root / "scripts" / "recover")
    shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
    python = root / ".venv" / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    python.chmod(0o755)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    backend = tmp_path / "state"
    locks = backend / ".pulumi" / "locks" / "organization" / "w365" / "local"
    locks.mkdir(parents=True)
    (locks / "lock.json").write_text(json.dumps({"pid": dead.pid, "hostname": socket.gethostname(), "timestamp": "t"}))
    text = block(("docs/reliability.md", "scripts/recover --stack dev --cancel          # you know no other run of this stack is active"))
    proc = run_block(text, bin_dir, root, PULUMI_BACKEND_URL=f"file://{backend}")
    assert proc.returncode == 0, proc.stderr
    assert "recover: stack dev has no interrupted operation; nothing to do" in proc.stdout
    assert f"recover: stack local is locked by a run that no longer exists (pid {dead.pid}" in proc.stdout
    assert calls(log) == [
        ["pulumi", "cancel", "--yes", "--stack", "dev"], ["pulumi", "stack", "export", "--stack", "dev"],
        ["pulumi", "cancel", "--yes", "--stack", "local"], ["pulumi", "stack", "export", "--stack", "local"],
    ]  # fmt: skip


def test_stacks_export_commands(fake_bin: tuple[Path, Path], tmp_path: Path) -> None:
    bin_dir, log = fake_bin
    root = _in_a_checkout(tmp_path, bin_dir)
    with EmulatorProcess() as emu:
        body = {"displayName": "Portal policy", "imageId": "MicrosoftWindowsDesktop_windows-ent-cpc_win11-24h2-ent-cpc-m365",
                "imageType": "gallery", "domainJoinConfigurations": [{"domainJoinType": "azureADJoin", "regionName": "automatic"}]}  # fmt: skip
        status, made = emu.graph("POST", "/deviceManagement/virtualEndpoint/provisioningPolicies", body)
        assert status == 201 and made is not None
        text = block(("docs/stacks.md", "scripts/pulumi stack init contoso               # writes stacks/Pulumi.contoso.yaml with its encryption salt"))
        proc = run_block(text, bin_dir, root, W365_GRAPH_URL=emu.graph_url, W365_GRAPH_TOKEN=emu.token)
    assert proc.returncode == 0, proc.stderr
    assert calls(log) == [["pulumi", "stack", "init", "contoso"], ["pulumi", "preview", "--diff", "--stack", "contoso"],
                          ["pulumi", "up", "--stack", "contoso"]]  # fmt: skip
    written = (root / "stacks" / "Pulumi.contoso.yaml").read_text()
    assert f"adopt: {made['id']}" in written and "with 7 Graph requests (GET only)" in proc.stderr  # one per kind, the gallery, groups
