"""The `w365 report` command line, on the captured previews."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.report_support import fixture_path, rows
from w365_provider import cli
from w365_provider.report import MARKER

W365 = Path(sys.executable).parent / "w365"


def test_named_stacks_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    code = cli.main(
        ["report", "--stack", f"dev={fixture_path('update')}", "--stack", f"prod={fixture_path('replace')}", "-o", str(out)]
    )
    assert code == 0
    text = out.read_text()
    assert text.startswith(MARKER + "\n")
    assert "- **dev**: policies ✏️ 1 to update" in text
    assert "- **prod**: policies ♻️ 1 to replace" in text
    assert text.index("### Stack `dev`") < text.index("### Stack `prod`")


def test_positional_files_take_the_stack_name_from_the_urns(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["report", str(fixture_path("delete"))]) == 0
    text = capsys.readouterr().out
    assert "### Stack `review`" in text
    assert rows(text, "Change")[0][0] == "🗑️ Delete ⚠️"


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(fixture_path("create").read_text()))
    assert cli.main(["report", "--stack", "local=-"]) == 0
    assert "- **local**: policies ➕ 3 to create" in capsys.readouterr().out


def test_unreadable_input_is_reported_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "prod.json"
    empty.write_text("")
    code = cli.main(["report", "--stack", f"dev={fixture_path('update')}", str(empty), str(tmp_path / "missing.json")])
    captured = capsys.readouterr()
    assert code == 1
    assert "- **dev**: policies ✏️ 1 to update" in captured.out  # the good stack is still reported
    assert "- **prod**: ❌ no preview (" in captured.out
    assert "- **missing**: ❌ no preview (" in captured.out
    assert "No such file" in captured.err


def test_bad_stack_argument() -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["report", "--stack", "no-equals-sign"])
    assert exc.value.code == 2


def test_long_reports_are_cut_for_a_comment(tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    files = [f"s{i}={fixture_path('create')}" for i in range(40)]
    args = ["report", *[a for f in files for a in ("--stack", f)], "-o", str(out), "--max-chars", "5000"]
    assert cli.main(args) == 0
    text = out.read_text()
    assert len(text) <= 5000
    assert text.rstrip().endswith("run `w365 report` locally for all of it.")
    assert cli.main([*args[:-2], "--max-chars", "0"]) == 0
    assert len(out.read_text()) > 5000


def test_truncate_closes_open_blocks() -> None:
    text = "a\n<details><summary>x</summary>\n\n```text\n" + "line\n" * 100 + "```\n</details>\n"
    cut = cli.truncate(text, 300)
    assert len(cut) <= 300
    assert cut.count("```") % 2 == 0
    assert cut.count("<details>") == cut.count("</details>")


def test_console_script() -> None:
    """The installed `w365` entry point (pyproject [project.scripts])."""
    assert W365.exists(), "run: .venv/bin/pip install -e '.[test]' --no-deps"
    proc = subprocess.run(
        [str(W365), "report", str(fixture_path("replace"))], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "♻️ Replace ⚠️" in proc.stdout
    help_text = subprocess.run([str(W365), "report", "--help"], capture_output=True, text=True, timeout=60).stdout
    assert "NAME=FILE" in help_text and "--output" in help_text
