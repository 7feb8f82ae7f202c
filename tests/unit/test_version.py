"""The version is written once (pyproject.toml) and shown by `w365 --version` and the changelog."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from w365_provider.version import version

REPO = Path(__file__).resolve().parents[2]


def test_the_version_comes_from_pyproject() -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert version() == declared
    written = [p for p in REPO.glob("w365_provider/**/*.py") if re.search(rf"['\"]{re.escape(declared)}['\"]", p.read_text())]
    assert written == [], f"the version is written again in {written}"


def test_w365_version() -> None:
    proc = subprocess.run([str(Path(sys.executable).parent / "w365"), "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"w365 {version()}"


def test_the_changelog_starts_with_this_version() -> None:
    text = (REPO / "CHANGELOG.md").read_text()
    assert "[Keep a Changelog](https://keepachangelog.com/" in text
    releases = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, re.M)
    assert releases[0] == ("Unreleased", "")
    assert releases[1][0] == version() and releases[1][1]
    for heading in re.findall(r"^### (.+)$", text, re.M):
        assert heading in {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}, heading


def test_a_license_is_there() -> None:
    text = (REPO / "LICENSE").read_text()
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text
