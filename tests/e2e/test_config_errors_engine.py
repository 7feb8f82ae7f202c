"""A stack file with several mistakes, previewed by the real engine: every mistake in one run,
each with its YAML path, as one readable message, and not one Graph request.

The repository's program runs against an emulator whose request log is read afterwards. Never
skipped: without the engine the test fails.
"""

from __future__ import annotations

import copy
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import copy_repo_program
from tests.e2e.test_program_engine import LIFECYCLE
from w365_provider.emulator.launcher import EmulatorProcess

pytestmark = pytest.mark.e2e

TOKEN = "e2e-config-" + secrets.token_hex(8)


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(token=TOKEN) as emu:
        yield emu


def test_five_mistakes_in_one_preview_and_no_graph_request(tmp_path: Path, emulator: EmulatorProcess) -> None:
    emu = emulator.fresh()
    env = {"W365_GRAPH_TOKEN": emu.token, "PULUMI_CONFIG_PASSPHRASE": "local-stacks-only"}
    project = copy_repo_program(tmp_path, stack="e2e", env=env)
    config = copy.deepcopy(LIFECYCLE)
    config["w365:graphUrl"] = emu.graph_url
    eng = config["w365:policies"]["eng"]
    eng["cloudPcNamingTemplat"] = eng.pop("description")  # 1. a misspelled key
    eng["provisioningType"] = "dedicate"  # 2. an enum value
    eng["domainJoinConfigurations"][0]["regionName"] = "westeurop"  # 3. a region typo
    kiosk = config["w365:policies"]["kiosk"]
    kiosk["cloudPcNamingTemplate"] = "KIOSK-%USERNAME:4%-%RAND:2%"  # 4. a naming template Graph refuses
    kiosk["image"] = "golden-image"  # 5. a reference to an image that does not exist
    project.write_config(config)
    emu.clear_requests()

    started = time.monotonic()
    failed = project.preview(check=False)
    seconds = time.monotonic() - started
    output = failed.stdout + failed.stderr

    assert failed.returncode != 0
    expected = [
        "w365:policies.eng.provisioningType: must be one of dedicated, shared, sharedByUser, sharedByEntraGroup, reserve, got 'dedicate'; did you mean 'dedicated'?",
        "w365:policies.eng.domainJoinConfigurations[0].regionName: 'westeurop' is not a region where Windows 365 "
        "provisions Cloud PCs; did you mean 'westeurope'?",
        "w365:policies.eng.cloudPcNamingTemplat: unknown key; did you mean 'cloudPcNamingTemplate'?",
        "w365:policies.kiosk.image: 'golden-image' is not a key of w365:images (known: golden, win11); "
        "did you mean 'golden'?",
        "w365:policies.kiosk.cloudPcNamingTemplate: %RAND:y% needs y >= 5 (got 2)",
    ]
    for line in expected:
        assert line in output, f"{line!r} missing from:\n{output}"
    listed = re.findall(r"^\s+- (w365:\S+): ", output, re.M)
    assert len(listed) == len(set(listed)) >= 5, output  # listed once, each under its YAML path
    assert "the stack config has" in output and "problem(s):" in output
    assert "Traceback" not in output
    assert "Resource monitor has terminated" not in output
    assert emu.requests() == [], "the preview reached Graph"
    print(f"five-mistake preview failed in {seconds:.1f} s with {len(listed)} problems")
