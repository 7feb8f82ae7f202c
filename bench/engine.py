"""A throwaway Pulumi project driven through ``scripts/pulumi`` (the real engine), timed.

A small equivalent of ``tests/e2e/harness.py`` that also hands back the CLI's pid, so
``ProcWatch`` can read the peak memory of the processes the command starts.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.procwatch import ProcWatch

REPO = Path(__file__).resolve().parents[1]
PULUMI = REPO / "scripts" / "pulumi"
VENV = REPO / ".venv"
PASSPHRASE = "bench-only-passphrase"


class PulumiFailed(RuntimeError):
    pass


@dataclass
class Run:
    """One timed pulumi command."""

    args: list[str]
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    watch: ProcWatch

    def check(self) -> Run:
        if self.returncode != 0:
            raise PulumiFailed(
                f"pulumi {' '.join(self.args)} exited {self.returncode}\n"
                f"--- stdout (tail) ---\n{self.stdout[-4000:]}\n--- stderr (tail) ---\n{self.stderr[-4000:]}"
            )
        return self


@dataclass
class Project:
    dir: Path
    stack: str = "bench"
    env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls, root: Path, name: str, files: dict[str, str], config: dict[str, str], env: dict[str, str]) -> Project:
        pdir = root / name
        pdir.mkdir(parents=True)
        (pdir / "Pulumi.yaml").write_text(
            f"name: {name}\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: {VENV}\n"
        )
        for rel, text in files.items():
            (pdir / rel).write_text(text)
        backend = root / f"{name}-state"
        backend.mkdir()
        project = cls(dir=pdir, env={"PULUMI_BACKEND_URL": f"file://{backend}", **env})
        project.run("stack", "init", project.stack, "--non-interactive").check()
        for key, value in config.items():
            project.stack_cmd("config", "set", key, value).check()
        return project

    def environ(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
        env.update(PULUMI_CONFIG_PASSPHRASE=PASSPHRASE, NO_COLOR="1")
        env.update(self.env)
        return env

    def run(self, *args: str, timeout: float = 1800) -> Run:
        """Run ``pulumi ARGS`` in the project directory, timing it and watching its processes."""
        argv = [str(PULUMI), *args]
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, cwd=self.dir, env=self.environ(), text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        with ProcWatch(proc.pid) as watch:
            try:
                stdout, stderr = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                stdout, stderr = proc.communicate()
        seconds = time.perf_counter() - start
        return Run(list(args), seconds, proc.returncode, stdout, stderr, watch)

    def stack_cmd(self, *args: str) -> Run:
        return self.run(*args, "--stack", self.stack, "--non-interactive")

    # the measured commands
    def up(self) -> Run:
        return self.stack_cmd("up", "--yes", "--skip-preview")

    def preview(self) -> Run:
        return self.stack_cmd("preview", "--expect-no-changes")

    def preview_refresh(self) -> Run:
        """``preview --refresh`` as CI runs it (deploy.yml): JSON on stdout."""
        return self.stack_cmd("preview", "--refresh", "--json")

    def refresh(self) -> Run:
        return self.stack_cmd("refresh", "--yes", "--skip-preview")

    def destroy(self) -> Run:
        return self.stack_cmd("destroy", "--yes", "--skip-preview")
