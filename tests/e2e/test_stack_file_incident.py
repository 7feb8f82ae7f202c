"""The stack-file incident: a stack file found rewritten to nothing but its ``encryptionsalt`` line.

Reproduced with the real engine: a stack file that parses as YAML but whose config keys the
engine does not see (keys that lost their indentation under ``config:``, or a misspelled
``config``) and that has no ``encryptionsalt`` yet is rewritten by ``pulumi preview`` (which adds
the passphrase provider's salt) to just that salt; ``pulumi config set`` drops the same keys when
the salt is there. ``scripts/pulumi`` now refuses such a file, and one that does not parse, before
the engine runs, and says why; the program itself and a valid file are left byte for byte.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.harness import PASSPHRASE, REPO, make_project

pytestmark = pytest.mark.e2e

PROGRAM = "import pulumi\npulumi.export('v', pulumi.Config().get('v'))\n"
MISINDENTED = "# the dev stack\nconfig:\nw365-e2e:v: one\nw365-e2e:w: two\n"
MISSPELLED = "# the dev stack\nconfg:\n  w365-e2e:v: one\n"
NOT_YAML = "config:\n  w365-e2e:v: [one\n"


def engine() -> Path:
    """The engine binary itself, without the wrapper (what a user's own `pulumi` would do)."""
    out = subprocess.run(
        [str(REPO / "scripts" / "build-engine.sh"), "--locate"],
        env={**os.environ, "PYTHON": str(REPO / ".venv" / "bin" / "python")},
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return Path(out.stdout.strip()) / "pulumi"


def checker():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("check_stack_file", REPO / "scripts" / "check_stack_file.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    return make_project(tmp_path, PROGRAM, stack="dev")


def test_the_engine_itself_rewrites_a_misread_file_to_its_salt(project) -> None:  # type: ignore[no-untyped-def]
    path = project.config_file()
    path.write_text(MISINDENTED)
    env = {**project.environ(), "PULUMI_SKIP_UPDATE_CHECK": "true", "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE}
    subprocess.run([str(engine()), "preview", "--stack", "dev", "--non-interactive"], cwd=project.dir, env=env,
                   capture_output=True, text=True, timeout=300)  # fmt: skip
    lines = path.read_text().splitlines()
    assert len(lines) == 1 and lines[0].startswith("encryptionsalt: v1:"), lines  # the incident


@pytest.mark.parametrize("text", [MISINDENTED, MISSPELLED, NOT_YAML], ids=["misindented", "misspelled", "not-yaml"])
@pytest.mark.parametrize(
    "command",
    [["preview"], ["up", "--yes"], ["config", "set", "v", "x"], ["stack", "select", "dev", "--create"], ["refresh", "--yes"]],
    ids=lambda c: c[0] + ("-" + c[1] if c[0] in ("config", "stack") else ""),
)
def test_the_wrapper_refuses_and_says_why(project, text: str, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    path = project.config_file()
    path.write_text(text)
    proc = project.run(*command, "--stack", "dev", "--non-interactive", check=False)
    assert proc.returncode == 2
    assert "refusing to run, a stack file would be misread" in proc.stderr
    assert "Pulumi.dev.yaml" in proc.stderr
    assert ("indent it under `config:`" in proc.stderr) if text is MISINDENTED else True
    assert ("'confg'" in proc.stderr) if text is MISSPELLED else True
    assert ("is not valid YAML" in proc.stderr) if text is NOT_YAML else True
    assert path.read_text() == text


def test_a_valid_file_is_left_as_it_is_by_the_program_and_the_wrapper(project) -> None:  # type: ignore[no-untyped-def]
    path = project.config_file()
    project.set_config("v", "one")
    before = path.read_text()
    assert project.preview().returncode == 0
    project.up()
    assert path.read_text() == before
    assert checker().problems(path) == []


def test_the_checks_of_the_wrapper(tmp_path: Path) -> None:
    check = checker()
    cases = {
        "fine.yaml": ("# c\nconfig:\n  a:b: 1\nencryptionsalt: v1:x\n", 0),
        "empty.yaml": ("", 0),
        "list.yaml": ("- config\n", 1),
        "scalar-config.yaml": ("config: a:b=1\n", 1),
        "env.yaml": ("environment:\n  - dev\nconfig: {}\n", 0),
    }
    for name, (text, count) in cases.items():
        (tmp_path / name).write_text(text)
        assert len(check.problems(tmp_path / name)) == count, name
    assert check.stack_argument(["preview", "--stack", "org/dev"]) == "org/dev"
    assert check.stack_argument(["up", "-s", "prod"]) == "prod"
    assert check.stack_argument(["up", "--stack=local"]) == "local"
    assert check.stack_argument(["preview"]) is None
