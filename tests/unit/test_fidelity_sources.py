"""FIDELITY.md: every rule of the emulator cites the Microsoft Learn page it follows."""

from __future__ import annotations

import re
from pathlib import Path

FIDELITY = Path(__file__).parents[2] / "w365_provider" / "emulator" / "FIDELITY.md"
RULE = re.compile(r"^\| (P?)(\d+) \|", re.M)


def rules() -> dict[str, str]:
    found = {}
    for line in FIDELITY.read_text(encoding="utf-8").splitlines():
        match = RULE.match(line)
        if match:
            found[match.group(1) + match.group(2)] = line
    return found


def test_every_rule_cites_a_learn_page() -> None:
    uncited = [name for name, line in rules().items() if "](https://learn.microsoft.com/" not in line]
    assert uncited == []


def test_rules_are_numbered_without_gaps() -> None:
    names = list(rules())
    graph = [int(n) for n in names if not n.startswith("P")]
    people = [int(n[1:]) for n in names if n.startswith("P")]
    assert graph == list(range(1, len(graph) + 1)) and len(graph) >= 61
    assert people == list(range(1, len(people) + 1))
