"""`w365 report` on previews made now by the real engine, compared with the captured fixtures.

The stack of tests/fixtures/capture_previews.py runs again (emulator, real engine, the
provider as it is on disk): create, update, replace, delete, no change. Each live preview is
rendered and checked, and it must render exactly like its fixture, so a change in the engine's
output or in the provider that the report would show cannot leave tests/unit/test_report*.py
passing on stale files. When this test fails on purpose, re-capture:

    .venv/bin/python tests/fixtures/capture_previews.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import capture_previews as capture
from tests.fixtures.report_support import fixture, rows
from w365_provider.report import analyze, render

pytestmark = pytest.mark.e2e

W365 = Path(sys.executable).parent / "w365"


def _policy_rows(markdown: str) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    for row in rows(markdown, "Change"):
        out.setdefault(row[1].split("**")[1], []).append(row)
    return out


def test_live_previews_render_like_the_fixtures(tmp_path: Path) -> None:
    live: dict[str, dict[str, Any]] = {}
    ids: dict[str, str] = {}
    with capture.policy_stack(tmp_path) as (project, emulator):

        def keep(stage: str, digest: dict[str, Any]) -> None:
            assert capture.ops_of(digest) == capture.EXPECTED_OPS[stage], stage
            live[stage] = capture.scrub(digest, graph_url=emulator.graph_url, secrets=(emulator.token,), ids=ids)

        capture.run_stages(project, on_preview=keep)
        project.destroy()

    # What each preview says, read from the live output itself.
    created = _policy_rows(render([analyze(live["create"])]))
    assert sorted(created) == ["Engineering", "Finance", "Pilot users"]
    assert {r[0] for rs in created.values() for r in rs} == {"➕ Create"}

    updated = render([analyze(live["update"])])
    eng = {r[2]: (r[3], r[4]) for r in _policy_rows(updated)["Engineering"]}
    assert eng["Single sign-on"] == ("Disabled", "Enabled")
    assert eng["Language & region"] == ("en-US", "en-GB")
    assert "existing Cloud PCs keep their old settings" in updated

    replaced = render([analyze(live["replace"])])
    [fin_license] = [r for r in _policy_rows(replaced)["Finance"] if r[2].startswith("License type")]
    assert fin_license == [
        "♻️ Replace ⚠️", "**Finance**<br>`finance`", "License type 🔁 _forces replacement_",
        "Enterprise", "Frontline dedicated",
    ]  # fmt: skip
    assert "**Disruptive changes**" in replaced

    deleted = render([analyze(live["delete"])])
    assert _policy_rows(deleted) == {
        "Pilot users": [["🗑️ Delete ⚠️", "**Pilot users**<br>`pilot`", "Policy", "exists", "deleted"]]
    }
    assert "no changes" in render([analyze(live["same"])])

    # ... and exactly what the fixtures make the unit tests see.
    for stage in capture.STAGES:
        got, want = render([analyze(live[stage])]), render([analyze(fixture(stage))])
        assert got == want, (
            f"the live {stage} preview renders differently from "
            f"tests/fixtures/previews/{capture.FILES[stage]}; if the change is intended, re-capture with "
            "`.venv/bin/python tests/fixtures/capture_previews.py`"
        )

    # The console script on a live preview file, several stacks at once.
    for stage in ("update", "replace"):
        (tmp_path / f"{stage}.json").write_text(json.dumps(live[stage]))
    out = tmp_path / "report.md"
    proc = subprocess.run(
        [str(W365), "report", "--stack", f"dev={tmp_path / 'update.json'}", "--stack", f"prod={tmp_path / 'replace.json'}",
         "-o", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert "- **dev**: policies ✏️ 1 to update" in text
    assert "- **prod**: policies ♻️ 1 to replace" in text
