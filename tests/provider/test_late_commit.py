"""Late commits against the emulator: Graph finishes a create after the client has been told
otherwise (the emulator's ``commit_late_ms`` fault: it answers at once, with the rule's status or
by dropping the connection, and executes the write that many milliseconds later).

Within the late-commit window the commit is found and becomes the resource (one POST, no
duplicate); past it, when every send failed, the step fails saying what to do, and doing it
(adopt) ends with Graph equal to state. The same logic is tested without the emulator in
tests/unit/test_ownership.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.reliability import record
from tests.unit.rules_cases import G1
from w365_provider.emulator.launcher import EmulatorProcess
from w365_provider.errors import GraphError

from .conftest import configured
from .test_ownership_faults import CREATE, WINDOW, assert_owned_once, inputs

Calls = Callable[[], list[tuple[str, str]]]
Policies = Callable[[], list[dict[str, Any]]]


@pytest.mark.parametrize("answer", [{}, {"status": 504}], ids=["dropped", "504"])
def test_a_late_commit_within_the_window_becomes_the_resource(answer: dict[str, Any], emu: EmulatorProcess, calls: Calls, policies: Policies) -> None:
    provider = configured(emu, **WINDOW)  # window 3.8 s
    emu.set_faults([{"method": "POST", "path": CREATE, "commit_late_ms": 1500, "times": 1, **answer}])
    started = time.monotonic()
    created = provider.create(inputs(provider, assignments=[{"group_id": G1}]))
    assert time.monotonic() - started >= 1.5  # found once it was committed
    assert calls().count(("POST", "/")) == 1  # never sent again
    assert ("POST", f"/{created.id}/assign") in calls()
    assert_owned_once(policies, [created.id])
    record(
        "create-late-commit",
        level="provider",
        fault="Graph commits a create after the client was told otherwise (504 or a dropped connection; "
        "the emulator's `commit_late_ms`).",
        outcome="Within the window (the client timeout plus its retries) the late commit is found and becomes the "
        "resource: one POST, no duplicate.",
    )


def test_a_commit_later_than_the_window_fails_the_step_with_what_to_do(emu: EmulatorProcess, policies: Policies) -> None:
    provider = configured(emu, **{**WINDOW, "retryMaxAttempts": "2"})  # window 3.2 s, two sends
    emu.set_faults([
        {"method": "POST", "path": CREATE, "commit_late_ms": 8000, "times": 1},
        {"method": "POST", "path": CREATE, "status": 503, "retry_after": 0},
    ])  # fmt: skip
    started = time.monotonic()
    with pytest.raises(GraphError) as info:
        provider.create(inputs(provider))
    [note] = info.value.__notes__
    assert "Graph did not confirm the create of provisioning policy 'Engineering'" in note and "set adopt=True" in note
    assert_owned_once(policies, [])
    emu.clear_faults()
    while not policies() and time.monotonic() - started < 20:  # Graph finishes it after all
        time.sleep(0.2)
    [late] = policies()
    adopted = provider.create(inputs(provider, adopt=True))  # what the message says to do
    assert adopted.id == late["id"]
    assert_owned_once(policies, [adopted.id])
    record(
        "create-commit-past-window",
        level="provider",
        fault="Graph commits a create later than the window, and every send of the POST failed.",
        outcome="The step fails naming the display name and saying what to do (`adopt=True`); doing it adopts the "
        "late policy: Graph == state, one policy.",
    )
