"""Groups by name in the review report and its warnings.

Names come from the preview itself (Entra groups the stack creates, the program's ``groupNames``
stack output) and, with ``w365 report --lookup-groups``, from one read-only Graph call per group,
cached per run: here against the emulator on 127.0.0.1, whose request log counts the calls.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.report_support import fixture, rows, step
from w365_provider import cli
from w365_provider.emulator import seed
from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.report import analyze, group_ids, render

ENG_GROUP, PILOT_GROUP = seed.GROUP_ENGINEERING, seed.GROUP_PILOT_USERS


def named(name: str, gid: str) -> str:
    return f"{name} (`{gid[:8]}…`)"


def with_group_names(digest: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The digest with the program's ``groupNames`` output on its Stack step (as after an `up`)."""
    [stack] = [s for s in digest["steps"] if s["urn"].endswith("pulumi:pulumi:Stack::" + s["urn"].rsplit("::", 1)[-1])
               and "pulumi:pulumi:Stack" in s["urn"]]  # fmt: skip
    stack.setdefault("oldState", {}).setdefault("outputs", {})["groupNames"] = names
    return digest


def test_the_programs_group_names_output_names_assigned_groups() -> None:
    digest = with_group_names(fixture("create"), {ENG_GROUP.upper(): "Engineers"})
    text = render([analyze(digest)])
    assert [named("Engineers", ENG_GROUP), "Engineering", "➕ assigned"] in rows(text, "Group")
    assert f"`{PILOT_GROUP}`" in text  # a group nobody named keeps its full id


def test_names_given_by_the_caller_and_the_digest_wins() -> None:
    digest = with_group_names(fixture("create"), {ENG_GROUP: "From the program"})
    text = render([analyze(digest, group_names={ENG_GROUP: "From Graph", PILOT_GROUP: "Pilot users group"})])
    table = rows(text, "Group")
    assert [named("From the program", ENG_GROUP), "Engineering", "➕ assigned"] in table
    assert [named("Pilot users group", PILOT_GROUP), "Pilot users", "➕ assigned"] in table


def test_warnings_name_the_groups_they_mention() -> None:
    digest = fixture("update")
    digest["diagnostics"].append({"severity": "warning", "message": f"warning: group {ENG_GROUP} has no members\n"})
    text = render([analyze(digest, group_names={ENG_GROUP: "Engineers"})])
    assert f"group Engineers ({ENG_GROUP[:8]}…) has no members" in text


def test_group_ids_lists_the_assigned_groups_once() -> None:
    digest = fixture("update")
    assert set(group_ids(digest)) == {PILOT_GROUP, ENG_GROUP}
    assert len(group_ids(digest)) == 2


# -- w365 report --lookup-groups against the emulator ------------------------------------------------


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess() as emu:
        yield emu


@pytest.fixture
def graph_env(emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> EmulatorProcess:
    emu = emulator.fresh()
    monkeypatch.setenv("W365_GRAPH_URL", emu.graph_url)
    monkeypatch.setenv("W365_GRAPH_TOKEN", emu.token)
    return emu


def reads(emu: EmulatorProcess) -> list[str]:
    return [r["path"] for r in emu.requests() if r["method"] == "GET" and "/groups/" in r["path"]]


def test_lookup_names_each_group_with_one_read_per_run(
    tmp_path: Path, graph_env: EmulatorProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.md"
    update, create = fixture("update"), fixture("create")
    (tmp_path / "dev.json").write_text(json.dumps(update))
    (tmp_path / "prod.json").write_text(json.dumps(create))
    code = cli.main(["report", "--stack", f"dev={tmp_path / 'dev.json'}", "--stack", f"prod={tmp_path / 'prod.json'}",
                     "--lookup-groups", "--stacks-dir", str(tmp_path), "-o", str(out)])  # fmt: skip
    assert code == 0
    text = out.read_text()
    names = {g["id"]: g["displayName"] for g in seed.GROUPS}
    for gid in set(group_ids(update)) | set(group_ids(create)):
        assert named(names[gid], gid) in text
    wanted = sorted(set(group_ids(update)) | set(group_ids(create)))
    assert sorted(p.rsplit("/", 1)[-1] for p in reads(graph_env)) == wanted  # once each, across both stacks
    assert capsys.readouterr().err == ""


def test_a_group_graph_does_not_know_keeps_its_id(tmp_path: Path, graph_env: EmulatorProcess) -> None:
    digest = fixture("update")
    unknown = "0b1ec700-0000-4000-8000-000000000000"
    step(digest, "engineering")["newState"]["inputs"]["assignments"][0]["group_id"] = unknown
    (tmp_path / "dev.json").write_text(json.dumps(digest))
    out = tmp_path / "report.md"
    assert cli.main(["report", str(tmp_path / "dev.json"), "--lookup-groups", "-o", str(out)]) == 0
    assert f"`{unknown}`" in out.read_text()


def test_without_access_the_report_is_still_written_with_ids(
    tmp_path: Path, graph_env: EmulatorProcess, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("W365_GRAPH_TOKEN", "not-the-emulator-token")
    (tmp_path / "dev.json").write_text(json.dumps(fixture("update")))
    out = tmp_path / "report.md"
    assert cli.main(["report", str(tmp_path / "dev.json"), "--lookup-groups", "-o", str(out)]) == 0
    assert f"`{ENG_GROUP}`" in out.read_text()
    err = capsys.readouterr().err
    assert err.count("could not read group names from Graph") == 1 and "not-the-emulator-token" not in err


def test_the_stack_files_graph_url_is_used(tmp_path: Path, graph_env: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("W365_GRAPH_URL", "http://127.0.0.1:9/v1.0")  # the stack file wins over the environment
    (tmp_path / "Pulumi.dev.yaml").write_text(f"config:\n  w365:graphUrl: {graph_env.graph_url}\n")
    (tmp_path / "dev.json").write_text(json.dumps(fixture("update")))
    out = tmp_path / "report.md"
    args = ["report", "--stack", f"dev={tmp_path / 'dev.json'}", "--lookup-groups", "--stacks-dir", str(tmp_path)]
    assert cli.main([*args, "-o", str(out)]) == 0
    assert named("W365 Engineering", ENG_GROUP) in out.read_text()


def test_without_the_flag_graph_is_not_asked(tmp_path: Path, graph_env: EmulatorProcess) -> None:
    (tmp_path / "dev.json").write_text(json.dumps(fixture("update")))
    assert cli.main(["report", str(tmp_path / "dev.json"), "-o", str(tmp_path / "r.md")]) == 0
    assert graph_env.requests() == []
