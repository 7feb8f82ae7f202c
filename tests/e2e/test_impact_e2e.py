"""A pull-request-like change with the real engine: one group added to a policy.

`w365 report --people` on the change's `pulumi preview --json` counts who gets a new Cloud PC,
who has no licence and who is covered by an earlier policy; after `pulumi up` the emulator's
Cloud PCs are what `w365 impact` predicted from the same preview, user by user.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests import impact_scenario as scenario
from tests.e2e.harness import make_project
from w365_provider.emulator import EmulatorProcess, seed
from w365_provider.emulator import people_seed as ps

pytestmark = pytest.mark.e2e

W365 = Path(sys.executable).parent / "w365"

PROGRAM = '''
import pulumi
from w365_provider import ProvisioningPolicy

stage = pulumi.Config().require("stage")
JOIN = [{"domain_join_type": "azureADJoin", "region_name": "westeurope"}]
pilot = ProvisioningPolicy("pilot", display_name="Pilot", image_id="%(image)s", image_type="gallery",
                           domain_join_configurations=JOIN, assignments=[{"group_id": "%(pilot)s"}])
groups = [{"group_id": "%(eng)s"}] + ([{"group_id": "%(finance)s"}] if stage == "change" else [])
ProvisioningPolicy("engineering", display_name="Engineering", image_id="%(image)s", image_type="gallery",
                   domain_join_configurations=JOIN, assignments=groups,
                   opts=pulumi.ResourceOptions(depends_on=[pilot]))  # Pilot is assigned first
''' % {
    "image": seed.GALLERY_WIN11_24H2_M365,
    "pilot": seed.GROUP_PILOT_USERS,
    "eng": seed.GROUP_ENGINEERING,
    "finance": seed.GROUP_FINANCE,
}


def _w365(*args: str, emu: EmulatorProcess) -> subprocess.CompletedProcess[str]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("W365_")},
           "W365_GRAPH_URL": emu.graph_url, "W365_GRAPH_TOKEN": emu.token}  # fmt: skip
    proc = subprocess.run([str(W365), *args], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_a_new_assignment_in_a_pull_request_counts_people_and_up_does_what_it_said(tmp_path: Path) -> None:
    with EmulatorProcess() as emu:
        emu.set_people({"config": {"provisioningSeconds": 0.5}}, patch=True)
        project = make_project(
            tmp_path, PROGRAM, name="w365-impact", stack="dev",
            config={"w365:graphUrl": emu.graph_url, "stage": "base"}, env={"W365_GRAPH_TOKEN": emu.token},
        )  # fmt: skip
        project.up()
        before, _ = scenario.emulator_outcome(emu)
        assert before[ps.ALEX.lower()] == [("Pilot", ps.PLAN_E2.lower(), "active")]

        project.set_config("stage", "change")
        digest: dict[str, Any] = project.preview_json()
        preview = tmp_path / "dev.json"
        preview.write_text(json.dumps(digest))

        comment = _w365("report", "--people", str(preview), emu=emu).stdout
        # Engineering now reaches Alex, Lee, Nestor, Patti, Pradeep (Engineering) and Diego, Isaiah,
        # Johanna (Finance): Diego gets a Cloud PC; Johanna and Pradeep have no licence; Alex and
        # Isaiah are covered by Pilot, assigned first.
        assert "| **Engineering** (updated) | 8 | 1 | 2 | 2 | 0 | 0 | 0 |" in comment
        assert "1 get a new Cloud PC: Diego Siciliani" in comment
        assert "2 are covered by an earlier-assigned policy (nothing from this one): Alex Wilber, Isaiah Langer (by Pilot)" in comment
        assert "@" not in comment.split("#### Effect on people", 1)[1].split("</details>", 1)[0]

        predicted = json.loads(_w365("impact", "--preview", str(preview), "--json", emu=emu).stdout)
        project.up()
        after, pools = scenario.emulator_outcome(emu)

    expected = {uid: [tuple(pc) for pc in pcs] for uid, pcs in predicted["outcome"].items()}
    assert after == expected  # every user: the same Cloud PCs, from the same policies, in the same state
    assert after[ps.DIEGO.lower()] == [("Engineering", ps.PLAN_E2.lower(), "active")]
    assert after == {**before, ps.DIEGO.lower(): after[ps.DIEGO.lower()]}
    assert pools == {}
