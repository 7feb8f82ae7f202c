"""Drive the real Pulumi engine (scripts/pulumi) on a throwaway project.

Each Project lives in its own directory with its own file:// backend, so tests never
share state. The engine is never mocked: a missing engine is a failure, not a skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

REPO = Path(__file__).resolve().parents[2]
PULUMI = REPO / "scripts" / "pulumi"
VENV = REPO / ".venv"
PASSPHRASE = "e2e-only-passphrase"


class PulumiFailed(AssertionError):
    """A pulumi command exited non-zero; carries its output."""

    def __init__(self, args: list[str], proc: subprocess.CompletedProcess[str]) -> None:
        self.proc = proc
        super().__init__(
            f"pulumi {' '.join(args)} exited {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
        )


def pulumi_yaml(name: str, *, stack_config_dir: str | None = None) -> str:
    """A Pulumi.yaml that runs the program with the repository's virtualenv."""
    text = (
        f"name: {name}\n"
        "runtime:\n"
        "  name: python\n"
        "  options:\n"
        "    toolchain: pip\n"
        f"    virtualenv: {VENV}\n"
    )
    if stack_config_dir:
        text += f"stackConfigDir: {stack_config_dir}\n"
    return text


@dataclass
class Project:
    """A Pulumi project directory plus a private backend and stack."""

    dir: Path
    stack: str
    backend: Path
    env: dict[str, str] = field(default_factory=dict)

    def environ(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
        env.update(
            PULUMI_BACKEND_URL=f"file://{self.backend}",
            PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
            NO_COLOR="1",
        )
        env.update(self.env)
        return env

    def run(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """Run `pulumi ARGS` in the project directory."""
        argv = [str(PULUMI), *args]
        proc = subprocess.run(
            argv, cwd=self.dir, env=self.environ(), text=True, capture_output=True, timeout=timeout
        )
        if check and proc.returncode != 0:
            raise PulumiFailed(list(args), proc)
        return proc

    def _stack(self, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
        return self.run(*args, "--stack", self.stack, "--non-interactive", **kw)

    # --- stack commands ---------------------------------------------------------------
    def init(self) -> None:
        self.run("stack", "init", self.stack, "--non-interactive")

    def set_config(self, key: str, value: str, *, secret: bool = False, path: bool = False) -> None:
        """`pulumi config set`; ``path=True`` sets inside structured config (``w365:policies.a.b``)."""
        self._stack("config", "set", key, value, *(["--secret"] if secret else []), *(["--path"] if path else []))

    def config_file(self) -> Path:
        """The stack's config file (in the project's stackConfigDir when it sets one)."""
        for line in (self.dir / "Pulumi.yaml").read_text().splitlines():
            if line.startswith("stackConfigDir:"):
                return self.dir / line.split(":", 1)[1].strip() / f"Pulumi.{self.stack}.yaml"
        return self.dir / f"Pulumi.{self.stack}.yaml"

    def write_config(self, config: Mapping[str, Any]) -> None:
        """Replace the stack's config with CONFIG (plain values; structured ones allowed),
        keeping the rest of the file (its encryption salt)."""
        import yaml

        path = self.config_file()
        data = (yaml.safe_load(path.read_text()) if path.exists() else None) or {}
        data["config"] = dict(config)
        path.write_text(yaml.safe_dump(data, sort_keys=False))

    def up(self, *extra: str, **kw: Any) -> subprocess.CompletedProcess[str]:
        return self._stack("up", "--yes", "--skip-preview", *extra, **kw)

    def preview(self, *extra: str, **kw: Any) -> subprocess.CompletedProcess[str]:
        return self._stack("preview", *extra, **kw)

    def preview_json(self, *extra: str) -> dict[str, Any]:
        """`pulumi preview --json`, parsed (the PreviewDigest)."""
        proc = self._stack("preview", "--json", *extra)
        return json.loads(proc.stdout)

    def refresh(self, *extra: str, **kw: Any) -> subprocess.CompletedProcess[str]:
        return self._stack("refresh", "--yes", "--skip-preview", *extra, **kw)

    def destroy(self, *extra: str, **kw: Any) -> subprocess.CompletedProcess[str]:
        return self._stack("destroy", "--yes", "--skip-preview", *extra, **kw)

    def export(self, *, show_secrets: bool = False) -> dict[str, Any]:
        args = ["stack", "export"] + (["--show-secrets"] if show_secrets else [])
        return json.loads(self._stack(*args).stdout)

    def outputs(self) -> dict[str, Any]:
        return json.loads(self._stack("stack", "output", "--json").stdout)

    def resources(self, type_suffix: str = "") -> list[dict[str, Any]]:
        """Resources in the exported state, optionally filtered by type suffix."""
        res = self.export()["deployment"].get("resources") or []
        return [r for r in res if r["type"].endswith(type_suffix)]


def make_project(
    tmp_path: Path,
    program: str,
    *,
    name: str = "w365-e2e",
    stack: str = "e2e",
    config: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    files: Mapping[str, str] | None = None,
) -> Project:
    """Create a project in tmp_path/NAME whose __main__.py is PROGRAM, init STACK and set config."""
    pdir = tmp_path / name
    pdir.mkdir(parents=True)
    (pdir / "Pulumi.yaml").write_text(pulumi_yaml(name))
    (pdir / "__main__.py").write_text(program)
    for rel, text in (files or {}).items():
        (pdir / rel).parent.mkdir(parents=True, exist_ok=True)
        (pdir / rel).write_text(text)
    backend = tmp_path / f"{name}-state"
    backend.mkdir()
    project = Project(dir=pdir, stack=stack, backend=backend, env=dict(env or {}))
    project.init()
    for key, value in (config or {}).items():
        project.set_config(key, value)
    for key, value in (secrets or {}).items():
        project.set_config(key, value, secret=True)
    return project


def copy_repo_program(tmp_path: Path, *, stack: str, env: Mapping[str, str] | None = None) -> Project:
    """Copy the repository's own program (Pulumi.yaml, __main__.py, stacks/) to tmp_path.

    The copy's Pulumi.yaml points at the repository's virtualenv; stack config files
    are copied as they are, so `stack select` finds them (stackConfigDir: stacks).
    """
    pdir = tmp_path / "program"
    pdir.mkdir(parents=True)
    shutil.copy(REPO / "__main__.py", pdir / "__main__.py")
    shutil.copytree(REPO / "stacks", pdir / "stacks")
    name = "w365"
    for line in (REPO / "Pulumi.yaml").read_text().splitlines():
        if line.startswith("name:"):
            name = line.split(":", 1)[1].strip()
    (pdir / "Pulumi.yaml").write_text(pulumi_yaml(name, stack_config_dir="stacks"))
    backend = tmp_path / "program-state"
    backend.mkdir()
    project = Project(dir=pdir, stack=stack, backend=backend, env=dict(env or {}))
    project.init()
    return project


def engine_events(proc_stdout: str) -> list[dict[str, Any]]:
    """Parse `--event-log` style JSON lines (one event per line)."""
    return [json.loads(line) for line in proc_stdout.splitlines() if line.strip().startswith("{")]
