"""The fault cases table of ``docs/reliability.md``, generated from the tests that prove them.

How it works (three steps, nothing else):

1. A test that proves a fault case ends, once all its assertions passed, with::

       record("closed-port-preview", level="engine", fault="...", outcome="...")

   ``case`` is a stable id, ``level`` says what ran (``engine`` = the real Pulumi engine against
   the emulator, ``provider`` = provider methods against the emulator, ``unit``), ``fault`` and
   ``outcome`` are one sentence each, in the words of the table.
2. ``record`` compares that row with ``tests/fixtures/reliability.json``: a test whose row is not
   in the fixture, or differs from it, fails. With ``W365_RECORD_RELIABILITY=1`` it writes the row
   into the fixture instead (run the tests you changed that way once).
3. ``python -m tests.reliability`` renders the fixture into the table between the markers of
   ``docs/reliability.md``; ``tests/unit/test_reliability_doc.py`` fails while the document and
   the fixture differ, and when a row names a test that does not exist.

To add a case: call ``record`` at the end of the test, run it with ``W365_RECORD_RELIABILITY=1``,
then run ``python -m tests.reliability``, and commit the fixture and the document.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "reliability.json"
DOC = REPO / "docs" / "reliability.md"
BEGIN = "<!-- fault-table: generated from tests/fixtures/reliability.json by `python -m tests.reliability`; do not edit -->"
END = "<!-- end fault-table -->"
LEVELS = ("engine", "provider", "unit")


def load() -> dict[str, dict[str, str]]:
    """The recorded rows, by case id."""
    if not FIXTURE.exists():
        return {}
    data: dict[str, dict[str, str]] = json.loads(FIXTURE.read_text())
    return data


def record(case: str, *, level: str, fault: str, outcome: str) -> None:
    """Check (or, with ``W365_RECORD_RELIABILITY=1``, write) the row a passing test proves."""
    assert level in LEVELS, f"level must be one of {LEVELS}"
    current = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0].split("[")[0]  # no parameters
    row = {"level": level, "fault": fault, "outcome": outcome, "test": current}
    if os.environ.get("W365_RECORD_RELIABILITY"):
        data = load()
        data[case] = row
        FIXTURE.write_text(json.dumps(dict(sorted(data.items())), indent=2) + "\n")
        return
    recorded = load().get(case)
    assert recorded == row, (
        f"fault case {case!r} differs from {FIXTURE.relative_to(REPO)}: run this test with "
        f"W365_RECORD_RELIABILITY=1, then `python -m tests.reliability`\nrecorded: {recorded}\nproved:   {row}"
    )


def render(data: dict[str, dict[str, str]] | None = None) -> str:
    """The Markdown table of the rows, engine cases first."""
    rows = data if data is not None else load()
    lines = ["| Case | Fault | Outcome | Proved by |", "| --- | --- | --- | --- |"]
    order = sorted(rows.items(), key=lambda item: (LEVELS.index(item[1]["level"]), item[0]))
    for case, row in order:
        test = row["test"]
        path, _, name = test.partition("::")
        proof = f"[{name}]({Path(os.path.relpath(REPO / path, DOC.parent)).as_posix()}) ({row['level']})"
        lines.append(f"| `{case}` | {_cell(row['fault'])} | {_cell(row['outcome'])} | {proof} |")
    return "\n".join(lines)


def section(text: str) -> str:
    """The generated part of ``text`` (between the markers)."""
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[start:end].strip("\n")


def write(doc: Path = DOC) -> bool:
    """Render the table into ``doc``; True when it changed."""
    text = doc.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    new = text[:start] + "\n" + render() + "\n" + text[end:]
    if new == text:
        return False
    doc.write_text(new)
    return True


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main(argv: list[str] | None = None) -> int:
    changed = write()
    print(f"{DOC.relative_to(REPO)}: {'updated' if changed else 'already in sync'} ({len(load())} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

