"""The impact analysis on large seeded tenants: prediction vs. the emulator, and its Graph cost.

    .venv/bin/python bench/impact.py [--users 500,2000] [--groups 20]

For each size: seed the emulator (nested groups), assign seven of eight policies, analyse the
change of tests/impact_scenario.py, make the change through Graph in plan order, and compare
the emulator's Cloud PCs with the prediction for every user. Prints the Graph requests the
analysis made: they follow the groups and the pages, not the number of people.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import impact_scenario as scenario  # noqa: E402
from w365_provider.emulator import EmulatorProcess  # noqa: E402
from w365_provider.graph import shutdown  # noqa: E402
from w365_provider.impact import analyze  # noqa: E402
from w365_provider.settings import Settings  # noqa: E402


def one(users: int, groups: int) -> bool:
    with EmulatorProcess() as emu:
        ids = scenario.baseline(emu, users, groups)
        steps = scenario.change(ids)
        settings = Settings.from_mapping({"graphUrl": emu.graph_url, "graphToken": emu.token}, {})
        emu.clear_requests()
        started = time.perf_counter()
        impact = analyze(settings, [s.planned for s in steps])
        took = time.perf_counter() - started
        logged = len(emu.requests())
        scenario.apply(emu, ids, steps)
        outcome, pools = scenario.emulator_outcome(emu)
    people = set(outcome) | set(impact.outcome)
    same = sum(outcome.get(u) == impact.outcome.get(u) for u in people)
    match = same == len(people) and pools == impact.pools
    new = sum(len(e.new) for e in impact.policies)
    lost = sum(len(e.loses) for e in impact.policies)
    print(f"{users:>6} users {groups:>3} groups: {impact.requests.line()}; emulator logged {logged}; "
          f"{took:.2f} s; {len(people)} people with Cloud PCs, prediction == emulator for {same} "
          f"({'all' if match else 'NOT all'}); shared pools {'match' if pools == impact.pools else 'differ'}; "
          f"{new} new, {lost} into grace")  # fmt: skip
    return match


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="500,2000")
    parser.add_argument("--groups", type=int, default=20)
    args = parser.parse_args()
    ok = all([one(int(n), args.groups) for n in args.users.split(",")])
    shutdown()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
